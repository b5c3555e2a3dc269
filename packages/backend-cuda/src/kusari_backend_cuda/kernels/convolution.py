"""2-D convolution and transposed convolution as im2col/col2im plus cuBLAS GEMMs.

Patch matrices come in two layouts, each chosen so the GEMM needs no transposed copy:

* ``nckl`` — ``(N, C, kh, kw, oh, ow)``: ``W (G, Og, Kg) @ col (N, G, Kg, P)`` is one
  batched GEMM whose result already is NCHW (forward, and the transposed convolution
  feeding col2im).
* ``cknl`` — ``(C, kh, kw, N, oh, ow)``: the filter gradient is one plain GEMM per group,
  ``gy (Og, N*P) @ col.T (N*P, Kg)``.

col2im gathers (each image pixel sums the patch entries that read it), so it needs no
atomics and is deterministic. Large batches are processed in chunks whose patch matrix
stays under :data:`COL_BYTES`.
"""

from __future__ import annotations

from typing import Any

from kusari_backend_cuda.kernels._base import (
    Elementwise,
    KernelArgumentError,
    check_float,
    check_pair,
    check_same_dtype,
    compute_ctype,
    cupy_module,
)

__all__ = [
    "im2col",
    "col2im",
    "convolution_2d",
    "convolution_2d_grad_w",
    "deconvolution_2d",
    "conv_outsize",
    "COL_BYTES",
]

#: Upper bound of one batch chunk's patch matrix (bytes).
COL_BYTES = 256 << 20

_GEOMETRY = (
    "int64 h, int64 w, int64 out_h, int64 out_w, int64 kh, int64 kw, "
    "int64 sy, int64 sx, int64 ph, int64 pw, int64 dy, int64 dx"
)

# i runs over col (N, C, kh, kw, out_h, out_w); img is contiguous (N, C, h, w).
_im2col_nckl = Elementwise(
    "im2col_nckl",
    "raw T img, " + _GEOMETRY,
    "T col",
    """
    const long long ox = i % out_w;
    long long t = i / out_w;
    const long long oy = t % out_h;
    t /= out_h;
    const long long kx = t % kw;
    t /= kw;
    const long long ky = t % kh;
    const long long nc = t / kh;
    const long long y = oy * sy - ph + ky * dy;
    const long long x = ox * sx - pw + kx * dx;
    col = (y >= 0 && y < h && x >= 0 && x < w) ? img[(nc * h + y) * w + x] : (T)0;
    """,
)

# i runs over col (C, kh, kw, N, out_h, out_w); img is contiguous (N, C, h, w).
_im2col_cknl = Elementwise(
    "im2col_cknl",
    "raw T img, int64 n_batch, int64 channels, " + _GEOMETRY,
    "T col",
    """
    const long long ox = i % out_w;
    long long t = i / out_w;
    const long long oy = t % out_h;
    t /= out_h;
    const long long n = t % n_batch;
    t /= n_batch;
    const long long kx = t % kw;
    t /= kw;
    const long long ky = t % kh;
    const long long c = t / kh;
    const long long y = oy * sy - ph + ky * dy;
    const long long x = ox * sx - pw + kx * dx;
    col = (y >= 0 && y < h && x >= 0 && x < w)
        ? img[((n * channels + c) * h + y) * w + x] : (T)0;
    """,
)

# i runs over img (N, C, h, w); col is contiguous (N, C, kh, kw, out_h, out_w).
_col2im_nckl = Elementwise(
    "col2im_nckl",
    "raw T col, " + _GEOMETRY,
    "T img",
    """
    const long long x = i % w;
    long long t = i / w;
    const long long y = t % h;
    const long long nc = t / h;
    CT acc = 0;
    for (long long ky = 0; ky < kh; ++ky) {
        const long long yy = y + ph - ky * dy;
        if (yy < 0) break;  // yy only decreases with ky
        if (yy % sy != 0 || yy / sy >= out_h) continue;
        const long long oy = yy / sy;
        for (long long kx = 0; kx < kw; ++kx) {
            const long long xx = x + pw - kx * dx;
            if (xx < 0) break;
            if (xx % sx != 0 || xx / sx >= out_w) continue;
            acc += (CT)col[(((nc * kh + ky) * kw + kx) * out_h + oy) * out_w + xx / sx];
        }
    }
    img = (T)acc;
    """,
)


def conv_outsize(size: int, k: int, s: int, p: int, cover_all: bool, d: int) -> int:
    """Output length along one axis (Chainer's formula; ``cover_all`` adds partial windows)."""
    dk = k + (k - 1) * (d - 1)
    if cover_all:
        return (size + p * 2 - dk + s - 1) // s + 1
    return (size + p * 2 - dk) // s + 1


def _geometry(
    h: int,
    w: int,
    oh: int,
    ow: int,
    k: tuple[int, int],
    s: tuple[int, int],
    p: tuple[int, int],
    d: tuple[int, int],
) -> tuple[int, ...]:
    return (h, w, oh, ow, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1])


def _chunk(n: int, per_item: int) -> int:
    return max(1, min(n, COL_BYTES // max(per_item, 1)))


def im2col(x: Any, ksize: Any, stride: Any, pad: Any, dilate: Any, cover_all: bool) -> Any:
    """``kernel(x, ksize, stride, pad, dilate, cover_all) -> col`` of shape (N, C, kh, kw, oh, ow).

    ``col[n, c, i, j, p, q] = x_pad[n, c, p*sy + i*dy, q*sx + j*dx]`` (zero outside x).
    """
    fn = "im2col"
    check_float(fn, "x", x, ndim=4)
    k = check_pair(fn, "ksize", ksize, 1)
    s = check_pair(fn, "stride", stride, 1)
    p = check_pair(fn, "pad", pad, 0)
    d = check_pair(fn, "dilate", dilate, 1)
    n, c, h, w = x.shape
    oh = conv_outsize(h, k[0], s[0], p[0], bool(cover_all), d[0])
    ow = conv_outsize(w, k[1], s[1], p[1], bool(cover_all), d[1])
    if oh <= 0 or ow <= 0:
        raise KernelArgumentError(
            f"{fn} kernel: the output would be empty ({oh}x{ow}) for x "
            f"of shape {tuple(x.shape)} and ksize {k}"
        )
    return _im2col(x, k, s, p, d, oh, ow)


def _im2col(
    x: Any,
    k: tuple[int, int],
    s: tuple[int, int],
    p: tuple[int, int],
    d: tuple[int, int],
    oh: int,
    ow: int,
) -> Any:
    cupy = cupy_module()
    n, c, h, w = x.shape
    col = cupy.empty((n, c, k[0], k[1], oh, ow), dtype=x.dtype)
    _im2col_nckl(
        cupy.ascontiguousarray(x),
        *_geometry(h, w, oh, ow, k, s, p, d),
        col,
        ctype=compute_ctype(x.dtype),
    )
    return col


def col2im(col: Any, stride: Any, pad: Any, image_hw: Any, dilate: Any) -> Any:
    """``kernel(col, stride, pad, image_hw, dilate) -> img``: sum (N, C, kh, kw, oh, ow) patches.

    The adjoint of :func:`im2col`: each image pixel of the (N, C, H, W) result sums the
    patch entries that read it; entries in the padding are dropped.
    """
    fn = "col2im"
    check_float(fn, "col", col, ndim=6)
    s = check_pair(fn, "stride", stride, 1)
    p = check_pair(fn, "pad", pad, 0)
    hw = check_pair(fn, "image_hw", image_hw, 1)
    d = check_pair(fn, "dilate", dilate, 1)
    return _col2im(col, s, p, hw, d)


def _col2im(
    col: Any, s: tuple[int, int], p: tuple[int, int], hw: tuple[int, int], d: tuple[int, int]
) -> Any:
    cupy = cupy_module()
    n, c, kh, kw, oh, ow = col.shape
    img = cupy.empty((n, c) + hw, dtype=col.dtype)
    _col2im_nckl(
        cupy.ascontiguousarray(col),
        *_geometry(hw[0], hw[1], oh, ow, (kh, kw), s, p, d),
        img,
        ctype=compute_ctype(col.dtype),
    )
    return img


def _check_conv(fn: str, x: Any, W: Any, b: Any, groups: Any, w_in_axis: int) -> int:
    check_float(fn, "x", x, ndim=4)
    check_float(fn, "W", W, ndim=4)
    check_same_dtype(fn, (("x", x), ("W", W)))
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise KernelArgumentError(f"{fn} kernel: groups must be an int >= 1; got {groups!r}")
    if W.shape[0] % groups:
        raise KernelArgumentError(
            f"{fn} kernel: groups={groups} must divide W.shape[0]={W.shape[0]}"
        )
    expect = W.shape[1] * groups if w_in_axis == 1 else W.shape[0]
    if x.shape[1] != expect:
        raise KernelArgumentError(
            f"{fn} kernel: x has {x.shape[1]} channels but W of shape {tuple(W.shape)} with "
            f"groups={groups} expects {expect}"
        )
    n_out = W.shape[0] if w_in_axis == 1 else W.shape[1] * groups
    if b is not None:
        check_float(fn, "b", b, ndim=1)
        check_same_dtype(fn, (("x", x), ("b", b)))
        if b.shape[0] != n_out:
            raise KernelArgumentError(
                f"{fn} kernel: b must have shape ({n_out},); got {tuple(b.shape)}"
            )
    return n_out


def convolution_2d(
    x: Any, W: Any, b: Any, stride: Any, pad: Any, dilate: Any, groups: int, cover_all: bool
) -> Any:
    """``kernel(x, W, b, stride, pad, dilate, groups, cover_all) -> y`` (N, O, oh, ow).

    ``x`` is (N, C, H, W), ``W`` (O, C/groups, kh, kw), ``b`` (O,) or None.
    """
    fn = "convolution_2d"
    n_out = _check_conv(fn, x, W, b, groups, 1)
    s = check_pair(fn, "stride", stride, 1)
    p = check_pair(fn, "pad", pad, 0)
    d = check_pair(fn, "dilate", dilate, 1)
    cupy = cupy_module()
    n, c, h, w = x.shape
    _, cg, kh, kw = W.shape
    oh = conv_outsize(h, kh, s[0], p[0], bool(cover_all), d[0])
    ow = conv_outsize(w, kw, s[1], p[1], bool(cover_all), d[1])
    if oh <= 0 or ow <= 0:
        raise KernelArgumentError(
            f"{fn} kernel: the output would be empty ({oh}x{ow}) for x "
            f"of shape {tuple(x.shape)} and W of shape {tuple(W.shape)}"
        )
    g = groups
    kg = cg * kh * kw
    wg = W.reshape(g, n_out // g, kg)
    step = _chunk(n, c * kh * kw * oh * ow * x.dtype.itemsize)
    y = None if step >= n else cupy.empty((n, n_out, oh, ow), dtype=x.dtype)
    for i in range(0, n, step):
        col = _im2col(x[i : i + step], (kh, kw), s, p, d, oh, ow)
        m = col.shape[0]
        # (G, Og, Kg) @ (m, G, Kg, P) -> (m, G, Og, P): already NCHW.
        part = cupy.matmul(wg, col.reshape(m, g, kg, oh * ow)).reshape(m, n_out, oh, ow)
        if y is None:
            y = part
        else:
            y[i : i + m] = part
    if y is None:  # an empty batch
        y = cupy.zeros((n, n_out, oh, ow), dtype=x.dtype)
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y


def convolution_2d_grad_w(
    x: Any, gy: Any, ksize: Any, stride: Any, pad: Any, dilate: Any, groups: int
) -> Any:
    """``kernel(x, gy, ksize, stride, pad, dilate, groups) -> gW`` (O, C/groups, kh, kw).

    The number of windows (and so ``cover_all``) is read from ``gy``'s (N, O, oh, ow).
    """
    fn = "convolution_2d_grad_w"
    check_float(fn, "x", x, ndim=4)
    check_float(fn, "gy", gy, ndim=4)
    check_same_dtype(fn, (("x", x), ("gy", gy)))
    k = check_pair(fn, "ksize", ksize, 1)
    s = check_pair(fn, "stride", stride, 1)
    p = check_pair(fn, "pad", pad, 0)
    d = check_pair(fn, "dilate", dilate, 1)
    n, c, h, w = x.shape
    n_out, oh, ow = gy.shape[1:]
    g = groups
    if isinstance(g, bool) or not isinstance(g, int) or g < 1 or c % g or n_out % g:
        raise KernelArgumentError(
            f"{fn} kernel: groups={groups!r} must be an int >= 1 dividing "
            f"x's {c} channels and gy's {n_out}"
        )
    if gy.shape[0] != n:
        raise KernelArgumentError(f"{fn} kernel: gy has batch size {gy.shape[0]}, x has {n}")
    cupy = cupy_module()
    kg = c // g * k[0] * k[1]
    ct = compute_ctype(x.dtype)
    acc_dtype = "float64" if ct == "double" else "float32"
    gw = None
    xc = cupy.ascontiguousarray(x)
    step = _chunk(n, c * k[0] * k[1] * oh * ow * x.dtype.itemsize)
    for i in range(0, n, step):
        xi = xc[i : i + step]
        m = xi.shape[0]
        col = cupy.empty((c, k[0], k[1], m, oh, ow), dtype=x.dtype)
        _im2col_cknl(xi, m, c, *_geometry(h, w, oh, ow, k, s, p, d), col, ctype=ct)
        # gy chunk as (G, Og, m*P): one copy of gy, then one GEMM per group.
        gyt = gy[i : i + m].reshape(m, g, n_out // g, oh * ow).transpose(1, 2, 0, 3)
        gyt = cupy.ascontiguousarray(gyt).reshape(g, n_out // g, m * oh * ow)
        part = cupy.matmul(gyt, col.reshape(g, kg, m * oh * ow).transpose(0, 2, 1))
        if gw is None:
            gw = part if step >= n else part.astype(acc_dtype)
        else:
            gw += part
    if gw is None:  # an empty batch
        return cupy.zeros((n_out, c // g) + k, dtype=x.dtype)
    return gw.astype(x.dtype, copy=False).reshape(n_out, c // g, k[0], k[1])


def deconvolution_2d(
    x: Any, W: Any, b: Any, stride: Any, pad: Any, outsize: Any, dilate: Any, groups: int
) -> Any:
    """``kernel(x, W, b, stride, pad, outsize, dilate, groups) -> y`` (N, C_out, *outsize).

    ``x`` is (N, C_in, h, w), ``W`` (C_in, C_out/groups, kh, kw), ``b`` (C_out,) or None:
    the adjoint of :func:`convolution_2d` from an ``outsize`` image to ``x``'s grid.
    """
    fn = "deconvolution_2d"
    n_out = _check_conv(fn, x, W, b, groups, 0)
    s = check_pair(fn, "stride", stride, 1)
    p = check_pair(fn, "pad", pad, 0)
    hw = check_pair(fn, "outsize", outsize, 1)
    d = check_pair(fn, "dilate", dilate, 1)
    cupy = cupy_module()
    n, c_in, h, w = x.shape
    _, cog, kh, kw = W.shape
    g = groups
    for axis, (size, k, st, pd, dl, got) in enumerate(
        ((hw[0], kh, s[0], p[0], d[0], h), (hw[1], kw, s[1], p[1], d[1], w))
    ):
        lo = conv_outsize(size, k, st, pd, False, dl)
        hi = conv_outsize(size, k, st, pd, True, dl)
        if not lo <= got <= hi:
            raise KernelArgumentError(
                f"{fn} kernel: outsize {hw} does not match x of shape {tuple(x.shape)} "
                f"(ksize {(kh, kw)}, stride {s}, pad {p}, dilate {d}) along axis {axis + 2}"
            )
    kog = cog * kh * kw
    # (G, Kog, Cg): W^T per group, a view; matmul reads it transposed without a copy.
    wt = W.reshape(g, c_in // g, kog).transpose(0, 2, 1)
    step = _chunk(n, n_out * kh * kw * h * w * x.dtype.itemsize)
    y = None if step >= n else cupy.empty((n, n_out) + hw, dtype=x.dtype)
    for i in range(0, n, step):
        xi = x[i : i + step]
        m = xi.shape[0]
        col = cupy.matmul(wt, cupy.ascontiguousarray(xi).reshape(m, g, c_in // g, h * w))
        part = _col2im(col.reshape(m, n_out, kh, kw, h, w), s, p, hw, d)
        if y is None:
            y = part
        else:
            y[i : i + m] = part
    if y is None:  # an empty batch
        y = cupy.zeros((n, n_out) + hw, dtype=x.dtype)
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y
