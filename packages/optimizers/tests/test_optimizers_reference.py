"""Every optimizer against a NumPy reference written from its paper's formulas.

The references below are plain, unoptimized transcriptions, computed in float64 from
the same starting arrays and gradients; the optimizers run in float32 and float64 and
are compared after each of 25 steps. Optimizers without a torch.optim twin (NesterovAG
in Chainer's form, AdaBound, AMSBound, SMORMS3, M-SVAG, LARS, LAMB) are checked only
here; the others are checked here and against PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from kusari import optimizers

STEPS = 25
Array = np.ndarray


def sgd(p: Array, g: Array, s: dict, t: int, lr: float) -> Array:
    return p - lr * g


def momentum_sgd(p, g, s, t, lr, momentum):
    s["v"] = momentum * s.get("v", 0.0) - lr * g
    return p + s["v"]


def nesterov_ag(p, g, s, t, lr, momentum):
    # Sutskever et al. (2013) / Bengio et al. (2012), with the updated velocity.
    s["v"] = momentum * s.get("v", 0.0) - lr * g
    return p + momentum**2 * s["v"] - (1 + momentum) * lr * g


def corrected_momentum_sgd(p, g, s, t, lr, momentum):
    s["v"] = momentum * s.get("v", 0.0) - g
    return p + lr * s["v"]


def ada_grad(p, g, s, t, lr, eps):
    s["h"] = s.get("h", 0.0) + g * g
    return p - lr * g / (np.sqrt(s["h"]) + eps)


def ada_delta(p, g, s, t, rho, eps):
    s["msg"] = rho * s.get("msg", 0.0) + (1 - rho) * g * g
    dx = np.sqrt((s.get("msdx", 0.0) + eps) / (s["msg"] + eps)) * g
    s["msdx"] = rho * s.get("msdx", 0.0) + (1 - rho) * dx * dx
    return p - dx


def rmsprop(p, g, s, t, lr, alpha, eps, eps_inside_sqrt=False):
    s["ms"] = alpha * s.get("ms", 0.0) + (1 - alpha) * g * g
    denom = np.sqrt(s["ms"] + eps) if eps_inside_sqrt else np.sqrt(s["ms"]) + eps
    return p - lr * g / denom


def rmsprop_graves(p, g, s, t, lr, alpha, momentum, eps):
    # Graves (2013), eq. 38-41.
    s["n"] = alpha * s.get("n", 0.0) + (1 - alpha) * g * g
    s["g"] = alpha * s.get("g", 0.0) + (1 - alpha) * g
    s["delta"] = momentum * s.get("delta", 0.0) - lr * g / np.sqrt(s["n"] - s["g"] ** 2 + eps)
    return p + s["delta"]


def adam(
    p,
    g,
    s,
    t,
    alpha,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    eta=1.0,
    weight_decay_rate=0.0,
    amsgrad=False,
    adabound=False,
    final_lr=0.1,
    gamma=1e-3,
):
    # Kingma & Ba (2015) Algorithm 1 in its "efficient" form (eps outside the bias
    # correction of v), decoupled decay (Loshchilov & Hutter), AMSGrad (Reddi et al.),
    # AdaBound/AMSBound (Luo et al.).
    s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    v = s["v"]
    if amsgrad:
        s["vhat"] = np.maximum(s.get("vhat", 0.0), s["v"])
        v = s["vhat"]
    alpha_t = alpha * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    step = alpha_t / (np.sqrt(v) + eps)
    if adabound:
        lower = final_lr * (1 - 1 / (gamma * t + 1))
        upper = final_lr * (1 + 1 / (gamma * t))
        step = np.clip(step, lower, upper)
    return p - eta * (step * s["m"] + weight_decay_rate * p)


def smorms3(p, g, s, t, lr, eps):
    # Simon Funk, "RMSprop loses to SMORMS3" (2015).
    mem = s.get("mem", 1.0)
    r = 1 / (mem + 1)
    s["g"] = (1 - r) * s.get("g", 0.0) + r * g
    s["g2"] = (1 - r) * s.get("g2", 0.0) + r * g * g
    x = s["g"] ** 2 / (s["g2"] + eps)
    s["mem"] = 1 + mem * (1 - x)
    return p - g * np.minimum(x, lr) / (np.sqrt(s["g2"]) + eps)


def msvag(p, g, s, t, lr, beta, eta=1.0, weight_decay_rate=0.0):
    # Balles & Hennig (2018), Algorithm 1 (M-SVAG) with bias-corrected moments.
    b = beta**t
    rho = min((1 - beta) ** 2 * (1 - b**2) / ((1 - b) ** 2 * (1 - beta**2)), 0.9999)
    s["m"] = beta * s.get("m", 0.0) + (1 - beta) * g
    s["v"] = beta * s.get("v", 0.0) + (1 - beta) * g * g
    m_hat, v_hat = s["m"] / (1 - b), s["v"] / (1 - b)
    variance = (v_hat - m_hat**2) / (1 - rho)
    factor = np.clip(m_hat**2 / (m_hat**2 + rho * variance), 0, 1)
    return p - eta * (lr * factor * m_hat + weight_decay_rate * p)


def lars(p, g, s, t, lr, momentum, weight_decay_rate, trust_coef, eps):
    # You, Gitman & Ginsburg (2017), Algorithm 1.
    w_norm, g_norm = np.linalg.norm(p), np.linalg.norm(g)
    local_lr = 1.0
    if w_norm > 0 and g_norm > 0:
        local_lr = trust_coef * w_norm / (g_norm + weight_decay_rate * w_norm + eps)
    s["v"] = momentum * s.get("v", 0.0) + lr * local_lr * (g + weight_decay_rate * p)
    return p - s["v"]


def lamb(p, g, s, t, lr, beta1, beta2, eps, weight_decay_rate):
    # You et al. (2020), Algorithm 2 with phi = identity.
    s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    r = (s["m"] / (1 - beta1**t)) / (np.sqrt(s["v"] / (1 - beta2**t)) + eps)
    u = r + weight_decay_rate * p
    w_norm, u_norm = np.linalg.norm(p), np.linalg.norm(u)
    trust = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
    return p - lr * trust * u


# id → (optimizer class, reference step, hyperparameters given to both)
CASES: dict[str, tuple[type, Callable[..., Array], dict[str, Any]]] = {
    "SGD": (optimizers.SGD, sgd, {"lr": 0.1}),
    "MomentumSGD": (optimizers.MomentumSGD, momentum_sgd, {"lr": 0.05, "momentum": 0.9}),
    "NesterovAG": (optimizers.NesterovAG, nesterov_ag, {"lr": 0.05, "momentum": 0.9}),
    "CorrectedMomentumSGD": (
        optimizers.CorrectedMomentumSGD,
        corrected_momentum_sgd,
        {"lr": 0.05, "momentum": 0.8},
    ),
    "AdaGrad": (optimizers.AdaGrad, ada_grad, {"lr": 0.1, "eps": 1e-6}),
    "AdaDelta": (optimizers.AdaDelta, ada_delta, {"rho": 0.9, "eps": 1e-4}),
    "RMSprop": (optimizers.RMSprop, rmsprop, {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    "RMSprop-eps-inside": (
        optimizers.RMSprop,
        rmsprop,
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-4, "eps_inside_sqrt": True},
    ),
    "RMSpropGraves": (
        optimizers.RMSpropGraves,
        rmsprop_graves,
        {"lr": 0.01, "alpha": 0.95, "momentum": 0.9, "eps": 1e-4},
    ),
    "Adam": (optimizers.Adam, adam, {"alpha": 0.01, "eps": 1e-2}),
    "Adam-weight-decay": (
        optimizers.Adam,
        adam,
        {"alpha": 0.01, "eps": 1e-3, "eta": 0.7, "weight_decay_rate": 0.01},
    ),
    "AdamW": (optimizers.AdamW, adam, {"alpha": 0.01, "weight_decay_rate": 0.01}),
    "AMSGrad": (optimizers.AMSGrad, adam, {"alpha": 0.01, "eps": 1e-3, "amsgrad": True}),
    "AdaBound": (
        optimizers.AdaBound,
        adam,
        {"alpha": 0.01, "final_lr": 0.05, "gamma": 0.1, "adabound": True},
    ),
    "AMSBound": (
        optimizers.AMSBound,
        adam,
        {"alpha": 0.01, "final_lr": 0.05, "gamma": 0.1, "adabound": True, "amsgrad": True},
    ),
    "Adam-adabound-amsgrad-flags": (
        optimizers.Adam,
        adam,
        {
            "alpha": 0.01,
            "final_lr": 0.05,
            "gamma": 0.1,
            "adabound": True,
            "amsgrad": True,
            "weight_decay_rate": 0.001,
        },
    ),
    "SMORMS3": (optimizers.SMORMS3, smorms3, {"lr": 0.01, "eps": 1e-16}),
    "MSVAG": (optimizers.MSVAG, msvag, {"lr": 0.1, "beta": 0.9}),
    "MSVAG-weight-decay": (
        optimizers.MSVAG,
        msvag,
        {"lr": 0.1, "beta": 0.8, "eta": 0.5, "weight_decay_rate": 0.01},
    ),
    "LARS": (
        optimizers.LARS,
        lars,
        {"lr": 1.0, "momentum": 0.9, "weight_decay_rate": 1e-3, "trust_coef": 0.02, "eps": 1e-9},
    ),
    "LAMB": (
        optimizers.LAMB,
        lamb,
        {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "weight_decay_rate": 0.01},
    ),
}

# The class-only flags the reference takes but the named variants set themselves.
_FLAGS = ("amsgrad", "adabound")
TOLERANCE = {np.float32: {"rtol": 1e-4, "atol": 1e-5}, np.float64: {"rtol": 1e-10, "atol": 1e-12}}
# M-SVAG's first step divides v - m**2 (zero in exact arithmetic) by 1 - rho = 1e-4, so
# float32 rounding of v and m**2 moves the variance factor by ~1e-3 on that step.
LOOSER_FLOAT32 = {
    "MSVAG": {"rtol": 1e-3, "atol": 1e-4},
    "MSVAG-weight-decay": {"rtol": 1e-3, "atol": 1e-4},
}


def _constructor_kwargs(cls: type, hp: dict[str, Any]) -> dict[str, Any]:
    if cls in (optimizers.Adam,):
        return hp
    return {k: v for k, v in hp.items() if k not in _FLAGS}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(CASES))
def test_matches_reference_step_by_step(case, dtype, make_target, initial, grads):
    cls, reference, hp = CASES[case]
    target = make_target(dtype)
    opt = cls(**_constructor_kwargs(cls, hp)).setup(target)
    expected = {k: v.astype(np.float64) for k, v in initial(dtype).items()}
    states: dict[str, dict] = {k: {} for k in expected}
    tolerance = (
        LOOSER_FLOAT32.get(case, TOLERANCE[dtype]) if dtype == np.float32 else TOLERANCE[dtype]
    )
    for t, g in enumerate(grads(dtype, STEPS), start=1):
        target.set_grads(g)
        opt.update()
        for path in expected:
            expected[path] = reference(
                expected[path], g[path].astype(np.float64), states[path], t, **hp
            )
            ours = target.p[path].array
            assert ours.dtype == dtype and ours.shape == expected[path].shape
            np.testing.assert_allclose(
                ours, expected[path], **tolerance, err_msg=f"{case}, step {t}, parameter {path}"
            )
    assert opt.t == STEPS
    assert all(p.update_rule.t == STEPS for p in target.params())


@pytest.mark.parametrize("case", ["AdaBound", "AMSBound"])
def test_adabound_bounds_bind(case, make_target, grads):
    # With a tight final_lr the clip is active on every element: the step is final_lr * m.
    cls = CASES[case][0]
    target = make_target(np.float64)
    opt = cls(alpha=0.01, final_lr=1e-4, gamma=1e3).setup(target)
    g = grads(np.float64, 1)[0]
    before = target.arrays()
    target.set_grads(g)
    opt.update()
    rule = target.p["l1/W"].update_rule
    lower, upper = rule.bounds
    assert lower == pytest.approx(1e-4 * (1 - 1 / 1001)) and upper == pytest.approx(1e-4 * 1.001)
    m = 0.1 * g["l1/W"]
    step = before["l1/W"] - target.p["l1/W"].array
    # Every element took the upper bound (the unclipped step is ~100x larger).
    np.testing.assert_allclose(step, upper * m, rtol=1e-8)
    assert lower < upper


def test_adabound_bounds_follow_alpha_schedule(make_target, grads):
    # final_lr is rescaled by alpha / initial_alpha, so a schedule on alpha moves the
    # bounds along (Chainer's behaviour).
    target = make_target(np.float64)
    opt = optimizers.AdaBound(alpha=0.01, final_lr=0.1, gamma=0.1).setup(target)
    target.set_grads(grads(np.float64, 1)[0])
    opt.update()
    rule = target.p["l1/b"].update_rule
    lower, upper = rule.bounds
    opt.alpha = 0.005
    assert rule.bounds == pytest.approx((lower / 2, upper / 2))


def test_msvag_factor_is_zero_where_moments_vanish(make_target):
    # A coordinate whose gradient is always 0 has m = v = 0: 0/0 is defined as no step.
    target = make_target(np.float64)
    opt = optimizers.MSVAG(lr=0.1).setup(target)
    before = target.arrays()
    with np.errstate(all="raise"):
        for _ in range(3):
            target.set_grads({k: np.zeros_like(v) for k, v in before.items()})
            opt.update()
    for k, v in before.items():
        np.testing.assert_array_equal(target.p[k].array, v)


def test_lars_and_lamb_leave_zero_parameters_with_unit_trust(make_target):
    # A zero-initialized bias has no norm: the trust ratio falls back to 1, so it moves.
    shapes = {"b": (3,)}
    for cls, kwargs in (
        (optimizers.LARS, {"lr": 0.1, "momentum": 0.0}),
        (optimizers.LAMB, {"lr": 0.1}),
    ):
        target = make_target(np.float64, shapes=shapes)
        target.p["b"].array[...] = 0
        opt = cls(**kwargs).setup(target)
        target.set_grads({"b": np.array([1.0, -2.0, 0.5])})
        with np.errstate(all="raise"):
            opt.update()
        assert np.all(target.p["b"].array != 0), cls.__name__
