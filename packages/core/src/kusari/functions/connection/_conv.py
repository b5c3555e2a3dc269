"""Array-level building blocks of 2-D convolution and pooling (im2col / col2im).

Everything here works on plain arrays (NumPy, or CuPy through the same calls) and knows
nothing about the graph; the FunctionNodes in ``convolution_2d.py``,
``deconvolution_2d.py`` and ``kusari.functions.pooling`` call these.

Layout choices (measured on one CPU core, see ``benchmarks/ops.py``):

- The patch matrix ("col") is built from an ``as_strided`` window view of the padded
  input, copied into the order the GEMM wants, **one batch chunk at a time**: a chunk's
  col of about ``COL_CHUNK_BYTES`` stays in the L2 cache between the copy and the GEMM,
  which made a 3×3, 64→64 convolution on 32×32 maps ~1.6× faster than building the
  whole batch's col first. Small problems (LeNet) fit in one chunk: one GEMM per call.
- col2im adds the ``kh*kw`` kernel-offset slices into the padded output; a loop over
  offsets (not pixels) is the fastest NumPy formulation.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module

__all__ = [
    "pair", "get_conv_outsize", "get_deconv_outsize", "pad_input", "window_view", "im2col",
    "col2im", "conv2d_forward", "conv2d_backward_data", "conv2d_grad_weight", "COL_CHUNK_BYTES",
]

#: Target size of one batch chunk's patch matrix (bytes); about one core's L2 cache.
COL_CHUNK_BYTES = 2 << 20
#: The stride-1 adjoint runs as a convolution with the flipped kernel from this many
#: input channels on; below it col2im wins (a GEMM with few output rows is a GEMV).
FLIP_MIN_CHANNELS = 16


def pair(value: Any, name: str, fn: str, minimum: int = 0) -> tuple[int, int]:
    """``value`` as a pair of ints (an int stands for both), each ``>= minimum``."""
    if isinstance(value, (int, numpy.integer)) and not isinstance(value, bool):
        p = (int(value), int(value))
    else:
        try:
            a, b = value
            p = (int(a), int(b))
        except (TypeError, ValueError):
            raise TypeError(f"{fn}: {name} must be an int or a pair of ints; got {value!r}") from None
    if p[0] < minimum or p[1] < minimum:
        raise ValueError(f"{fn}: {name} must be >= {minimum}; got {value!r}")
    return p


def get_conv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False,
                     d: int = 1) -> int:
    """Output length of a convolution/pooling along one axis (Chainer's formula).

    ``cover_all=True`` adds windows so that every input pixel is covered (the last
    window may run past the padded input).

    Example:
        >>> get_conv_outsize(28, 5, 1, 0)
        24
    """
    dk = k + (k - 1) * (d - 1)
    if cover_all:
        return (size + p * 2 - dk + s - 1) // s + 1
    return (size + p * 2 - dk) // s + 1


def get_deconv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False,
                       d: int = 1) -> int:
    """Output length of a transposed convolution along one axis (Chainer's formula).

    Example:
        >>> get_deconv_outsize(24, 5, 1, 0)
        28
    """
    dk = (k - 1) * d + 1
    if cover_all:
        return s * (size - 1) + dk - s + 1 - 2 * p
    return s * (size - 1) + dk - 2 * p


def pad_input(x: Any, ph: int, pw: int, need_h: int, need_w: int, pval: float = 0) -> Any:
    """Rows ``[-ph, need_h - ph)`` and columns ``[-pw, need_w - pw)`` of ``x`` (N, C, H, W).

    Positions outside ``x`` hold ``pval``. Returns ``x`` itself (no copy) when no padding
    is needed; rows/columns never read by a window are cropped rather than copied.
    """
    n, c, h, w = x.shape
    if ph == 0 and pw == 0 and need_h <= h and need_w <= w:
        return x
    xp = get_array_module(x)
    if pval == 0:
        buf = xp.zeros((n, c, need_h, need_w), dtype=x.dtype)
    else:
        buf = xp.full((n, c, need_h, need_w), pval, dtype=x.dtype)
    hh = min(h, need_h - ph)
    ww = min(w, need_w - pw)
    if hh > 0 and ww > 0:
        buf[:, :, ph:ph + hh, pw:pw + ww] = x[:, :, :hh, :ww]
    return buf


def window_view(xp_: Any, kh: int, kw: int, sy: int, sx: int, dy: int, dx: int,
                oh: int, ow: int, order: str = "nckl") -> Any:
    """A strided view of the ``kh*kw`` windows of the padded input (no copy).

    ``order='nckl'`` gives shape (N, C, kh, kw, oh, ow); ``'ncl k'``-style variants:
    ``'cknl'`` gives (C, kh, kw, N, oh, ow) and ``'nclk'`` gives (N, C, oh, ow, kh, kw).
    """
    xp = get_array_module(xp_)
    s0, s1, s2, s3 = xp_.strides
    n, c = xp_.shape[:2]
    if order == "nckl":
        shape = (n, c, kh, kw, oh, ow)
        strides = (s0, s1, s2 * dy, s3 * dx, s2 * sy, s3 * sx)
    elif order == "cknl":
        shape = (c, kh, kw, n, oh, ow)
        strides = (s1, s2 * dy, s3 * dx, s0, s2 * sy, s3 * sx)
    else:  # "nclk"
        shape = (n, c, oh, ow, kh, kw)
        strides = (s0, s1, s2 * sy, s3 * sx, s2 * dy, s3 * dx)
    return xp.lib.stride_tricks.as_strided(xp_, shape, strides)


def _need(o: int, k: int, s: int, d: int) -> int:
    # Input extent (padded) that o windows of size k (dilation d, stride s) read.
    return (o - 1) * s + (k - 1) * d + 1


def im2col(x: Any, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int, pval: float = 0,
           cover_all: bool = False, dy: int = 1, dx: int = 1) -> Any:
    """The patches of ``x`` (N, C, H, W) as a contiguous (N, C, kh, kw, oh, ow) array."""
    oh = get_conv_outsize(x.shape[2], kh, sy, ph, cover_all, dy)
    ow = get_conv_outsize(x.shape[3], kw, sx, pw, cover_all, dx)
    xp_ = pad_input(x, ph, pw, _need(oh, kh, sy, dy), _need(ow, kw, sx, dx), pval)
    view = window_view(xp_, kh, kw, sy, sx, dy, dx, oh, ow)
    return get_array_module(x).ascontiguousarray(view)


def col2im(col: Any, sy: int, sx: int, ph: int, pw: int, h: int, w: int, dy: int = 1,
           dx: int = 1, out: Any = None) -> Any:
    """Sum the patches ``col`` (N, C, kh, kw, oh, ow) back into an (N, C, h, w) image.

    Patch entries that fall into the padding are dropped. With ``out`` (a zeroed padded
    buffer of shape (N, C, >=need_h, >=need_w) in padded coordinates), adds into it and
    returns it uncropped.
    """
    n, c, kh, kw, oh, ow = col.shape
    xp = get_array_module(col)
    crop = out is None
    if out is None:
        out = xp.zeros((n, c, max(_need(oh, kh, sy, dy), h + ph), max(_need(ow, kw, sx, dx),
                                                                      w + pw)), col.dtype)
    ey = (oh - 1) * sy + 1
    ex = (ow - 1) * sx + 1
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dy:i * dy + ey:sy, j * dx:j * dx + ex:sx] += col[:, :, i, j]
    if not crop:
        return out
    if ph == 0 and pw == 0 and out.shape[2] == h and out.shape[3] == w:
        return out
    return xp.ascontiguousarray(out[:, :, ph:ph + h, pw:pw + w])


def _chunk(n: int, per_item_bytes: int) -> int:
    return max(1, min(n, COL_CHUNK_BYTES // max(per_item_bytes, 1)))


def conv2d_forward(x: Any, W: Any, stride: tuple[int, int], pad: tuple[int, int],
                   dilate: tuple[int, int], groups: int, cover_all: bool) -> Any:
    """``y[n, o] = sum_{c,i,j} W[o, c, i, j] * x_pad[n, g(o)*Cg + c, ...]`` (N, O, oh, ow)."""
    xp = get_array_module(x)
    n, c, h, w = x.shape
    o, cg, kh, kw = W.shape
    (sy, sx), (ph, pw), (dy, dx) = stride, pad, dilate
    oh = get_conv_outsize(h, kh, sy, ph, cover_all, dy)
    ow = get_conv_outsize(w, kw, sx, pw, cover_all, dx)
    g = groups
    og = o // g
    k = cg * kh * kw
    lo = oh * ow
    wm = W.reshape(g, og, k) if g > 1 else W.reshape(o, k)
    if kh == kw == 1 and sy == sx == 1 and ph == pw == 0:
        # 1x1 convolution: the input already is the patch matrix.
        col = x.reshape(n, g, cg, lo) if g > 1 else x.reshape(n, c, lo)
        return xp.matmul(wm, col).reshape(n, o, oh, ow)
    xp_ = pad_input(x, ph, pw, _need(oh, kh, sy, dy), _need(ow, kw, sx, dx))
    y = xp.empty((n, g, og, lo) if g > 1 else (n, o, lo), dtype=x.dtype)
    step = _chunk(n, c * kh * kw * lo * x.itemsize)
    for n0 in range(0, n, step):
        part = xp_[n0:n0 + step]
        m = part.shape[0]
        view = window_view(part, kh, kw, sy, sx, dy, dx, oh, ow)
        col = view.reshape((m, g, k, lo) if g > 1 else (m, k, lo))  # the im2col copy
        xp.matmul(wm, col, out=y[n0:n0 + m])
    return y.reshape(n, o, oh, ow)


def conv2d_backward_data(gy: Any, W: Any, hw: tuple[int, int], stride: tuple[int, int],
                         pad: tuple[int, int], dilate: tuple[int, int], groups: int) -> Any:
    """The adjoint of :func:`conv2d_forward` in ``x``: gy (N, O, oh, ow) → (N, C, h, w).

    This is also the forward of a transposed convolution (deconvolution).
    """
    xp = get_array_module(gy)
    n, o, oh, ow = gy.shape
    _, cg, kh, kw = W.shape
    h, w = hw
    (sy, sx), (ph, pw), (dy, dx) = stride, pad, dilate
    g = groups
    og = o // g
    c = cg * g
    k = cg * kh * kw
    lo = oh * ow
    wt = W.reshape(g, og, k).swapaxes(1, 2) if g > 1 else W.reshape(o, k).T
    gy3 = gy.reshape(n, g, og, lo) if g > 1 else gy.reshape(n, o, lo)
    if kh == kw == 1 and sy == sx == 1 and ph == pw == 0 and (oh, ow) == (h, w):
        return xp.matmul(wt, gy3).reshape(n, c, h, w)
    qh, qw = (kh - 1) * dy - ph, (kw - 1) * dx - pw
    if FLIP_MIN_CHANNELS <= c and sy == sx == 1 and qh >= 0 and qw >= 0 and (oh + 2 * qh - (kh - 1) * dy,
                                                  ow + 2 * qw - (kw - 1) * dx) == (h, w):
        # Stride 1: the adjoint is a plain convolution of gy with the flipped, transposed
        # kernel (im2col + GEMM), cheaper than col2im's kh*kw scattered additions.
        wf = W.reshape(g, og, cg, kh, kw).swapaxes(1, 2)[:, :, :, ::-1, ::-1]
        wf = wf.reshape(c, og, kh, kw)
        return conv2d_forward(gy, wf, (1, 1), (qh, qw), dilate, g, False)
    buf = xp.zeros((n, c, max(_need(oh, kh, sy, dy), h + ph), max(_need(ow, kw, sx, dx), w + pw)),
                   dtype=gy.dtype)
    step = _chunk(n, k * g * lo * gy.itemsize)
    for n0 in range(0, n, step):
        gcol = xp.matmul(wt, gy3[n0:n0 + step])
        m = gcol.shape[0]
        col2im(gcol.reshape(m, c, kh, kw, oh, ow), sy, sx, ph, pw, h, w, dy, dx,
               out=buf[n0:n0 + m])
    if ph == 0 and pw == 0 and buf.shape[2] == h and buf.shape[3] == w:
        return buf
    return xp.ascontiguousarray(buf[:, :, ph:ph + h, pw:pw + w])


def conv2d_grad_weight(x: Any, gy: Any, ksize: tuple[int, int], stride: tuple[int, int],
                       pad: tuple[int, int], dilate: tuple[int, int], groups: int) -> Any:
    """The gradient of :func:`conv2d_forward` in ``W``: (O, C/groups, kh, kw).

    The number of windows is taken from ``gy`` (so ``cover_all`` needs no flag here).
    """
    xp = get_array_module(x)
    n, c, h, w = x.shape
    _, o, oh, ow = gy.shape
    kh, kw = ksize
    (sy, sx), (ph, pw), (dy, dx) = stride, pad, dilate
    g = groups
    cg, og = c // g, o // g
    k = cg * kh * kw
    lo = oh * ow
    if kh == kw == 1 and sy == sx == 1 and ph == pw == 0 and (oh, ow) == (h, w):
        if g == 1:
            # One GEMM over the batch: (O, N*L) x (N*L, C) via tensordot.
            return xp.tensordot(gy.reshape(n, o, lo), x.reshape(n, c, lo),
                                axes=((0, 2), (0, 2))).reshape(o, c, 1, 1)
        gw = xp.matmul(gy.reshape(n, g, og, lo), x.reshape(n, g, cg, lo).swapaxes(2, 3))
        return gw.sum(axis=0).reshape(o, cg, 1, 1)
    xp_ = pad_input(x, ph, pw, _need(oh, kh, sy, dy), _need(ow, kw, sx, dx))
    gw = xp.zeros((g, og, k), dtype=x.dtype)
    step = _chunk(n, c * kh * kw * lo * x.itemsize)
    for n0 in range(0, n, step):
        part = xp_[n0:n0 + step]
        m = part.shape[0]
        # col as (G, K, m*L) so the chunk is one GEMM with a long inner dimension.
        col = window_view(part, kh, kw, sy, sx, dy, dx, oh, ow, order="cknl").reshape(g, k, m * lo)
        gyc = gy[n0:n0 + m].reshape(m, g, og, lo).transpose(1, 2, 0, 3).reshape(g, og, m * lo)
        gw += xp.matmul(gyc, col.swapaxes(1, 2))
    return gw.reshape(o, cg, kh, kw)
