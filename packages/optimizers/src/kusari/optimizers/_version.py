"""Version of the kusari-optimizers distribution."""

__all__ = ["__version__"]

__version__ = "0.1.0"
