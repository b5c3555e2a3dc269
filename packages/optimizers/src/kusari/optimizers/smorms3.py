"""Simon Funk's SMORMS3: RMSprop with an adaptive memory length."""

from __future__ import annotations

from typing import Any

from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["SMORMS3", "SMORMS3Rule"]

_default_hyperparam = defaults(lr=0.001, eps=1e-16)


class SMORMS3Rule(UpdateRule):
    """Update rule of :class:`SMORMS3`.

    With ``mem`` starting at 1 and ``g``, ``g2`` at 0 (state ``'mem'``, ``'g'``,
    ``'g2'``)::

        r = 1 / (mem + 1)
        g = (1 - r) * g + r * grad
        g2 = (1 - r) * g2 + r * grad**2
        x = g**2 / (g2 + eps)
        param -= grad * min(lr, x) / (sqrt(g2) + eps)
        mem = 1 + mem * (1 - x)

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        lr: Learning rate (the cap of ``x``).
        eps: Small value for numerical stability.
    """

    def __init__(
        self, parent_hyperparam: Any = None, lr: float | None = None, eps: float | None = None
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(self.hyperparam, lr=lr, eps=eps)

    def init_state(self, param: Any) -> None:
        xp = array_module(param.array)
        self.state["mem"] = xp.ones_like(param.array)
        self.state["g"] = xp.zeros_like(param.array)
        self.state["g2"] = xp.zeros_like(param.array)

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        lr, eps = hp.lr, hp.eps
        grad = param.grad
        xp = array_module(grad)
        state = self._state
        mem, g, g2 = state["mem"], state["g"], state["g2"]
        r = mem + 1
        xp.reciprocal(r, out=r)
        tmp = grad - g  # (1 - r) * g + r * grad == g + r * (grad - g)
        tmp *= r
        g += tmp
        xp.multiply(grad, grad, out=tmp)
        tmp -= g2
        tmp *= r
        g2 += tmp
        x = g2 + eps
        xp.divide(g, x, out=x)
        x *= g
        xp.minimum(x, lr, out=r)
        r *= grad
        xp.sqrt(g2, out=tmp)
        tmp += eps
        r /= tmp
        data = param.array
        data -= r
        xp.subtract(1, x, out=x)
        mem *= x
        mem += 1


class SMORMS3(GradientMethod):
    """Simon Funk's SMORMS3 (http://sifter.org/~simon/journal/20150420.html).

    PyTorch has no equivalent; its tests compare it with the formulas above.

    Args:
        lr: Learning rate.
        eps: Small value for numerical stability.
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

    def create_update_rule(self) -> SMORMS3Rule:
        return SMORMS3Rule(self.hyperparam)
