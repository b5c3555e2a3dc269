"""Testing helpers: the PyTorch oracle and the backend conformance suite.

``kusari.testing.oracle`` needs PyTorch (a test-only dependency); nothing here is
imported by kusari at run time.
"""

__all__ = ["oracle", "backend_conformance", "packaging"]
