"""``copy``: copy a Variable's array to a device (differentiable: gradients go back)."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_device, get_device_from_array
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["Copy", "copy"]


class Copy(FunctionNode):
    def __init__(self, dst: Any) -> None:
        self.dst = dst

    def forward(self, inputs):
        (x,) = inputs
        self._src = get_device_from_array(x)
        y = self.dst.send_array(x)
        if y is x:  # same device: still hand out a new array (Chainer's contract)
            y = x.copy()
        return (y,)

    def backward(self, indexes, grad_outputs):
        return Copy(self._src).apply(grad_outputs)


def copy(x: Any, dst: Any) -> Variable:
    """Copy ``x`` to the device ``dst``; the gradient is copied back to ``x``'s device.

    Args:
        x: Input variable or array.
        dst: Target device: a :class:`~kusari.backend.Device`, ``'@numpy'``,
            ``'@cupy:0'``, or Chainer's int (``-1`` for the CPU, ``n`` for GPU ``n``).

    Returns:
        Variable on ``dst`` (a new array even when ``x`` is already there).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.copy(np.ones(2, np.float32), -1).array
        array([1., 1.], dtype=float32)
    """
    return Copy(get_device(dst)).apply((x,))[0]
