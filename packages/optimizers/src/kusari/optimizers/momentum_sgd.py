"""Stochastic gradient descent with classical momentum."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_kernel
from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["MomentumSGD", "MomentumSGDRule"]

_default_hyperparam = defaults(lr=0.01, momentum=0.9)


class MomentumSGDRule(UpdateRule):
    """Update rule of :class:`MomentumSGD`.

    ``v = momentum * v - lr * grad; param += v``, with ``v`` (state ``'v'``) starting at 0.

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
        if type(v) is not numpy.ndarray:  # a backend may fuse the update (CUDA)
            kernel = get_kernel("momentum_sgd_update", v)
            if kernel is not None:
                kernel(param.array, param.grad, v, hp.lr, hp.momentum)
                return
        v *= hp.momentum
        v -= hp.lr * param.grad
        data = param.array
        data += v


class MomentumSGD(GradientMethod):
    """Momentum SGD (the velocity holds the learning rate, as in Chainer).

    With a constant learning rate it equals ``torch.optim.SGD(momentum=...)``; when the
    learning rate changes, the old velocity keeps the old rate (use
    :class:`CorrectedMomentumSGD` for PyTorch's behaviour).

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

    def create_update_rule(self) -> MomentumSGDRule:
        return MomentumSGDRule(self.hyperparam)
