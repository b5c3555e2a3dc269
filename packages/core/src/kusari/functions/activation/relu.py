"""``relu``, ``clipped_relu`` and ``relu6``: rectified linear units.

relu is on every training step of most models, so its node keeps only its output and
its backward is a single masked multiply (``gy * (y > 0)``).
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module, get_kernel
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["ReLU", "ReLUGrad", "ClippedReLU", "relu", "clipped_relu", "relu6"]

_ndarray = numpy.ndarray


class ReLU(FunctionNode):
    """``max(x, 0)``; keeps the output, whose sign is the gradient mask."""

    def forward(self, inputs):
        (x,) = inputs
        if x.dtype.kind != "f":
            require_float("relu", x)
        self.retain_outputs((0,))
        return (get_array_module(x).maximum(x, 0),)

    def backward(self, indexes, grad_outputs):
        return ReLUGrad(self.output_data[0]).apply(grad_outputs)

    def backward_arrays(self, indexes, grad_outputs):
        return ReLUGrad(self.output_data[0]).forward(grad_outputs)


class ReLUGrad(FunctionNode):
    """``gy * (y > 0)``; its own gradient is the same mask, so it reuses itself."""

    def __init__(self, y: Any) -> None:
        self.y = y

    def forward(self, inputs):
        gy = inputs[0]
        if type(gy) is not _ndarray:  # a backend may fuse it (CUDA: ``relu_grad(y, gy)``)
            kernel = get_kernel("relu_grad", gy)
            if kernel is not None:
                return (kernel(self.y, gy),)
        return (gy * (self.y > 0),)

    def backward(self, indexes, grad_outputs):
        return ReLUGrad(self.y).apply(grad_outputs)


class ClippedReLU(FunctionNode):
    """``min(max(x, 0), z)``."""

    def __init__(self, z: float) -> None:
        self.z = z

    def forward(self, inputs):
        (x,) = inputs
        require_float("clipped_relu", x)
        self.retain_inputs((0,))
        return (get_array_module(x).clip(x, 0, self.z),)

    def backward(self, indexes, grad_outputs):
        x = self.inputs[0].data
        return MaskMul((x > 0) & (x < self.z)).apply(grad_outputs)


def relu(x: Any) -> Variable:
    """Rectified linear unit, ``max(x, 0)``.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``max(x, 0)`` elementwise (same shape and dtype).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.relu(np.array([-1.0, 0.5], np.float32)).array
        array([0. , 0.5], dtype=float32)
    """
    return ReLU().apply((x,))[0]


def clipped_relu(x: Any, z: float = 20.0) -> Variable:
    """Clipped rectifier, ``min(max(x, 0), z)``.

    Args:
        x: Input Variable or array of a floating dtype.
        z: The upper bound (positive).

    Returns:
        Variable: The clipped values (the gradient is 1 where ``0 < x < z``).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.clipped_relu(np.array([-1.0, 3.0, 30.0], np.float32), z=10.0).array
        array([ 0.,  3., 10.], dtype=float32)
    """
    if not z > 0:
        raise ValueError(f"clipped_relu: expected z > 0, got {z}")
    return ClippedReLU(float(z)).apply((x,))[0]


def relu6(x: Any) -> Variable:
    """ReLU capped at 6, ``min(max(x, 0), 6)`` (``clipped_relu(x, 6)``).

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: The clipped values.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.relu6(np.array([-1.0, 3.0, 9.0], np.float32)).array
        array([0., 3., 6.], dtype=float32)
    """
    return ClippedReLU(6.0).apply((x,))[0]
