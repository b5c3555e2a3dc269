"""LARS: momentum SGD with a layer-wise trust ratio."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._norm import l2_norm
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["LARS", "LARSRule"]

_default_hyperparam = defaults(
    lr=1.0, momentum=0.9, weight_decay_rate=0.0, trust_coef=0.001, eps=1e-9
)


class LARSRule(UpdateRule):
    """Update rule of :class:`LARS`.

    With ``v`` (state ``'v'``) starting at 0::

        local_lr = trust_coef * |param| / (|grad| + weight_decay_rate * |param| + eps)
        v = momentum * v + lr * local_lr * (grad + weight_decay_rate * param)
        param -= v

    where ``|.|`` is the L2 norm of the whole array and ``local_lr`` is 1 when either
    norm is 0 (a zero-initialized bias would otherwise never move).

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        lr: Global learning rate.
        momentum: Decay of the velocity.
        weight_decay_rate: L2 weight decay, added to the gradient.
        trust_coef: The trust coefficient (eta in the paper).
        eps: Added to the denominator of the trust ratio.
    """

    def __init__(
        self,
        parent_hyperparam: Any = None,
        lr: float | None = None,
        momentum: float | None = None,
        weight_decay_rate: float | None = None,
        trust_coef: float | None = None,
        eps: float | None = None,
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(
            self.hyperparam,
            lr=lr,
            momentum=momentum,
            weight_decay_rate=weight_decay_rate,
            trust_coef=trust_coef,
            eps=eps,
        )

    def init_state(self, param: Any) -> None:
        self.state["v"] = array_module(param.array).zeros_like(param.array)

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        weight_decay_rate = hp.weight_decay_rate
        grad = param.grad
        data = param.array
        xp = array_module(data)
        w_norm = l2_norm(xp, data)
        g_norm = l2_norm(xp, grad)
        # Evaluated on the device (no host sync); the where() picks 1 for zero norms.
        with numpy.errstate(divide="ignore", invalid="ignore"):  # eps=0 with zero norms
            ratio = hp.trust_coef * w_norm / (g_norm + weight_decay_rate * w_norm + hp.eps)
        local_lr = xp.where((w_norm > 0) & (g_norm > 0), ratio, 1.0)
        if weight_decay_rate != 0:
            tmp = data * weight_decay_rate
            tmp += grad
        else:
            tmp = grad.copy()
        tmp *= hp.lr * local_lr
        v = self._state["v"]
        v *= hp.momentum
        v += tmp
        data -= v


class LARS(GradientMethod):
    """LARS (You, Gitman and Ginsburg, "Large Batch Training of Convolutional Networks",
    2017), with momentum as in the paper's Algorithm 1.

    PyTorch has no equivalent; its tests compare it with the paper's formulas. For the
    hook form applied to another optimizer see
    :class:`kusari.optimizer_hooks.GradientLARS`.

    Args:
        lr: Global learning rate.
        momentum: Decay of the velocity.
        weight_decay_rate: L2 weight decay.
        trust_coef: The trust coefficient (eta in the paper).
        eps: Added to the denominator of the trust ratio.
        link: A target to :meth:`setup` right away.
    """

    lr = HyperparameterProxy("lr")
    momentum = HyperparameterProxy("momentum")
    weight_decay_rate = HyperparameterProxy("weight_decay_rate")
    trust_coef = HyperparameterProxy("trust_coef")
    eps = HyperparameterProxy("eps")

    def __init__(
        self,
        lr: float = _default_hyperparam.lr,
        momentum: float = _default_hyperparam.momentum,
        weight_decay_rate: float = _default_hyperparam.weight_decay_rate,
        trust_coef: float = _default_hyperparam.trust_coef,
        eps: float = _default_hyperparam.eps,
        *,
        link: Any = None,
    ) -> None:
        super().__init__()
        hp = self.hyperparam
        hp.lr, hp.momentum, hp.weight_decay_rate = lr, momentum, weight_decay_rate
        hp.trust_coef, hp.eps = trust_coef, eps
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> LARSRule:
        return LARSRule(self.hyperparam)
