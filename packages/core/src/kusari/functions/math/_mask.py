"""``MaskMul``: multiply by a constant mask, the gradient of piecewise-linear ops.

relu, leaky_relu, clipped_relu, hard_sigmoid, clip and dropout all have gradients of the
form ``gy * mask`` where ``mask`` depends only on the forward data. The gradient of that
product with respect to ``gy`` is the same product again, so one small node serves as
its own backward (infinitely differentiable, and the piecewise-linear op's second
derivative is zero almost everywhere).
"""

from __future__ import annotations

from typing import Any

from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["MaskMul", "mask_mul"]


class MaskMul(FunctionNode):
    """``gy * mask`` for a constant ``mask`` (a bool array, or one of gy's dtype)."""

    def __init__(self, mask: Any) -> None:
        self.mask = mask

    def forward(self, inputs):
        return (inputs[0] * self.mask,)

    def backward(self, indexes, grad_outputs):
        return MaskMul(self.mask).apply(grad_outputs)

    def backward_arrays(self, indexes, grad_outputs):
        return (grad_outputs[0] * self.mask,)


def mask_mul(x: Any, mask: Any) -> Variable:
    """``x * mask`` where ``mask`` is a constant array (no gradient flows into it)."""
    return MaskMul(mask).apply((x,))[0]
