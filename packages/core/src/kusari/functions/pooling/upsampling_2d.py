"""``upsampling_2d``: place values at the positions ``max_pooling_2d`` took them from.

Backend kernel (``kusari.backend.get_kernel``; NumPy has none):

- ``'max_pooling_2d_grad'``:
  ``kernel(v, indexes, ksize, stride, pad, image_hw, pooled_hw) -> image``, the scatter
  that is both max pooling's backward and upsampling's forward (overlaps are summed).
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_kernel
from kusari.function_node import FunctionNode
from kusari.functions.connection._conv import get_deconv_outsize, pair
from kusari.functions.pooling import _pooling
from kusari.functions.pooling._pooling import Geometry
from kusari.variable import Variable

__all__ = ["Upsampling2D", "scatter_array", "upsampling_2d"]


class Upsampling2D(FunctionNode):
    """Scatter each value to its window's ``indexes`` offset of a zero image."""

    def __init__(self, geometry: Geometry, indexes: Any) -> None:
        self.geometry = geometry
        self.indexes = indexes

    def forward(self, inputs):
        return (scatter_array(inputs[0], self.indexes, self.geometry),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.pooling.max_pooling_2d import MaxPoolingWithIndexes2D

        return MaxPoolingWithIndexes2D(self.geometry, self.indexes).apply(grad_outputs)

    def backward_arrays(self, indexes, grad_outputs):
        from kusari.functions.pooling.max_pooling_2d import gather_array

        return (gather_array(grad_outputs[0], self.indexes, self.geometry),)


def scatter_array(v: Any, indexes: Any, g: Geometry) -> Any:
    """:func:`_pooling.scatter` through the backend kernel when there is one."""
    kernel = get_kernel("max_pooling_2d_grad", v)
    if kernel is not None:
        from kusari.functions.pooling.max_pooling_2d import kernel_args

        return kernel(v, indexes, *kernel_args(g))
    return _pooling.scatter(v, indexes, g)


def upsampling_2d(
    x: Any,
    indexes: Any,
    ksize: Any,
    stride: Any = None,
    pad: Any = 0,
    outsize: Any = None,
    cover_all: bool = True,
) -> Variable:
    """Upsample by putting each value where :func:`max_pooling_2d` found its maximum.

    The inverse-shaped counterpart of max pooling (other pixels are zero; values of
    overlapping windows landing on one pixel are summed).

    Args:
        x: Pooled input of shape (N, C, oh, ow).
        indexes: The argmax offsets returned by ``max_pooling_2d(...,
            return_indices=True)``, of ``x``'s shape.
        ksize: Window size of the pooling (int or pair).
        stride: Its stride (defaults to ``ksize``).
        pad: Its padding.
        outsize: Output (H, W); default ``sy*(oh - 1) + kh - 2*ph`` (minus
            ``sy - 1`` with ``cover_all``).
        cover_all: The pooling's ``cover_all``.

    Returns:
        Variable of shape (N, C, H, W).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
        >>> y, idx = F.max_pooling_2d(x, 2, return_indices=True)
        >>> F.upsampling_2d(y, idx, 2, outsize=(4, 4)).array[0, 0]
        array([[ 0.,  0.,  0.,  0.],
               [ 0.,  5.,  0.,  7.],
               [ 0.,  0.,  0.,  0.],
               [ 0., 13.,  0., 15.]], dtype=float32)
    """
    fn = "upsampling_2d"
    _pooling.check_pool_input(fn, x)
    indexes = getattr(indexes, "array", indexes)
    if tuple(indexes.shape) != tuple(x.shape) or indexes.dtype.kind not in "iu":
        raise ValueError(
            f"{fn}: indexes must be an integer array of x's shape {tuple(x.shape)}; "
            f"got {indexes.dtype} array of shape {tuple(indexes.shape)}"
        )
    kh, kw = pair(ksize, "ksize", fn, 1)
    sy, sx = (kh, kw) if stride is None else pair(stride, "stride", fn, 1)
    ph, pw = pair(pad, "pad", fn, 0)
    oh, ow = x.shape[2:]
    if outsize is None:
        outsize = (
            get_deconv_outsize(oh, kh, sy, ph, cover_all),
            get_deconv_outsize(ow, kw, sx, pw, cover_all),
        )
    out = pair(outsize, "outsize", fn, 1)
    g = _pooling.make_geometry(fn, out, (kh, kw), (sy, sx), (ph, pw), cover_all, (oh, ow))
    if indexes.size and (int(indexes.min()) < 0 or int(indexes.max()) >= kh * kw):
        raise ValueError(f"{fn}: indexes must be in [0, {kh * kw}) for ksize {(kh, kw)}")
    return Upsampling2D(g, indexes.astype(g.index_dtype(), copy=False)).apply((x,))[0]
