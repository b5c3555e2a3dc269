"""Array backends of kusari: the hook specifications, the registry and the built-in NumPy backend.

Third-party backends (``kusari-backend-cuda``, …) are pluggy plugins found through the
``kusari.backends`` entry-point group; see :mod:`kusari.backends.hookspecs`.
"""

from pkgutil import extend_path

# Other distributions may add modules under kusari.backends from elsewhere on sys.path.
__path__ = extend_path(__path__, __name__)
