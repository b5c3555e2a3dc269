"""Plain stochastic gradient descent."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_kernel
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["SGD", "SGDRule"]

_default_hyperparam = defaults(lr=0.01)


class SGDRule(UpdateRule):
    """Update rule of :class:`SGD`: ``param -= lr * grad``.

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        lr: Learning rate (overrides the parent's).
    """

    def __init__(self, parent_hyperparam: Any = None, lr: float | None = None) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self.hyperparam, lr=lr)

    def update_core(self, param: Any) -> None:
        data = param.array
        if type(data) is not numpy.ndarray:  # a backend may fuse the update (CUDA)
            kernel = get_kernel("sgd_update", data)
            if kernel is not None:
                kernel(data, param.grad, self.resolved_hyperparam().lr)
                return
        data -= self.resolved_hyperparam().lr * param.grad


class SGD(GradientMethod):
    """Vanilla stochastic gradient descent.

    Args:
        lr: Learning rate.
        link: A target to :meth:`setup` right away.

    Example:
        >>> import numpy as np, kusari
        >>> class Target:
        ...     def __init__(self):
        ...         self.w = kusari.Parameter(np.ones(2, np.float32))
        ...
        ...     def namedparams(self):
        ...         yield "/w", self.w
        >>> target = Target()
        >>> opt = SGD(lr=0.1, link=target)
        >>> target.w.grad = np.array([1.0, -2.0], np.float32)
        >>> opt.update()
        >>> target.w.array
        array([0.9, 1.2], dtype=float32)
    """

    lr = HyperparameterProxy("lr")

    def __init__(self, lr: float = _default_hyperparam.lr, *, link: Any = None) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> SGDRule:
        return SGDRule(self.hyperparam)
