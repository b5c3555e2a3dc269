"""RMSprop: steps scaled by a running average of squared gradients."""

from __future__ import annotations

from typing import Any

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import check_eps, defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["RMSprop", "RMSpropRule"]

_default_hyperparam = defaults(lr=0.01, alpha=0.99, eps=1e-8, eps_inside_sqrt=False)


class RMSpropRule(UpdateRule):
    """Update rule of :class:`RMSprop`.

    ``ms = alpha * ms + (1 - alpha) * grad**2`` (state ``'ms'``);
    ``param -= lr * grad / (sqrt(ms) + eps)``, or ``/ sqrt(ms + eps)`` with
    ``eps_inside_sqrt``.

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        lr: Learning rate.
        alpha: Decay of the running average.
        eps: Added to the denominator for numerical stability.
        eps_inside_sqrt: Add ``eps`` inside the square root instead.
    """

    def __init__(
        self,
        parent_hyperparam: Any = None,
        lr: float | None = None,
        alpha: float | None = None,
        eps: float | None = None,
        eps_inside_sqrt: bool | None = None,
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self.hyperparam, lr=lr, alpha=alpha, eps=eps, eps_inside_sqrt=eps_inside_sqrt)

    def init_state(self, param: Any) -> None:
        self.state["ms"] = array_module(param.array).zeros_like(param.array)

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        alpha, eps = hp.alpha, hp.eps
        grad = param.grad
        check_eps("RMSprop", eps, grad.dtype)
        xp = array_module(grad)
        ms = self._state["ms"]
        tmp = grad * grad
        tmp *= 1 - alpha
        ms *= alpha
        ms += tmp
        if hp.eps_inside_sqrt:
            xp.add(ms, eps, out=tmp)
            xp.sqrt(tmp, out=tmp)
        else:
            xp.sqrt(ms, out=tmp)
            tmp += eps
        xp.divide(grad, tmp, out=tmp)
        tmp *= hp.lr
        data = param.array
        data -= tmp


class RMSprop(GradientMethod):
    """RMSprop (Tieleman and Hinton, COURSERA Lecture 6.5, 2012).

    Equal to ``torch.optim.RMSprop(lr, alpha, eps)`` (not centered, no momentum).

    Args:
        lr: Learning rate.
        alpha: Decay of the running average of squared gradients.
        eps: Added to the denominator for numerical stability.
        eps_inside_sqrt: Add ``eps`` inside the square root instead.
        link: A target to :meth:`setup` right away.
    """

    lr = HyperparameterProxy("lr")
    alpha = HyperparameterProxy("alpha")
    eps = HyperparameterProxy("eps")
    eps_inside_sqrt = HyperparameterProxy("eps_inside_sqrt")

    def __init__(
        self,
        lr: float = _default_hyperparam.lr,
        alpha: float = _default_hyperparam.alpha,
        eps: float = _default_hyperparam.eps,
        eps_inside_sqrt: bool = _default_hyperparam.eps_inside_sqrt,
        *,
        link: Any = None,
    ) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.eps = eps
        self.hyperparam.eps_inside_sqrt = eps_inside_sqrt
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> RMSpropRule:
        return RMSpropRule(self.hyperparam)
