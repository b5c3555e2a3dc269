"""A backend plugin whose import fails, for the tests of plugin error reporting.

kusari must survive it: ``import kusari`` still works, and asking for the plugin reports
the distribution (kusari-fake-backend 0.1.0) together with this error.
"""

raise RuntimeError("boom")
