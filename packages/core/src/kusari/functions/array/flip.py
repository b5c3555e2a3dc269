"""``flip``, ``fliplr``, ``flipud``: reverse the order of elements along an axis."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions.array.axes import normalize_axis
from kusari.variable import Variable

__all__ = ["Flip", "flip", "fliplr", "flipud"]


class Flip(FunctionNode):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, inputs):
        (x,) = inputs
        return (get_array_module(x).flip(x, self.axis),)

    def backward(self, indexes, grad_outputs):
        return Flip(self.axis).apply(grad_outputs)


def flip(x: Any, axis: int) -> Variable:
    """Reverse ``x`` along ``axis``.

    Args:
        x: Input variable or array.
        axis: The axis to reverse.

    Returns:
        The flipped Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.flip(np.array([[1, 2], [3, 4]], np.float32), 1).array
        array([[2., 1.],
               [4., 3.]], dtype=float32)
    """
    return Flip(normalize_axis(axis, x.ndim, "flip")).apply((x,))[0]


def fliplr(a: Any) -> Variable:
    """Reverse the columns (axis 1) of an array of at least 2 dims.

    Args:
        a: Input variable or array with ``ndim >= 2``.

    Returns:
        The flipped Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.fliplr(np.array([[1, 2]], np.float32)).array
        array([[2., 1.]], dtype=float32)
    """
    if a.ndim < 2:
        raise ValueError(f"fliplr: the input must have at least 2 dims; got shape {a.shape}")
    return Flip(1).apply((a,))[0]


def flipud(a: Any) -> Variable:
    """Reverse the rows (axis 0) of an array of at least 1 dim.

    Args:
        a: Input variable or array with ``ndim >= 1``.

    Returns:
        The flipped Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.flipud(np.array([1, 2], np.float32)).array
        array([2., 1.], dtype=float32)
    """
    if a.ndim < 1:
        raise ValueError(f"flipud: the input must have at least 1 dim; got shape {a.shape}")
    return Flip(0).apply((a,))[0]
