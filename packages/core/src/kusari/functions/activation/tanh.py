"""``tanh``: keeps its output; the derivative ``1 - y**2`` is one dedicated node."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module, get_kernel
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float
from kusari.variable import Variable

__all__ = ["Tanh", "TanhGrad", "tanh"]

_ndarray = numpy.ndarray


class Tanh(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        if x.dtype.kind != "f":
            require_float("tanh", x)
        self.retain_outputs((0,))
        return (get_array_module(x).tanh(x),)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return TanhGrad().apply((y, grad_outputs[0]))

    def backward_arrays(self, indexes, grad_outputs):
        return TanhGrad().forward((self.output_data[0], grad_outputs[0]))


class TanhGrad(FunctionNode):
    """``gy * (1 - y**2)`` from tanh's output ``y``."""

    def forward(self, inputs):
        y, gy = inputs
        self.retain_inputs((0, 1))
        if type(y) is not _ndarray:  # a backend may fuse it (CUDA: ``tanh_grad(y, gy)``)
            kernel = get_kernel("tanh_grad", y)
            if kernel is not None:
                return (kernel(y, gy),)
        g = y * y
        get_array_module(y).subtract(1, g, out=g)
        g *= gy
        return (g,)

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        (ggx,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(ggx * gy * y * -2.0)
            else:
                out.append(TanhGrad().apply((y, ggx))[0])
        return tuple(out)


def tanh(x: Any) -> Variable:
    """Elementwise hyperbolic tangent.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: Values in ``(-1, 1)``, same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.tanh(np.array([0.0, 1.0], np.float32)).array
        array([0.       , 0.7615942], dtype=float32)
    """
    return Tanh().apply((x,))[0]
