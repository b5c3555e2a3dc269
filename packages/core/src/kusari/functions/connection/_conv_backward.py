"""The input gradient of a 2-D convolution (the forward of a deconvolution).

Two ways, chosen from the geometry (see :func:`backward_data`):

- stride 1, where it is cheaper: the convolution of the padded ``gy`` with the flipped
  kernel, through the channels-last patches of ``_conv_gemm``; when the filter
  gradient is wanted too, :func:`backward_both` reuses those patches for it;
- otherwise (other strides, or few input channels): col2im, see :func:`_col2im`.

Results are stored like the forward's: channels-last, except for 1x1 convolutions of
channels-first data and stride-1 depthwise ones, which stay channels-first.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.functions.connection._conv_gemm import (
    ConvGeometry,
    _col,
    _first_major,
    _pieces,
    _rows,
    _source,
    _weights,
    channels_last,
    forward,
    to_nhwc,
)

__all__ = [
    "backward_data",
    "backward_both",
    "FLIP_COST_RATIO",
    "COL2IM_MIN_RUN",
    "COL2IM_TAP_GEMM_MAX_OG",
]

#: The stride-1 input gradient runs as a convolution of gy with the flipped kernel when
#: its patch matrix (N*h*w x kh*kw*O) is smaller than this many times the col2im one
#: (N*oh*ow x kh*kw*C): col2im's scatter-adds read and write the image once per tap.
FLIP_COST_RATIO = 2.5
#: col2im scatters onto a channel-major image when a group has fewer channels than this
#: (its channels-last adds would move runs this short).
COL2IM_MIN_RUN = 16
#: ... unless gy has at most this many channels per group: then a GEMM per tap.
COL2IM_TAP_GEMM_MAX_OG = 16


def _flip_geometry(
    gy: Any, W: Any, geo: ConvGeometry, ratio: float = FLIP_COST_RATIO
) -> tuple[Any, ConvGeometry] | None:
    """The stride-1 adjoint as a convolution of ``gy`` with the flipped kernel, if cheaper.

    ``ratio`` weighs the col2im alternative's patch matrix against the flipped one's.
    """
    qh, qw = (geo.kh - 1) * geo.dy - geo.ph, (geo.kw - 1) * geo.dx - geo.pw
    if not (
        geo.sy == geo.sx == 1
        and qh >= 0
        and qw >= 0
        and (geo.oh + qh - geo.ph, geo.ow + qw - geo.pw) == (geo.h, geo.w)
    ):
        return None
    taps = geo.kh * geo.kw
    flip_cost = geo.h * geo.w * taps * (geo.o // geo.g)
    col2im_cost = geo.oh * geo.ow * taps * geo.cg * ratio
    if flip_cost >= col2im_cost:
        return None
    g, og = geo.g, geo.o // geo.g
    wf = W.reshape(g, og, geo.cg, geo.kh, geo.kw).swapaxes(1, 2)[:, :, :, ::-1, ::-1]
    wf = wf.reshape(geo.c, og, geo.kh, geo.kw)
    flip = ConvGeometry(gy.shape, wf.shape, (1, 1), (qh, qw), (geo.dy, geo.dx), g, (geo.h, geo.w))
    return wf, flip


def backward_data(gy: Any, W: Any, geo: ConvGeometry) -> Any:
    """The adjoint of :func:`forward` in ``x``: gy (n, o, oh, ow) → (n, c, h, w).

    The result is stored as the module docstring says. This is also the forward of a
    transposed convolution (deconvolution).
    """
    xp = get_array_module(gy)
    n, g, c, cg = geo.n, geo.g, geo.c, geo.cg
    og = geo.o // g
    if gy.size == 0:
        return xp.zeros((n, geo.h, geo.w, c), dtype=gy.dtype).transpose(0, 3, 1, 2)
    if geo.pointwise and not channels_last(gy):  # a GEMM per item, channels-first
        gy4 = gy.reshape(n, g, og, geo.h * geo.w)
        gx = xp.matmul(W.reshape(g, og, cg).transpose(0, 2, 1), gy4)
        return gx.reshape(n, c, geo.h, geo.w)
    gy2 = to_nhwc(gy).reshape(-1, geo.o)
    if geo.pointwise:
        gx = xp.empty((n, geo.h, geo.w, c), dtype=gy.dtype)
        piece = (0, n, 0, geo.oh)
        wk = W.reshape(g, og, cg)
        xp.matmul(_rows(gy2, piece, geo, g), wk, out=_rows(gx.reshape(-1, c), piece, geo, g))
        return gx.transpose(0, 3, 1, 2)
    flip = _flip_geometry(gy, W, geo)
    if flip is not None:
        return forward(gy, flip[0], flip[1])
    return _col2im(gy2, W, geo)


def _col2im(gy2: Any, W: Any, geo: ConvGeometry) -> Any:
    """col2im: every tap's patch gradient from GEMMs, then one scatter-add per tap onto
    the tap's strided grid of the image. Three arrangements, by channel counts:

    - many channels per group (``cg >= COL2IM_MIN_RUN``): one GEMM per piece giving
      (G, rows, taps, cg), a channels-last image; the adds move ``cg``-value runs;
    - few, with a thin ``gy`` (``og <= COL2IM_TAP_GEMM_MAX_OG``, LeNet's conv2): one GEMM
      per tap giving a contiguous (rows, cg) block, whose adds move whole output rows
      (``ow*cg`` values) of the channels-last image; re-reading ``gy`` per tap is cheap;
    - few, with a wide ``gy`` (an RGB stem's 64 filters), or one channel per group: one
      GEMM giving (G, taps, cg, rows) and a channel-major (C, N, H, W) image, whose adds
      move runs along output rows (per-tap GEMMs re-read ``gy`` 49 times on the stem: 4x
      slower; with one channel their outputs are single columns).
    """
    xp = get_array_module(gy2)
    n, g, c, cg = geo.n, geo.g, geo.c, geo.cg
    og, nt = geo.o // g, geo.kh * geo.kw
    nh, nw = geo.need()
    hb, wb = max(nh, geo.ph + geo.h), max(nw, geo.pw + geo.w)
    sy, sx, ow = geo.sy, geo.sx, geo.ow
    few = cg < COL2IM_MIN_RUN
    per_tap = few and cg > 1 and og <= COL2IM_TAP_GEMM_MAX_OG
    major = few and not per_tap
    wk = W.reshape(g, og, cg, nt)
    if major:
        wk = xp.ascontiguousarray(wk.transpose(0, 3, 2, 1)).reshape(g, nt * cg, og)
        buf = xp.zeros((g, cg, n, hb, wb), dtype=gy2.dtype)
    else:
        order = (3, 0, 1, 2) if per_tap else (0, 1, 3, 2)  # (taps, G, og, cg) / (G, og, taps*cg)
        wk = xp.ascontiguousarray(wk.transpose(order))
        wk = wk if per_tap else wk.reshape(g, og, nt * cg)
        buf = xp.zeros((n, hb, wb, g, cg), dtype=gy2.dtype)
    for piece in _pieces(geo, gy2.itemsize):
        n0, n1, r0, r1 = piece
        m, rr = n1 - n0, r1 - r0
        gyp = _rows(gy2, piece, geo, g)  # (G, rows, og)
        ly, lx = (rr - 1) * sy + 1, (ow - 1) * sx + 1
        if major:
            gcol = xp.matmul(wk, gyp.transpose(0, 2, 1)).reshape(g, nt, cg, m, rr, ow)
        elif not per_tap:
            gcol = xp.matmul(gyp, wk).reshape(g, m, rr, ow, nt, cg)
        for t in range(nt):
            i, j = divmod(t, geo.kw)
            a, b = r0 * sy + i * geo.dy, j * geo.dx
            if major:
                buf[:, :, n0:n1, a : a + ly : sy, b : b + lx : sx] += gcol[:, t]
                continue
            if per_tap:
                tap = xp.matmul(gyp, wk[t]).reshape(g, m, rr, ow, cg)
            else:
                tap = gcol[:, :, :, :, t]
            dst = buf[n0:n1, a : a + ly : sy, b : b + lx : sx]
            dst += tap.transpose(1, 2, 3, 0, 4)
    if major:
        img = buf.reshape(c, n, hb, wb).transpose(1, 2, 3, 0)
    else:
        img = buf.reshape(n, hb, wb, c)
        if geo.ph == 0 and geo.pw == 0 and (hb, wb) == (geo.h, geo.w):
            return img.transpose(0, 3, 1, 2)
    inner = img[:, geo.ph : geo.ph + geo.h, geo.pw : geo.pw + geo.w]
    return xp.ascontiguousarray(inner).transpose(0, 3, 1, 2)


def backward_both(x: Any, gy: Any, W: Any, geo: ConvGeometry) -> tuple[Any, Any] | None:
    """``(gx, gW)`` from one patch matrix, or None where that does not apply.

    With stride 1, ``gx`` is the convolution of the padded ``gy`` with the flipped kernel,
    and the same patches of ``gy`` give the filter gradient against the plain input:
    ``gW[o, c, i, j] = sum x[n, y, x, c] * gy_pad[n, y + kh-1-i, x + kw-1-j, o]``. So
    the backward copies one patch matrix (of ``gy``) instead of two (``gy``'s and
    ``x``'s), and both GEMMs read each piece while it is in cache. None when the
    flipped form does not fit the geometry or costs more than col2im plus the
    filter gradient's own patches.
    """
    if geo.pointwise or gy.size == 0:
        return None
    # The alternative builds two patch matrices: col2im's (weighted) and grad_weight's.
    flip = _flip_geometry(gy, W, geo, FLIP_COST_RATIO + 1.0)
    if flip is None:
        return None
    xp = get_array_module(gy)
    wf, fgeo = flip
    if _first_major(gy, fgeo):  # depthwise-like groups: channels-first patches instead
        return None
    g, c = geo.g, geo.c
    src = _source(gy, fgeo, False)
    wt = _weights(wf, fgeo, False).transpose(0, 2, 1)  # (G, kh*kw*og, cg)
    x2 = to_nhwc(x).reshape(-1, c)
    gx = xp.empty((geo.n, geo.h, geo.w, c), dtype=gy.dtype)
    gx2 = gx.reshape(-1, c)
    gwf = None
    for piece in _pieces(fgeo, gy.itemsize):
        col = _col(src, fgeo, piece, False)  # (G, rows, kh*kw*og), taps flipped
        xp.matmul(col, wt, out=_rows(gx2, piece, fgeo, g))
        part = xp.matmul(_rows(x2, piece, fgeo, g).transpose(0, 2, 1), col)
        if gwf is None:
            gwf = part
        else:
            gwf += part
    og = geo.o // g
    gwf = gwf.reshape(g, geo.cg, geo.kh, geo.kw, og)[:, :, ::-1, ::-1]
    gw = xp.ascontiguousarray(gwf.transpose(0, 4, 1, 2, 3)).reshape(geo.o, geo.cg, geo.kh, geo.kw)
    return gx.transpose(0, 3, 1, 2), gw
