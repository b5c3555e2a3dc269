"""Utility functions."""

from kusari.functions.util.forget import forget

__all__ = ["forget"]
