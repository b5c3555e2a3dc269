"""``hinge``: the one-vs-all hinge loss for multi-class labels."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import check_labels, require_float
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["Hinge", "hinge"]


class Hinge(FunctionNode):
    """``max(0, 1 - x)`` at the target class, ``max(0, 1 + x)`` at the others."""

    def __init__(self, norm: str, reduce: str) -> None:
        self.norm = norm
        self.reduce = reduce

    def forward(self, inputs):
        x, t = inputs
        self.retain_inputs((0,))
        xp = get_array_module(x)
        sign = xp.ones_like(x)
        sign[xp.arange(len(x)), t] = -1
        self.sign = sign
        margin = x * sign
        margin += 1
        self.active = margin > 0
        loss = xp.maximum(margin, 0, out=margin)
        if self.norm == "L2":
            loss *= loss
        if self.reduce == "mean":
            return (xp.asarray(loss.sum() / len(x), dtype=x.dtype),)
        return (loss,)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import broadcast_to

        (gy,) = grad_outputs
        x_shape = self.sign.shape
        if self.reduce == "mean":
            gy = broadcast_to(gy * (1.0 / x_shape[0]), x_shape)
        if self.norm == "L1":
            return MaskMul(self.sign * self.active).apply((gy,))[0], None
        # d/dx max(0, 1 + s x)^2 = 2 (1 + s x) s = 2 (x + s) on the active set (s*s = 1).
        (x,) = self.get_retained_inputs()
        return MaskMul(self.active * x.dtype.type(2)).apply(((x + self.sign) * gy,))[0], None


def hinge(x: Any, t: Any, norm: str = "L1", reduce: str = "mean") -> Variable:
    """Hinge loss: ``max(0, 1 - x[i, t_i])`` plus ``max(0, 1 + x[i, j])`` for ``j != t_i``.

    Args:
        x: Scores of shape ``(N, K)``, floating dtype.
        t: Integer labels of shape ``(N,)`` in ``[0, K)``.
        norm: ``'L1'`` or ``'L2'`` (squared hinge).
        reduce: ``'mean'`` (sum over all elements divided by N) or ``'no'`` (elementwise).

    Returns:
        Variable: A scalar, or the ``(N, K)`` elementwise losses.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[0.5, -2.0, 0.3]], np.float32)
        >>> F.hinge(x, np.array([0], np.int32), reduce="no").array
        array([[0.5, 0. , 1.3]], dtype=float32)
    """
    require_float("hinge", x)
    if x.ndim != 2:
        raise ValueError(f"hinge: expected x of shape (N, K), got {tuple(x.shape)}")
    if norm not in ("L1", "L2"):
        raise ValueError(f"hinge: expected norm 'L1' or 'L2', got {norm!r}")
    if reduce not in ("mean", "no"):
        raise ValueError(f"hinge: expected reduce 'mean' or 'no', got {reduce!r}")
    t = check_labels("hinge", t, (x.shape[0],), x.shape[1], None)
    return Hinge(norm, reduce).apply((x, t))[0]
