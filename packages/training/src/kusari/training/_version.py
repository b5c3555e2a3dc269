"""Version of the kusari-training distribution."""

__all__ = ["__version__"]

__version__ = "0.1.0"
