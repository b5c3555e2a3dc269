"""LAMB: Adam's direction with a layer-wise trust ratio."""

from __future__ import annotations

import math
from typing import Any

import numpy

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import check_eps, defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._norm import l2_norm
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["LAMB", "LAMBRule"]

_default_hyperparam = defaults(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-6, weight_decay_rate=0.0)
_float16 = numpy.dtype(numpy.float16)


class LAMBRule(UpdateRule):
    """Update rule of :class:`LAMB`.

    With ``m`` and ``v`` (state ``'m'``, ``'v'``) starting at 0::

        m = beta1 * m + (1 - beta1) * grad;  v = beta2 * v + (1 - beta2) * grad**2
        r = (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)
        u = r + weight_decay_rate * param
        param -= lr * (|param| / |u|) * u

    where ``|.|`` is the L2 norm of the whole array and the trust ratio is 1 when
    either norm is 0. float16 parameters are computed in float32.

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        lr: Learning rate.
        beta1: Decay of the first moment.
        beta2: Decay of the second moment.
        eps: Added to the bias-corrected ``sqrt(v)``.
        weight_decay_rate: Decoupled weight decay, inside the trust ratio.
    """

    def __init__(
        self,
        parent_hyperparam: Any = None,
        lr: float | None = None,
        beta1: float | None = None,
        beta2: float | None = None,
        eps: float | None = None,
        weight_decay_rate: float | None = None,
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(
            self.hyperparam,
            lr=lr,
            beta1=beta1,
            beta2=beta2,
            eps=eps,
            weight_decay_rate=weight_decay_rate,
        )

    def init_state(self, param: Any) -> None:
        xp = array_module(param.array)
        self.state["m"] = xp.zeros_like(param.array)
        self.state["v"] = xp.zeros_like(param.array)

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        beta1, beta2, eps = hp.beta1, hp.beta2, hp.eps
        grad = param.grad
        data = param.array
        if grad.dtype == _float16:
            grad = grad.astype(numpy.float32)
        check_eps("LAMB", eps, grad.dtype)
        xp = array_module(data)
        m, v = self._state["m"], self._state["v"]
        tmp = grad - m
        tmp *= 1.0 - beta1
        m += tmp
        xp.multiply(grad, grad, out=tmp)
        tmp -= v
        tmp *= 1.0 - beta2
        v += tmp
        t = self.t
        xp.divide(v, 1.0 - math.pow(beta2, t), out=tmp)
        xp.sqrt(tmp, out=tmp)
        tmp += eps
        xp.divide(m, tmp, out=tmp)
        tmp *= 1.0 / (1.0 - math.pow(beta1, t))
        weight_decay_rate = hp.weight_decay_rate
        if weight_decay_rate != 0:
            tmp += weight_decay_rate * data
        w_norm = l2_norm(xp, data)
        u_norm = l2_norm(xp, tmp)
        with numpy.errstate(divide="ignore", invalid="ignore"):  # the where() drops 0/0
            trust = xp.where((w_norm > 0) & (u_norm > 0), w_norm / u_norm, 1.0)
        tmp *= hp.lr * trust
        data -= tmp


class LAMB(GradientMethod):
    """LAMB (You et al., "Large Batch Optimization for Deep Learning: Training BERT in
    76 minutes", ICLR 2020), Algorithm 2 with the identity scaling function.

    PyTorch has no equivalent; its tests compare it with the paper's formulas.

    Args:
        lr: Learning rate.
        beta1: Decay of the first moment.
        beta2: Decay of the second moment.
        eps: Added to the bias-corrected ``sqrt(v)``.
        weight_decay_rate: Decoupled weight decay, inside the trust ratio.
        link: A target to :meth:`setup` right away.
    """

    lr = HyperparameterProxy("lr")
    beta1 = HyperparameterProxy("beta1")
    beta2 = HyperparameterProxy("beta2")
    eps = HyperparameterProxy("eps")
    weight_decay_rate = HyperparameterProxy("weight_decay_rate")

    def __init__(
        self,
        lr: float = _default_hyperparam.lr,
        beta1: float = _default_hyperparam.beta1,
        beta2: float = _default_hyperparam.beta2,
        eps: float = _default_hyperparam.eps,
        weight_decay_rate: float = _default_hyperparam.weight_decay_rate,
        *,
        link: Any = None,
    ) -> None:
        super().__init__()
        hp = self.hyperparam
        hp.lr, hp.beta1, hp.beta2, hp.eps = lr, beta1, beta2, eps
        hp.weight_decay_rate = weight_decay_rate
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> LAMBRule:
        return LAMBRule(self.hyperparam)
