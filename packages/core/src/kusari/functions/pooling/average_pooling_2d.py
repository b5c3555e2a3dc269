"""``average_pooling_2d``: window means, divided by the full window size (padding included).

Backend kernels (``kusari.backend.get_kernel``; NumPy has none), with int pairs
``ksize``, ``stride``, ``pad``, ``image_hw`` and ``pooled_hw`` and a float ``scale``:

- ``'average_pooling_2d'``: ``kernel(x, ksize, stride, pad, image_hw, pooled_hw, scale)``
  returns ``scale`` times each window's sum (zero padding).
- ``'average_pooling_2d_grad'``: ``kernel(v, ksize, stride, pad, image_hw, pooled_hw,
  scale)`` returns the image with ``scale * v`` spread over each window (overlaps
  summed); also the forward of ``unpooling_2d``.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_kernel
from kusari.function_node import FunctionNode
from kusari.functions.pooling import _pooling
from kusari.functions.pooling._pooling import Geometry
from kusari.variable import Variable

__all__ = ["AveragePooling2D", "average_pooling_2d", "pool_sum_array"]


def _args(g: Geometry) -> tuple[Any, ...]:
    return (g.kh, g.kw), (g.sy, g.sx), (g.ph, g.pw), (g.h, g.w), (g.oh, g.ow)


class AveragePooling2D(FunctionNode):
    """``scale`` times each window's sum; the adjoint of :class:`Unpooling2D`."""

    def __init__(self, geometry: Geometry, scale: float) -> None:
        self.geometry = geometry
        self.scale = scale

    def forward(self, inputs):
        return (pool_sum_array(inputs[0], self.geometry, self.scale),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.pooling.unpooling_2d import Unpooling2D

        return Unpooling2D(self.geometry, self.scale).apply(grad_outputs)

    def backward_arrays(self, indexes, grad_outputs):
        from kusari.functions.pooling.unpooling_2d import unpool_sum_array

        return (unpool_sum_array(grad_outputs[0], self.geometry, self.scale),)


def pool_sum_array(x: Any, g: Geometry, scale: float) -> Any:
    """``scale`` times the window sums, through the backend kernel when there is one."""
    kernel = get_kernel("average_pooling_2d", x)
    if kernel is not None:
        return kernel(x, *_args(g), scale)
    if g.kh == g.h and g.kw == g.w and g.oh == g.ow == 1 and g.ph == g.pw == 0:
        # Global pooling: one reduction instead of kh*kw slice additions.
        y = x.sum(axis=(2, 3), keepdims=True)
        if scale != 1:
            y *= y.dtype.type(scale)
        return y
    return _pooling.pool_sum(x, g, scale)


def average_pooling_2d(x: Any, ksize: Any, stride: Any = None, pad: Any = 0) -> Variable:
    """Spatial average pooling over (N, C, H, W) inputs.

    Each output is the window sum divided by ``kh*kw``, padded zeros included (Chainer's
    rule; PyTorch's ``avg_pool2d(count_include_pad=True)``). With ``ksize`` equal to the
    map size it is global average pooling.

    Args:
        x: Input of shape (N, C, H, W), float dtype.
        ksize: Window size (int or pair).
        stride: Stride (int or pair); defaults to ``ksize``.
        pad: Zero padding on each side (int or pair).

    Returns:
        Variable of shape (N, C, oh, ow), ``oh = (H + 2*ph - kh) // sy + 1``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
        >>> F.average_pooling_2d(x, 2).array
        array([[[[ 2.5,  4.5],
                 [10.5, 12.5]]]], dtype=float32)
    """
    _pooling.check_pool_input("average_pooling_2d", x)
    g = _pooling.make_geometry("average_pooling_2d", x.shape[2:], ksize, stride, pad, False)
    return AveragePooling2D(g, 1.0 / (g.kh * g.kw)).apply((x,))[0]
