"""Nesterov's accelerated gradient, in the form of Sutskever et al. and Bengio et al."""

from __future__ import annotations

from typing import Any

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["NesterovAG", "NesterovAGRule"]

_default_hyperparam = defaults(lr=0.01, momentum=0.9)


class NesterovAGRule(UpdateRule):
    """Update rule of :class:`NesterovAG`.

    ``v = momentum * v - lr * grad; param += momentum**2 * v - (1 + momentum) * lr * grad``
    (state ``'v'``), with the *new* ``v``, as Chainer defines it.

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
        lr, momentum = hp.lr, hp.momentum
        xp = array_module(param.array)
        v = self._state["v"]
        data = param.array
        step = lr * param.grad
        v *= momentum
        v -= step
        step *= 1 + momentum
        data -= step
        xp.multiply(v, momentum * momentum, out=step)
        data += step


class NesterovAG(GradientMethod):
    """Nesterov's accelerated gradient (Chainer's formulation).

    See Sutskever et al., "On the importance of initialization and momentum in deep
    learning" (2013), and Bengio et al., "Advances in optimizing recurrent networks"
    (2012). The step uses the updated velocity, so it is not
    ``torch.optim.SGD(nesterov=True)``: that one adds ``momentum**2`` times the previous
    velocity instead.

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

    def create_update_rule(self) -> NesterovAGRule:
        return NesterovAGRule(self.hyperparam)
