"""``huber_loss``: quadratic near zero, linear beyond ``delta``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float, require_same_dtype, require_same_shape
from kusari.variable import Variable

__all__ = ["HuberLoss", "huber_loss"]


class HuberLoss(FunctionNode):
    def __init__(self, delta: float, reduce: str) -> None:
        self.delta = delta
        self.reduce = reduce

    def forward(self, inputs):
        x, t = inputs
        self.retain_inputs((0, 1))
        xp = get_array_module(x)
        d = x - t
        a = xp.abs(d)
        delta = self.delta
        loss = xp.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))
        loss = loss.astype(x.dtype, copy=False)
        if self.reduce == "sum_along_second_axis":
            loss = loss.sum(axis=1)
        return (loss,)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.reshape import reshape
        from kusari.functions.math.clip import clip

        x, t = self.get_retained_inputs()
        (gy,) = grad_outputs
        if self.reduce == "sum_along_second_axis":
            gy = reshape(gy, gy.shape[:1] + (1,) + gy.shape[1:])
        g = clip(x - t, -self.delta, self.delta) * gy
        return tuple(g if i == 0 else -g for i in indexes)


def huber_loss(x: Any, t: Any, delta: float, reduce: str = "sum_along_second_axis") -> Variable:
    """Huber loss: ``d**2 / 2`` where ``|d| <= delta``, else ``delta * (|d| - delta / 2)``.

    ``d = x - t``. This equals ``torch.nn.functional.huber_loss(..., reduction='none')``
    before the reduction.

    Args:
        x: Predictions of shape ``(N, K, ...)``, floating dtype.
        t: Targets of the same shape and dtype.
        delta: Where the loss turns from quadratic to linear (positive).
        reduce: ``'sum_along_second_axis'`` (sum over axis 1) or ``'no'`` (elementwise).

    Returns:
        Variable: Shape ``x.shape`` without axis 1, or ``x.shape`` with ``reduce='no'``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[0.5, 3.0]], np.float32)
        >>> F.huber_loss(x, np.zeros((1, 2), np.float32), delta=1.0, reduce="no").array
        array([[0.125, 2.5  ]], dtype=float32)
    """
    require_float("huber_loss", x)
    require_same_dtype("huber_loss", x, t, ("x", "t"))
    require_same_shape("huber_loss", x, t, ("x", "t"))
    if reduce not in ("sum_along_second_axis", "no"):
        raise ValueError(
            f"huber_loss: expected reduce 'sum_along_second_axis' or 'no', got {reduce!r}"
        )
    if reduce == "sum_along_second_axis" and x.ndim < 2:
        raise ValueError(
            f"huber_loss: reduce='sum_along_second_axis' needs x with 2 or more "
            f"dims, got shape {tuple(x.shape)}"
        )
    if not delta > 0:
        raise ValueError(f"huber_loss: expected delta > 0, got {delta}")
    return HuberLoss(float(delta), reduce).apply((x, t))[0]
