"""GPU tests of the optimizers: every kusari optimizer takes the same steps on CuPy as on
NumPy (parameters and states), and the fused update kernels agree with the update rules.

Skipped unless CuPy finds a CUDA device (marker ``gpu``).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
try:
    _has_gpu = bool(cupy.is_available())
except Exception:  # pragma: no cover - broken driver installs
    _has_gpu = False

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not _has_gpu, reason="no usable CUDA device")]

import kusari.links as L  # noqa: E402
from kusari import optimizers  # noqa: E402
from kusari_backend_cuda.kernels import KERNELS  # noqa: E402

_BASES = {"Optimizer", "GradientMethod", "UpdateRule"}
OPTIMIZERS = sorted(
    name
    for name in optimizers.__all__
    if inspect.isclass(getattr(optimizers, name))
    and issubclass(getattr(optimizers, name), optimizers.GradientMethod)
    and name not in _BASES
)


def _host(a):
    return cupy.asnumpy(a) if isinstance(a, cupy.ndarray) else np.asarray(a)


def _steps(name: str, xp, steps: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    model = L.Linear(
        4,
        3,
        initialW=rng.standard_normal((3, 4)).astype(np.float32),
        initial_bias=rng.standard_normal(3).astype(np.float32),
    )
    if xp is cupy:
        model.to_gpu(0)
    opt = getattr(optimizers, name)()
    opt.setup(model)
    for _ in range(steps):
        for _, p in sorted(model.namedparams()):
            p.grad = xp.asarray(rng.standard_normal(p.shape).astype(np.float32))
        opt.update()
    out = {path: _host(p.array) for path, p in model.namedparams()}
    for path, p in model.namedparams():
        assert isinstance(p.array, xp.ndarray), (name, path, type(p.array))
        for key, value in p.update_rule.state.items():
            if hasattr(value, "shape"):
                out[f"{path}/{key}"] = _host(value)
    return out


def test_the_optimizer_list_is_complete():
    assert {"SGD", "MomentumSGD", "Adam", "AdaGrad", "RMSprop"} <= set(OPTIMIZERS)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_steps_agree_on_cupy_and_numpy(name):
    on_gpu = _steps(name, cupy)
    on_cpu = _steps(name, np)
    assert on_gpu.keys() == on_cpu.keys()
    for key in on_cpu:
        np.testing.assert_allclose(
            on_gpu[key], on_cpu[key], rtol=1e-5, atol=1e-6, err_msg=f"{name}: {key}"
        )


def _arrays(rng, dtype, n=4):
    return [cupy.asarray(rng.standard_normal((3, 5)).astype(dtype)) for _ in range(n)]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_sgd_kernels_agree_with_the_rules(dtype):
    rng = np.random.default_rng(1)
    p, g, v, _ = _arrays(rng, dtype)
    want_p, want_v = p.copy(), v.copy()
    want_v *= 0.9
    want_v -= 0.01 * g
    want_p += want_v
    KERNELS["momentum_sgd_update"](p, g, v, 0.01, 0.9)
    tol = 1e-2 if dtype == "float16" else 1e-6
    np.testing.assert_allclose(_host(p), _host(want_p), rtol=tol, atol=tol)
    np.testing.assert_allclose(_host(v), _host(want_v), rtol=tol, atol=tol)
    q = p.copy()
    KERNELS["sgd_update"](p, g, 0.5)
    np.testing.assert_allclose(_host(p), _host(q - 0.5 * g), rtol=tol, atol=tol)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_kernel_agrees_with_adam_rule(amsgrad):
    rng = np.random.default_rng(2)
    model = L.Linear(5, 3, initialW=rng.standard_normal((3, 5)).astype(np.float32))
    model.to_gpu(0)
    opt = optimizers.Adam(alpha=0.01, weight_decay_rate=0.01, amsgrad=amsgrad)
    opt.setup(model)
    W = model.W
    mirror = {k: v.copy() for k, v in [("p", W.array)]}
    m = cupy.zeros_like(W.array)
    v = cupy.zeros_like(W.array)
    vhat = cupy.zeros_like(W.array) if amsgrad else None
    for _ in range(3):
        g = cupy.asarray(rng.standard_normal(W.shape).astype(np.float32))
        for _, p in model.namedparams():
            p.grad = g if p is W else cupy.zeros_like(p.array)
        opt.update()
        rule = W.update_rule
        hp = rule.hyperparam
        KERNELS["adam_update"](
            mirror["p"],
            g,
            m,
            v,
            rule.alpha_t,
            hp.beta1,
            hp.beta2,
            hp.eps,
            hp.eta,
            hp.weight_decay_rate,
            vhat,
        )
    np.testing.assert_allclose(_host(mirror["p"]), _host(W.array), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_host(m), _host(W.update_rule.state["m"]), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(_host(v), _host(W.update_rule.state["v"]), rtol=1e-5, atol=1e-7)
