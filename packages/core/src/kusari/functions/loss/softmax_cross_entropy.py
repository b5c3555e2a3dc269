"""``softmax_cross_entropy``: the classification loss, fused into one node.

The default path computes log-softmax, the label gather and the reduction in one
forward pass and returns ``(softmax - onehot) * coeff`` from backward without building
an intermediate graph. ``enable_double_backprop=True`` composes ``log_softmax`` and
differentiable reductions instead, so the loss can be differentiated twice.

Backend kernels (optional, looked up with ``kusari.backend.get_kernel``):

* ``'softmax_cross_entropy'``: ``kernel(x, t, class_weight, ignore_label) ->
  (loss, prob)``: ``loss`` has ``t``'s shape with ``-log softmax(x)[t]`` (times
  ``class_weight[t]`` when given) and 0 where ``t == ignore_label``; ``prob`` is
  ``softmax(x, axis=1)`` (x's shape and dtype).
* ``'softmax_cross_entropy_grad'``: ``kernel(prob, t, coeff, ignore_label) -> gx`` with
  ``gx = (prob - onehot(t)) * coeff[:, None, ...]``, where ``coeff`` (``t``'s shape)
  already holds 0 for ignored labels, the class weights and the upstream gradient.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module, get_kernel
from kusari.function_node import FunctionNode
from kusari.functions._checks import array_of, label_range, require_float
from kusari.functions.activation.softmax import softmax_array
from kusari.variable import Variable

__all__ = ["SoftmaxCrossEntropy", "SoftmaxCrossEntropyGrad", "softmax_cross_entropy"]


def _expand(a: Any) -> Any:
    """``a`` of t's shape with a length-1 class axis inserted at 1 (broadcasts over x)."""
    return a.reshape(a.shape[:1] + (1,) + a.shape[1:])


class SoftmaxCrossEntropy(FunctionNode):
    def __init__(
        self,
        normalize: bool,
        cache_score: bool,
        class_weight: Any,
        ignore_label: int,
        reduce: str,
        may_ignore: bool = True,
    ) -> None:
        self.may_ignore = may_ignore  # False when no label can equal ignore_label
        self.normalize = normalize
        self.cache_score = cache_score
        self.class_weight = class_weight
        self.ignore_label = ignore_label
        self.reduce = reduce
        self.prob = None

    def forward(self, inputs):
        x, t = inputs
        xp = get_array_module(x)
        # The wrapper knows the label range, so the common case (no ignored labels) skips
        # the masking work entirely.
        if self.may_ignore:
            ignore = t == self.ignore_label
            n_ignored = int(ignore.sum())
        else:
            n_ignored = 0
        if n_ignored:
            t = xp.where(ignore, 0, t)  # ignored positions gather class 0, zeroed below
            self.keep = ~ignore
        else:
            self.keep = None
        self.t_safe = t
        self.rows = xp.arange(len(x)) if x.ndim == 2 else None
        kernel = get_kernel("softmax_cross_entropy", x)
        if kernel is not None:
            loss, prob = kernel(x, inputs[1], self.class_weight, self.ignore_label)
        else:
            shifted = x - x.max(axis=1, keepdims=True)
            if self.rows is not None:
                picked = shifted[self.rows, t]
            else:
                picked = xp.take_along_axis(shifted, _expand(t), axis=1)[:, 0]
            e = xp.exp(shifted, out=shifted)
            s = e.sum(axis=1)
            loss = xp.log(s)
            loss -= picked
            prob = None
            if self.cache_score:
                e /= _expand(s)
                prob = e
            if self.class_weight is not None:
                loss *= self.class_weight[t]
            if n_ignored:
                loss *= self.keep
        if self.cache_score:
            self.prob = prob
        else:
            self.retain_inputs((0,))
        count = t.size - n_ignored if self.normalize else len(x)
        self.coeff = 1.0 / max(count, 1)
        if self.reduce == "mean":
            return (xp.asarray(loss.sum() * self.coeff, dtype=x.dtype),)
        return (loss.astype(x.dtype, copy=False),)

    def backward(self, indexes, grad_outputs):
        return SoftmaxCrossEntropyGrad(self).apply(grad_outputs)[0], None

    def backward_arrays(self, indexes, grad_outputs):
        return SoftmaxCrossEntropyGrad(self).forward(grad_outputs)[0], None


class SoftmaxCrossEntropyGrad(FunctionNode):
    """``(softmax(x) - onehot(t)) * coeff`` from the upstream gradient.

    Not differentiable again: the fused path gives first-order gradients only (see the
    module docstring); its backward raises with a hint.
    """

    def __init__(self, fwd: SoftmaxCrossEntropy) -> None:
        self.fwd = fwd

    def forward(self, inputs):
        (gy,) = inputs
        f = self.fwd
        xp = get_array_module(gy)
        # Without cache_score the forward node retained x; recompute the softmax from it.
        prob = f.prob if f.prob is not None else softmax_array(f.inputs[0].data, 1)
        t = f.t_safe
        # coeff: a 0-d array (mean, no weights, nothing ignored) or one value per label.
        coeff = (gy * f.coeff if f.reduce == "mean" else gy).astype(prob.dtype, copy=False)
        if f.class_weight is not None:
            coeff = coeff * f.class_weight[t]
        if f.keep is not None:
            coeff = coeff * f.keep
        kernel = get_kernel("softmax_cross_entropy_grad", prob)
        if kernel is not None:
            return (kernel(prob, t, xp.broadcast_to(coeff, t.shape), f.ignore_label),)
        if f.rows is not None:
            gx = prob * (coeff[:, None] if coeff.ndim else coeff)
            gx[f.rows, t] -= coeff
            return (gx,)
        c = _expand(xp.broadcast_to(coeff, t.shape))
        classes = xp.arange(prob.shape[1]).reshape((1, -1) + (1,) * (prob.ndim - 2))
        gx = prob - (_expand(t) == classes)
        gx *= c
        return (gx,)

    def backward(self, indexes, grad_outputs):
        raise NotImplementedError(
            "softmax_cross_entropy: the default fused implementation is differentiable only "
            "once\nhelp: pass enable_double_backprop=True for higher-order gradients"
        )


def _double_backprop_path(
    x: Any, t: Any, normalize: bool, class_weight: Any, ignore_label: int, reduce: str
) -> Variable:
    from kusari.functions.activation.softmax import log_softmax
    from kusari.functions.math.sum import sum

    xp = get_array_module(array_of(x))
    keep = t != ignore_label
    t_safe = xp.where(keep, t, 0)
    classes = xp.arange(x.shape[1]).reshape((1, -1) + (1,) * (x.ndim - 2))
    w = (_expand(t_safe) == classes) & _expand(keep)
    w = w.astype(x.dtype)
    if class_weight is not None:
        w *= class_weight.reshape((1, -1) + (1,) * (x.ndim - 2))
    loss = -sum(log_softmax(x, axis=1) * w, axis=1)
    if reduce == "no":
        return loss
    count = int(keep.sum()) if normalize else len(x)
    return sum(loss) * (1.0 / max(count, 1))


def softmax_cross_entropy(
    x: Any,
    t: Any,
    normalize: bool = True,
    cache_score: bool = True,
    class_weight: Any = None,
    ignore_label: int = -1,
    reduce: str = "mean",
    enable_double_backprop: bool = False,
) -> Variable:
    """Cross-entropy between ``softmax(x, axis=1)`` and integer labels ``t``.

    Args:
        x: Scores of shape ``(N, C, ...)``, floating dtype.
        t: Integer labels (int32/int64) of shape ``(N, ...)`` in ``[0, C)`` or equal to
            ``ignore_label``.
        normalize: With ``reduce='mean'``, divide by the number of non-ignored labels
            (True) or by ``N`` (False).
        cache_score: Keep the softmax from forward for backward (faster, more memory).
        class_weight: Optional per-class weights of shape ``(C,)``, multiplied into
            each label's loss (the mean still divides by the count, as in Chainer).
        ignore_label: Label value that contributes no loss and no gradient.
        reduce: ``'mean'`` (a scalar) or ``'no'`` (per-label losses of ``t``'s shape).
        enable_double_backprop: Build the loss from differentiable primitives so that
            its gradient can be differentiated again (slower).

    Returns:
        Variable: The loss, in ``x``'s dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[0.0, 0.0], [0.0, np.log(3.0)]], np.float32)
        >>> F.softmax_cross_entropy(x, np.array([0, 1], np.int32)).array
        array(0.49041465, dtype=float32)
    """
    require_float("softmax_cross_entropy", x)
    if x.ndim < 2:
        raise ValueError(
            f"softmax_cross_entropy: expected x of shape (N, C, ...), got {tuple(x.shape)}"
        )
    if reduce not in ("mean", "no"):
        raise ValueError(f"softmax_cross_entropy: expected reduce 'mean' or 'no', got {reduce!r}")
    t, lo, hi = label_range(
        "softmax_cross_entropy", t, tuple(x.shape[:1] + x.shape[2:]), x.shape[1], ignore_label
    )
    if class_weight is not None:
        class_weight = array_of(class_weight)
        if tuple(class_weight.shape) != (x.shape[1],):
            raise ValueError(
                f"softmax_cross_entropy: expected class_weight of shape "
                f"({x.shape[1]},), got {tuple(class_weight.shape)}"
            )
        if class_weight.dtype != x.dtype:
            class_weight = class_weight.astype(x.dtype)
    if enable_double_backprop:
        return _double_backprop_path(x, t, normalize, class_weight, ignore_label, reduce)
    may_ignore = lo <= ignore_label <= hi
    node = SoftmaxCrossEntropy(
        normalize, cache_score, class_weight, ignore_label, reduce, may_ignore
    )
    return node.apply((x, t))[0]
