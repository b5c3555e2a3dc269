"""Momentum SGD whose velocity is kept apart from the learning rate."""

from __future__ import annotations

from typing import Any

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["CorrectedMomentumSGD", "CorrectedMomentumSGDRule"]

_default_hyperparam = defaults(lr=0.01, momentum=0.9)


class CorrectedMomentumSGDRule(UpdateRule):
    """Update rule of :class:`CorrectedMomentumSGD`.

    ``v = momentum * v - grad; param += lr * v`` (state ``'v'``), so a new learning rate
    applies to the accumulated velocity at once.

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        lr: Learning rate.
        momentum: Decay of the velocity.
    """

    def __init__(
        self, parent_hyperparam: Any = None, lr: float | None = None, momentum: float | None = None
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self.hyperparam, lr=lr, momentum=momentum)

    def init_state(self, param: Any) -> None:
        self.state["v"] = array_module(param.array).zeros_like(param.array)

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        v = self._state["v"]
        v *= hp.momentum
        v -= param.grad
        data = param.array
        data += hp.lr * v


class CorrectedMomentumSGD(GradientMethod):
    """Momentum SGD with the learning rate applied outside the velocity.

    This is ``torch.optim.SGD(momentum=...)`` (velocity sign flipped); it behaves
    correctly when the learning rate is scheduled.

    Args:
        lr: Learning rate.
        momentum: Decay of the velocity.
        link: A target to :meth:`setup` right away.
    """

    lr = HyperparameterProxy("lr")
    momentum = HyperparameterProxy("momentum")

    def __init__(
        self,
        lr: float = _default_hyperparam.lr,
        momentum: float = _default_hyperparam.momentum,
        *,
        link: Any = None,
    ) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> CorrectedMomentumSGDRule:
        return CorrectedMomentumSGDRule(self.hyperparam)
