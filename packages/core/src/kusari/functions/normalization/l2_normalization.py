"""``normalize``: divide vectors by their L2 norm."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions.array.broadcast import sum_to
from kusari.functions.normalization._layout import check_float
from kusari.variable import Variable

__all__ = ["NormalizeL2", "normalize"]


class NormalizeL2(FunctionNode):
    def __init__(self, eps: float, axis: tuple[int, ...]) -> None:
        self.eps = eps
        self.axis = axis

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        xp = get_array_module(x)
        acc = numpy.float32 if x.dtype == numpy.float16 else x.dtype  # no float16 sums
        norm = xp.sqrt((x * x).sum(axis=self.axis, keepdims=True, dtype=acc))
        norm += self.eps
        return ((x / norm).astype(x.dtype, copy=False),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        (gy,) = grad_outputs
        kshape = tuple(1 if i in self.axis else s for i, s in enumerate(x.shape))
        n = sum_to(x * x, kshape) ** 0.5
        d = n + self.eps
        # A zero vector has a zero dot product with gy: any nonzero divisor gives 0 there.
        safe = n + (n.array == 0).astype(x.dtype)
        return ((gy * d - x * (sum_to(x * gy, kshape) / safe)) / (d * d),)


def normalize(x: Any, eps: float = 1e-5, axis: Any = 1) -> Variable:
    """L2-normalize ``x`` along ``axis``: ``y = x / (||x||_2 + eps)``.

    Args:
        x: Input array or Variable (e.g. ``(batch, features)``).
        eps: Added to the norm so zero vectors stay finite.
        axis: Axis (int) or axes (tuple) along which the norm is taken.

    Returns:
        A Variable of ``x``'s shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.normalize(np.array([[3.0, 4.0]], np.float32), eps=0).array
        array([[0.6, 0.8]], dtype=float32)
    """
    check_float("normalize", "x", x)
    axes = (axis,) if isinstance(axis, (int, numpy.integer)) else tuple(axis)
    ndim = x.ndim
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"normalize: axis {axis!r} is out of range for an input of shape {x.shape}"
            )
    axes = tuple(sorted(int(a) % ndim for a in axes))
    return NormalizeL2(eps, axes).apply((x,))[0]
