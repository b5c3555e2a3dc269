"""Kernel and function cases shared by the emulated CPU tests and the GPU tests.

Each :class:`Case` builds NumPy inputs for one kernel and computes the expected outputs
with kusari's generic code (the path NumPy arrays take) or plain NumPy; ``FUNCTIONS``
lists kusari functions whose forward or backward goes through a kernel. Loaded by
``conftest.py`` (tests share helpers through fixtures).
"""

from __future__ import annotations

import numpy

import kusari
import kusari.functions as F

__all__ = ["Case", "CASES", "FUNCTIONS", "TOLERANCE", "assert_outputs_match", "run_function"]


class Case:
    """One kernel call: ``make(rng, dtype) -> args``, ``ref(*args) -> expected outputs``."""

    __slots__ = ("id", "kernel", "make", "ref", "dtypes", "inplace")

    def __init__(
        self, id, kernel, make, ref, dtypes=("float16", "float32", "float64"), inplace=None
    ):
        self.id, self.kernel, self.make, self.ref = id, kernel, make, ref
        self.dtypes, self.inplace = dtypes, inplace  # inplace: indexes of mutated args

    def run(self, fn, args):
        out = fn(*args)
        if self.inplace is not None:
            assert out is None
            return tuple(args[i] for i in self.inplace)
        return out if isinstance(out, tuple) else (out,)


TOLERANCE = {"float16": (2e-2, 2e-2), "float32": (2e-5, 2e-5), "float64": (1e-10, 1e-10)}


def _rand(rng, shape, dtype, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(dtype)


def _sigmoid_ref(x):
    return (1 / (1 + numpy.exp(-x.astype(numpy.float64)))).astype(x.dtype)


def _softmax_ref(x, axis):
    from kusari.functions.activation.softmax import softmax_array

    return softmax_array(x.astype(numpy.float64), axis).astype(x.dtype)


def _log_softmax_ref(x, axis):
    from kusari.functions.activation.softmax import log_softmax_array

    return log_softmax_array(x.astype(numpy.float64), axis).astype(x.dtype)


def _sce_ref(x, t, w, ignore):
    x64 = x.astype(numpy.float64)
    logp = x64 - x64.max(1, keepdims=True)
    logp -= numpy.log(numpy.exp(logp).sum(1, keepdims=True))
    safe = numpy.where(t == ignore, 0, t)
    loss = -numpy.take_along_axis(logp, safe[:, None], 1)[:, 0]
    if w is not None:
        loss *= w.astype(numpy.float64)[safe]
    loss[t == ignore] = 0
    ct = numpy.float64 if x.dtype == numpy.float64 else numpy.float32
    return loss.astype(ct), numpy.exp(logp).astype(x.dtype)


def _sce_grad_ref(prob, t, coeff, ignore):
    onehot = (
        numpy.arange(prob.shape[1]).reshape((1, -1) + (1,) * (prob.ndim - 2)) == t[:, None]
    ).astype(numpy.float64)
    gx = (prob - onehot) * coeff.astype(numpy.float64)[:, None]
    gx *= (t != ignore)[:, None]
    return gx.astype(prob.dtype)


def _labels(rng, shape, n_class, ignore=None):
    t = rng.integers(0, n_class, shape).astype(numpy.int32)
    if ignore is not None:
        t.flat[::3] = ignore
    return t


def _bn_ref(x, gamma, beta, eps, axes):
    x64 = x.astype(numpy.float64)
    mean = x64.mean(axes, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axes, keepdims=True)
    kshape = mean.shape
    y = (x64 - mean) / numpy.sqrt(var + eps) * gamma.reshape(kshape) + beta.reshape(kshape)
    ct = numpy.float64 if numpy.float64 in (x.dtype, gamma.dtype) else numpy.float32
    return y.astype(x.dtype), mean.ravel().astype(ct), var.ravel().astype(ct)


def _bn_grad_ref(x, gamma, gy, mean, inv_std, axes):
    x64, gy64 = x.astype(numpy.float64), gy.astype(numpy.float64)
    kshape = tuple(1 if i in axes else s for i, s in enumerate(x.shape))
    m = x.size // gamma.size
    xhat = (x64 - mean.reshape(kshape)) * inv_std.reshape(kshape)
    gbeta = gy64.sum(axes, keepdims=True)
    ggamma = (gy64 * xhat).sum(axes, keepdims=True)
    gx = gamma.reshape(kshape) * inv_std.reshape(kshape) * (gy64 - (xhat * ggamma + gbeta) / m)
    return (
        gx.astype(x.dtype),
        ggamma.ravel().astype(gamma.dtype),
        gbeta.ravel().astype(gamma.dtype),
    )


def _bn_stats(x, axes):
    x64 = x.astype(numpy.float64)
    mean = x64.mean(axes)
    inv = 1 / numpy.sqrt(x64.var(axes) + 1e-5)
    return mean.ravel(), inv.ravel()


def _fixed_bn_ref(x, gamma, beta, mean, var, eps, axes):
    kshape = tuple(1 if i in axes else s for i, s in enumerate(x.shape))
    k = {
        n: a.astype(numpy.float64).reshape(kshape)
        for n, a in (("g", gamma), ("b", beta), ("m", mean), ("v", var))
    }
    y = (x - k["m"]) / numpy.sqrt(k["v"] + eps) * k["g"] + k["b"]
    return y.astype(x.dtype)


def _lstm_ref(c_prev, x):
    from kusari.functions.rnn.lstm import activate_gates

    b, units = len(x), c_prev.shape[1]
    x64, c64 = x.astype(numpy.float64), c_prev.astype(numpy.float64)
    g = activate_gates(numpy, x64.reshape((b, units, 4) + x.shape[2:]))
    a, i, f, o = g
    c = c64.copy()
    c[:b] = a * i + f * c64[:b]
    h = o * numpy.tanh(c[:b])
    return c.astype(x.dtype), h.astype(x.dtype), g.astype(x.dtype)


def _lstm_grad_ref(c_prev, gates, c, gc, gh):
    from kusari.functions.rnn.lstm import _fast_grads

    f64 = [None if a is None else a.astype(numpy.float64) for a in (c_prev, gates, c, gc, gh)]
    return tuple(a.astype(c_prev.dtype) for a in _fast_grads(*f64))


def _lstm_grad_make(with_gc, with_gh):
    def make(rng, dt):
        c_prev = _rand(rng, (4, 3, 2), dt)
        x = _rand(rng, (3, 12, 2), dt)
        _, _, gates = _lstm_ref(c_prev, x)
        c = _lstm_ref(c_prev, x)[0][:3]
        gc = _rand(rng, (4, 3, 2), dt) if with_gc else None
        gh = _rand(rng, (3, 3, 2), dt) if with_gh else None
        return c_prev, gates, c, gc, gh

    return make


def _conv_ref(x, W, b, stride, pad, dilate, groups, cover_all):
    import kusari.functions as F

    return F.convolution_2d(
        x.astype(numpy.float64),
        W.astype(numpy.float64),
        None if b is None else b.astype(numpy.float64),
        stride,
        pad,
        cover_all,
        dilate=dilate,
        groups=groups,
    ).array.astype(x.dtype)


def _conv_grad_w_ref(x, gy, ksize, stride, pad, dilate, groups):
    from kusari.functions.connection import _conv_gemm

    geo = _conv_gemm.ConvGeometry(
        x.shape,
        (gy.shape[1], x.shape[1] // groups) + tuple(ksize),
        stride,
        pad,
        dilate,
        groups,
        gy.shape[2:],
    )
    gw = _conv_gemm.grad_weight(x.astype(numpy.float64), gy.astype(numpy.float64), geo)
    return gw.astype(x.dtype)


def _deconv_ref(x, W, b, stride, pad, outsize, dilate, groups):
    import kusari.functions as F

    return F.deconvolution_2d(
        x.astype(numpy.float64),
        W.astype(numpy.float64),
        None if b is None else b.astype(numpy.float64),
        stride,
        pad,
        outsize,
        dilate=dilate,
        groups=groups,
    ).array.astype(x.dtype)


def _im2col_ref(x, ksize, stride, pad, dilate, cover_all):
    from kusari.functions.connection import _conv

    return _conv.im2col(x, *ksize, *stride, *pad, 0, cover_all, *dilate)


def _col2im_ref(col, stride, pad, hw, dilate):
    from kusari.functions.connection import _conv

    out = _conv.col2im(col.astype(numpy.float64), *stride, *pad, *hw, *dilate)
    return out.astype(col.dtype)


def _pool_geometry(hw, ksize, stride, pad, cover_all):
    from kusari.functions.pooling import _pooling

    return _pooling.make_geometry("test", hw, ksize, stride, pad, cover_all)


def _pool_args(g):
    return (g.kh, g.kw), (g.sy, g.sx), (g.ph, g.pw), (g.h, g.w), (g.oh, g.ow)


def _pool_cases():
    from kusari.functions.pooling import _pooling

    cases = []
    for name, (hw, k, s, p, cover) in {
        "2x2": ((6, 6), 2, 2, 0, True),
        "3x3s2p1": ((7, 5), 3, 2, 1, True),
        "overlap": ((5, 6), 3, 1, 1, False),
        "cover_all": ((5, 5), 2, 2, 0, True),
    }.items():
        g = _pool_geometry(hw, k, s, p, cover)
        ks, st, pd, ihw, ohw = _pool_args(g)

        def mp_ref(x, *rest, g=g):
            y = _pooling.pool_max(x, g)
            return y, _pooling.argmax_index(x, y, g)

        def idx_for(rng, g=g):
            x = rng.standard_normal((2, 3, g.h, g.w))
            y = _pooling.pool_max(x, g)
            return _pooling.argmax_index(x, y, g)

        cases += [
            Case(
                f"max_pooling_2d-{name}",
                "max_pooling_2d",
                lambda rng, dt, g=g, a=(ks, st, pd, ohw): (_rand(rng, (2, 3, g.h, g.w), dt),) + a,
                mp_ref,
            ),
            Case(
                f"max_pooling_2d_grad-{name}",
                "max_pooling_2d_grad",
                lambda rng, dt, g=g, a=(ks, st, pd, ihw, ohw), f=idx_for: (
                    (_rand(rng, (2, 3, g.oh, g.ow), dt), f(rng)) + a
                ),
                lambda v, idx, *rest, g=g: _pooling.scatter(v, idx, g),
            ),
            Case(
                f"max_pooling_2d_gather-{name}",
                "max_pooling_2d_gather",
                lambda rng, dt, g=g, a=(ks, st, pd, ihw, ohw), f=idx_for: (
                    (_rand(rng, (2, 3, g.h, g.w), dt), f(rng)) + a
                ),
                lambda img, idx, *rest, g=g: _pooling.gather(img, idx, g),
            ),
            Case(
                f"average_pooling_2d-{name}",
                "average_pooling_2d",
                lambda rng, dt, g=g, a=(ks, st, pd, ihw, ohw, 1 / (g.kh * g.kw)): (
                    (_rand(rng, (2, 3, g.h, g.w), dt),) + a
                ),
                lambda x, *rest, g=g: _pooling.pool_sum(x, g, rest[-1]),
            ),
            Case(
                f"average_pooling_2d_grad-{name}",
                "average_pooling_2d_grad",
                lambda rng, dt, g=g, a=(ks, st, pd, ihw, ohw, 0.25): (
                    (_rand(rng, (2, 3, g.oh, g.ow), dt),) + a
                ),
                lambda v, *rest, g=g: _pooling.unpool_sum(v, g, rest[-1]),
            ),
        ]
    return cases


def _optimizer_cases():
    def sgd_ref(p, g, lr):
        return ((p - lr * g.astype(numpy.float64)).astype(p.dtype),)

    def momentum_ref(p, g, v, lr, mom):
        nv = mom * v.astype(numpy.float64) - lr * g.astype(numpy.float64)
        return (p + nv).astype(p.dtype), nv.astype(v.dtype)

    def adam_ref(p, g, m, v, alpha_t, b1, b2, eps, eta, wd, vhat=None):
        p64, g64 = p.astype(numpy.float64), g.astype(numpy.float64)
        nm = m + (1 - b1) * (g64 - m)
        nv = v + (1 - b2) * (g64 * g64 - v)
        den = nv if vhat is None else numpy.maximum(vhat, nv)
        p64 = p64 - eta * (alpha_t * nm / (numpy.sqrt(den) + eps) + wd * p64)
        out = (p64.astype(p.dtype), nm.astype(m.dtype), nv.astype(v.dtype))
        return out if vhat is None else out + (den.astype(v.dtype),)

    def adam_make(amsgrad):
        def make(rng, dt):
            shape = (5, 7)
            vhat = numpy.abs(_rand(rng, shape, dt)) if amsgrad else None
            args = (
                _rand(rng, shape, dt),
                _rand(rng, shape, dt),
                _rand(rng, shape, dt, 0.1),
                numpy.abs(_rand(rng, shape, dt, 0.1)),
                1e-3,
                0.9,
                0.999,
                1e-8,
                0.5,
                1e-2,
            )
            return args + ((vhat,) if amsgrad else ())

        return make

    return [
        Case(
            "sgd_update",
            "sgd_update",
            lambda rng, dt: (_rand(rng, (3, 4), dt), _rand(rng, (3, 4), dt), 0.1),
            sgd_ref,
            inplace=(0,),
        ),
        Case(
            "momentum_sgd_update",
            "momentum_sgd_update",
            lambda rng, dt: (
                _rand(rng, (3, 4), dt),
                _rand(rng, (3, 4), dt),
                _rand(rng, (3, 4), dt),
                0.1,
                0.9,
            ),
            momentum_ref,
            inplace=(0, 2),
        ),
        Case("adam_update", "adam_update", adam_make(False), adam_ref, inplace=(0, 2, 3)),
        Case(
            "adam_update-amsgrad", "adam_update", adam_make(True), adam_ref, inplace=(0, 2, 3, 10)
        ),
    ]


def _make_cases():
    import math

    erf = numpy.vectorize(math.erf)
    erfc = numpy.vectorize(math.erfc)
    cases = [
        Case("softmax-2d", "softmax", lambda rng, dt: (_rand(rng, (4, 7), dt, 3), 1), _softmax_ref),
        Case(
            "softmax-axis0-4d",
            "softmax",
            lambda rng, dt: (_rand(rng, (3, 4, 2, 5), dt), 0),
            _softmax_ref,
        ),
        Case(
            "softmax-negative-axis",
            "softmax",
            lambda rng, dt: (_rand(rng, (3, 4, 5), dt), -1),
            _softmax_ref,
        ),
        Case(
            "log_softmax-2d",
            "log_softmax",
            lambda rng, dt: (_rand(rng, (4, 7), dt, 3), 1),
            _log_softmax_ref,
        ),
        Case(
            "log_softmax-3d",
            "log_softmax",
            lambda rng, dt: (_rand(rng, (3, 4, 5), dt), 1),
            _log_softmax_ref,
        ),
        Case(
            "softmax_cross_entropy",
            "softmax_cross_entropy",
            lambda rng, dt: (_rand(rng, (6, 5), dt, 2), _labels(rng, (6,), 5), None, -1),
            _sce_ref,
        ),
        Case(
            "softmax_cross_entropy-ignore-weights-4d",
            "softmax_cross_entropy",
            lambda rng, dt: (
                _rand(rng, (3, 4, 2, 3), dt),
                _labels(rng, (3, 2, 3), 4, -1),
                numpy.abs(_rand(rng, (4,), dt)) + 0.5,
                -1,
            ),
            _sce_ref,
        ),
        Case(
            "softmax_cross_entropy_grad",
            "softmax_cross_entropy_grad",
            lambda rng, dt: (
                _softmax_ref(_rand(rng, (6, 5), dt), 1),
                _labels(rng, (6,), 5),
                _rand(rng, (6,), dt),
                -1,
            ),
            _sce_grad_ref,
        ),
        Case(
            "softmax_cross_entropy_grad-ignore-3d",
            "softmax_cross_entropy_grad",
            lambda rng, dt: (
                _softmax_ref(_rand(rng, (3, 4, 5), dt), 1),
                _labels(rng, (3, 5), 4, 7),
                _rand(rng, (3, 5), dt),
                7,
            ),
            _sce_grad_ref,
        ),
        Case("sigmoid", "sigmoid", lambda rng, dt: (_rand(rng, (5, 6), dt, 3),), _sigmoid_ref),
        Case(
            "sigmoid_grad",
            "sigmoid_grad",
            lambda rng, dt: (_sigmoid_ref(_rand(rng, (5, 6), dt, 3)), _rand(rng, (5, 6), dt)),
            lambda y, gy: (gy * y * (1 - y)).astype(y.dtype),
        ),
        Case(
            "tanh_grad",
            "tanh_grad",
            lambda rng, dt: (numpy.tanh(_rand(rng, (5, 6), dt, 2)), _rand(rng, (5, 6), dt)),
            lambda y, gy: (gy * (1 - y * y)).astype(y.dtype),
        ),
        Case(
            "relu_grad",
            "relu_grad",
            lambda rng, dt: (numpy.maximum(_rand(rng, (5, 6), dt), 0), _rand(rng, (5, 6), dt)),
            lambda y, gy: numpy.where(y > 0, gy, 0).astype(y.dtype),
        ),
        Case(
            "erf",
            "erf",
            lambda rng, dt: (_rand(rng, (5, 6), dt, 2),),
            lambda x: erf(x.astype(numpy.float64)).astype(x.dtype),
        ),
        Case(
            "erfc",
            "erfc",
            lambda rng, dt: (_rand(rng, (5, 6), dt, 2),),
            lambda x: erfc(x.astype(numpy.float64)).astype(x.dtype),
        ),
        Case(
            "batch_normalization-nchw",
            "batch_normalization",
            lambda rng, dt: (
                _rand(rng, (4, 3, 2, 5), dt) + 3,
                _rand(rng, (3,), dt),
                _rand(rng, (3,), dt),
                2e-5,
                (0, 2, 3),
            ),
            _bn_ref,
        ),
        Case(
            "batch_normalization-2d-gamma",
            "batch_normalization",
            lambda rng, dt: (
                _rand(rng, (5, 3, 4), dt),
                _rand(rng, (3, 4), dt),
                _rand(rng, (3, 4), dt),
                1e-3,
                (0,),
            ),
            _bn_ref,
        ),
        Case(
            "batch_normalization_grad",
            "batch_normalization_grad",
            lambda rng, dt: (
                lambda x: (
                    (x, _rand(rng, (3,), dt), _rand(rng, (4, 3, 2, 5), dt))
                    + _bn_stats(x, (0, 2, 3))
                    + ((0, 2, 3),)
                )
            )(_rand(rng, (4, 3, 2, 5), dt)),
            _bn_grad_ref,
        ),
        Case(
            "fixed_batch_normalization",
            "fixed_batch_normalization",
            lambda rng, dt: (
                _rand(rng, (4, 3, 5), dt),
                _rand(rng, (3,), dt),
                _rand(rng, (3,), dt),
                _rand(rng, (3,), dt),
                numpy.abs(_rand(rng, (3,), dt)) + 0.5,
                2e-5,
                (0, 2),
            ),
            _fixed_bn_ref,
        ),
        Case(
            "lstm",
            "lstm",
            lambda rng, dt: (_rand(rng, (3, 4), dt), _rand(rng, (3, 16), dt)),
            _lstm_ref,
        ),
        Case(
            "lstm-fewer-rows-3d",
            "lstm",
            lambda rng, dt: (_rand(rng, (4, 3, 2), dt), _rand(rng, (3, 12, 2), dt)),
            _lstm_ref,
        ),
        Case("lstm_grad", "lstm_grad", _lstm_grad_make(True, True), _lstm_grad_ref),
        Case("lstm_grad-no-gc", "lstm_grad", _lstm_grad_make(False, True), _lstm_grad_ref),
        Case("lstm_grad-no-gh", "lstm_grad", _lstm_grad_make(True, False), _lstm_grad_ref),
    ]
    conv = {  # x shape, W shape, stride, pad, dilate, groups, cover_all
        "3x3p1": ((2, 3, 6, 5), (4, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1, False),
        "stride2": ((2, 2, 7, 7), (3, 2, 3, 2), (2, 2), (1, 0), (1, 1), 1, False),
        "dilate-groups": ((1, 4, 8, 7), (6, 2, 3, 3), (1, 2), (2, 1), (2, 1), 2, False),
        "cover_all": ((2, 2, 6, 6), (2, 2, 3, 3), (2, 2), (0, 0), (1, 1), 1, True),
    }
    for name, (xs, ws, s, p, d, g, cover) in conv.items():

        def oh(i, xs=xs, ws=ws, s=s, p=p, d=d, cover=cover):
            from kusari.functions.connection._conv import get_conv_outsize

            return get_conv_outsize(xs[2 + i], ws[2 + i], s[i], p[i], cover, d[i])

        gys = (xs[0], ws[0], oh(0), oh(1))
        cases += [
            Case(
                f"convolution_2d-{name}",
                "convolution_2d",
                lambda rng, dt, xs=xs, ws=ws, a=(s, p, d, g, cover): (
                    (_rand(rng, xs, dt), _rand(rng, ws, dt, 0.3), _rand(rng, ws[:1], dt)) + a
                ),
                _conv_ref,
            ),
            Case(
                f"convolution_2d_grad_w-{name}",
                "convolution_2d_grad_w",
                lambda rng, dt, xs=xs, gys=gys, a=(ws[2:], s, p, d, g): (
                    (_rand(rng, xs, dt), _rand(rng, gys, dt)) + a
                ),
                _conv_grad_w_ref,
            ),
            Case(
                f"im2col-{name}",
                "im2col",
                lambda rng, dt, xs=xs, a=(ws[2:], s, p, d, cover): (_rand(rng, xs, dt),) + a,
                _im2col_ref,
            ),
            Case(
                f"col2im-{name}",
                "col2im",
                lambda rng, dt, xs=xs, ws=ws, gys=gys, a=(s, p, xs[2:], d): (
                    (_rand(rng, (xs[0], xs[1]) + ws[2:] + gys[2:], dt),) + a
                ),
                _col2im_ref,
            ),
        ]
        if not cover:  # deconvolution: W (C_in, C_out/g, kh, kw) maps gy's grid to x's
            wd = (ws[0], ws[1]) + ws[2:]
            cases.append(
                Case(
                    f"deconvolution_2d-{name}",
                    "deconvolution_2d",
                    lambda rng, dt, gys=gys, wd=wd, xs=xs, g=g, a=(s, p, xs[2:], d, g): (
                        (_rand(rng, gys, dt), _rand(rng, wd, dt, 0.3), _rand(rng, (wd[1] * g,), dt))
                        + a[:2]
                        + (a[2],)
                        + a[3:]
                    ),
                    _deconv_ref,
                )
            )
    cases.append(
        Case(
            "deconvolution_2d-outsize-plus-one",
            "deconvolution_2d",
            lambda rng, dt: (
                _rand(rng, (2, 3, 3, 3), dt),
                _rand(rng, (3, 2, 3, 3), dt),
                None,
                (2, 2),
                (1, 1),
                (6, 5),
                (1, 1),
                1,
            ),
            _deconv_ref,
        )
    )
    return cases + _pool_cases() + _optimizer_cases()


CASES = _make_cases()


def assert_outputs_match(case: Case, got: tuple, want: tuple, dtype: str, to_numpy) -> None:
    """Compare each output's shape, dtype and values; the message names the case."""
    rtol, atol = TOLERANCE[dtype]
    assert len(got) == len(want), f"{case.id}: {len(got)} outputs, expected {len(want)}"
    for k, (g, w) in enumerate(zip(got, want)):
        g = to_numpy(g)
        w = numpy.asarray(w)
        assert g.shape == w.shape, f"{case.id} output {k}: shape {g.shape}, expected {w.shape}"
        if w.dtype.kind in "iu":
            assert g.dtype.kind in "iu", f"{case.id} output {k}: dtype {g.dtype}"
            numpy.testing.assert_array_equal(g, w, err_msg=f"{case.id} output {k}")
            continue
        assert g.dtype == w.dtype, f"{case.id} output {k}: dtype {g.dtype}, expected {w.dtype}"
        numpy.testing.assert_allclose(
            g.astype(numpy.float64),
            w.astype(numpy.float64),
            rtol=rtol,
            atol=atol,
            err_msg=f"{case.id} output {k}",
        )


def _pool_idx(rng, dt):
    x = rng.standard_normal((2, 3, 6, 6)).astype(dt)
    return F.max_pooling_2d(x, 2, return_indices=True)[1]


# --- kusari functions whose forward or backward uses a kernel ------------------------------
# id -> (make(rng, dtype) -> inputs, f(*inputs) -> Variable or tuple); integer inputs are
# passed as arrays, float inputs become Variables whose gradients are compared.
FUNCTIONS = {
    "softmax": (lambda r, d: [r.standard_normal((4, 6)).astype(d)], lambda x: F.softmax(x)),
    "softmax-axis2": (
        lambda r, d: [r.standard_normal((2, 3, 4)).astype(d)],
        lambda x: F.softmax(x, axis=2),
    ),
    "log_softmax": (lambda r, d: [r.standard_normal((4, 6)).astype(d)], F.log_softmax),
    "softmax_cross_entropy": (
        lambda r, d: [r.standard_normal((5, 4)).astype(d), r.integers(0, 4, 5).astype(numpy.int32)],
        F.softmax_cross_entropy,
    ),
    "softmax_cross_entropy-ignore-no-reduce": (
        lambda r, d: [
            r.standard_normal((3, 4, 2)).astype(d),
            numpy.array([[0, -1], [3, 1], [-1, 2]], numpy.int32),
        ],
        lambda x, t: F.softmax_cross_entropy(x, t, reduce="no"),
    ),
    "softmax_cross_entropy-weights-nocache": (
        lambda r, d: [
            r.standard_normal((5, 4)).astype(d),
            r.integers(0, 4, 5).astype(numpy.int32),
            numpy.array([1.0, 2.0, 0.5, 1.5], d),
        ],
        lambda x, t, w: F.softmax_cross_entropy(x, t, class_weight=w.array, cache_score=False),
    ),
    "erf": (lambda r, d: [r.standard_normal((3, 5)).astype(d)], F.erf),
    "erfc": (lambda r, d: [r.standard_normal((3, 5)).astype(d)], F.erfc),
    "batch_normalization": (
        lambda r, d: [
            r.standard_normal((4, 3, 2, 2)).astype(d) + 2,
            r.standard_normal(3).astype(d),
            r.standard_normal(3).astype(d),
        ],
        F.batch_normalization,
    ),
    "fixed_batch_normalization": (
        lambda r, d: [
            r.standard_normal((4, 3)).astype(d),
            r.standard_normal(3).astype(d),
            r.standard_normal(3).astype(d),
            r.standard_normal(3).astype(d),
            (numpy.abs(r.standard_normal(3)) + 0.5).astype(d),
        ],
        F.fixed_batch_normalization,
    ),
    "lstm": (
        lambda r, d: [r.standard_normal((4, 3)).astype(d), r.standard_normal((3, 12)).astype(d)],
        F.lstm,
    ),
    "convolution_2d": (
        lambda r, d: [
            r.standard_normal((2, 4, 7, 6)).astype(d),
            (r.standard_normal((6, 2, 3, 3)) * 0.3).astype(d),
            r.standard_normal(6).astype(d),
        ],
        lambda x, W, b: F.convolution_2d(x, W, b, stride=(2, 1), pad=1, groups=2),
    ),
    "convolution_2d-dilate-cover_all": (
        lambda r, d: [
            r.standard_normal((2, 2, 8, 8)).astype(d),
            (r.standard_normal((3, 2, 3, 3)) * 0.3).astype(d),
        ],
        lambda x, W: F.convolution_2d(x, W, stride=2, cover_all=True, dilate=2),
    ),
    "deconvolution_2d": (
        lambda r, d: [
            r.standard_normal((2, 3, 4, 4)).astype(d),
            (r.standard_normal((3, 2, 3, 3)) * 0.3).astype(d),
            r.standard_normal(2).astype(d),
        ],
        lambda x, W, b: F.deconvolution_2d(x, W, b, stride=2, pad=1, outsize=(8, 7)),
    ),
    "im2col": (
        lambda r, d: [r.standard_normal((2, 3, 5, 6)).astype(d)],
        lambda x: F.im2col(x, 3, stride=2, pad=1),
    ),
    "max_pooling_2d": (
        lambda r, d: [r.standard_normal((2, 3, 7, 7)).astype(d)],
        lambda x: F.max_pooling_2d(x, 3, stride=2, pad=1),
    ),
    "average_pooling_2d": (
        lambda r, d: [r.standard_normal((2, 3, 7, 7)).astype(d)],
        lambda x: F.average_pooling_2d(x, 3, stride=2, pad=1),
    ),
    "unpooling_2d": (
        lambda r, d: [r.standard_normal((2, 3, 3, 3)).astype(d)],
        lambda x: F.unpooling_2d(x, 2, outsize=(6, 6)),
    ),
    "upsampling_2d": (
        lambda r, d: [r.standard_normal((2, 3, 3, 3)).astype(d), _pool_idx(r, d)],
        lambda x, idx: F.upsampling_2d(x, idx, 2, outsize=(6, 6)),
    ),
}


def run_function(name: str, dtype: str, to_device, to_host, kernels, monkeypatch) -> list:
    """Outputs and input gradients of ``FUNCTIONS[name]`` on ``to_device``'s backend.

    ``kernels``: None leaves the backend's kernels as they are, False removes them (the
    generic ``xp`` code runs), a dict installs it as the backend's kernels.
    """
    from kusari.backends import _registry

    make, fn = FUNCTIONS[name]
    inputs = make(numpy.random.default_rng(0), numpy.dtype(dtype))
    args = []
    for a in inputs:
        a = to_device(a)
        args.append(kusari.Variable(a) if a.dtype.kind == "f" else a)
    with monkeypatch.context() as m:
        if kernels is not None:
            backend = _registry.backend_of(to_device(numpy.zeros(1)))
            m.setattr(backend, "kernels", dict(kernels) if kernels else {})
        ys = fn(*args)
        ys = ys if isinstance(ys, tuple) else (ys,)
        rng = numpy.random.default_rng(1)
        loss = None
        for y in ys:
            gy = to_device(rng.standard_normal(y.shape).astype(y.dtype))
            term = F.sum(y * gy)
            loss = term if loss is None else loss + term
        loss.backward()
    return [to_host(y.array) for y in ys] + [
        to_host(v.grad) for v in args if isinstance(v, kusari.Variable) and v.grad is not None
    ]
