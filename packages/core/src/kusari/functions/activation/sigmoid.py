"""``sigmoid`` and ``hard_sigmoid``.

sigmoid keeps only its output: its derivative is ``y * (1 - y)``, computed by one
dedicated grad node (one pass, no intermediate graph) that is itself differentiable.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module, get_kernel
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["Sigmoid", "SigmoidGrad", "HardSigmoid", "sigmoid", "hard_sigmoid"]

_ndarray = numpy.ndarray


class Sigmoid(FunctionNode):
    """``1 / (1 + exp(-x))``, computed as ``tanh(x / 2) / 2 + 1/2`` (no overflow)."""

    def forward(self, inputs):
        (x,) = inputs
        if x.dtype.kind != "f":
            require_float("sigmoid", x)
        self.retain_outputs((0,))
        if type(x) is not _ndarray:  # a backend may fuse it (CUDA: ``sigmoid(x)``)
            kernel = get_kernel("sigmoid", x)
            if kernel is not None:
                return (kernel(x),)
        xp = get_array_module(x)
        y = x * 0.5
        xp.tanh(y, out=y)
        y *= 0.5
        y += 0.5
        return (y,)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return SigmoidGrad().apply((y, grad_outputs[0]))

    def backward_arrays(self, indexes, grad_outputs):
        return SigmoidGrad().forward((self.output_data[0], grad_outputs[0]))


class SigmoidGrad(FunctionNode):
    """``gy * y * (1 - y)`` from the sigmoid's output ``y``."""

    def forward(self, inputs):
        y, gy = inputs
        self.retain_inputs((0, 1))
        if type(y) is not _ndarray:  # a backend may fuse it (CUDA: ``sigmoid_grad(y, gy)``)
            kernel = get_kernel("sigmoid_grad", y)
            if kernel is not None:
                return (kernel(y, gy),)
        g = 1 - y
        g *= y
        g *= gy
        return (g,)

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        (ggx,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(ggx * gy * (1 - 2 * y))
            else:
                out.append(SigmoidGrad().apply((y, ggx))[0])
        return tuple(out)


class HardSigmoid(FunctionNode):
    """``clip(0.2 * x + 0.5, 0, 1)``."""

    def forward(self, inputs):
        (x,) = inputs
        require_float("hard_sigmoid", x)
        self.retain_inputs((0,))
        xp = get_array_module(x)
        y = x * 0.2
        y += 0.5
        return (xp.clip(y, 0, 1, out=y),)

    def backward(self, indexes, grad_outputs):
        x = self.inputs[0].data
        xp = get_array_module(x)
        mask = xp.where((x > -2.5) & (x < 2.5), x.dtype.type(0.2), x.dtype.type(0))
        return MaskMul(mask).apply(grad_outputs)


def sigmoid(x: Any) -> Variable:
    """Elementwise logistic sigmoid, ``1 / (1 + exp(-x))``.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: Values in ``(0, 1)``, same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.sigmoid(np.array([0.0, 2.0], np.float32)).array
        array([0.5      , 0.8807971], dtype=float32)
    """
    return Sigmoid().apply((x,))[0]


def hard_sigmoid(x: Any) -> Variable:
    """Piecewise-linear sigmoid, ``clip(0.2 * x + 0.5, 0, 1)``.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: Values in ``[0, 1]``; the gradient is 0.2 inside ``(-2.5, 2.5)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.hard_sigmoid(np.array([-3.0, 0.0, 1.0], np.float32)).array
        array([0. , 0.5, 0.7], dtype=float32)
    """
    return HardSigmoid().apply((x,))[0]
