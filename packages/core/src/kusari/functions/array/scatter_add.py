"""``scatter_add``: add values into selected elements of an array (repeats accumulate)."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions.array.get_item import _normalize, get_item
from kusari.variable import Variable

__all__ = ["ScatterAdd", "scatter_add"]


class ScatterAdd(FunctionNode):
    def __init__(self, slices: Any) -> None:
        self.slices = slices

    def forward(self, inputs):
        a, b = inputs
        if a.dtype != b.dtype:
            raise TypeError(f"scatter_add: a and b must share a dtype; got {a.dtype} and {b.dtype}")
        self._b_shape = b.shape
        xp = get_array_module(a)
        y = a.copy()
        try:
            xp.add.at(y, self.slices, b)
        except (IndexError, ValueError) as e:
            raise ValueError(
                f"scatter_add: cannot add b of shape {b.shape} at {self.slices!r} "
                f"of an array of shape {a.shape}: {e}"
            ) from None
        return (y,)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import sum_to

        (gy,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(gy)
            else:
                gb = get_item(gy, self.slices)
                out.append(gb if gb.shape == self._b_shape else sum_to(gb, self._b_shape))
        return tuple(out)


def scatter_add(a: Any, slices: Any, b: Any) -> Variable:
    """Return a copy of ``a`` with ``b`` added at ``a[slices]`` (``numpy.add.at``).

    Repeated indices accumulate; ``b`` broadcasts to the shape of ``a[slices]``.

    Args:
        a: Base variable or array.
        slices: Any NumPy index (ints, slices, integer arrays, tuples of them).
        b: Values to add, same dtype as ``a``.

    Returns:
        Variable of ``a``'s shape.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.scatter_add(np.zeros(3, np.float32), [0, 0, 2], np.ones(3, np.float32)).array
        array([2., 0., 1.], dtype=float32)
    """
    return ScatterAdd(_normalize(slices)).apply((a, b))[0]
