"""``unpooling_2d``: copy each value over its pooling window (the adjoint of sum pooling)."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_kernel
from kusari.function_node import FunctionNode
from kusari.functions.connection._conv import get_deconv_outsize, pair
from kusari.functions.pooling import _pooling
from kusari.functions.pooling._pooling import Geometry
from kusari.variable import Variable

__all__ = ["Unpooling2D", "unpool_sum_array", "unpooling_2d"]


class Unpooling2D(FunctionNode):
    """Spread ``scale * v`` over each window of a zero image, summing overlaps."""

    def __init__(self, geometry: Geometry, scale: float = 1.0) -> None:
        self.geometry = geometry
        self.scale = scale

    def forward(self, inputs):
        return (unpool_sum_array(inputs[0], self.geometry, self.scale),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.pooling.average_pooling_2d import AveragePooling2D

        return AveragePooling2D(self.geometry, self.scale).apply(grad_outputs)

    def backward_arrays(self, indexes, grad_outputs):
        from kusari.functions.pooling.average_pooling_2d import pool_sum_array

        return (pool_sum_array(grad_outputs[0], self.geometry, self.scale),)


def unpool_sum_array(v: Any, g: Geometry, scale: float) -> Any:
    """:func:`_pooling.unpool_sum` through the backend kernel when there is one."""
    kernel = get_kernel("average_pooling_2d_grad", v)
    if kernel is not None:
        return kernel(v, (g.kh, g.kw), (g.sy, g.sx), (g.ph, g.pw), (g.h, g.w), (g.oh, g.ow), scale)
    return _pooling.unpool_sum(v, g, scale)


def unpooling_2d(
    x: Any,
    ksize: Any,
    stride: Any = None,
    pad: Any = 0,
    outsize: Any = None,
    cover_all: bool = True,
) -> Variable:
    """Inverse-shaped pooling: every input value is copied to all pixels of its window.

    Where windows overlap (stride < ksize) the copies add up. With ``stride == ksize`` it
    is nearest-neighbour upsampling by ``ksize``.

    Args:
        x: Input of shape (N, C, h, w), float dtype.
        ksize: Window size (int or pair).
        stride: Stride (int or pair); defaults to ``ksize``.
        pad: Padding cropped from each side of the result (int or pair).
        outsize: Output (H, W); default ``sy*(h - 1) + kh - 2*ph`` (minus ``sy - 1`` with
            ``cover_all``).
        cover_all: Match a pooling that used ``cover_all=True``.

    Returns:
        Variable of shape (N, C, H, W).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[[[1, 2]]]], np.float32)
        >>> F.unpooling_2d(x, 2, outsize=(2, 4)).array
        array([[[[1., 1., 2., 2.],
                 [1., 1., 2., 2.]]]], dtype=float32)
    """
    fn = "unpooling_2d"
    _pooling.check_pool_input(fn, x)
    kh, kw = pair(ksize, "ksize", fn, 1)
    sy, sx = (kh, kw) if stride is None else pair(stride, "stride", fn, 1)
    ph, pw = pair(pad, "pad", fn, 0)
    h, w = x.shape[2:]
    if outsize is None:
        outsize = (
            get_deconv_outsize(h, kh, sy, ph, cover_all),
            get_deconv_outsize(w, kw, sx, pw, cover_all),
        )
    out = pair(outsize, "outsize", fn, 1)
    g = _pooling.make_geometry(fn, out, (kh, kw), (sy, sx), (ph, pw), cover_all, (h, w))
    return Unpooling2D(g).apply((x,))[0]
