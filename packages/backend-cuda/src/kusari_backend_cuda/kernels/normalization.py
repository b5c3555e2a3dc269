"""Batch normalization: forward with batch statistics, its gradient, and the fixed form.

Statistics are computed in float32 (float64 when the data or the parameters are float64)
with two passes over the data, as the generic code does: the mean, then the mean squared
deviation, which stays accurate when ``|mean| >> std``. The per-channel vectors are tiny,
so they are prepared with ordinary CuPy calls; every pass over the data is one kernel.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari_backend_cuda.kernels._base import (
    Elementwise,
    KernelArgumentError,
    Reduction,
    check_float,
    check_scalar,
    compute_ctype,
    cupy_module,
)

__all__ = ["batch_normalization", "batch_normalization_grad", "fixed_batch_normalization"]

_sq_dev = Reduction(
    "bn_squared_deviation",
    "T x, CT_DTYPE mean",
    "CT_DTYPE v",
    "((CT)x - mean) * ((CT)x - mean)",
    "a + b",
    "v = a",
    "0",
)

_dot_dev = Reduction(
    "bn_gy_dot_deviation",
    "G gy, T x, CT_DTYPE mean",
    "CT_DTYPE v",
    "(CT)gy * ((CT)x - mean)",
    "a + b",
    "v = a",
    "0",
)

_normalize = Elementwise(
    "bn_normalize",
    "T x, S mean, S scale, S shift",
    "T y",
    "y = (T)(((CT)x - (CT)mean) * (CT)scale + (CT)shift)",
)

_grad_x = Elementwise(
    "bn_grad_x",
    "G gy, T x, S mean, S inv_std, S gscale, S ggamma, S gbeta, CT_DTYPE inv_m",
    "T gx",
    """
    const CT xhat = ((CT)x - (CT)mean) * (CT)inv_std;
    gx = (T)((CT)gscale * ((CT)gy - (xhat * (CT)ggamma + (CT)gbeta) * inv_m));
    """,
)


def _check_axes(fn: str, x: Any, axes: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(axes, kshape)``: the reduced axes and the shape of a kept-axes vector broadcast on x."""
    try:
        raw = tuple(axes)
    except TypeError:
        raise TypeError(f"{fn} kernel: axes must be a tuple of ints; got {axes!r}") from None
    if not raw or any(isinstance(a, bool) or not isinstance(a, (int, numpy.integer)) for a in raw):
        raise TypeError(f"{fn} kernel: axes must be a non-empty tuple of ints; got {axes!r}")
    if any(not -x.ndim <= a < x.ndim for a in raw):
        raise KernelArgumentError(
            f"{fn} kernel: axes {raw} out of range for x of shape {tuple(x.shape)}"
        )
    norm = tuple(sorted(int(a) % x.ndim for a in raw))
    if len(set(norm)) != len(norm):
        raise KernelArgumentError(f"{fn} kernel: axes {raw} repeat an axis")
    kshape = tuple(1 if i in norm else s for i, s in enumerate(x.shape))
    return norm, kshape


def _check_param(fn: str, what: str, a: Any, x: Any, axes: tuple[int, ...]) -> None:
    check_float(fn, what, a)
    key = tuple(s for i, s in enumerate(x.shape) if i not in axes)
    if tuple(a.shape) != key and not (a.ndim == 1 and a.size == _prod(key)):
        raise KernelArgumentError(
            f"{fn} kernel: {what} must have the shape of x's kept axes {key} (x has shape "
            f"{tuple(x.shape)}, reduced axes {axes}); got {tuple(a.shape)}"
        )


def _prod(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _ct(x: Any, *params: Any) -> tuple[str, Any]:
    ct = compute_ctype(x.dtype, *(p.dtype for p in params))
    return ct, numpy.dtype(numpy.float64 if ct == "double" else numpy.float32)


def batch_normalization(
    x: Any, gamma: Any, beta: Any, eps: float, axes: tuple[int, ...]
) -> tuple[Any, Any, Any]:
    """``kernel(x, gamma, beta, eps, axes) -> (y, mean, var)``.

    ``y = gamma * (x - mean) / sqrt(var + eps) + beta`` with the batch mean and biased
    variance over ``axes``; ``mean`` and ``var`` are 1-D (``gamma.size`` elements) in the
    compute dtype (float32, or float64 when x or gamma is float64).
    """
    fn = "batch_normalization"
    check_float(fn, "x", x, min_ndim=1)
    axes, kshape = _check_axes(fn, x, axes)
    _check_param(fn, "gamma", gamma, x, axes)
    _check_param(fn, "beta", beta, x, axes)
    eps = check_scalar(fn, "eps", eps, low=0.0)
    ct, cdt = _ct(x, gamma, beta)
    m = max(x.size // max(gamma.size, 1), 1)
    mean = x.sum(axis=axes, dtype=cdt, keepdims=True)
    mean /= m
    cupy = cupy_module()
    # Explicit broadcast views: each reduction sees inputs of x's shape.
    var = _sq_dev(x, cupy.broadcast_to(mean, x.shape), axis=axes, keepdims=True, ctype=ct)
    var /= m
    scale = gamma.reshape(kshape).astype(cdt) / (var + eps) ** 0.5
    y = _normalize(x, mean, scale, beta.reshape(kshape).astype(cdt), ctype=ct)
    return y, mean.ravel(), var.ravel()


def batch_normalization_grad(
    x: Any, gamma: Any, gy: Any, mean: Any, inv_std: Any, axes: tuple[int, ...]
) -> tuple[Any, Any, Any]:
    """``kernel(x, gamma, gy, mean, inv_std, axes) -> (gx, ggamma, gbeta)``.

    ``mean`` and ``inv_std = 1 / sqrt(var + eps)`` are the forward's statistics (any
    float dtype, ``gamma.size`` elements); ``ggamma`` and ``gbeta`` come back 1-D in
    gamma's dtype, ``gx`` in x's.
    """
    fn = "batch_normalization_grad"
    check_float(fn, "x", x, min_ndim=1)
    axes, kshape = _check_axes(fn, x, axes)
    _check_param(fn, "gamma", gamma, x, axes)
    check_float(fn, "gy", gy)
    if tuple(gy.shape) != tuple(x.shape):
        raise KernelArgumentError(
            f"{fn} kernel: gy must have x's shape {tuple(x.shape)}; got {tuple(gy.shape)}"
        )
    _check_param(fn, "mean", mean, x, axes)
    _check_param(fn, "inv_std", inv_std, x, axes)
    ct, cdt = _ct(x, gamma)
    m = max(x.size // max(gamma.size, 1), 1)
    mean = mean.reshape(kshape).astype(cdt, copy=False)
    inv = inv_std.reshape(kshape).astype(cdt, copy=False)
    gbeta = gy.sum(axis=axes, dtype=cdt, keepdims=True)
    mean_b = cupy_module().broadcast_to(mean, x.shape)
    ggamma = _dot_dev(gy, x, mean_b, axis=axes, keepdims=True, ctype=ct)
    ggamma *= inv
    gscale = gamma.reshape(kshape).astype(cdt) * inv
    gx = _grad_x(gy, x, mean, inv, gscale, ggamma, gbeta, 1.0 / m, ctype=ct)
    return gx, ggamma.astype(gamma.dtype).ravel(), gbeta.astype(gamma.dtype).ravel()


def fixed_batch_normalization(
    x: Any, gamma: Any, beta: Any, mean: Any, var: Any, eps: float, axes: tuple[int, ...]
) -> Any:
    """``kernel(x, gamma, beta, mean, var, eps, axes) -> y`` with the given statistics."""
    fn = "fixed_batch_normalization"
    check_float(fn, "x", x, min_ndim=1)
    axes, kshape = _check_axes(fn, x, axes)
    for what, a in (("gamma", gamma), ("beta", beta), ("mean", mean), ("var", var)):
        _check_param(fn, what, a, x, axes)
    eps = check_scalar(fn, "eps", eps, low=0.0)
    ct, cdt = _ct(x, gamma, beta)
    scale = gamma.reshape(kshape).astype(cdt) / (var.reshape(kshape).astype(cdt) + eps) ** 0.5
    return _normalize(
        x, mean.reshape(kshape).astype(cdt), scale, beta.reshape(kshape).astype(cdt), ctype=ct
    )
