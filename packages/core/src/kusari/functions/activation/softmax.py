"""``softmax`` and ``log_softmax`` along an axis.

Backend kernels (optional, looked up with ``kusari.backend.get_kernel``):

* ``'softmax'``: ``kernel(x, axis) -> y`` with ``y`` the softmax of ``x`` along ``axis``
  (same shape and dtype).
* ``'log_softmax'``: ``kernel(x, axis) -> y`` with ``y = log(softmax(x))``.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module, get_kernel
from kusari.function_node import FunctionNode
from kusari.functions._checks import normalize_axis, require_float
from kusari.variable import Variable

__all__ = [
    "Softmax",
    "SoftmaxGrad",
    "LogSoftmax",
    "LogSoftmaxGrad",
    "softmax",
    "log_softmax",
    "softmax_array",
    "log_softmax_array",
]


def softmax_array(x: Any, axis: int) -> Any:
    """The softmax of an array (no graph): shift by the max, exponentiate, normalize."""
    kernel = get_kernel("softmax", x)
    if kernel is not None:
        return kernel(x, axis)
    xp = get_array_module(x)
    y = x - x.max(axis=axis, keepdims=True)
    xp.exp(y, out=y)
    y /= y.sum(axis=axis, keepdims=True)
    return y


def log_softmax_array(x: Any, axis: int) -> Any:
    """``log(softmax(x))`` of an array (no graph), without overflow or log(0)."""
    kernel = get_kernel("log_softmax", x)
    if kernel is not None:
        return kernel(x, axis)
    xp = get_array_module(x)
    y = x - x.max(axis=axis, keepdims=True)
    s = xp.exp(y).sum(axis=axis, keepdims=True)
    y -= xp.log(s, out=s)
    return y


class Softmax(FunctionNode):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, inputs):
        (x,) = inputs
        self.retain_outputs((0,))
        return (softmax_array(x, self.axis),)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return SoftmaxGrad(self.axis).apply((y, grad_outputs[0]))


class SoftmaxGrad(FunctionNode):
    """``y * gy - y * sum(y * gy)`` along the axis, from the softmax output ``y``."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, inputs):
        y, gy = inputs
        self.retain_inputs((0, 1))
        # gx = y * (gy - sum(y * gy)), reusing one buffer.
        gx = y * gy
        s = gx.sum(axis=self.axis, keepdims=True)
        get_array_module(y).subtract(gy, s, out=gx)
        gx *= y
        return (gx,)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.math.sum import sum

        y, gy = self.get_retained_inputs()
        (a,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                s = sum(y * gy, axis=self.axis, keepdims=True)
                ay = sum(a * y, axis=self.axis, keepdims=True)
                out.append(a * (gy - s) - gy * ay)
            else:
                # The map gy -> gx is symmetric in this sense: it is SoftmaxGrad again.
                out.append(SoftmaxGrad(self.axis).apply((y, a))[0])
        return tuple(out)


class LogSoftmax(FunctionNode):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, inputs):
        (x,) = inputs
        self.retain_outputs((0,))
        return (log_softmax_array(x, self.axis),)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return LogSoftmaxGrad(self.axis).apply((y, grad_outputs[0]))


class LogSoftmaxGrad(FunctionNode):
    """``gy - exp(y) * sum(gy)`` along the axis, from the log-softmax output ``y``."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, inputs):
        y, gy = inputs
        self.retain_inputs((0, 1))
        xp = get_array_module(y)
        gx = xp.exp(y)
        gx *= gy.sum(axis=self.axis, keepdims=True)
        xp.subtract(gy, gx, out=gx)
        return (gx,)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.math.exponential import exp
        from kusari.functions.math.sum import sum

        y, gy = self.get_retained_inputs()
        (a,) = grad_outputs
        p = exp(y)
        out = []
        for i in indexes:
            if i == 0:
                out.append(-a * p * sum(gy, axis=self.axis, keepdims=True))
            else:
                out.append(a - sum(a * p, axis=self.axis, keepdims=True))
        return tuple(out)


def softmax(x: Any, axis: int = 1) -> Variable:
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, computed without overflow.

    Args:
        x: Input Variable or array of a floating dtype.
        axis: The axis to normalize along.

    Returns:
        Variable: Non-negative values summing to one along ``axis``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.softmax(np.array([[0.0, 0.0], [0.0, np.log(3.0)]], np.float32)).array
        array([[0.5 , 0.5 ],
               [0.25, 0.75]], dtype=float32)
    """
    if x.dtype.kind != "f":
        require_float("softmax", x)
    return Softmax(normalize_axis("softmax", axis, x.ndim)).apply((x,))[0]


def log_softmax(x: Any, axis: int = 1) -> Variable:
    """Logarithm of the softmax along ``axis``, computed stably (``x - logsumexp(x)``).

    Args:
        x: Input Variable or array of a floating dtype.
        axis: The axis to normalize along.

    Returns:
        Variable: ``log(softmax(x, axis))``, same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.log_softmax(np.array([[0.0, 0.0]], np.float32)).array
        array([[-0.6931472, -0.6931472]], dtype=float32)
    """
    if x.dtype.kind != "f":
        require_float("log_softmax", x)
    return LogSoftmax(normalize_axis("log_softmax", axis, x.ndim)).apply((x,))[0]
