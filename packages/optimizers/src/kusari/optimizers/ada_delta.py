"""AdaDelta: steps scaled by running averages of squared gradients and squared steps."""

from __future__ import annotations

from typing import Any

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["AdaDelta", "AdaDeltaRule"]

_default_hyperparam = defaults(rho=0.95, eps=1e-6)


class AdaDeltaRule(UpdateRule):
    """Update rule of :class:`AdaDelta`.

    ``msg = rho * msg + (1 - rho) * grad**2``;
    ``dx = sqrt((msdx + eps) / (msg + eps)) * grad``;
    ``msdx = rho * msdx + (1 - rho) * dx**2``; ``param -= dx`` (state ``'msg'``,
    ``'msdx'``).

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        rho: Decay of the running averages.
        eps: Added inside the square roots for numerical stability.
    """

    def __init__(
        self, parent_hyperparam: Any = None, rho: float | None = None, eps: float | None = None
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self.hyperparam, rho=rho, eps=eps)

    def init_state(self, param: Any) -> None:
        xp = array_module(param.array)
        self.state["msg"] = xp.zeros_like(param.array)
        self.state["msdx"] = xp.zeros_like(param.array)

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        rho, eps = hp.rho, hp.eps
        grad = param.grad
        xp = array_module(grad)
        msg, msdx = self._state["msg"], self._state["msdx"]
        tmp = grad * grad
        tmp *= 1 - rho
        msg *= rho
        msg += tmp
        dx = msdx + eps
        xp.add(msg, eps, out=tmp)
        dx /= tmp
        xp.sqrt(dx, out=dx)
        dx *= grad
        xp.multiply(dx, dx, out=tmp)
        tmp *= 1 - rho
        msdx *= rho
        msdx += tmp
        data = param.array
        data -= dx


class AdaDelta(GradientMethod):
    """AdaDelta (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012).

    Equal to ``torch.optim.Adadelta(lr=1.0, rho=rho, eps=eps)``.

    Args:
        rho: Decay of the running averages.
        eps: Added inside the square roots for numerical stability.
        link: A target to :meth:`setup` right away.
    """

    rho = HyperparameterProxy("rho")
    eps = HyperparameterProxy("eps")

    def __init__(
        self,
        rho: float = _default_hyperparam.rho,
        eps: float = _default_hyperparam.eps,
        *,
        link: Any = None,
    ) -> None:
        super().__init__()
        self.hyperparam.rho = rho
        self.hyperparam.eps = eps
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> AdaDeltaRule:
        return AdaDeltaRule(self.hyperparam)
