"""Deterministic initializers: a constant, zeros, ones, NaN, a scaled identity."""

from __future__ import annotations

import numbers
from typing import Any

import numpy

from kusari.initializers._base import Initializer, _is_float_dtype, _to_host, _xp_of

__all__ = ["Identity", "Constant", "Zero", "One", "NaN"]


def _is_array(value: Any) -> bool:
    if isinstance(value, numpy.ndarray):
        return True
    try:
        from kusari.backend import is_array
    except ImportError:  # the engine is not importable: only NumPy arrays exist
        return False
    return is_array(value)


class Identity(Initializer):
    """Fill a square matrix with ``scale`` times the identity.

    Args:
        scale: The value on the diagonal.
        dtype: The dtype produced, or None for the array's own.

    Example:
        >>> import numpy as np
        >>> a = np.empty((2, 2), dtype=np.float32)
        >>> Identity(3)(a)
        >>> a
        array([[3., 0.],
               [0., 3.]], dtype=float32)
    """

    def __init__(self, scale: float = 1.0, dtype: Any = None) -> None:
        self.scale = scale
        super().__init__(dtype)

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        shape = tuple(array.shape)
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError(f"Identity: expected a square 2-D array (n, n), got shape {shape}")
        xp = _xp_of(array)
        array[...] = 0
        xp.fill_diagonal(array, self.scale)


class Constant(Initializer):
    """Fill an array with a constant scalar or a broadcastable array.

    Args:
        fill_value: A scalar or an array broadcastable to the filled array's shape.
        dtype: The dtype produced, or None for the array's own.

    Example:
        >>> import numpy as np
        >>> a = np.empty((2, 3), dtype=np.float32)
        >>> Constant([1, 2, 3])(a)
        >>> a
        array([[1., 2., 3.],
               [1., 2., 3.]], dtype=float32)
    """

    def __init__(self, fill_value: Any, dtype: Any = None) -> None:
        if isinstance(fill_value, (list, tuple)):
            fill_value = numpy.asarray(fill_value)
        if not (isinstance(fill_value, (numbers.Number, numpy.generic)) or _is_array(fill_value)):
            raise TypeError(
                f"{type(self).__name__}: fill_value must be a scalar or an array, "
                f"got {type(fill_value).__name__}"
            )
        if isinstance(fill_value, numpy.ndarray) and fill_value.dtype.hasobject:
            raise TypeError(
                f"{type(self).__name__}: fill_value must be numeric, got an object array"
            )
        self.fill_value = fill_value
        super().__init__(dtype)
        if (
            self.dtype is not None
            and not _is_float_dtype(self.dtype)
            and _has_non_finite(fill_value)
        ):
            raise ValueError(
                f"{type(self).__name__}: cannot make {fill_value!r} in an array of dtype "
                f"{self.dtype}; use a floating dtype"
            )

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        fill = self.fill_value
        shape = tuple(array.shape)
        fill_shape = tuple(numpy.shape(fill)) if not _is_array(fill) else tuple(fill.shape)
        try:
            broadcast = numpy.broadcast_shapes(fill_shape, shape)
        except ValueError:
            broadcast = None
        if broadcast != shape:
            raise ValueError(
                f"{type(self).__name__}: fill_value of shape {fill_shape} cannot fill an "
                f"array of shape {shape}"
            )
        if not _is_float_dtype(numpy.dtype(array.dtype)) and _has_non_finite(fill):
            raise ValueError(
                f"{type(self).__name__}: cannot put {_short(fill)} into an array of dtype "
                f"{array.dtype}; use a floating dtype"
            )
        xp = _xp_of(array)
        if xp is numpy:
            array[...] = _to_host(fill) if _is_array(fill) else fill
        else:
            array[...] = xp.asarray(fill)


def _has_non_finite(value: Any) -> bool:
    host = _to_host(value) if _is_array(value) else numpy.asarray(value)
    return host.dtype.kind in "fc" and not bool(numpy.isfinite(host).all())


def _short(value: Any) -> str:
    return repr(value) if not _is_array(value) else "an array with non-finite values"


class Zero(Constant):
    """Fill an array with zeros (``Constant(0.0)``).

    Args:
        dtype: The dtype produced, or None for the array's own.

    Example:
        >>> import numpy as np
        >>> a = np.ones(2)
        >>> Zero()(a)
        >>> a
        array([0., 0.])
    """

    def __init__(self, dtype: Any = None) -> None:
        super().__init__(0.0, dtype)


class One(Constant):
    """Fill an array with ones (``Constant(1.0)``).

    Args:
        dtype: The dtype produced, or None for the array's own.

    Example:
        >>> import numpy as np
        >>> a = np.zeros(2)
        >>> One()(a)
        >>> a
        array([1., 1.])
    """

    def __init__(self, dtype: Any = None) -> None:
        super().__init__(1.0, dtype)


class NaN(Constant):
    """Fill an array with NaN: what a Parameter holds before a real initializer runs.

    Args:
        dtype: The dtype produced (floating), or None for the array's own.

    Example:
        >>> import numpy as np
        >>> a = np.zeros(2)
        >>> NaN()(a)
        >>> a
        array([nan, nan])
    """

    def __init__(self, dtype: Any = None) -> None:
        super().__init__(numpy.nan, dtype)
