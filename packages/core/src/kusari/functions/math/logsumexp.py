"""``logsumexp``: ``log(sum(exp(x)))`` over axes, without overflow."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import normalize_axes, require_float
from kusari.functions.math.sum import _grad_to_input, _kept_shape
from kusari.variable import Variable

__all__ = ["LogSumExp", "logsumexp"]


class LogSumExp(FunctionNode):
    def __init__(self, axis: tuple[int, ...] | None) -> None:
        self.axis = axis

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        xp = get_array_module(x)
        m = x.max(axis=self.axis, keepdims=True)
        # An all -inf slice has max -inf; shifting by 0 instead gives log(0) = -inf, not nan.
        finite = xp.isfinite(m)
        all_finite = bool(finite.all())
        if not all_finite:
            m = xp.where(finite, m, x.dtype.type(0))
        s = xp.exp(x - m).sum(axis=self.axis, keepdims=True)
        if all_finite or xp is not numpy:
            y = xp.log(s, out=s)
        else:
            with numpy.errstate(divide="ignore"):  # log(0) = -inf is the right answer here
                y = xp.log(s, out=s)
        y += m
        return (
            y.reshape(
                ()
                if self.axis is None
                else tuple(d for i, d in enumerate(x.shape) if i not in self.axis)
            ),
        )

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.reshape import reshape
        from kusari.functions.math.exponential import exp

        (x,) = self.get_retained_inputs()
        (y,) = self.get_retained_outputs()
        y = reshape(y, _kept_shape(x.shape, self.axis))
        return (_grad_to_input(grad_outputs[0], x.shape, self.axis, False) * exp(x - y),)


def logsumexp(x: Any, axis: Any = None) -> Variable:
    """``log(sum(exp(x)))`` over the given axes, computed stably.

    Args:
        x: Input Variable or array of a floating dtype.
        axis: None (all elements), an int or a tuple of ints.

    Returns:
        Variable: The reduced values (the gradient is the softmax over the axes).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.logsumexp(np.array([[0.0, np.log(3.0)]], np.float32), axis=1).array
        array([1.3862944], dtype=float32)
    """
    require_float("logsumexp", x)
    if x.size == 0:
        raise ValueError(f"logsumexp: expected a non-empty array, got shape {tuple(x.shape)}")
    axes = None if axis is None else normalize_axes("logsumexp", axis, x.ndim)
    return LogSumExp(axes).apply((x,))[0]
