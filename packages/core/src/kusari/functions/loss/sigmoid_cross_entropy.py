"""``sigmoid_cross_entropy``: binary cross-entropy on logits with integer labels."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import check_labels, require_float
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["SigmoidCrossEntropy", "sigmoid_cross_entropy"]


class SigmoidCrossEntropy(FunctionNode):
    """``log(1 + exp(x)) - t * x`` per element, stable for any ``x``; -1 labels ignored."""

    def __init__(self, normalize: bool, reduce: str) -> None:
        self.normalize = normalize
        self.reduce = reduce

    def forward(self, inputs):
        x, t = inputs
        self.retain_inputs((0, 1))
        xp = get_array_module(x)
        keep = t != -1
        # softplus(x) - t*x rewritten as log1p(exp(-|x|)) - x * (t - [x >= 0]).
        loss = xp.log1p(xp.exp(-xp.abs(x)))
        loss -= x * (t - (x >= 0)).astype(x.dtype, copy=False)
        loss *= keep
        self.weight = keep.astype(x.dtype)
        if self.reduce == "no":
            return (loss,)
        count = int(keep.sum()) if self.normalize else len(x)
        coeff = 1.0 / max(count, 1)
        self.weight *= coeff
        return (xp.asarray(loss.sum() * coeff, dtype=x.dtype),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.activation.sigmoid import sigmoid
        from kusari.functions.array.broadcast import broadcast_to

        x, t = self.get_retained_inputs()
        (gy,) = grad_outputs
        if self.reduce == "mean":
            gy = broadcast_to(gy, x.shape)
        d = sigmoid(x) - t.array.astype(x.dtype)
        return MaskMul(self.weight).apply((d * gy,))[0], None


def sigmoid_cross_entropy(x: Any, t: Any, normalize: bool = True, reduce: str = "mean") -> Variable:
    """Cross-entropy between ``sigmoid(x)`` and binary labels, computed from logits.

    Args:
        x: Logits, floating dtype.
        t: Integer labels of ``x``'s shape: 0, 1, or -1 (ignored).
        normalize: With ``reduce='mean'``, divide by the number of non-ignored labels
            (True) or by ``N = len(x)`` (False).
        reduce: ``'mean'`` (a scalar) or ``'no'`` (elementwise losses, 0 where ignored).

    Returns:
        Variable: The loss, in ``x``'s dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[0.0, 2.0]], np.float32)
        >>> F.sigmoid_cross_entropy(x, np.array([[1, 0]], np.int32), reduce="no").array
        array([[0.6931472, 2.126928 ]], dtype=float32)
    """
    require_float("sigmoid_cross_entropy", x)
    if reduce not in ("mean", "no"):
        raise ValueError(f"sigmoid_cross_entropy: expected reduce 'mean' or 'no', got {reduce!r}")
    t = check_labels("sigmoid_cross_entropy", t, tuple(x.shape), 2, -1)
    return SigmoidCrossEntropy(bool(normalize), reduce).apply((x, t))[0]
