"""Alex Graves's RMSprop: centred second moment plus momentum."""

from __future__ import annotations

from typing import Any

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["RMSpropGraves", "RMSpropGravesRule"]

_default_hyperparam = defaults(lr=1e-4, alpha=0.95, momentum=0.9, eps=1e-4)


class RMSpropGravesRule(UpdateRule):
    """Update rule of :class:`RMSpropGraves`.

    ``n = alpha * n + (1 - alpha) * grad**2``; ``g = alpha * g + (1 - alpha) * grad``;
    ``delta = momentum * delta - lr * grad / sqrt(n - g**2 + eps)``; ``param += delta``
    (state ``'n'``, ``'g'``, ``'delta'``).

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        lr: Learning rate.
        alpha: Decay of the running averages of the gradient and its square.
        momentum: Decay of the step's momentum.
        eps: Added inside the square root for numerical stability.
    """

    def __init__(
        self,
        parent_hyperparam: Any = None,
        lr: float | None = None,
        alpha: float | None = None,
        momentum: float | None = None,
        eps: float | None = None,
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self.hyperparam, lr=lr, alpha=alpha, momentum=momentum, eps=eps)

    def init_state(self, param: Any) -> None:
        xp = array_module(param.array)
        self.state["n"] = xp.zeros_like(param.array)
        self.state["g"] = xp.zeros_like(param.array)
        self.state["delta"] = xp.zeros_like(param.array)

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        alpha = hp.alpha
        grad = param.grad
        xp = array_module(grad)
        state = self._state
        n, g, delta = state["n"], state["g"], state["delta"]
        tmp = grad * grad
        tmp *= 1 - alpha
        n *= alpha
        n += tmp
        xp.multiply(grad, 1 - alpha, out=tmp)
        g *= alpha
        g += tmp
        xp.multiply(g, g, out=tmp)
        xp.subtract(n, tmp, out=tmp)
        tmp += hp.eps
        xp.sqrt(tmp, out=tmp)
        xp.divide(grad, tmp, out=tmp)
        tmp *= hp.lr
        delta *= hp.momentum
        delta -= tmp
        data = param.array
        data += delta


class RMSpropGraves(GradientMethod):
    """RMSprop as in Graves, "Generating Sequences With Recurrent Neural Networks" (2013).

    ``torch.optim.RMSprop(centered=True, momentum=...)`` is the same method except that
    it adds ``eps`` outside the square root; the two agree exactly when ``eps=0``.

    Args:
        lr: Learning rate.
        alpha: Decay of the running averages of the gradient and its square.
        momentum: Decay of the step's momentum.
        eps: Added inside the square root for numerical stability.
        link: A target to :meth:`setup` right away.
    """

    lr = HyperparameterProxy("lr")
    alpha = HyperparameterProxy("alpha")
    momentum = HyperparameterProxy("momentum")
    eps = HyperparameterProxy("eps")

    def __init__(
        self,
        lr: float = _default_hyperparam.lr,
        alpha: float = _default_hyperparam.alpha,
        momentum: float = _default_hyperparam.momentum,
        eps: float = _default_hyperparam.eps,
        *,
        link: Any = None,
    ) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.momentum = momentum
        self.hyperparam.eps = eps
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> RMSpropGravesRule:
        return RMSpropGravesRule(self.hyperparam)
