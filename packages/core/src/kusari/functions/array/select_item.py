"""``select_item``: pick one element per row, ``x[i, t[i]]``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["SelectItem", "SelectItemGrad", "select_item"]


class SelectItem(FunctionNode):
    def forward(self, inputs):
        x, t = inputs
        self.retain_inputs((1,))
        self._in_shape = x.shape
        xp = get_array_module(x)
        n = x.shape[1]
        if t.size and (int(t.min()) < 0 or int(t.max()) >= n):
            raise ValueError(
                f"select_item: t must be in [0, {n}) for x of shape {x.shape}; got "
                f"values in [{int(t.min())}, {int(t.max())}]"
            )
        return (x[xp.arange(t.shape[0]), t],)

    def backward(self, indexes, grad_outputs):
        (t,) = self.get_retained_inputs()
        gx = SelectItemGrad(self._in_shape).apply((t, grad_outputs[0]))[0]
        return gx, None


class SelectItemGrad(FunctionNode):
    """Put ``gy[i]`` at ``(i, t[i])`` of a zero matrix."""

    def __init__(self, in_shape: tuple[int, int]) -> None:
        self.in_shape = in_shape

    def forward(self, inputs):
        t, gy = inputs
        self.retain_inputs((0,))
        xp = get_array_module(gy)
        gx = xp.zeros(self.in_shape, dtype=gy.dtype)
        gx[xp.arange(t.shape[0]), t] = gy
        return (gx,)

    def backward(self, indexes, grad_outputs):
        (t,) = self.get_retained_inputs()
        return None, SelectItem().apply((grad_outputs[0], t))[0]


def select_item(x: Any, t: Any) -> Variable:
    """Select one element of each row: ``y[i] = x[i, t[i]]``.

    Args:
        x: Variable or array of shape (B, N).
        t: Integer array of shape (B,) with values in ``[0, N)``.

    Returns:
        Variable of shape (B,).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
        >>> F.select_item(x, np.array([2, 0])).array
        array([3., 4.], dtype=float32)
    """
    if x.ndim != 2:
        raise ValueError(f"select_item: x must be 2-D (B, N); got shape {tuple(x.shape)}")
    if t.dtype.kind not in "iu":
        raise TypeError(f"select_item: t must be an integer array; got dtype {t.dtype}")
    if t.ndim != 1 or t.shape[0] != x.shape[0]:
        raise ValueError(
            f"select_item: t must have shape ({x.shape[0]},) for x of shape "
            f"{tuple(x.shape)}; got {tuple(t.shape)}"
        )
    return SelectItem().apply((x, t))[0]
