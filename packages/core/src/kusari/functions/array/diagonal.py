"""``diagonal``: the diagonal of a pair of axes; its gradient fills a zero array's diagonal."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions.array.axes import normalize_axis
from kusari.variable import Variable

__all__ = ["Diagonal", "DiagonalGrad", "diagonal"]


class Diagonal(FunctionNode):
    def __init__(self, offset: int, axis1: int, axis2: int) -> None:
        self.offset = offset
        self.axis1 = axis1
        self.axis2 = axis2

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        xp = get_array_module(x)
        # numpy's diagonal is a read-only view; hand out a real array.
        return (xp.diagonal(x, self.offset, self.axis1, self.axis2).copy(),)

    def backward(self, indexes, grad_outputs):
        return DiagonalGrad(self._in_shape, self.offset, self.axis1, self.axis2).apply(grad_outputs)


class DiagonalGrad(FunctionNode):
    def __init__(self, shape: tuple[int, ...], offset: int, axis1: int, axis2: int) -> None:
        self.shape = shape
        self.offset = offset
        self.axis1 = axis1
        self.axis2 = axis2

    def forward(self, inputs):
        (gy,) = inputs
        xp = get_array_module(gy)
        gx = xp.zeros(self.shape, dtype=gy.dtype)
        view = xp.moveaxis(gx, (self.axis1, self.axis2), (-2, -1))
        k = gy.shape[-1]
        rows = xp.arange(k) + max(-self.offset, 0)
        cols = xp.arange(k) + max(self.offset, 0)
        view[..., rows, cols] = gy
        return (gx,)

    def backward(self, indexes, grad_outputs):
        return Diagonal(self.offset, self.axis1, self.axis2).apply(grad_outputs)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Variable:
    """Take a diagonal of ``x`` (``numpy.diagonal``); the diagonal axis goes last.

    Args:
        x: Input variable or array with at least 2 dims.
        offset: Offset from the main diagonal (positive: above it).
        axis1: First axis of the 2-D sub-arrays.
        axis2: Second axis of the 2-D sub-arrays.

    Returns:
        The diagonal as a Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.diagonal(np.arange(9, dtype=np.float32).reshape(3, 3), 1).array
        array([1., 5.], dtype=float32)
    """
    if x.ndim < 2:
        raise ValueError(f"diagonal: x must have at least 2 dims; got shape {tuple(x.shape)}")
    a1 = normalize_axis(axis1, x.ndim, "diagonal", "axis1")
    a2 = normalize_axis(axis2, x.ndim, "diagonal", "axis2")
    if a1 == a2:
        raise ValueError(f"diagonal: axis1 and axis2 must differ; both are {a1}")
    return Diagonal(int(offset), a1, a2).apply((x,))[0]
