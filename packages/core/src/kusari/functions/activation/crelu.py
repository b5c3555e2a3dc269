"""``crelu``: concatenated ReLU, ``concat(relu(x), relu(-x))`` along an axis."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import normalize_axis, require_float
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["CReLU", "crelu"]


class CReLU(FunctionNode):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        xp = get_array_module(x)
        return (xp.concatenate((xp.maximum(x, 0), xp.maximum(-x, 0)), axis=self.axis),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.get_item import get_item

        x = self.inputs[0].data
        (gy,) = grad_outputs
        n = x.shape[self.axis]
        head = (slice(None),) * self.axis
        g_pos = get_item(gy, head + (slice(0, n),))
        g_neg = get_item(gy, head + (slice(n, 2 * n),))
        return (MaskMul(x > 0).apply((g_pos,))[0] - MaskMul(x < 0).apply((g_neg,))[0],)


def crelu(x: Any, axis: int = 1) -> Variable:
    """Concatenated ReLU: ``relu(x)`` and ``relu(-x)`` joined along ``axis``.

    Args:
        x: Input Variable or array of a floating dtype.
        axis: The axis to concatenate along (its length doubles).

    Returns:
        Variable: The output, with ``2 * x.shape[axis]`` entries along ``axis``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.crelu(np.array([[-1.0, 2.0]], np.float32)).array
        array([[0., 2., 1., 0.]], dtype=float32)
    """
    require_float("crelu", x)
    axis = normalize_axis("crelu", axis, x.ndim)
    return CReLU(axis).apply((x,))[0]
