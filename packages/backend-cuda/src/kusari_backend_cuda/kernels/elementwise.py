"""Fused elementwise kernels: activations and their gradients, erf/erfc, dropout, LSTM cell.

The LSTM kernels read Chainer's interleaved gate layout directly: ``x`` of shape
``(b, 4H, R...)`` is ``(b, H, 4, R...)``, gate ``k`` of unit ``(n, h, r)`` at
``((n * H + h) * 4 + k) * R + r``. The forward keeps the four activated gates
gate-major, ``(4, b, H, R...)``, which is what the grad kernel reads.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari_backend_cuda.kernels._base import (
    Elementwise,
    KernelArgumentError,
    check_float,
    check_same_dtype,
    check_scalar,
    compute_ctype,
    cupy_module,
)

__all__ = [
    "sigmoid",
    "sigmoid_grad",
    "tanh_grad",
    "relu_grad",
    "erf",
    "erfc",
    "dropout",
    "lstm",
    "lstm_grad",
]

# One pass each instead of the generic path's chain of ufuncs (sigmoid: four).
_sigmoid = Elementwise(
    "sigmoid", "T x", "T y", "y = (T)(tanh((CT)x * (CT)0.5) * (CT)0.5 + (CT)0.5)"
)
_sigmoid_grad = Elementwise(
    "sigmoid_grad", "T y, T gy", "T gx", "gx = (T)((CT)gy * (CT)y * ((CT)1 - (CT)y))"
)
_tanh_grad = Elementwise(
    "tanh_grad", "T y, T gy", "T gx", "gx = (T)((CT)gy * ((CT)1 - (CT)y * (CT)y))"
)
_relu_grad = Elementwise("relu_grad", "T y, T gy", "T gx", "gx = (CT)y > (CT)0 ? gy : (T)0")


def sigmoid(x: Any) -> Any:
    """``kernel(x) -> y``: the logistic sigmoid, elementwise (x's shape and dtype)."""
    check_float("sigmoid", "x", x)
    return _sigmoid(x, ctype=compute_ctype(x.dtype))


def _activation_grad(fn: str, spec: Elementwise, y: Any, gy: Any) -> Any:
    check_float(fn, "y", y)
    check_float(fn, "gy", gy)
    check_same_dtype(fn, (("y", y), ("gy", gy)))
    if tuple(y.shape) != tuple(gy.shape):
        raise KernelArgumentError(
            f"{fn} kernel: y and gy must have one shape; got {tuple(y.shape)} and {tuple(gy.shape)}"
        )
    return spec(y, gy, ctype=compute_ctype(y.dtype))


def sigmoid_grad(y: Any, gy: Any) -> Any:
    """``kernel(y, gy) -> gx = gy * y * (1 - y)`` from the sigmoid's output ``y``."""
    return _activation_grad("sigmoid_grad", _sigmoid_grad, y, gy)


def tanh_grad(y: Any, gy: Any) -> Any:
    """``kernel(y, gy) -> gx = gy * (1 - y**2)`` from tanh's output ``y``."""
    return _activation_grad("tanh_grad", _tanh_grad, y, gy)


def relu_grad(y: Any, gy: Any) -> Any:
    """``kernel(y, gy) -> gx = gy where y > 0, else 0`` from relu's output ``y``."""
    return _activation_grad("relu_grad", _relu_grad, y, gy)


_erf = Elementwise("erf", "T x", "T y", "y = (T)erf((CT)x)")
_erfc = Elementwise("erfc", "T x", "T y", "y = (T)erfc((CT)x)")

_dropout = Elementwise(
    "dropout",
    "T x, float32 r, float64 ratio, float64 scale",
    "T y, T mask",
    """
    const CT keep = (CT)r >= (CT)ratio ? (CT)scale : (CT)0;
    mask = (T)keep;
    y = (T)((CT)x * keep);
    """,
)

_LSTM_PREAMBLE = """
__device__ inline CT kusari_sigmoid(CT z) { return tanh(z * (CT)0.5) * (CT)0.5 + (CT)0.5; }
"""

# i runs over the (b, H, R...) outputs; x is contiguous (b, H, 4, R...).
_lstm_fwd = Elementwise(
    "lstm_fwd",
    "T c_prev, raw T x, int64 units, int64 rest",
    "T c, T h, raw T gates",
    """
    const long long hr = units * rest;
    const long long n = i / hr, j = i % hr;
    const long long base = (n * hr + (j / rest) * rest) * 4 + j % rest;
    const CT a = tanh((CT)x[base]);
    const CT ig = kusari_sigmoid((CT)x[base + rest]);
    const CT fg = kusari_sigmoid((CT)x[base + 2 * rest]);
    const CT og = kusari_sigmoid((CT)x[base + 3 * rest]);
    const long long total = _ind.size();
    gates[i] = (T)a;
    gates[i + total] = (T)ig;
    gates[i + 2 * total] = (T)fg;
    gates[i + 3 * total] = (T)og;
    const CT cn = a * ig + fg * (CT)c_prev;
    c = (T)cn;
    h = (T)(og * tanh(cn));
    """,
    _LSTM_PREAMBLE,
)

# i runs over (b, H, R...); gates is (4, b, H, R...), gx is contiguous (b, H, 4, R...).
_lstm_bwd = Elementwise(
    "lstm_bwd",
    "T c_prev, T c, T gc, T gh, raw T gates, int64 units, int64 rest",
    "T gc_prev, raw T gx",
    """
    const long long total = _ind.size();
    const CT a = (CT)gates[i], ig = (CT)gates[i + total];
    const CT fg = (CT)gates[i + 2 * total], og = (CT)gates[i + 3 * total];
    const CT tc = tanh((CT)c);
    const CT ghv = (CT)gh;
    const CT gC = (CT)gc + ghv * og * ((CT)1 - tc * tc);
    const long long hr = units * rest;
    const long long n = i / hr, j = i % hr;
    const long long base = (n * hr + (j / rest) * rest) * 4 + j % rest;
    gx[base] = (T)(gC * ig * ((CT)1 - a * a));
    gx[base + rest] = (T)(gC * a * ig * ((CT)1 - ig));
    gx[base + 2 * rest] = (T)(gC * (CT)c_prev * fg * ((CT)1 - fg));
    gx[base + 3 * rest] = (T)(ghv * tc * og * ((CT)1 - og));
    gc_prev = (T)(gC * fg);
    """,
    _LSTM_PREAMBLE,
)


def erf(x: Any) -> Any:
    """``kernel(x) -> y``: the Gauss error function, elementwise (x's shape and dtype)."""
    check_float("erf", "x", x)
    return _erf(x, ctype=compute_ctype(x.dtype))


def erfc(x: Any) -> Any:
    """``kernel(x) -> y``: the complementary error function ``1 - erf(x)``, elementwise."""
    check_float("erfc", "x", x)
    return _erfc(x, ctype=compute_ctype(x.dtype))


def dropout(x: Any, ratio: float) -> tuple[Any, Any]:
    """``kernel(x, ratio) -> (y, mask)``: ``mask`` holds 0 or ``1 / (1 - ratio)``, ``y = x * mask``.

    The uniform draws come from ``cupy.random`` (so ``cupy.random.seed`` makes masks
    reproducible), one float32 per element, fused with the multiply.
    """
    check_float("dropout", "x", x)
    ratio = check_scalar("dropout", "ratio", ratio, low=0.0, high=1.0, high_open=True)
    cupy = cupy_module()
    r = cupy.random.random_sample(x.shape, dtype=numpy.float32)
    return _dropout(x, r, ratio, 1.0 / (1.0 - ratio), ctype=compute_ctype(x.dtype))


def _check_lstm(fn: str, c_prev: Any, x: Any) -> tuple[int, int, int]:
    check_float(fn, "c_prev", c_prev, min_ndim=2)
    check_float(fn, "x", x, min_ndim=2)
    check_same_dtype(fn, (("c_prev", c_prev), ("x", x)))
    if (
        x.ndim != c_prev.ndim
        or x.shape[1] != 4 * c_prev.shape[1]
        or x.shape[2:] != c_prev.shape[2:]
        or x.shape[0] > c_prev.shape[0]
    ):
        raise KernelArgumentError(
            f"{fn} kernel: expected c_prev of shape (B, H, ...) and x of shape "
            f"(b <= B, 4 * H, ...); got c_prev {tuple(c_prev.shape)} and x {tuple(x.shape)}"
        )
    b, units = x.shape[0], c_prev.shape[1]
    rest = 1
    for s in c_prev.shape[2:]:
        rest *= s
    return b, units, rest


def lstm(c_prev: Any, x: Any) -> tuple[Any, Any, Any]:
    """``kernel(c_prev, x) -> (c, h, gates)`` for Chainer's LSTM cell.

    ``c`` has c_prev's shape (rows past ``len(x)`` copied from ``c_prev``), ``h`` has
    ``(len(x), H, ...)`` and ``gates`` is ``(4, len(x), H, ...)`` with ``tanh(a),
    sigmoid(i), sigmoid(f), sigmoid(o)``, the layout :func:`lstm_grad` reads.
    """
    b, units, rest = _check_lstm("lstm", c_prev, x)
    cupy = cupy_module()
    x = cupy.ascontiguousarray(x)
    c_prev = cupy.ascontiguousarray(c_prev)
    c = cupy.empty_like(c_prev)
    h = cupy.empty((b,) + c_prev.shape[1:], dtype=x.dtype)
    gates = cupy.empty((4,) + h.shape, dtype=x.dtype)
    if b:
        _lstm_fwd(c_prev[:b], x, units, rest, c[:b], h, gates, ctype=compute_ctype(x.dtype))
    if b < len(c_prev):
        c[b:] = c_prev[b:]
    return c, h, gates


def lstm_grad(c_prev: Any, gates: Any, c: Any, gc: Any, gh: Any) -> tuple[Any, Any]:
    """``kernel(c_prev, gates, c, gc, gh) -> (gc_prev, gx)``.

    ``gates`` is :func:`lstm`'s third result, ``c`` the new cell state of the first
    ``b = gates.shape[1]`` rows; ``gc`` (c_prev's shape) and ``gh`` (``(b, H, ...)``)
    may be None (zero). ``gx`` has x's interleaved layout ``(b, 4H, ...)``.
    """
    fn = "lstm_grad"
    check_float(fn, "c_prev", c_prev, min_ndim=2)
    check_float(fn, "gates", gates, min_ndim=3)
    check_float(fn, "c", c, min_ndim=2)
    b = gates.shape[1]
    expect = (b,) + tuple(c_prev.shape[1:])
    if tuple(gates.shape) != (4,) + expect or b > len(c_prev):
        raise KernelArgumentError(
            f"{fn} kernel: gates must have shape (4, b <= {len(c_prev)}, "
            f"{', '.join(map(str, c_prev.shape[1:]))}); got {tuple(gates.shape)}"
        )
    if tuple(c.shape) != expect:
        raise KernelArgumentError(f"{fn} kernel: c must have shape {expect}; got {tuple(c.shape)}")
    checks = [("c_prev", c_prev), ("gates", gates), ("c", c)]
    if gc is not None:
        check_float(fn, "gc", gc)
        if tuple(gc.shape) != tuple(c_prev.shape):
            raise KernelArgumentError(
                f"{fn} kernel: gc must have c_prev's shape {tuple(c_prev.shape)}; "
                f"got {tuple(gc.shape)}"
            )
        checks.append(("gc", gc))
    if gh is not None:
        check_float(fn, "gh", gh)
        if tuple(gh.shape) != expect:
            raise KernelArgumentError(
                f"{fn} kernel: gh must have shape {expect}; got {tuple(gh.shape)}"
            )
        checks.append(("gh", gh))
    check_same_dtype(fn, tuple(checks))
    cupy = cupy_module()
    dtype = c_prev.dtype
    units = c_prev.shape[1]
    rest = c.size // max(b * units, 1)
    zero = cupy.zeros((), dtype=dtype)  # broadcasts for a missing gradient
    gc_b = zero if gc is None else gc[:b]
    gh_b = zero if gh is None else gh
    gc_prev = cupy.empty_like(c_prev)
    gx = cupy.empty((b, 4 * units) + tuple(c_prev.shape[2:]), dtype=dtype)
    if b:
        _lstm_bwd(
            c_prev[:b],
            c,
            gc_b,
            gh_b,
            cupy.ascontiguousarray(gates),
            units,
            rest,
            gc_prev[:b],
            gx,
            ctype=compute_ctype(dtype),
        )
    if b < len(c_prev):
        if gc is None:
            gc_prev[b:] = 0
        else:
            gc_prev[b:] = gc[b:]
    return gc_prev, gx
