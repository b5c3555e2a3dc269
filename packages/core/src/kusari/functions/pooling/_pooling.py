"""Array kernels shared by the 2-D pooling functions.

A pooling window grid is described by a :class:`Geometry`: kernel, stride and padding,
and the sizes of the image (``h, w``) and of the pooled map (``oh, ow``). Every kernel
here runs as a loop over the ``kh*kw`` window offsets, each step one vectorized NumPy
operation on a strided slice of the padded image (measured faster than building a
(N, C, oh, ow, kh*kw) patch array: no patch copy, and 2x2/3x3 windows need only 4/9
passes over the pooled map). Windows that do not overlap write their slices directly
instead of accumulating.

Every result is stored in its input's memory order: a channels-last (NHWC-strided) image,
as ``convolution_2d`` returns, gives channels-last pooled maps and gradients, so the
elementwise ops around pooling never mix layouts (a mixed-layout multiply ran 3.5x
slower than a same-layout one).
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.functions.connection._conv import get_conv_outsize, pair

__all__ = [
    "Geometry",
    "make_geometry",
    "pool_max",
    "argmax_index",
    "scatter",
    "gather",
    "pool_sum",
    "unpool_sum",
    "max_grad",
    "check_pool_input",
]


class Geometry:
    """Window grid of a 2-D pooling: kernel, stride, padding, image and pooled sizes."""

    __slots__ = ("kh", "kw", "sy", "sx", "ph", "pw", "h", "w", "oh", "ow")

    def __init__(
        self, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int, h: int, w: int, oh: int, ow: int
    ) -> None:
        self.kh, self.kw, self.sy, self.sx = kh, kw, sy, sx
        self.ph, self.pw, self.h, self.w, self.oh, self.ow = ph, pw, h, w, oh, ow

    @property
    def overlap(self) -> bool:
        """Whether neighbouring windows share pixels (then scatters must accumulate)."""
        return self.sy < self.kh or self.sx < self.kw

    def need(self) -> tuple[int, int]:
        """Padded extent the windows read."""
        return (self.oh - 1) * self.sy + self.kh, (self.ow - 1) * self.sx + self.kw

    def offsets(self):
        """``(k, (rows, cols))`` for each window offset, slices in padded coordinates."""
        ey, ex = (self.oh - 1) * self.sy + 1, (self.ow - 1) * self.sx + 1
        for i in range(self.kh):
            for j in range(self.kw):
                yield i * self.kw + j, (slice(i, i + ey, self.sy), slice(j, j + ex, self.sx))

    def index_dtype(self) -> Any:
        return numpy.int8 if self.kh * self.kw <= 127 else numpy.int32


def check_pool_input(fn: str, x: Any) -> None:
    if x.ndim != 4:
        raise ValueError(f"{fn}: x must be 4-D (N, C, H, W); got shape {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: x must have a float dtype; got {x.dtype}")


def make_geometry(
    fn: str,
    image_hw: tuple[int, int],
    ksize: Any,
    stride: Any,
    pad: Any,
    cover_all: bool,
    pooled_hw: tuple[int, int] | None = None,
) -> Geometry:
    """Validate the window parameters and compute the missing size.

    ``pooled_hw`` None: the pooled size follows from the image size (pooling). Otherwise
    ``image_hw`` is the requested output of an unpooling and is checked against it.
    """
    kh, kw = pair(ksize, "ksize", fn, 1)
    sy, sx = (kh, kw) if stride is None else pair(stride, "stride", fn, 1)
    ph, pw = pair(pad, "pad", fn, 0)
    h, w = image_hw
    oh = get_conv_outsize(h, kh, sy, ph, cover_all)
    ow = get_conv_outsize(w, kw, sx, pw, cover_all)
    if pooled_hw is None:
        if oh <= 0 or ow <= 0:
            raise ValueError(
                f"{fn}: the output would be empty ({oh}x{ow}) for an image of "
                f"{h}x{w}, ksize {(kh, kw)}, stride {(sy, sx)}, pad {(ph, pw)}"
            )
    elif (oh, ow) != tuple(pooled_hw):
        raise ValueError(
            f"{fn}: outsize {(h, w)} does not match the input's {tuple(pooled_hw)} windows "
            f"(ksize {(kh, kw)}, stride {(sy, sx)}, pad {(ph, pw)}, cover_all={cover_all} "
            f"gives {(oh, ow)} windows)"
        )
    return Geometry(kh, kw, sy, sx, ph, pw, h, w, oh, ow)


def _last(a: Any) -> bool:
    """Whether the 4-D ``a`` is stored channels-last (and not also C-contiguous)."""
    return not a.flags.c_contiguous and a.transpose(0, 2, 3, 1).flags.c_contiguous


def _empty(
    xp: Any, shape: tuple[int, ...], dtype: Any, like: Any, fill: float | None = None
) -> Any:
    """An (N, C, H, W) array stored channels-last when ``like`` is (else C order)."""
    n, c, h, w = shape
    if _last(like):
        buf = xp.empty((n, h, w, c), dtype=dtype).transpose(0, 3, 1, 2)
    else:
        buf = xp.empty(shape, dtype=dtype)
    if fill is not None:
        buf.fill(fill)
    return buf


def _padded(x: Any, g: Geometry, pval: float) -> Any:
    nh, nw = g.need()
    n, c, h, w = x.shape
    if g.ph == 0 and g.pw == 0 and nh <= h and nw <= w:
        return x
    buf = _empty(get_array_module(x), (n, c, nh, nw), x.dtype, x, pval)
    hh, ww = min(h, nh - g.ph), min(w, nw - g.pw)
    if hh > 0 and ww > 0:
        buf[:, :, g.ph : g.ph + hh, g.pw : g.pw + ww] = x[:, :, :hh, :ww]
    return buf


def _tiles(g: Geometry) -> bool:
    """Whether the windows tile the image exactly (every pixel in exactly one window)."""
    return (
        not g.overlap
        and g.ph == g.pw == 0
        and (g.oh * g.sy, g.ow * g.sx) == (g.h, g.w)
        and (g.sy, g.sx) == (g.kh, g.kw)
    )


def _image_buffer(xp: Any, like: Any, g: Geometry, dtype: Any) -> Any:
    """The zeroed padded image the scatters write to, laid out like ``like``."""
    nh, nw = g.need()
    n, c = like.shape[:2]
    shape = (n, c, max(nh, g.ph + g.h), max(nw, g.pw + g.w))
    if _tiles(g):
        return _empty(xp, shape, dtype, like)  # every pixel is written exactly once
    return _empty(xp, shape, dtype, like, 0)


def _crop(xp: Any, buf: Any, g: Geometry) -> Any:
    if g.ph == 0 and g.pw == 0 and buf.shape[2:] == (g.h, g.w):
        return buf
    return buf[:, :, g.ph : g.ph + g.h, g.pw : g.pw + g.w].copy(order="K")


def pool_max(x: Any, g: Geometry) -> Any:
    """Window maxima; padding counts as -inf."""
    xp = get_array_module(x)
    xp_ = _padded(x, g, -numpy.inf)
    y = None
    for _, (rs, cs) in g.offsets():
        s = xp_[:, :, rs, cs]
        if y is None:
            y = s.copy(order="K")
        else:
            xp.maximum(y, s, out=y)
    return y


def argmax_index(x: Any, y: Any, g: Geometry) -> Any:
    """Row-major offset of the first maximum in each window (Chainer's argmax order)."""
    xp = get_array_module(x)
    xp_ = _padded(x, g, -numpy.inf)
    idx = _empty(xp, y.shape, g.index_dtype(), y, 0)
    # idx counts the offsets passed while no maximum was found yet (cheap boolean ops;
    # masked copies per offset were 3x slower).
    searching = None
    for _, (rs, cs) in g.offsets():
        miss = xp_[:, :, rs, cs] != y
        if searching is None:
            searching = miss
        else:
            idx += searching
            searching &= miss
    return idx


def scatter(v: Any, idx: Any, g: Geometry) -> Any:
    """Put each pooled value at its window's ``idx`` offset of a zero image (sum overlaps)."""
    xp = get_array_module(v)
    buf = _image_buffer(xp, v, g, v.dtype)
    overlap = g.overlap
    for k, (rs, cs) in g.offsets():
        dst = buf[:, :, rs, cs]
        if overlap:
            dst += xp.where(idx == k, v, 0)
        else:
            xp.multiply(v, idx == k, out=dst)
    return _crop(xp, buf, g)


def gather(img: Any, idx: Any, g: Geometry) -> Any:
    """Read each window's ``idx`` offset of ``img`` (the adjoint of :func:`scatter`)."""
    xp = get_array_module(img)
    ip = _padded(img, g, 0)
    out = _empty(xp, idx.shape, img.dtype, img, 0)
    for k, (rs, cs) in g.offsets():
        xp.copyto(out, ip[:, :, rs, cs], where=idx == k)
    return out


def pool_sum(x: Any, g: Geometry, scale: float) -> Any:
    """``scale`` times the sum of each window; padding counts as zero."""
    xp_ = _padded(x, g, 0)
    y = None
    for _, (rs, cs) in g.offsets():
        s = xp_[:, :, rs, cs]
        if y is None:
            y = s.copy(order="K")
        else:
            y += s
    if scale != 1:
        y *= y.dtype.type(scale)
    return y


def unpool_sum(v: Any, g: Geometry, scale: float) -> Any:
    """Copy ``scale * v`` to every pixel of its window, summing overlaps (adjoint of pool_sum)."""
    xp = get_array_module(v)
    if scale != 1:
        v = v * v.dtype.type(scale)
    buf = _image_buffer(xp, v, g, v.dtype)
    overlap = g.overlap
    for _, (rs, cs) in g.offsets():
        if overlap:
            buf[:, :, rs, cs] += v
        else:
            buf[:, :, rs, cs] = v
    return _crop(xp, buf, g)


def max_grad(x: Any, y: Any, gy: Any, g: Geometry) -> Any:
    """Max pooling's input gradient: each ``gy`` goes to its window's first maximum.

    Equivalent to ``scatter(gy, argmax_index(x, y, g), g)`` but needs no index array:
    per window offset, the pixels equal to the maximum that no earlier offset claimed
    take the gradient (Chainer's row-major first-maximum rule for ties).
    """
    xp = get_array_module(x)
    xp_ = _padded(x, g, -numpy.inf)
    buf = _image_buffer(xp, x, g, gy.dtype)
    if _last(gy) != _last(y):
        # One layout-changing copy of the small pooled gradient, rather than kh*kw
        # mixed-layout multiplies (dropout hands back C-order gradients).
        moved = _empty(xp, gy.shape, gy.dtype, y)
        moved[...] = gy
        gy = moved
    overlap = g.overlap
    free = None
    last = g.kh * g.kw - 1
    for k, (rs, cs) in g.offsets():
        hit = xp_[:, :, rs, cs] == y
        if free is None:
            if k < last:
                free = ~hit
        else:
            hit &= free
            if k < last:
                free &= ~hit
        dst = buf[:, :, rs, cs]
        if overlap:
            dst += gy * hit
        else:
            xp.multiply(gy, hit, out=dst)
    return _crop(xp, buf, g)
