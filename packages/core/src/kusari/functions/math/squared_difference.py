"""``squared_difference`` and ``batch_l2_norm_squared``."""

from __future__ import annotations

from typing import Any

from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float, require_same_dtype, require_same_shape
from kusari.variable import Variable

__all__ = ["SquaredDifference", "BatchL2NormSquared", "squared_difference", "batch_l2_norm_squared"]


class SquaredDifference(FunctionNode):
    def forward(self, inputs):
        x1, x2 = inputs
        self.retain_inputs((0, 1))
        d = x1 - x2
        d *= d
        return (d,)

    def backward(self, indexes, grad_outputs):
        x1, x2 = self.get_retained_inputs()
        g = grad_outputs[0] * (x1 - x2) * 2.0
        return tuple(g if i == 0 else -g for i in indexes)


def squared_difference(x1: Any, x2: Any) -> Variable:
    """Elementwise squared difference, ``(x1 - x2) ** 2``.

    Args:
        x1: First input (floating dtype).
        x2: Second input (same shape and dtype).

    Returns:
        Variable: The squared differences.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.squared_difference(
        ...     np.array([1.0, 5.0], np.float32), np.array([3.0, 5.0], np.float32)
        ... ).array
        array([4., 0.], dtype=float32)
    """
    require_float("squared_difference", x1, "x1")
    require_same_dtype("squared_difference", x1, x2, ("x1", "x2"))
    require_same_shape("squared_difference", x1, x2, ("x1", "x2"))
    return SquaredDifference().apply((x1, x2))[0]


class BatchL2NormSquared(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        flat = x.reshape(len(x), -1)
        return ((flat * flat).sum(axis=1),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.reshape import reshape

        (x,) = self.get_retained_inputs()
        gy = reshape(grad_outputs[0], (len(x),) + (1,) * (x.ndim - 1))
        return (x * gy * 2.0,)


def batch_l2_norm_squared(x: Any) -> Variable:
    """Squared L2 norm of each sample: ``sum(x[i] ** 2)`` over all axes but the first.

    Args:
        x: Input of shape ``(N, ...)`` with at least one dim, floating dtype.

    Returns:
        Variable: Shape ``(N,)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.batch_l2_norm_squared(np.array([[3.0, 4.0], [1.0, 0.0]], np.float32)).array
        array([25.,  1.], dtype=float32)
    """
    require_float("batch_l2_norm_squared", x)
    if x.ndim < 1:
        raise ValueError(
            "batch_l2_norm_squared: expected x with at least 1 dim (N, ...), "
            f"got shape {tuple(x.shape)}"
        )
    return BatchL2NormSquared().apply((x,))[0]
