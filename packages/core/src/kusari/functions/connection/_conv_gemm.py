"""2-D convolution as GEMMs: forward, the adjoint in the input, the gradient in the filter.

A :class:`ConvGeometry` fixes the sizes once; the three kernels below share it.

Stride-1 convolutions use a *flat* patch layout: the padded input is stored with rows of
``row`` pixels and flattened, and the patch matrix of kernel offset ``(i, j)`` is then the
contiguous range starting at ``i*dy*row + j*dx`` of length ``oh*row`` (outputs in the
``row - ow`` junk columns are computed and dropped). Copies of such patches run over long
contiguous rows instead of ``ow``-pixel fragments, and col2im becomes ``kh*kw`` contiguous
additions; on one core this was 15-40% faster than the strided window layout on LeNet and
3x3/32x32 shapes. Other strides use the strided window view of ``_conv``.

Work is split into batch chunks whose patch matrix is about ``_conv.COL_CHUNK_BYTES``
(one GEMM per chunk), or on the flat layout into output-row blocks of one item. A forward
whose whole patch matrix is small (``KEEP_COL_BYTES``) builds it at once and keeps it for
the filter gradient, as Chainer did on the CPU.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.functions.connection import _conv

__all__ = ["ConvGeometry", "forward", "backward_data", "grad_weight", "FLIP_MIN_CHANNELS"]

#: The stride-1 input gradient runs as a convolution with the flipped kernel when the
#: input has at least this many channels; below it col2im wins (few GEMM rows).
FLIP_MIN_CHANNELS = 16
#: A forward whose whole patch matrix is at most this big builds it in one piece and keeps
#: it for the filter gradient (LeNet-sized layers: saves one im2col per step).
KEEP_COL_BYTES = 16 << 20


class ConvGeometry:
    """Sizes of one 2-D convolution: input (n, c, h, w), filter (o, cg, kh, kw), output."""

    __slots__ = (
        "n",
        "c",
        "h",
        "w",
        "o",
        "cg",
        "kh",
        "kw",
        "sy",
        "sx",
        "ph",
        "pw",
        "dy",
        "dx",
        "g",
        "oh",
        "ow",
    )

    def __init__(
        self,
        x_shape: tuple[int, ...],
        w_shape: tuple[int, ...],
        stride: tuple[int, int],
        pad: tuple[int, int],
        dilate: tuple[int, int],
        groups: int,
        out_hw: tuple[int, int],
    ) -> None:
        self.n, self.c, self.h, self.w = x_shape
        self.o, self.cg, self.kh, self.kw = w_shape
        (self.sy, self.sx), (self.ph, self.pw), (self.dy, self.dx) = stride, pad, dilate
        self.g = groups
        self.oh, self.ow = out_hw

    @property
    def flat(self) -> bool:
        return self.sy == 1 and self.sx == 1

    @property
    def pointwise(self) -> bool:
        """A 1x1, stride-1, unpadded convolution: the input already is the patch matrix."""
        return (
            self.kh == self.kw == 1
            and self.sy == self.sx == 1
            and self.ph == self.pw == 0
            and (self.oh, self.ow) == (self.h, self.w)
        )

    def need(self) -> tuple[int, int]:
        """Padded extent the windows read."""
        return (
            (self.oh - 1) * self.sy + (self.kh - 1) * self.dy + 1,
            (self.ow - 1) * self.sx + (self.kw - 1) * self.dx + 1,
        )

    def k(self) -> int:
        return self.cg * self.kh * self.kw


def _flat_buffer(
    xp: Any, lead: tuple[int, int], rows: int, row: int, geo: ConvGeometry, dtype: Any
) -> tuple[Any, Any]:
    """A zeroed (lead..., rows*row + slack) buffer and its (lead..., rows, row) image view."""
    buf = xp.zeros(lead + (rows * row + (geo.kw - 1) * geo.dx,), dtype=dtype)
    return buf, buf[..., : rows * row].reshape(lead + (rows, row))


def _flat_patches(buf: Any, row: int, lo: int, geo: ConvGeometry, channels_first: bool) -> Any:
    """Strided view (m, C, kh, kw, lo) — or (C, kh, kw, m, lo) — of a flat buffer."""
    xp = get_array_module(buf)
    s0, s1, s2 = buf.strides
    m, c = buf.shape[:2]
    if channels_first:
        shape = (c, geo.kh, geo.kw, m, lo)
        strides = (s1, geo.dy * row * s2, geo.dx * s2, s0, s2)
    else:
        shape = (m, c, geo.kh, geo.kw, lo)
        strides = (s0, s1, geo.dy * row * s2, geo.dx * s2, s2)
    return xp.lib.stride_tricks.as_strided(buf, shape, strides)


def _flat_input(x: Any, geo: ConvGeometry) -> tuple[Any, int]:
    """``x`` padded into a flat buffer with rows of the forward's padded width."""
    xp = get_array_module(x)
    nh, row = geo.need()
    buf, img = _flat_buffer(xp, (geo.n, geo.c), nh, row, geo, x.dtype)
    hh, ww = min(geo.h, nh - geo.ph), min(geo.w, row - geo.pw)
    img[:, :, geo.ph : geo.ph + hh, geo.pw : geo.pw + ww] = x[:, :, :hh, :ww]
    return buf, row


def _flat_grad(gy: Any, row: int) -> Any:
    """``gy`` (n, o, oh, ow) copied into rows of ``row`` pixels (zeros after ``ow``)."""
    n, o, oh, ow = gy.shape
    if row == ow:
        return gy.reshape(n, o, oh * ow)
    g = get_array_module(gy).zeros((n, o, oh, row), dtype=gy.dtype)
    g[..., :ow] = gy
    return g.reshape(n, o, oh * row)


def _pieces(geo: ConvGeometry, lo: int, itemsize: int):
    """``(n0, n1, r0, r1)`` work pieces: batch chunks, or output-row blocks of one item.

    A piece's patch matrix is about ``_conv.COL_CHUNK_BYTES``; rows are split only on
    the flat (stride-1) layout, where a row block is a contiguous range.
    """
    per_item = geo.c * geo.kh * geo.kw * lo * itemsize
    n, oh = geo.n, geo.oh
    if per_item <= _conv.COL_CHUNK_BYTES or not geo.flat:
        step = _conv.chunk(n, per_item)
        for n0 in range(0, n, step):
            yield n0, min(n, n0 + step), 0, oh
        return
    rb = max(1, oh * _conv.COL_CHUNK_BYTES // per_item)
    for n0 in range(n):
        for r0 in range(0, oh, rb):
            yield n0, n0 + 1, r0, min(oh, r0 + rb)


def forward(x: Any, W: Any, geo: ConvGeometry, keep_col: bool = False) -> tuple[Any, Any]:
    """``y = W ⋆ x``; returns ``(y, col)`` where ``col`` is the whole batch's patch matrix
    when ``keep_col`` and it was built in one chunk (else None).

    ``y`` may be a strided view (stride-1 outputs drop their junk columns by slicing).
    """
    xp = get_array_module(x)
    n, g, o, k = geo.n, geo.g, geo.o, geo.k()
    og = o // g
    wm = W.reshape(g, og, k) if g > 1 else W.reshape(o, k)
    if geo.pointwise:
        lo = geo.h * geo.w
        col = x.reshape(n, g, geo.cg, lo) if g > 1 else x.reshape(n, geo.c, lo)
        return xp.matmul(wm, col).reshape(n, o, geo.oh, geo.ow), None
    if geo.flat:
        buf, row = _flat_input(x, geo)
        lo = geo.oh * row
    else:
        nh, nw = geo.need()
        buf = _conv.pad_input(x, geo.ph, geo.pw, nh, nw)
        lo = geo.oh * geo.ow
    if keep_col and geo.c * geo.kh * geo.kw * lo * x.itemsize * n <= KEEP_COL_BYTES:
        # Small problem: one GEMM over the whole batch with the patch matrix laid out
        # (G, K, n*L), which the filter gradient reuses as is.
        if geo.flat:
            view = _flat_patches(buf, row, lo, geo, True)
        else:
            view = _conv.window_view(
                buf, geo.kh, geo.kw, geo.sy, geo.sx, geo.dy, geo.dx, geo.oh, geo.ow, order="cknl"
            )
        kept = view.reshape(g, k, n * lo)
        yt = xp.matmul(wm.reshape(g, og, k), kept)  # (G, Og, n*L)
        y = yt.reshape(o, n, lo).transpose(1, 0, 2)
    else:
        kept = None
        y = xp.empty((n, g, og, lo) if g > 1 else (n, o, lo), dtype=x.dtype)
        for n0, n1, r0, r1 in _pieces(geo, lo, x.itemsize):
            m = n1 - n0
            if geo.flat:
                a, b = r0 * row, r1 * row
                view = _flat_patches(buf[n0:n1, :, a:], row, b - a, geo, False)
            else:
                a, b = 0, lo
                view = _conv.window_view(
                    buf[n0:n1], geo.kh, geo.kw, geo.sy, geo.sx, geo.dy, geo.dx, geo.oh, geo.ow
                )
            col = view.reshape((m, g, k, b - a) if g > 1 else (m, k, b - a))  # im2col copy
            xp.matmul(wm, col, out=y[n0:n1, ..., a:b])
    if geo.flat:
        return y.reshape(n, o, geo.oh, row)[..., : geo.ow], kept
    return y.reshape(n, o, geo.oh, geo.ow), kept


def backward_data(gy: Any, W: Any, geo: ConvGeometry) -> Any:
    """The adjoint of :func:`forward` in ``x``: gy (n, o, oh, ow) → (n, c, h, w).

    This is also the forward of a transposed convolution (deconvolution).
    """
    xp = get_array_module(gy)
    n, g, o, c, k = geo.n, geo.g, geo.o, geo.c, geo.k()
    og = o // g
    wt = W.reshape(g, og, k).swapaxes(1, 2) if g > 1 else W.reshape(o, k).T
    if geo.pointwise:
        gy3 = gy.reshape(n, g, og, geo.oh * geo.ow) if g > 1 else gy.reshape(n, o, -1)
        return xp.matmul(wt, gy3).reshape(n, c, geo.h, geo.w)
    qh, qw = (geo.kh - 1) * geo.dy - geo.ph, (geo.kw - 1) * geo.dx - geo.pw
    if (
        geo.flat
        and c >= FLIP_MIN_CHANNELS
        and qh >= 0
        and qw >= 0
        and (geo.oh + qh - geo.ph, geo.ow + qw - geo.pw) == (geo.h, geo.w)
    ):
        # Stride 1: the adjoint is a convolution of gy with the flipped, transposed kernel.
        wf = W.reshape(g, og, geo.cg, geo.kh, geo.kw).swapaxes(1, 2)[:, :, :, ::-1, ::-1]
        wf = wf.reshape(c, og, geo.kh, geo.kw)
        flip = ConvGeometry(
            gy.shape, wf.shape, (1, 1), (qh, qw), (geo.dy, geo.dx), g, (geo.h, geo.w)
        )
        return forward(gy, wf, flip)[0]
    nh, nw = geo.need()
    hb, wb = max(nh, geo.ph + geo.h), max(nw, geo.pw + geo.w)
    if geo.flat:
        gyf = _flat_grad(gy, wb)
        lo = geo.oh * wb
        buf, img = _flat_buffer(xp, (n, c), hb, wb, geo, gy.dtype)
    else:
        gyf = gy.reshape(n, o, geo.oh * geo.ow)
        lo = geo.oh * geo.ow
        buf = img = xp.zeros((n, c, hb, wb), dtype=gy.dtype)
    gyf = gyf.reshape(n, g, og, lo) if g > 1 else gyf
    step = _conv.chunk(n, k * g * lo * gy.itemsize)
    for n0 in range(0, n, step):
        gcol = xp.matmul(wt, gyf[n0 : n0 + step])
        m = gcol.shape[0]
        gcol = gcol.reshape(m, c, geo.kh, geo.kw, lo)
        if geo.flat:
            part = buf[n0 : n0 + m]
            for i in range(geo.kh):
                for j in range(geo.kw):
                    off = i * geo.dy * wb + j * geo.dx
                    part[:, :, off : off + lo] += gcol[:, :, i, j]
        else:
            _conv.col2im(
                gcol.reshape(m, c, geo.kh, geo.kw, geo.oh, geo.ow),
                geo.sy,
                geo.sx,
                geo.ph,
                geo.pw,
                geo.h,
                geo.w,
                geo.dy,
                geo.dx,
                out=img[n0 : n0 + m],
            )
    if geo.ph == 0 and geo.pw == 0 and img.shape[2:] == (geo.h, geo.w) and not geo.flat:
        return img
    return xp.ascontiguousarray(img[:, :, geo.ph : geo.ph + geo.h, geo.pw : geo.pw + geo.w])


def grad_weight(x: Any, gy: Any, geo: ConvGeometry, col: Any = None) -> Any:
    """The gradient of :func:`forward` in ``W``: (o, cg, kh, kw).

    ``col`` is the patch matrix :func:`forward` kept (None: rebuilt chunk by chunk).
    """
    xp = get_array_module(x)
    n, g, o, k = geo.n, geo.g, geo.o, geo.k()
    og = o // g
    shape = (o, geo.cg, geo.kh, geo.kw)
    if geo.pointwise:
        lo = geo.h * geo.w
        if g == 1:
            return xp.tensordot(
                gy.reshape(n, o, lo), x.reshape(n, geo.c, lo), axes=((0, 2), (0, 2))
            ).reshape(shape)
        gw = xp.matmul(gy.reshape(n, g, og, lo), x.reshape(n, g, geo.cg, lo).swapaxes(2, 3))
        return gw.sum(axis=0).reshape(shape)
    if geo.flat:
        row = geo.need()[1]
        lo = geo.oh * row
        gyf = _flat_grad(gy, row)
    else:
        lo = geo.oh * geo.ow
        gyf = gy.reshape(n, o, lo)
    if col is not None:
        # col is (G, K, n*L): one GEMM against gy laid out (G, Og, n*L).
        gyt = gyf.reshape(n, g, og, lo).transpose(1, 2, 0, 3).reshape(g, og, n * lo)
        return xp.matmul(col, gyt.swapaxes(1, 2)).swapaxes(1, 2).reshape(shape)
    if geo.flat:
        buf = _flat_input(x, geo)[0]
    else:
        nh, nw = geo.need()
        buf = _conv.pad_input(x, geo.ph, geo.pw, nh, nw)
    # Accumulated transposed, (G, K, Og) = col @ gy^T: OpenBLAS ran this orientation ~25%
    # faster than gy @ col^T on the 3x3/64-channel shapes.
    gwt = xp.zeros((g, k, og), dtype=x.dtype)
    for n0, n1, r0, r1 in _pieces(geo, lo, x.itemsize):
        m = n1 - n0
        # col as (G, K, m*L) so the piece is one GEMM with a long inner dimension.
        if geo.flat:
            a, b = r0 * row, r1 * row
            view = _flat_patches(buf[n0:n1, :, a:], row, b - a, geo, True)
        else:
            a, b = 0, lo
            view = _conv.window_view(
                buf[n0:n1],
                geo.kh,
                geo.kw,
                geo.sy,
                geo.sx,
                geo.dy,
                geo.dx,
                geo.oh,
                geo.ow,
                order="cknl",
            )
        cm = view.reshape(g, k, m * (b - a))
        gyc = gyf[n0:n1, :, a:b].reshape(m, g, og, b - a).transpose(1, 2, 0, 3)
        gwt += xp.matmul(cm, gyc.reshape(g, og, m * (b - a)).swapaxes(1, 2))
    return xp.ascontiguousarray(gwt.swapaxes(1, 2)).reshape(shape)
