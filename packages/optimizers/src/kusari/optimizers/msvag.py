"""M-SVAG: momentum SGD with variance adaptation."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["MSVAG", "MSVAGRule"]

_default_hyperparam = defaults(lr=0.1, beta=0.9, eta=1.0, weight_decay_rate=0.0)


class MSVAGRule(UpdateRule):
    """Update rule of :class:`MSVAG`.

    With ``b = beta**t``, ``rho = min((1 - beta)**2 (1 - b**2) / ((1 - b)**2 (1 - beta**2)),
    0.9999)`` and ``m``, ``v`` (state ``'m'``, ``'v'``) starting at 0::

        m += (1 - beta) * (grad - m)
        v += (1 - beta) * (grad**2 - v)
        mt = m / (1 - b)
        vt = v / (1 - b)
        s = (vt - mt**2) / (1 - rho)
        factor = clip(mt**2 / (mt**2 + rho * s), 0, 1)  # 0 where undefined
        param -= eta * (lr * factor * mt + weight_decay_rate * param)

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        lr: Learning rate.
        beta: Decay of both moments.
        eta: Schedule multiplier.
        weight_decay_rate: Decoupled weight decay.
    """

    def __init__(
        self,
        parent_hyperparam: Any = None,
        lr: float | None = None,
        beta: float | None = None,
        eta: float | None = None,
        weight_decay_rate: float | None = None,
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self.hyperparam, lr=lr, beta=beta, eta=eta, weight_decay_rate=weight_decay_rate)

    def init_state(self, param: Any) -> None:
        xp = array_module(param.array)
        self.state["m"] = xp.zeros_like(param.array)
        self.state["v"] = xp.zeros_like(param.array)

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        beta = hp.beta
        # beta**t from t (which is serialized), not a running product, so a resumed run
        # continues exactly.
        beta_power = beta**self.t
        rho = (
            (1.0 - beta) ** 2 * (1.0 - beta_power**2) / ((1.0 - beta_power) ** 2 * (1.0 - beta**2))
        )
        rho = min(rho, 0.9999)
        grad = param.grad
        xp = array_module(grad)
        m, v = self._state["m"], self._state["v"]
        tmp = grad - m
        tmp *= 1.0 - beta
        m += tmp
        xp.multiply(grad, grad, out=tmp)
        tmp -= v
        tmp *= 1.0 - beta
        v += tmp
        mt = m / (1.0 - beta_power)
        mt2 = mt * mt
        xp.divide(v, 1.0 - beta_power, out=tmp)  # vt
        tmp -= mt2
        tmp *= rho / (1.0 - rho)  # rho * s
        tmp += mt2
        with numpy.errstate(divide="ignore", invalid="ignore"):  # 0/0 where m = v = 0
            xp.divide(mt2, tmp, out=tmp)
        xp.copyto(tmp, 0, where=xp.isnan(tmp))
        xp.clip(tmp, 0.0, 1.0, out=tmp)
        tmp *= mt
        tmp *= hp.lr * hp.eta
        data = param.array
        weight_decay_rate = hp.weight_decay_rate
        if weight_decay_rate != 0:
            data *= 1.0 - hp.eta * weight_decay_rate
        data -= tmp


class MSVAG(GradientMethod):
    """M-SVAG (Balles and Hennig, "Dissecting Adam: The Sign, Magnitude and Variance of
    Stochastic Gradients", ICML 2018), with decoupled weight decay.

    PyTorch has no equivalent; its tests compare it with the formulas of the paper.

    Args:
        lr: Learning rate.
        beta: Decay of both moments.
        eta: Schedule multiplier.
        weight_decay_rate: Decoupled weight decay.
        link: A target to :meth:`setup` right away.
    """

    lr = HyperparameterProxy("lr")
    beta = HyperparameterProxy("beta")
    eta = HyperparameterProxy("eta")
    weight_decay_rate = HyperparameterProxy("weight_decay_rate")

    def __init__(
        self,
        lr: float = _default_hyperparam.lr,
        beta: float = _default_hyperparam.beta,
        eta: float = _default_hyperparam.eta,
        weight_decay_rate: float = _default_hyperparam.weight_decay_rate,
        *,
        link: Any = None,
    ) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.beta = beta
        self.hyperparam.eta = eta
        self.hyperparam.weight_decay_rate = weight_decay_rate
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> MSVAGRule:
        return MSVAGRule(self.hyperparam)
