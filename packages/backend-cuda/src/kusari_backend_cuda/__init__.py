"""kusari-backend-cuda: the CuPy backend of kusari, a pluggy plugin.

kusari finds it through the ``kusari.backends`` entry point (``plugin``); nothing in
kusari imports this package directly. Importing it never imports CuPy (~0.5 s): the
backend object is created, and CuPy imported, only when a CUDA device is first needed.

Example:
    >>> import kusari
    >>> kusari.backends.cuda.is_available() in (True, False)
    True
"""

try:  # uninstalling kusari-core can leave an empty `kusari` directory behind
    from kusari._version import __version__ as _core_version  # noqa: F401
except ImportError:
    raise ImportError(
        "kusari-backend-cuda needs kusari-core, which is not installed: pip install kusari-core"
    ) from None

from kusari_backend_cuda._version import __version__

__all__ = ["__version__", "seed"]


def seed(value: int) -> None:
    """Seed CuPy's random generator (dropout masks, initializers on the GPU)."""
    import cupy

    cupy.random.seed(value)
