"""Softmax, log-softmax and the fused softmax cross-entropy (forward and gradient).

Each softmax runs as three launches and no full-size temporary: CuPy's max reduction,
one reduction of ``exp(x - max)`` (accumulated in float32, or float64 for float64
data) and one elementwise kernel writing the result.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari_backend_cuda.kernels._base import (
    Elementwise,
    KernelArgumentError,
    Reduction,
    check_array,
    check_float,
    compute_ctype,
    cupy_module,
)

__all__ = ["softmax", "log_softmax", "softmax_cross_entropy", "softmax_cross_entropy_grad"]

_sum_exp = Reduction(
    "sum_exp",
    "T x, T m",
    "CT_DTYPE s",
    "exp((CT)x - (CT)m)",
    "a + b",
    "s = a",
    "0",
)

_softmax_out = Elementwise(
    "softmax_out",
    "T x, T m, CT_DTYPE s",
    "T y",
    "y = (T)(exp((CT)x - (CT)m) / s)",
)

_log_softmax_out = Elementwise(
    "log_softmax_out",
    "T x, T m, CT_DTYPE s",
    "T y",
    "y = (T)((CT)x - (CT)m - log(s))",
)

# One loss per label: i runs over t (N, R...); x is (N, C, R...) contiguous.
_sce_loss = Elementwise(
    "softmax_cross_entropy_loss",
    "I t, T m, CT_DTYPE s, raw T x, raw T w, bool use_w, int64 ignore, int64 n_class, int64 rest",
    "CT_DTYPE loss",
    """
    const long long label = (long long)t;
    if (label == ignore) {
        loss = 0;
    } else if (label < 0 || label >= n_class) {
        loss = (CT)nan("");  // out of range: never read outside x
    } else {
        const long long n = i / rest, r = i % rest;
        const CT picked = (CT)x[(n * n_class + label) * rest + r];
        CT v = log(s) - (picked - (CT)m);
        if (use_w) v *= (CT)w[label];
        loss = v;
    }
    """,
)

# i runs over prob (N, C, R...); t and coeff are contiguous (N, R...).
_sce_grad = Elementwise(
    "softmax_cross_entropy_grad",
    "T prob, raw I t, raw T coeff, int64 ignore, int64 n_class, int64 rest",
    "T gx",
    """
    const long long n = i / (n_class * rest);
    const long long c = (i / rest) % n_class;
    const long long j = n * rest + i % rest;
    const long long label = (long long)t[j];
    if (label == ignore) {
        gx = (T)0;
    } else {
        const CT g = (CT)prob - (c == label ? (CT)1 : (CT)0);
        gx = (T)(g * (CT)coeff[j]);
    }
    """,
)


def _check_axis(fn: str, x: Any, axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, numpy.integer)):
        raise TypeError(f"{fn} kernel: axis must be an int; got {axis!r}")
    if not -x.ndim <= axis < x.ndim:
        raise KernelArgumentError(
            f"{fn} kernel: axis {axis} is out of range for an input of shape {tuple(x.shape)}"
        )
    return int(axis) % x.ndim


def _max_and_sum(x: Any, axis: int) -> tuple[Any, Any, str]:
    ct = compute_ctype(x.dtype)
    m = x.max(axis=axis, keepdims=True)
    # An explicit broadcast view: the reduction then sees two inputs of x's shape.
    mb = cupy_module().broadcast_to(m, x.shape)
    s = _sum_exp(x, mb, axis=axis, keepdims=True, ctype=ct)
    return m, s, ct


def softmax(x: Any, axis: int) -> Any:
    """``kernel(x, axis) -> y``: the softmax of ``x`` along ``axis`` (x's shape and dtype).

    Example (on a GPU):
        >>> y = softmax(cupy.zeros((2, 4), cupy.float32), 1)  # doctest: +SKIP
    """
    check_float("softmax", "x", x, min_ndim=1)
    axis = _check_axis("softmax", x, axis)
    if x.size == 0:
        return x.copy()
    m, s, ct = _max_and_sum(x, axis)
    return _softmax_out(x, m, s, ctype=ct)


def log_softmax(x: Any, axis: int) -> Any:
    """``kernel(x, axis) -> y`` with ``y = log(softmax(x, axis))`` (x's shape and dtype)."""
    check_float("log_softmax", "x", x, min_ndim=1)
    axis = _check_axis("log_softmax", x, axis)
    if x.size == 0:
        return x.copy()
    m, s, ct = _max_and_sum(x, axis)
    return _log_softmax_out(x, m, s, ctype=ct)


def _check_labels(fn: str, x: Any, t: Any) -> None:
    check_array(fn, "t", t)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{fn} kernel: t must hold integer labels; got dtype {t.dtype}")
    expect = tuple(x.shape[:1] + x.shape[2:])
    if tuple(t.shape) != expect:
        raise KernelArgumentError(
            f"{fn} kernel: t must have shape {expect} for x of shape {tuple(x.shape)}; "
            f"got {tuple(t.shape)}"
        )


def softmax_cross_entropy(x: Any, t: Any, class_weight: Any, ignore_label: int) -> tuple[Any, Any]:
    """``kernel(x, t, class_weight, ignore_label) -> (loss, prob)``.

    ``loss`` has ``t``'s shape and holds ``-log softmax(x, 1)[t]`` (times
    ``class_weight[t]`` when given, 0 where ``t == ignore_label``), in float32 for
    float16/float32 input and float64 for float64; ``prob = softmax(x, 1)`` in x's dtype.
    """
    fn = "softmax_cross_entropy"
    check_float(fn, "x", x, min_ndim=2)
    _check_labels(fn, x, t)
    n_class = x.shape[1]
    if class_weight is not None:
        check_float(fn, "class_weight", class_weight, ndim=1)
        if class_weight.shape[0] != n_class:
            raise KernelArgumentError(
                f"{fn} kernel: class_weight must have shape ({n_class},); "
                f"got {tuple(class_weight.shape)}"
            )
    cupy = cupy_module()
    x = cupy.ascontiguousarray(x)
    m, s, ct = _max_and_sum(x, 1)
    prob = _softmax_out(x, m, s, ctype=ct)
    rest = x.size // max(x.shape[0] * n_class, 1)
    w = x if class_weight is None else cupy.ascontiguousarray(class_weight, dtype=x.dtype)
    loss = _sce_loss(
        t,
        m.reshape(t.shape),
        s.reshape(t.shape),
        x,
        w,
        class_weight is not None,
        int(ignore_label),
        n_class,
        rest,
        ctype=ct,
    )
    return loss, prob


def softmax_cross_entropy_grad(prob: Any, t: Any, coeff: Any, ignore_label: int) -> Any:
    """``kernel(prob, t, coeff, ignore_label) -> gx = (prob - onehot(t)) * coeff[:, None]``.

    ``coeff`` (``t``'s shape, prob's dtype, may be a broadcast view) already holds the
    upstream gradient, the class weights and 0 for ignored labels; positions where
    ``t == ignore_label`` get 0 regardless.
    """
    fn = "softmax_cross_entropy_grad"
    check_float(fn, "prob", prob, min_ndim=2)
    _check_labels(fn, prob, t)
    check_array(fn, "coeff", coeff)
    if tuple(coeff.shape) != tuple(t.shape):
        raise KernelArgumentError(
            f"{fn} kernel: coeff must have t's shape {tuple(t.shape)}; got {tuple(coeff.shape)}"
        )
    cupy = cupy_module()
    n_class = prob.shape[1]
    rest = prob.size // max(prob.shape[0] * n_class, 1)
    return _sce_grad(
        cupy.ascontiguousarray(prob),
        cupy.ascontiguousarray(t),
        cupy.ascontiguousarray(coeff, dtype=prob.dtype),
        int(ignore_label),
        n_class,
        rest,
        ctype=compute_ctype(prob.dtype),
    )
