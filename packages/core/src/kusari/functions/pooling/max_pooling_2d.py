"""``max_pooling_2d`` and the index gather that its double backward needs.

Backend kernels (``kusari.backend.get_kernel``; NumPy has none). ``ksize``, ``stride``,
``pad``, ``image_hw`` (H, W) and ``pooled_hw`` (oh, ow) are int pairs; ``indexes`` hold
the row-major offset of the chosen pixel inside its window:

- ``'max_pooling_2d'``: ``kernel(x, ksize, stride, pad, pooled_hw) -> (y, indexes)``.
- ``'max_pooling_2d_gather'``:
  ``kernel(img, indexes, ksize, stride, pad, image_hw, pooled_hw) -> pooled``.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_kernel
from kusari.function_node import FunctionNode
from kusari.functions.pooling import _pooling
from kusari.functions.pooling._pooling import Geometry

__all__ = ["MaxPooling2D", "MaxPoolingWithIndexes2D", "max_pooling_2d"]


def kernel_args(g: Geometry) -> tuple[Any, ...]:
    return (g.kh, g.kw), (g.sy, g.sx), (g.ph, g.pw), (g.h, g.w), (g.oh, g.ow)


class MaxPooling2D(FunctionNode):
    """Window maxima; backward routes each gradient to its window's first maximum."""

    def __init__(self, geometry: Geometry, return_indices: bool = False) -> None:
        self.geometry = geometry
        self.return_indices = return_indices
        self.indexes = None

    def forward(self, inputs):
        (x,) = inputs
        g = self.geometry
        kernel = get_kernel("max_pooling_2d", x)
        if kernel is not None:
            ks, st, pd, _, out = kernel_args(g)
            y, self.indexes = kernel(x, ks, st, pd, out)
            return (y,)
        y = _pooling.pool_max(x, g)
        if self.return_indices:
            self.indexes = _pooling.argmax_index(x, y, g)
        else:
            # The argmax is found only if backward runs (it costs more than the max).
            self.retain_inputs((0,))
            self.retain_outputs((0,))
        return (y,)

    def get_indexes(self) -> Any:
        """The argmax offsets (row-major within each window), computed on first use."""
        if self.indexes is None:
            x = self.inputs[0].data
            y = self._retained_output_data[0]
            self.indexes = _pooling.argmax_index(x, y, self.geometry)
        return self.indexes

    def backward(self, indexes, grad_outputs):
        from kusari.functions.pooling.upsampling_2d import Upsampling2D

        return Upsampling2D(self.geometry, self.get_indexes()).apply(grad_outputs)

    def backward_arrays(self, indexes, grad_outputs):
        from kusari.functions.pooling.upsampling_2d import scatter_array

        gy = grad_outputs[0]
        if self.indexes is None and get_kernel("max_pooling_2d_grad", gy) is None:
            # No index array needed: compare x with the retained maxima directly.
            x = self.inputs[0].data
            y = self._retained_output_data[0]
            return (_pooling.max_grad(x, y, gy, self.geometry),)
        return (scatter_array(gy, self.get_indexes(), self.geometry),)


class MaxPoolingWithIndexes2D(FunctionNode):
    """Read each window at given offsets (max pooling with the argmax fixed)."""

    def __init__(self, geometry: Geometry, indexes: Any) -> None:
        self.geometry = geometry
        self.indexes = indexes

    def forward(self, inputs):
        return (gather_array(inputs[0], self.indexes, self.geometry),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.pooling.upsampling_2d import Upsampling2D

        return Upsampling2D(self.geometry, self.indexes).apply(grad_outputs)

    def backward_arrays(self, indexes, grad_outputs):
        from kusari.functions.pooling.upsampling_2d import scatter_array

        return (scatter_array(grad_outputs[0], self.indexes, self.geometry),)


def gather_array(img: Any, indexes: Any, g: Geometry) -> Any:
    """:func:`_pooling.gather` through the backend kernel when there is one."""
    kernel = get_kernel("max_pooling_2d_gather", img)
    if kernel is not None:
        return kernel(img, indexes, *kernel_args(g))
    return _pooling.gather(img, indexes, g)


def max_pooling_2d(
    x: Any,
    ksize: Any,
    stride: Any = None,
    pad: Any = 0,
    cover_all: bool = True,
    return_indices: bool = False,
) -> Any:
    """Spatial max pooling over (N, C, H, W) inputs.

    Padding counts as -inf. With ``cover_all`` (the default, as in Chainer) extra windows
    cover the trailing pixels: ``oh = (H + 2*ph - kh + sy - 1) // sy + 1``; such a window
    may lie entirely in the padding and then yields -inf. Ties go to the first maximum
    in row-major window order.

    Args:
        x: Input of shape (N, C, H, W), float dtype.
        ksize: Window size (int or pair).
        stride: Stride (int or pair); defaults to ``ksize``.
        pad: Padding on each side (int or pair).
        cover_all: Cover every input pixel (see above); False gives
            ``oh = (H + 2*ph - kh) // sy + 1``.
        return_indices: Also return the argmax offsets (an integer array of the output's
            shape, row-major offset within the window) for :func:`upsampling_2d`.

    Returns:
        The pooled Variable of shape (N, C, oh, ow), or ``(y, indexes)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
        >>> F.max_pooling_2d(x, 2).array
        array([[[[ 5.,  7.],
                 [13., 15.]]]], dtype=float32)
    """
    _pooling.check_pool_input("max_pooling_2d", x)
    g = _pooling.make_geometry("max_pooling_2d", x.shape[2:], ksize, stride, pad, cover_all)
    node = MaxPooling2D(g, return_indices)
    y = node.apply((x,))[0]
    if return_indices:
        return y, node.indexes.astype(numpy.intp)  # Chainer hands out argmax's intp
    return y
