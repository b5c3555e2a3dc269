"""AdaGrad: per-coordinate steps scaled by the accumulated squared gradients."""

from __future__ import annotations

from typing import Any

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["AdaGrad", "AdaGradRule"]

_default_hyperparam = defaults(lr=0.001, eps=1e-8)


class AdaGradRule(UpdateRule):
    """Update rule of :class:`AdaGrad`.

    ``h += grad**2; param -= lr * grad / (sqrt(h) + eps)`` (state ``'h'``).

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        lr: Learning rate.
        eps: Added to the denominator for numerical stability.
    """

    def __init__(
        self, parent_hyperparam: Any = None, lr: float | None = None, eps: float | None = None
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self.hyperparam, lr=lr, eps=eps)

    def init_state(self, param: Any) -> None:
        self.state["h"] = array_module(param.array).zeros_like(param.array)

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        grad = param.grad
        xp = array_module(grad)
        h = self._state["h"]
        tmp = grad * grad
        h += tmp
        xp.sqrt(h, out=tmp)
        tmp += hp.eps
        xp.divide(grad, tmp, out=tmp)
        tmp *= hp.lr
        data = param.array
        data -= tmp


class AdaGrad(GradientMethod):
    """AdaGrad (Duchi et al., "Adaptive Subgradient Methods", JMLR 2011).

    Equal to ``torch.optim.Adagrad(lr, eps=eps)`` with its default ``lr_decay=0`` and
    ``initial_accumulator_value=0``.

    Args:
        lr: Learning rate.
        eps: Added to the denominator for numerical stability.
        link: A target to :meth:`setup` right away.
    """

    lr = HyperparameterProxy("lr")
    eps = HyperparameterProxy("eps")

    def __init__(
        self,
        lr: float = _default_hyperparam.lr,
        eps: float = _default_hyperparam.eps,
        *,
        link: Any = None,
    ) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.eps = eps
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> AdaGradRule:
        return AdaGradRule(self.hyperparam)
