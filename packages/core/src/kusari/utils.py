"""Small array helpers Chainer code imports from ``chainer.utils``."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module

__all__ = ["force_array", "force_type", "size_of_shape"]


def force_array(x: Any, dtype: Any = None) -> Any:
    """Return ``x`` as an array (NumPy scalars from reductions become 0-d arrays)."""
    if isinstance(x, numpy.generic) or not hasattr(x, "shape"):
        return numpy.asarray(x, dtype=dtype)
    return x if dtype is None else x.astype(dtype, copy=False)


def force_type(dtype: Any, value: Any) -> Any:
    """Cast ``value`` (array or scalar) to ``dtype`` when it differs."""
    if getattr(value, "dtype", None) == dtype:
        return value
    if hasattr(value, "astype"):
        return value.astype(dtype, copy=False)
    return get_array_module(value).asarray(value, dtype=dtype)


def size_of_shape(shape: tuple[int, ...]) -> int:
    """The number of elements of an array of ``shape``."""
    size = 1
    for s in shape:
        size *= int(s)
    return size
