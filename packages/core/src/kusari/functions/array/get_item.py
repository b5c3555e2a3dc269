"""``get_item``: NumPy indexing (basic and advanced) of a Variable."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["GetItem", "GetItemGrad", "get_item"]


def _normalize(slices: Any) -> Any:
    if isinstance(slices, list):
        if all(isinstance(s, (int, numpy.integer)) for s in slices):
            return numpy.asarray(slices, dtype=numpy.intp)
        return tuple(slices)
    if isinstance(slices, Variable):
        return slices.array
    if isinstance(slices, tuple):
        return tuple(s.array if isinstance(s, Variable) else s for s in slices)
    return slices


def _is_basic(slices: Any) -> bool:
    items = slices if isinstance(slices, tuple) else (slices,)
    return all(
        s is None or s is Ellipsis or isinstance(s, (slice, int, numpy.integer)) for s in items
    )


class GetItem(FunctionNode):
    def __init__(self, slices: Any) -> None:
        self.slices = slices

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        self._in_dtype = x.dtype
        try:
            y = x[self.slices]
        except IndexError as e:
            raise IndexError(
                f"get_item: index {self.slices!r} is invalid for an array of shape {x.shape}: {e}"
            ) from None
        xp = get_array_module(x)
        return (xp.asarray(y),)

    def backward(self, indexes, grad_outputs):
        return GetItemGrad(self.slices, self._in_shape).apply(grad_outputs)

    def backward_arrays(self, indexes, grad_outputs):
        return GetItemGrad(self.slices, self._in_shape).forward(grad_outputs)


class GetItemGrad(FunctionNode):
    def __init__(self, slices: Any, in_shape: tuple[int, ...]) -> None:
        self.slices = slices
        self._in_shape = in_shape

    def forward(self, inputs):
        (gy,) = inputs
        xp = get_array_module(gy)
        gx = xp.zeros(self._in_shape, gy.dtype)
        if _is_basic(self.slices):
            gx[self.slices] = gy
        else:
            xp.add.at(gx, self.slices, gy)  # repeated advanced indices accumulate
        return (gx,)

    def backward(self, indexes, grad_outputs):
        return (get_item(grad_outputs[0], self.slices),)


def get_item(x: Any, slices: Any) -> Variable:
    """``x[slices]`` with NumPy semantics; repeated indices accumulate in backward.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.get_item(np.arange(6, dtype=np.float32).reshape(2, 3), (1, slice(0, 2))).array
        array([3., 4.], dtype=float32)
    """
    return GetItem(_normalize(slices)).apply((x,))[0]
