"""``dilated_convolution_2d`` and ``depthwise_convolution_2d``: convolution variants.

Both are thin front ends of :func:`convolution_2d` (one node, same GEMM path, twice
differentiable): dilation is a convolution parameter, and a depthwise convolution is a
grouped convolution with one group per input channel.
"""

from __future__ import annotations

from typing import Any

from kusari.functions.array.reshape import reshape
from kusari.functions.array.transpose import transpose
from kusari.functions.connection.convolution_2d import convolution_2d
from kusari.variable import Variable

__all__ = ["dilated_convolution_2d", "depthwise_convolution_2d"]


def dilated_convolution_2d(
    x: Any,
    W: Any,
    b: Any = None,
    stride: Any = 1,
    pad: Any = 0,
    dilate: Any = 1,
    cover_all: bool = False,
) -> Variable:
    """Two-dimensional dilated (atrous) convolution.

    The filter taps are ``dilate`` pixels apart, so a 3x3 filter with ``dilate=2`` sees a
    5x5 neighbourhood. Same as ``convolution_2d(x, W, b, stride, pad, cover_all,
    dilate=dilate)``.

    Args:
        x: Input of shape (N, C, H, W).
        W: Filters of shape (O, C, kh, kw).
        b: Optional bias of shape (O,).
        stride: Stride (int or pair).
        pad: Zero padding (int or pair).
        dilate: Distance between filter taps (int or pair).
        cover_all: Add output windows so every input pixel is covered.

    Returns:
        Variable of shape (N, O, oh, ow), ``oh = (H + 2*ph - (kh - 1)*dy - 1) // sy + 1``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.ones((1, 1, 7, 7), np.float32)
        >>> F.dilated_convolution_2d(x, np.ones((1, 1, 3, 3), np.float32), dilate=2).shape
        (1, 1, 3, 3)
    """
    return convolution_2d(x, W, b, stride, pad, cover_all, dilate=dilate)


def depthwise_convolution_2d(
    x: Any, W: Any, b: Any = None, stride: Any = 1, pad: Any = 0
) -> Variable:
    """Two-dimensional depthwise convolution: each input channel has its own filters.

    Output channel ``c * c_M + m`` is input channel ``c`` correlated with ``W[m, c]``
    (Chainer's channel order).

    Args:
        x: Input of shape (N, c_I, H, W).
        W: Filters of shape (c_M, c_I, kh, kw); ``c_M`` is the channel multiplier.
        b: Optional bias of shape (c_I * c_M,).
        stride: Stride (int or pair).
        pad: Zero padding (int or pair).

    Returns:
        Variable of shape (N, c_I * c_M, oh, ow).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.ones((1, 3, 4, 4), np.float32)
        >>> F.depthwise_convolution_2d(x, np.ones((2, 3, 3, 3), np.float32)).shape
        (1, 6, 2, 2)
    """
    if W.ndim != 4:
        raise ValueError(
            f"depthwise_convolution_2d: W must be 4-D (c_M, c_I, kh, kw); got "
            f"shape {tuple(W.shape)}"
        )
    if x.ndim != 4 or x.shape[1] != W.shape[1]:
        raise ValueError(
            f"depthwise_convolution_2d: x must be (N, {W.shape[1]}, H, W) for W of "
            f"shape {tuple(W.shape)}; got {tuple(x.shape)}"
        )
    cm, ci, kh, kw = W.shape
    wg = reshape(transpose(W, (1, 0, 2, 3)), (ci * cm, 1, kh, kw))
    return convolution_2d(x, wg, b, stride, pad, groups=ci)
