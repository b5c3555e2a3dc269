"""Optimizer updates: one fused, in-place elementwise kernel per rule.

Each wrapper updates its arrays in place and returns None. Hyperparameters are Python
numbers; the arithmetic runs in float32 (float64 for float64 parameters), so float16
parameters and states are read, updated in single precision and rounded once.
"""

from __future__ import annotations

from typing import Any

from kusari_backend_cuda.kernels._base import (
    Elementwise,
    KernelArgumentError,
    check_float,
    check_scalar,
    compute_ctype,
)

__all__ = ["sgd_update", "momentum_sgd_update", "adam_update"]

_sgd = Elementwise(
    "sgd_update",
    "G grad, float64 lr",
    "T param",
    "param = (T)((CT)param - (CT)lr * (CT)grad)",
)

_momentum = Elementwise(
    "momentum_sgd_update",
    "G grad, float64 lr, float64 momentum",
    "T param, S v",
    """
    const CT nv = (CT)momentum * (CT)v - (CT)lr * (CT)grad;
    v = (S)nv;
    param = (T)((CT)param + nv);
    """,
)

_ADAM_STEP = """
    const CT g = (CT)grad;
    const CT nm = (CT)m + ((CT)1 - (CT)beta1) * (g - (CT)m);
    const CT nv = (CT)v + ((CT)1 - (CT)beta2) * (g * g - (CT)v);
    m = (S)nm;
    v = (S)nv;
"""
_ADAM_APPLY = """
    const CT step = (CT)alpha_t * nm / (sqrt(den) + (CT)eps);
    param = (T)((CT)param - (CT)eta * (step + (CT)weight_decay_rate * (CT)param));
"""
_ADAM_IN = (
    "G grad, float64 alpha_t, float64 beta1, float64 beta2, float64 eps, float64 eta, "
    "float64 weight_decay_rate"
)

_adam = Elementwise(
    "adam_update",
    _ADAM_IN,
    "T param, S m, S v",
    _ADAM_STEP + "    const CT den = nv;\n" + _ADAM_APPLY,
)

_amsgrad = Elementwise(
    "amsgrad_update",
    _ADAM_IN,
    "T param, S m, S v, S vhat",
    _ADAM_STEP
    + """
    const CT den = max((CT)vhat, nv);
    vhat = (S)den;
"""
    + _ADAM_APPLY,
)


def _check_state(fn: str, param: Any, grad: Any, states: tuple[tuple[str, Any], ...]) -> str:
    check_float(fn, "param", param)
    check_float(fn, "grad", grad)
    if tuple(grad.shape) != tuple(param.shape):
        raise KernelArgumentError(
            f"{fn} kernel: grad must have param's shape "
            f"{tuple(param.shape)}; got {tuple(grad.shape)}"
        )
    dtypes = [param.dtype, grad.dtype]
    for what, a in states:
        check_float(fn, what, a)
        if tuple(a.shape) != tuple(param.shape):
            raise KernelArgumentError(
                f"{fn} kernel: {what} must have param's shape "
                f"{tuple(param.shape)}; got {tuple(a.shape)}"
            )
        dtypes.append(a.dtype)
    first = states[0][1].dtype if states else None
    for what, a in states[1:]:
        if a.dtype != first:
            raise TypeError(
                f"{fn} kernel: {what} must have {states[0][0]}'s dtype {first}; got {a.dtype}"
            )
    return compute_ctype(*dtypes)


def sgd_update(param: Any, grad: Any, lr: float) -> None:
    """``kernel(param, grad, lr)``: ``param -= lr * grad``, in place."""
    ct = _check_state("sgd_update", param, grad, ())
    _sgd(grad, check_scalar("sgd_update", "lr", lr), param, ctype=ct)


def momentum_sgd_update(param: Any, grad: Any, v: Any, lr: float, momentum: float) -> None:
    """``kernel(param, grad, v, lr, momentum)``: ``v = momentum*v - lr*grad; param += v``."""
    fn = "momentum_sgd_update"
    ct = _check_state(fn, param, grad, (("v", v),))
    _momentum(
        grad, check_scalar(fn, "lr", lr), check_scalar(fn, "momentum", momentum), param, v, ctype=ct
    )


def adam_update(
    param: Any,
    grad: Any,
    m: Any,
    v: Any,
    alpha_t: float,
    beta1: float,
    beta2: float,
    eps: float,
    eta: float,
    weight_decay_rate: float,
    vhat: Any = None,
) -> None:
    """Chainer's Adam step, in place on ``param``, ``m``, ``v`` (and ``vhat``).

    ``kernel(param, grad, m, v, alpha_t, beta1, beta2, eps, eta, weight_decay_rate,
    vhat=None)``::

        m += (1 - beta1) * (grad - m)
        v += (1 - beta2) * (grad**2 - v)
        vhat = max(vhat, v)            # only when vhat is given (AMSGrad)
        param -= eta * (alpha_t * m / (sqrt(vhat or v) + eps) + weight_decay_rate * param)

    ``alpha_t = alpha * sqrt(1 - beta2**t) / (1 - beta1**t)`` is computed by the caller.
    """
    fn = "adam_update"
    states = (("m", m), ("v", v)) + ((("vhat", vhat),) if vhat is not None else ())
    ct = _check_state(fn, param, grad, states)
    args = (
        check_scalar(fn, "alpha_t", alpha_t),
        check_scalar(fn, "beta1", beta1, 0.0, 1.0),
        check_scalar(fn, "beta2", beta2, 0.0, 1.0),
        check_scalar(fn, "eps", eps, low=0.0),
        check_scalar(fn, "eta", eta),
        check_scalar(fn, "weight_decay_rate", weight_decay_rate),
    )
    if vhat is None:
        _adam(grad, *args, param, m, v, ctype=ct)
    else:
        _amsgrad(grad, *args, param, m, v, vhat, ctype=ct)
