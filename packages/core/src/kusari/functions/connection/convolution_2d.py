"""2-D convolution: ``convolution_2d`` and the weight-gradient node behind it.

Backend kernels (looked up with ``kusari.backend.get_kernel``; NumPy has none):

- ``'convolution_2d'``: ``kernel(x, W, b, stride, pad, dilate, groups, cover_all) -> y``
  where ``stride``, ``pad``, ``dilate`` are ``(y, x)`` int pairs and ``b`` may be None.
- ``'convolution_2d_grad_w'``:
  ``kernel(x, gy, ksize, stride, pad, dilate, groups) -> gW`` (the number of windows is
  read from ``gy``).

Both return arrays of the input's dtype.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_kernel
from kusari.function_node import FunctionNode
from kusari.functions.connection import _conv, _conv_backward, _conv_gemm
from kusari.functions.connection._conv_gemm import ConvGeometry
from kusari.variable import Variable

__all__ = ["Convolution2DFunction", "Convolution2DGradW", "convolution_2d"]


def check_conv_inputs(fn: str, x: Any, W: Any, b: Any, groups: int, w_in_axis: int) -> None:
    """Validate the shapes/dtypes of a 2-D (de)convolution's inputs.

    ``w_in_axis`` is the axis of ``W`` that multiplies ``x``'s channels (1 for
    convolution, 0 for deconvolution).
    """
    if x.ndim != 4:
        raise ValueError(f"{fn}: x must be 4-D (N, C, H, W); got shape {tuple(x.shape)}")
    if W.ndim != 4:
        raise ValueError(f"{fn}: W must be 4-D; got shape {tuple(W.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: x must have a float dtype; got {x.dtype}")
    if W.dtype != x.dtype:
        raise TypeError(f"{fn}: W must have x's dtype {x.dtype}; got {W.dtype}")
    if groups < 1 or W.shape[0] % groups:
        raise ValueError(f"{fn}: groups={groups} must be >= 1 and divide W.shape[0]={W.shape[0]}")
    expect = W.shape[1] * groups if w_in_axis == 1 else W.shape[0]
    if x.shape[1] != expect:
        raise ValueError(
            f"{fn}: x has {x.shape[1]} channels but W of shape {tuple(W.shape)} with "
            f"groups={groups} expects {expect}"
        )
    if b is not None:
        nout = W.shape[0] if w_in_axis == 1 else W.shape[1] * groups
        if b.ndim != 1 or b.shape[0] != nout:
            raise ValueError(f"{fn}: b must have shape ({nout},); got {tuple(b.shape)}")
        if b.dtype != x.dtype:
            raise TypeError(f"{fn}: b must have x's dtype {x.dtype}; got {b.dtype}")


def bias_grad(gy: Variable) -> Variable:
    """Sum of ``gy`` (N, C, H, W) over all axes but the channel axis, as a differentiable op."""
    from kusari.functions.array.broadcast import sum_to
    from kusari.functions.array.reshape import reshape

    c = gy.shape[1]
    return reshape(sum_to(gy, (c,) + (1,) * (gy.ndim - 2)), (c,))


class Convolution2DFunction(FunctionNode):
    """``y = W ⋆ x + b`` over (N, C, H, W) inputs; differentiable twice."""

    def __init__(
        self,
        stride: tuple[int, int] = (1, 1),
        pad: tuple[int, int] = (0, 0),
        cover_all: bool = False,
        dilate: tuple[int, int] = (1, 1),
        groups: int = 1,
    ) -> None:
        self.stride = stride
        self.pad = pad
        self.cover_all = cover_all
        self.dilate = dilate
        self.groups = groups

    def forward(self, inputs):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        self.retain_inputs((0, 1))
        (sy, sx), (ph, pw), (dy, dx) = self.stride, self.pad, self.dilate
        oh = _conv.get_conv_outsize(x.shape[2], W.shape[2], sy, ph, self.cover_all, dy)
        ow = _conv.get_conv_outsize(x.shape[3], W.shape[3], sx, pw, self.cover_all, dx)
        self.geometry = ConvGeometry(
            x.shape, W.shape, self.stride, self.pad, self.dilate, self.groups, (oh, ow)
        )
        self.kept = None
        kernel = get_kernel("convolution_2d", x)
        if kernel is not None:
            return (
                kernel(x, W, b, self.stride, self.pad, self.dilate, self.groups, self.cover_all),
            )
        # A small patch matrix is kept for the filter gradient (Chainer did the same).
        y, self.kept = _conv_gemm.forward_keep(x, W, self.geometry)
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        return (y,)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.connection.deconvolution_2d import Deconvolution2DFunction

        x, W = self.get_retained_inputs()
        (gy,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(
                    Deconvolution2DFunction(
                        self.stride, self.pad, x.shape[2:], self.dilate, self.groups
                    ).apply((gy, W))[0]
                )
            elif i == 1:
                out.append(
                    Convolution2DGradW(
                        W.shape[2:],
                        self.stride,
                        self.pad,
                        self.dilate,
                        self.groups,
                        self.cover_all,
                    ).apply((x, gy))[0]
                )
            else:
                out.append(bias_grad(gy))
        return tuple(out)

    def backward_arrays(self, indexes, grad_outputs):
        x, W = self.inputs[0].data, self.inputs[1].data
        gy = grad_outputs[0]
        geo = self.geometry
        kept, self.kept = self.kept, None
        try:
            return self._backward_arrays(x, W, gy, geo, kept, indexes)
        finally:
            _conv_gemm.release(kept)

    def _backward_arrays(self, x, W, gy, geo, kept, indexes):
        channels_first_1x1 = geo.pointwise and not _conv_gemm.channels_last(x)
        if (
            1 in indexes
            and not channels_first_1x1
            and get_kernel("convolution_2d_grad_w", gy) is None
        ):
            # Both generic kernels read gy channels-last: transpose it (if needed) once.
            gy = _conv_gemm.to_nhwc(gy).transpose(0, 3, 1, 2)
            if 0 in indexes and kept is None and get_kernel("deconvolution_2d", gy) is None:
                both = _conv_backward.backward_both(x, gy, W, geo)
                if both is not None:
                    grads = {0: both[0], 1: both[1]}
                    if 2 in indexes:
                        grads[2] = _conv_gemm.channel_sum(gy)
                    return tuple(grads[i] for i in indexes)
        out = []
        for i in indexes:
            if i == 0:
                kernel = get_kernel("deconvolution_2d", gy)
                if kernel is not None:
                    out.append(
                        kernel(
                            gy,
                            W,
                            None,
                            self.stride,
                            self.pad,
                            (geo.h, geo.w),
                            self.dilate,
                            self.groups,
                        )
                    )
                else:
                    out.append(_conv_backward.backward_data(gy, W, geo))
            elif i == 1:
                out.append(grad_w_array(x, gy, geo, kept))
            else:
                out.append(_conv_gemm.channel_sum(gy))
        return tuple(out)


def grad_w_array(x: Any, gy: Any, geo: ConvGeometry, kept: Any = None) -> Any:
    """The filter gradient on arrays, through the backend kernel when there is one.

    ``kept`` is the patch matrix ``_conv_gemm.forward_keep`` kept, if any.
    """
    kernel = get_kernel("convolution_2d_grad_w", x)
    if kernel is not None:
        return kernel(
            x, gy, (geo.kh, geo.kw), (geo.sy, geo.sx), (geo.ph, geo.pw), (geo.dy, geo.dx), geo.g
        )
    return _conv_gemm.grad_weight(x, gy, geo, kept)


class Convolution2DGradW(FunctionNode):
    """The weight gradient of a 2-D convolution, as a node of its own (for double backprop)."""

    def __init__(
        self,
        ksize: tuple[int, int],
        stride: tuple[int, int],
        pad: tuple[int, int],
        dilate: tuple[int, int],
        groups: int,
        cover_all: bool,
    ) -> None:
        self.ksize = tuple(ksize)
        self.stride = stride
        self.pad = pad
        self.dilate = dilate
        self.groups = groups
        self.cover_all = cover_all

    def forward(self, inputs):
        x, gy = inputs
        self.retain_inputs((0, 1))
        geo = ConvGeometry(
            x.shape,
            (gy.shape[1], x.shape[1] // self.groups) + self.ksize,
            self.stride,
            self.pad,
            self.dilate,
            self.groups,
            gy.shape[2:],
        )
        return (grad_w_array(x, gy, geo),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.connection.deconvolution_2d import Deconvolution2DFunction

        x, gy = self.get_retained_inputs()
        (ggw,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(
                    Deconvolution2DFunction(
                        self.stride, self.pad, x.shape[2:], self.dilate, self.groups
                    ).apply((gy, ggw))[0]
                )
            else:
                out.append(
                    Convolution2DFunction(
                        self.stride, self.pad, self.cover_all, self.dilate, self.groups
                    ).apply((x, ggw))[0]
                )
        return tuple(out)


def convolution_2d(
    x: Any,
    W: Any,
    b: Any = None,
    stride: Any = 1,
    pad: Any = 0,
    cover_all: bool = False,
    *,
    dilate: Any = 1,
    groups: int = 1,
) -> Variable:
    """Two-dimensional convolution (cross-correlation, as in Chainer and PyTorch).

    ``y[n, o, i, j] = b[o] + sum_{c, p, q} W[o, c, p, q] * x_pad[n, c, i*sy + p*dy, j*sx + q*dx]``,
    with input channels split into ``groups`` independent groups. Runs as a channels-last
    im2col plus one GEMM per cache-sized piece (see ``_conv_gemm``); differentiable twice.
    The result is usually stored channels-last: its shape is (N, O, oh, ow) as usual,
    only its strides are those of an (N, oh, ow, O) array (NumPy semantics are
    unchanged), which lets the next layers skip transposes. (1x1 convolutions of NCHW
    data and stride-1 depthwise ones return NCHW-ordered arrays.)

    Args:
        x: Input of shape (N, C, H, W), float dtype.
        W: Filters of shape (O, C / groups, kh, kw), ``x``'s dtype.
        b: Optional bias of shape (O,).
        stride: Stride (int or (sy, sx)).
        pad: Zero padding on each side (int or (ph, pw)).
        cover_all: Add output windows so every input pixel is covered (the output may grow
            by one along an axis; the extra window reads zeros past the padding).
        dilate: Dilation of the filter (int or (dy, dx)).
        groups: Number of channel groups.

    Returns:
        Variable of shape (N, O, oh, ow) with
        ``oh = (H + 2*ph - ((kh - 1)*dy + 1)) // sy + 1`` (plus ``sy - 1`` in the
        numerator when ``cover_all``).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.ones((1, 1, 4, 4), np.float32)
        >>> F.convolution_2d(x, np.ones((2, 1, 3, 3), np.float32), pad=1).array[0, 0]
        array([[4., 6., 6., 4.],
               [6., 9., 9., 6.],
               [6., 9., 9., 6.],
               [4., 6., 6., 4.]], dtype=float32)
    """
    fn = "convolution_2d"
    check_conv_inputs(fn, x, W, b, groups, 1)
    s = _conv.pair(stride, "stride", fn, 1)
    p = _conv.pair(pad, "pad", fn, 0)
    d = _conv.pair(dilate, "dilate", fn, 1)
    oh = _conv.get_conv_outsize(x.shape[2], W.shape[2], s[0], p[0], cover_all, d[0])
    ow = _conv.get_conv_outsize(x.shape[3], W.shape[3], s[1], p[1], cover_all, d[1])
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"{fn}: the output would be empty ({oh}x{ow}) for input {tuple(x.shape)}, filter "
            f"{tuple(W.shape)}, stride {s}, pad {p}, dilate {d}"
        )
    node = Convolution2DFunction(s, p, bool(cover_all), d, int(groups))
    return node.apply((x, W) if b is None else (x, W, b))[0]
