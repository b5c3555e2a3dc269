"""2-D transposed convolution (``deconvolution_2d``), the adjoint of ``convolution_2d``.

Backend kernel (``kusari.backend.get_kernel``; NumPy has none):

- ``'deconvolution_2d'``: ``kernel(x, W, b, stride, pad, outsize, dilate, groups) -> y``
  with ``(y, x)`` int pairs for ``stride``, ``pad``, ``outsize`` and ``dilate``; ``b`` may
  be None.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_kernel
from kusari.function_node import FunctionNode
from kusari.functions.connection import _conv, _conv_backward, _conv_gemm
from kusari.functions.connection._conv_gemm import ConvGeometry
from kusari.functions.connection.convolution_2d import (
    Convolution2DFunction,
    Convolution2DGradW,
    bias_grad,
    check_conv_inputs,
    grad_w_array,
)
from kusari.variable import Variable

__all__ = ["Deconvolution2DFunction", "deconvolution_2d"]


class Deconvolution2DFunction(FunctionNode):
    """``y = convolution_2d``'s adjoint applied to ``x`` (+ ``b``); differentiable twice."""

    def __init__(
        self,
        stride: tuple[int, int],
        pad: tuple[int, int],
        outsize: tuple[int, int],
        dilate: tuple[int, int] = (1, 1),
        groups: int = 1,
    ) -> None:
        self.stride = stride
        self.pad = pad
        self.outsize = tuple(outsize)
        self.dilate = dilate
        self.groups = groups

    def forward(self, inputs):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        self.retain_inputs((0, 1))
        (h, w), (kh, kw) = x.shape[2:], W.shape[2:]
        (sy, sx), (ph, pw), (dy, dx) = self.stride, self.pad, self.dilate
        oh, ow = self.outsize
        # The convolution that maps y back onto x's grid needs cover_all when outsize
        # leaves a partial window at the end (Chainer's rule).
        self.cover_all = h != _conv.get_conv_outsize(
            oh, kh, sy, ph, False, dy
        ) or w != _conv.get_conv_outsize(ow, kw, sx, pw, False, dx)
        # The convolution this node is the adjoint of: input y (n, C_out, oh, ow), output x.
        self.geometry = ConvGeometry(
            (x.shape[0], W.shape[1] * self.groups, oh, ow),
            W.shape,
            self.stride,
            self.pad,
            self.dilate,
            self.groups,
            (h, w),
        )
        kernel = get_kernel("deconvolution_2d", x)
        if kernel is not None:
            return (kernel(x, W, b, self.stride, self.pad, self.outsize, self.dilate, self.groups),)
        y = _conv_backward.backward_data(x, W, self.geometry)
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        return (y,)

    def backward_arrays(self, indexes, grad_outputs):
        x, W = self.inputs[0].data, self.inputs[1].data
        gy = grad_outputs[0]
        out = []
        for i in indexes:
            if i == 0:
                kernel = get_kernel("convolution_2d", gy)
                if kernel is not None:
                    out.append(
                        kernel(
                            gy,
                            W,
                            None,
                            self.stride,
                            self.pad,
                            self.dilate,
                            self.groups,
                            self.cover_all,
                        )
                    )
                else:
                    out.append(_conv_gemm.forward(gy, W, self.geometry))
            elif i == 1:
                out.append(grad_w_array(gy, x, self.geometry))
            else:
                out.append(_conv_gemm.channel_sum(gy))
        return tuple(out)

    def backward(self, indexes, grad_outputs):
        x, W = self.get_retained_inputs()
        (gy,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(
                    Convolution2DFunction(
                        self.stride, self.pad, self.cover_all, self.dilate, self.groups
                    ).apply((gy, W))[0]
                )
            elif i == 1:
                # <gy, conv_W^T(x)> = <conv_W(gy), x>: gy plays the input, x the gradient.
                out.append(
                    Convolution2DGradW(
                        W.shape[2:], self.stride, self.pad, self.dilate, self.groups, self.cover_all
                    ).apply((gy, x))[0]
                )
            else:
                out.append(bias_grad(gy))
        return tuple(out)


def deconvolution_2d(
    x: Any,
    W: Any,
    b: Any = None,
    stride: Any = 1,
    pad: Any = 0,
    outsize: Any = None,
    *,
    dilate: Any = 1,
    groups: int = 1,
) -> Variable:
    """Two-dimensional transposed convolution (Chainer's deconvolution).

    The gradient of :func:`convolution_2d` with respect to its input, used as a layer:
    each input pixel scatters ``W`` scaled by its value onto a ``stride``-spaced grid.

    Args:
        x: Input of shape (N, C_in, h, w), float dtype.
        W: Filters of shape (C_in, C_out / groups, kh, kw).
        b: Optional bias of shape (C_out,).
        stride: Stride (int or pair).
        pad: Padding removed from each side of the full output (int or pair).
        outsize: Output (H, W); default ``sy*(h - 1) + (kh - 1)*dy + 1 - 2*ph`` per axis.
            A larger size (up to ``stride - 1`` more) selects the output a strided
            convolution would have been applied to.
        dilate: Filter dilation (int or pair).
        groups: Number of channel groups.

    Returns:
        Variable of shape (N, C_out, H, W).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.ones((1, 1, 2, 2), np.float32)
        >>> F.deconvolution_2d(x, np.ones((1, 1, 2, 2), np.float32), stride=2).array[0, 0]
        array([[1., 1., 1., 1.],
               [1., 1., 1., 1.],
               [1., 1., 1., 1.],
               [1., 1., 1., 1.]], dtype=float32)
    """
    fn = "deconvolution_2d"
    check_conv_inputs(fn, x, W, b, groups, 0)
    (sy, sx) = s = _conv.pair(stride, "stride", fn, 1)
    (ph, pw) = p = _conv.pair(pad, "pad", fn, 0)
    (dy, dx) = d = _conv.pair(dilate, "dilate", fn, 1)
    h, w = x.shape[2:]
    kh, kw = W.shape[2:]
    if outsize is None:
        out = (
            _conv.get_deconv_outsize(h, kh, sy, ph, False, dy),
            _conv.get_deconv_outsize(w, kw, sx, pw, False, dx),
        )
    else:
        out = _conv.pair(outsize, "outsize", fn, 1)
    if out[0] <= 0 or out[1] <= 0:
        raise ValueError(
            f"{fn}: the output would be empty ({out[0]}x{out[1]}) for input "
            f"{tuple(x.shape)}, filter {tuple(W.shape)}, stride {s}, pad {p}"
        )
    for size, n_in, k, st, pp, dd in ((out[0], h, kh, sy, ph, dy), (out[1], w, kw, sx, pw, dx)):
        lo = _conv.get_conv_outsize(size, k, st, pp, False, dd)
        hi = _conv.get_conv_outsize(size, k, st, pp, True, dd)
        if not lo <= n_in <= hi:
            raise ValueError(
                f"{fn}: outsize {tuple(out)} is inconsistent with input {tuple(x.shape)}, "
                f"filter {tuple(W.shape)}, stride {s}, pad {p}: a convolution of that size "
                f"would give {lo}..{hi}, not {n_in}, along an axis"
            )
    node = Deconvolution2DFunction(s, p, out, d, int(groups))
    return node.apply((x, W) if b is None else (x, W, b))[0]
