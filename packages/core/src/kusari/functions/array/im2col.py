"""``im2col``: extract image patches as channels (Chainer's ``F.im2col``).

Backend kernel (``kusari.backend.get_kernel``; NumPy has none):
``'im2col'``: ``kernel(x, ksize, stride, pad, dilate, cover_all) -> col`` of shape
(N, C, kh, kw, oh, ow), with ``(y, x)`` int pairs.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_kernel
from kusari.function_node import FunctionNode
from kusari.functions.connection import _conv
from kusari.variable import Variable

__all__ = ["Im2Col", "Col2Im", "im2col"]


class Im2Col(FunctionNode):
    def __init__(self, ksize, stride, pad, dilate, cover_all) -> None:
        self.ksize, self.stride, self.pad = ksize, stride, pad
        self.dilate, self.cover_all = dilate, cover_all

    def forward(self, inputs):
        (x,) = inputs
        self._hw = x.shape[2:]
        (kh, kw), (sy, sx), (ph, pw), (dy, dx) = self.ksize, self.stride, self.pad, self.dilate
        kernel = get_kernel("im2col", x)
        if kernel is not None:
            col = kernel(x, self.ksize, self.stride, self.pad, self.dilate, self.cover_all)
        else:
            col = _conv.im2col(x, kh, kw, sy, sx, ph, pw, 0, self.cover_all, dy, dx)
        n, c, _, _, oh, ow = col.shape
        return (col.reshape(n, c * kh * kw, oh, ow),)

    def backward(self, indexes, grad_outputs):
        return Col2Im(
            self.ksize, self.stride, self.pad, self.dilate, self.cover_all, self._hw
        ).apply(grad_outputs)


class Col2Im(FunctionNode):
    """Sum patches (N, C*kh*kw, oh, ow) back into an (N, C, H, W) image."""

    def __init__(self, ksize, stride, pad, dilate, cover_all, hw) -> None:
        self.ksize, self.stride, self.pad = ksize, stride, pad
        self.dilate, self.cover_all, self.hw = dilate, cover_all, hw

    def forward(self, inputs):
        (gcol,) = inputs
        (kh, kw), (sy, sx), (ph, pw), (dy, dx) = self.ksize, self.stride, self.pad, self.dilate
        n, ckk, oh, ow = gcol.shape
        col = gcol.reshape(n, ckk // (kh * kw), kh, kw, oh, ow)
        return (_conv.col2im(col, sy, sx, ph, pw, self.hw[0], self.hw[1], dy, dx),)

    def backward(self, indexes, grad_outputs):
        return Im2Col(self.ksize, self.stride, self.pad, self.dilate, self.cover_all).apply(
            grad_outputs
        )


def im2col(
    x: Any, ksize: Any, stride: Any = 1, pad: Any = 0, cover_all: bool = False, dilate: Any = 1
) -> Variable:
    """Extract the ``kh*kw`` patches of each pixel window as channels.

    ``y[n, (c*kh + i)*kw + j, p, q] = x_pad[n, c, p*sy + i*dy, q*sx + j*dx]`` (the same
    layout as ``torch.nn.functional.unfold`` before flattening the spatial axes).

    Args:
        x: Input of shape (N, C, H, W).
        ksize: Patch size (int or pair).
        stride: Stride (int or pair).
        pad: Zero padding (int or pair).
        cover_all: Add windows so that every pixel is covered.
        dilate: Dilation (int or pair).

    Returns:
        Variable of shape (N, C*kh*kw, oh, ow).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.im2col(np.zeros((2, 3, 5, 5), np.float32), 3).shape
        (2, 27, 3, 3)
    """
    fn = "im2col"
    if x.ndim != 4:
        raise ValueError(f"{fn}: x must be 4-D (N, C, H, W); got shape {tuple(x.shape)}")
    k = _conv.pair(ksize, "ksize", fn, 1)
    s = _conv.pair(stride, "stride", fn, 1)
    p = _conv.pair(pad, "pad", fn, 0)
    d = _conv.pair(dilate, "dilate", fn, 1)
    oh = _conv.get_conv_outsize(x.shape[2], k[0], s[0], p[0], cover_all, d[0])
    ow = _conv.get_conv_outsize(x.shape[3], k[1], s[1], p[1], cover_all, d[1])
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"{fn}: the output would be empty ({oh}x{ow}) for input "
            f"{tuple(x.shape)}, ksize {k}, stride {s}, pad {p}, dilate {d}"
        )
    return Im2Col(k, s, p, d, bool(cover_all)).apply((x,))[0]
