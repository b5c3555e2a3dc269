"""``linear_interpolate``: ``p * x + (1 - p) * y`` in one node."""

from __future__ import annotations

from typing import Any

from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float, require_same_dtype, require_same_shape
from kusari.variable import Variable

__all__ = ["LinearInterpolate", "linear_interpolate"]


class LinearInterpolate(FunctionNode):
    def forward(self, inputs):
        p, x, y = inputs
        self.retain_inputs((0, 1, 2))
        z = x - y
        z *= p
        z += y
        return (z,)

    def backward(self, indexes, grad_outputs):
        p, x, y = self.get_retained_inputs()
        (g,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(g * (x - y))
            elif i == 1:
                out.append(g * p)
            else:
                out.append(g * (1.0 - p))
        return tuple(out)


def linear_interpolate(p: Any, x: Any, y: Any) -> Variable:
    """Elementwise linear interpolation, ``p * x + (1 - p) * y``.

    Args:
        p: Weights (floating dtype).
        x: First input, weighted by ``p`` (same shape and dtype).
        y: Second input, weighted by ``1 - p`` (same shape and dtype).

    Returns:
        Variable: The interpolated values.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> p = np.array([0.25], np.float32)
        >>> F.linear_interpolate(p, np.array([4.0], np.float32), np.zeros(1, np.float32)).array
        array([1.], dtype=float32)
    """
    require_float("linear_interpolate", p, "p")
    require_same_dtype("linear_interpolate", p, x, ("p", "x"))
    require_same_dtype("linear_interpolate", p, y, ("p", "y"))
    require_same_shape("linear_interpolate", p, x, ("p", "x"))
    require_same_shape("linear_interpolate", p, y, ("p", "y"))
    return LinearInterpolate().apply((p, x, y))[0]
