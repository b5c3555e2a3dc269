"""``where``: choose elementwise between two arrays by a boolean condition."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["Where", "where"]


class Where(FunctionNode):
    """``condition ? x : y`` with NumPy broadcasting; the condition is a constant."""

    def __init__(self, condition: Any) -> None:
        self.condition = condition

    def forward(self, inputs):
        x, y = inputs
        if x.dtype != y.dtype:
            raise TypeError(f"where: x and y must share a dtype; got {x.dtype} and {y.dtype}")
        self._shapes = (x.shape, y.shape)
        xp = get_array_module(x, y)
        try:
            return (xp.where(self.condition, x, y),)
        except ValueError:
            raise ValueError(
                f"where: condition {self.condition.shape}, x {x.shape} and y "
                f"{y.shape} cannot be broadcast together"
            ) from None

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import sum_to

        (gy,) = grad_outputs
        zero = get_array_module(gy).zeros((), dtype=gy.dtype)
        out = []
        for i in indexes:
            if i == 0:
                g = Where(self.condition).apply((gy, zero))[0]
            else:
                g = Where(self.condition).apply((zero, gy))[0]
            shape = self._shapes[i]
            out.append(g if g.shape == shape else sum_to(g, shape))
        return tuple(out)


def where(condition: Any, x: Any, y: Any) -> Variable:
    """Elementwise ``x`` where ``condition`` holds, else ``y`` (NumPy broadcasting).

    Args:
        condition: Boolean array or Variable (never differentiated).
        x: Values taken where the condition is True.
        y: Values taken elsewhere; same dtype as ``x``.

    Returns:
        Variable of the broadcast shape.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> c = np.array([True, False, True])
        >>> F.where(c, np.ones(3, np.float32), np.zeros(3, np.float32)).array
        array([1., 0., 1.], dtype=float32)
    """
    cond = condition.array if isinstance(condition, Variable) else condition
    if getattr(cond, "dtype", None) is None or cond.dtype.kind != "b":
        raise TypeError(
            f"where: condition must be a boolean array; got "
            f"{getattr(cond, 'dtype', type(cond).__name__)}"
        )
    return Where(cond).apply((x, y))[0]
