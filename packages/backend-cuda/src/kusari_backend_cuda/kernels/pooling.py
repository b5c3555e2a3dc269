"""2-D max and average pooling, their gradients, and the argmax gather.

One thread per output element; the scatters (max pooling's gradient, average pooling's
gradient, which are also the forwards of ``upsampling_2d`` and ``unpooling_2d``) are
written as gathers over the windows that contain each image pixel, so overlapping
windows need no atomics and results are deterministic.

``indexes`` hold the row-major offset ``ky * kw + kx`` of each window's first maximum,
as int8 when ``kh * kw <= 127`` and int32 otherwise (what the generic code stores).
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari_backend_cuda.kernels._base import (
    Elementwise,
    KernelArgumentError,
    check_array,
    check_float,
    check_pair,
    check_scalar,
    compute_ctype,
    cupy_module,
)

__all__ = [
    "max_pooling_2d",
    "max_pooling_2d_grad",
    "max_pooling_2d_gather",
    "average_pooling_2d",
    "average_pooling_2d_grad",
]

_GEOMETRY = (
    "int64 h, int64 w, int64 out_h, int64 out_w, int64 kh, int64 kw, "
    "int64 sy, int64 sx, int64 ph, int64 pw"
)

# Walk the pooled positions (oy, ox) whose window contains image pixel (y, x).
_WINDOWS_OF_PIXEL = """
    const long long x = i % w;
    long long t = i / w;
    const long long y = t % h;
    const long long nc = t / h;
    const long long yp = y + ph, xp = x + pw;
    const long long oy0 = yp >= kh ? (yp - kh) / sy + 1 : 0;
    const long long ox0 = xp >= kw ? (xp - kw) / sx + 1 : 0;
    const long long oy1 = min(out_h - 1, yp / sy), ox1 = min(out_w - 1, xp / sx);
    CT acc = 0;
    for (long long oy = oy0; oy <= oy1; ++oy) {
        for (long long ox = ox0; ox <= ox1; ++ox) {
            const long long j = (nc * out_h + oy) * out_w + ox;
"""

_max_pool = Elementwise(
    "max_pooling_2d",
    "raw T img, " + _GEOMETRY,
    "T out, I idx",
    """
    const long long ox = i % out_w;
    long long t = i / out_w;
    const long long oy = t % out_h;
    const long long nc = t / out_h;
    CT best = -(CT)CUDART_INF;  // from cupy/math_constants.h
    int arg = 0;
    for (long long ky = 0; ky < kh; ++ky) {
        const long long y = oy * sy - ph + ky;
        if (y < 0 || y >= h) continue;
        for (long long kx = 0; kx < kw; ++kx) {
            const long long x = ox * sx - pw + kx;
            if (x < 0 || x >= w) continue;
            const CT v = (CT)img[(nc * h + y) * w + x];
            if (v > best) {
                best = v;
                arg = (int)(ky * kw + kx);
            }
        }
    }
    out = (T)best;
    idx = (I)arg;
    """,
)

_max_pool_grad = Elementwise(
    "max_pooling_2d_grad",
    "raw T v, raw I idx, " + _GEOMETRY,
    "T img",
    _WINDOWS_OF_PIXEL
    + """
            if ((long long)idx[j] == (yp - oy * sy) * kw + (xp - ox * sx)) acc += (CT)v[j];
        }
    }
    img = (T)acc;
    """,
)

_max_pool_gather = Elementwise(
    "max_pooling_2d_gather",
    "I idx, raw T img, " + _GEOMETRY,
    "T out",
    """
    const long long ox = i % out_w;
    long long t = i / out_w;
    const long long oy = t % out_h;
    const long long nc = t / out_h;
    const long long k = (long long)idx;
    const long long y = oy * sy - ph + k / kw;
    const long long x = ox * sx - pw + k % kw;
    out = (y >= 0 && y < h && x >= 0 && x < w) ? img[(nc * h + y) * w + x] : (T)0;
    """,
)

_avg_pool = Elementwise(
    "average_pooling_2d",
    "raw T img, " + _GEOMETRY + ", float64 scale",
    "T out",
    """
    const long long ox = i % out_w;
    long long t = i / out_w;
    const long long oy = t % out_h;
    const long long nc = t / out_h;
    CT acc = 0;
    for (long long ky = 0; ky < kh; ++ky) {
        const long long y = oy * sy - ph + ky;
        if (y < 0 || y >= h) continue;
        for (long long kx = 0; kx < kw; ++kx) {
            const long long x = ox * sx - pw + kx;
            if (x >= 0 && x < w) acc += (CT)img[(nc * h + y) * w + x];
        }
    }
    out = (T)(acc * (CT)scale);
    """,
)

_avg_pool_grad = Elementwise(
    "average_pooling_2d_grad",
    "raw T v, " + _GEOMETRY + ", float64 scale",
    "T img",
    _WINDOWS_OF_PIXEL
    + """
            acc += (CT)v[j];
        }
    }
    img = (T)(acc * (CT)scale);
    """,
)


def _window_args(fn: str, ksize: Any, stride: Any, pad: Any) -> tuple[tuple[int, int], ...]:
    return (
        check_pair(fn, "ksize", ksize, 1),
        check_pair(fn, "stride", stride, 1),
        check_pair(fn, "pad", pad, 0),
    )


def _geometry(
    hw: tuple[int, int],
    out: tuple[int, int],
    k: tuple[int, int],
    s: tuple[int, int],
    p: tuple[int, int],
) -> tuple[int, ...]:
    return (hw[0], hw[1], out[0], out[1], k[0], k[1], s[0], s[1], p[0], p[1])


def _check_pooled(fn: str, what: str, a: Any, n_c: tuple[int, int], out: tuple[int, int]) -> None:
    if tuple(a.shape) != n_c + out:
        raise KernelArgumentError(
            f"{fn} kernel: {what} must have shape {n_c + out}; got {tuple(a.shape)}"
        )


def _check_indexes(fn: str, indexes: Any, v: Any) -> None:
    check_array(fn, "indexes", indexes, ndim=4)
    if indexes.dtype.kind not in "iu":
        raise TypeError(f"{fn} kernel: indexes must be an integer array; got {indexes.dtype}")
    if tuple(indexes.shape) != tuple(v.shape):
        raise KernelArgumentError(
            f"{fn} kernel: indexes must have shape {tuple(v.shape)}; got {tuple(indexes.shape)}"
        )


def max_pooling_2d(x: Any, ksize: Any, stride: Any, pad: Any, pooled_hw: Any) -> tuple[Any, Any]:
    """``kernel(x, ksize, stride, pad, pooled_hw) -> (y, indexes)``; padding counts as -inf.

    Ties go to the first maximum in row-major window order; a window lying entirely in
    the padding yields -inf and index 0.
    """
    fn = "max_pooling_2d"
    check_float(fn, "x", x, ndim=4)
    k, s, p = _window_args(fn, ksize, stride, pad)
    out = check_pair(fn, "pooled_hw", pooled_hw, 1)
    cupy = cupy_module()
    n, c, h, w = x.shape
    y = cupy.empty((n, c) + out, dtype=x.dtype)
    idx = cupy.empty((n, c) + out, dtype=numpy.int8 if k[0] * k[1] <= 127 else numpy.int32)
    _max_pool(
        cupy.ascontiguousarray(x),
        *_geometry((h, w), out, k, s, p),
        y,
        idx,
        ctype=compute_ctype(x.dtype),
    )
    return y, idx


def max_pooling_2d_grad(
    v: Any, indexes: Any, ksize: Any, stride: Any, pad: Any, image_hw: Any, pooled_hw: Any
) -> Any:
    """``kernel(v, indexes, ksize, stride, pad, image_hw, pooled_hw) -> image``.

    Each pooled value goes to its window's ``indexes`` offset of a zero (N, C, H, W)
    image; values of overlapping windows landing on one pixel add up.
    """
    fn = "max_pooling_2d_grad"
    check_float(fn, "v", v, ndim=4)
    _check_indexes(fn, indexes, v)
    k, s, p = _window_args(fn, ksize, stride, pad)
    hw = check_pair(fn, "image_hw", image_hw, 1)
    out = check_pair(fn, "pooled_hw", pooled_hw, 1)
    _check_pooled(fn, "v", v, tuple(v.shape[:2]), out)
    cupy = cupy_module()
    img = cupy.empty(tuple(v.shape[:2]) + hw, dtype=v.dtype)
    _max_pool_grad(
        cupy.ascontiguousarray(v),
        cupy.ascontiguousarray(indexes),
        *_geometry(hw, out, k, s, p),
        img,
        ctype=compute_ctype(v.dtype),
    )
    return img


def max_pooling_2d_gather(
    img: Any, indexes: Any, ksize: Any, stride: Any, pad: Any, image_hw: Any, pooled_hw: Any
) -> Any:
    """``kernel(img, indexes, ksize, stride, pad, image_hw, pooled_hw) -> pooled``.

    Reads each window of ``img`` at its ``indexes`` offset (0 in the padding): max
    pooling with the argmax fixed, the adjoint of :func:`max_pooling_2d_grad`.
    """
    fn = "max_pooling_2d_gather"
    check_float(fn, "img", img, ndim=4)
    k, s, p = _window_args(fn, ksize, stride, pad)
    hw = check_pair(fn, "image_hw", image_hw, 1)
    out = check_pair(fn, "pooled_hw", pooled_hw, 1)
    if tuple(img.shape[2:]) != hw:
        raise KernelArgumentError(
            f"{fn} kernel: img has spatial shape {tuple(img.shape[2:])}, image_hw says {hw}"
        )
    check_array(fn, "indexes", indexes, ndim=4)
    if indexes.dtype.kind not in "iu":
        raise TypeError(f"{fn} kernel: indexes must be an integer array; got {indexes.dtype}")
    _check_pooled(fn, "indexes", indexes, tuple(img.shape[:2]), out)
    cupy = cupy_module()
    pooled = cupy.empty(tuple(indexes.shape), dtype=img.dtype)
    _max_pool_gather(
        indexes,
        cupy.ascontiguousarray(img),
        *_geometry(hw, out, k, s, p),
        pooled,
        ctype=compute_ctype(img.dtype),
    )
    return pooled


def average_pooling_2d(
    x: Any, ksize: Any, stride: Any, pad: Any, image_hw: Any, pooled_hw: Any, scale: float
) -> Any:
    """``kernel(x, ksize, stride, pad, image_hw, pooled_hw, scale) -> y``: ``scale`` x window sums.

    Padding counts as zero (Chainer divides by the full window size).
    """
    fn = "average_pooling_2d"
    check_float(fn, "x", x, ndim=4)
    k, s, p = _window_args(fn, ksize, stride, pad)
    hw = check_pair(fn, "image_hw", image_hw, 1)
    out = check_pair(fn, "pooled_hw", pooled_hw, 1)
    if tuple(x.shape[2:]) != hw:
        raise KernelArgumentError(
            f"{fn} kernel: x has spatial shape {tuple(x.shape[2:])}, image_hw says {hw}"
        )
    scale = check_scalar(fn, "scale", scale)
    cupy = cupy_module()
    y = cupy.empty(tuple(x.shape[:2]) + out, dtype=x.dtype)
    _avg_pool(
        cupy.ascontiguousarray(x),
        *_geometry(hw, out, k, s, p),
        scale,
        y,
        ctype=compute_ctype(x.dtype),
    )
    return y


def average_pooling_2d_grad(
    v: Any, ksize: Any, stride: Any, pad: Any, image_hw: Any, pooled_hw: Any, scale: float
) -> Any:
    """``kernel(v, ksize, stride, pad, image_hw, pooled_hw, scale) -> image``.

    Spreads ``scale * v`` over each window of a zero (N, C, H, W) image, summing overlaps
    (average pooling's gradient, and the forward of ``unpooling_2d``).
    """
    fn = "average_pooling_2d_grad"
    check_float(fn, "v", v, ndim=4)
    k, s, p = _window_args(fn, ksize, stride, pad)
    hw = check_pair(fn, "image_hw", image_hw, 1)
    out = check_pair(fn, "pooled_hw", pooled_hw, 1)
    _check_pooled(fn, "v", v, tuple(v.shape[:2]), out)
    scale = check_scalar(fn, "scale", scale)
    cupy = cupy_module()
    img = cupy.empty(tuple(v.shape[:2]) + hw, dtype=v.dtype)
    _avg_pool_grad(
        cupy.ascontiguousarray(v),
        *_geometry(hw, out, k, s, p),
        scale,
        img,
        ctype=compute_ctype(v.dtype),
    )
    return img
