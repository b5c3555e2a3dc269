"""``clip``: limit values to ``[x_min, x_max]``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["Clip", "clip"]


class Clip(FunctionNode):
    def __init__(self, x_min: float | None, x_max: float | None) -> None:
        self.x_min = x_min
        self.x_max = x_max

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        xp = get_array_module(x)
        if self.x_min is None:
            return (xp.minimum(x, self.x_max),)
        if self.x_max is None:
            return (xp.maximum(x, self.x_min),)
        return (xp.clip(x, self.x_min, self.x_max),)

    def backward(self, indexes, grad_outputs):
        x = self.inputs[0].data
        if self.x_min is None:
            mask = x <= self.x_max
        elif self.x_max is None:
            mask = x >= self.x_min
        else:
            mask = (x >= self.x_min) & (x <= self.x_max)
        return MaskMul(mask).apply(grad_outputs)


def clip(x: Any, x_min: float | None, x_max: float | None) -> Variable:
    """Clip values to ``[x_min, x_max]``; the gradient passes where ``x_min <= x <= x_max``.

    Args:
        x: Input Variable or array of a floating dtype.
        x_min: Lower bound, or None for no lower bound.
        x_max: Upper bound, or None for no upper bound.

    Returns:
        Variable: The clipped values, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.clip(np.array([-2.0, 0.5, 3.0], np.float32), -1.0, 1.0).array
        array([-1. ,  0.5,  1. ], dtype=float32)
    """
    require_float("clip", x)
    if x_min is None and x_max is None:
        raise ValueError("clip: expected at least one of x_min and x_max, got None for both")
    if x_min is not None and x_max is not None and not x_min <= x_max:
        raise ValueError(f"clip: expected x_min <= x_max, got x_min={x_min}, x_max={x_max}")
    return Clip(
        None if x_min is None else float(x_min), None if x_max is None else float(x_max)
    ).apply((x,))[0]
