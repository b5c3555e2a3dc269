"""Adam and its variants: AdamW, AMSGrad, AdaBound and AMSBound."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy

from kusari.backend import get_kernel
from kusari.optimizers._arrays import array_module
from kusari.optimizers._defaults import check_eps, defaults, override
from kusari.optimizers._hyperparameter import HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod
from kusari.optimizers._update_rule import UpdateRule

__all__ = ["Adam", "AdamRule", "AdamW", "AMSGrad", "AdaBound", "AMSBound"]

_default_hyperparam = defaults(
    alpha=0.001,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    eta=1.0,
    weight_decay_rate=0.0,
    amsgrad=False,
    adabound=False,
    final_lr=0.1,
    gamma=1e-3,
)
_float16 = numpy.dtype(numpy.float16)


def _alpha_t(hp: Any, t: int) -> float:
    if t == 0:
        raise RuntimeError(
            "Adam: the bias-corrected step size alpha_t is undefined before the first update "
            "(t == 0)"
        )
    return hp.alpha * math.sqrt(1.0 - math.pow(hp.beta2, t)) / (1.0 - math.pow(hp.beta1, t))


class AdamRule(UpdateRule):
    """Update rule of :class:`Adam` (and of AdamW, AMSGrad, AdaBound, AMSBound).

    With ``m`` and ``v`` (state ``'m'``, ``'v'``; ``'vhat'`` for AMSGrad) starting at 0::

        m += (1 - beta1) * (grad - m)
        v += (1 - beta2) * (grad**2 - v)
        vhat = max(vhat, v) if amsgrad else v
        step = alpha_t / (sqrt(vhat) + eps)  # clipped to the AdaBound bounds
        param -= eta * (step * m + weight_decay_rate * param)

    where ``alpha_t = alpha * sqrt(1 - beta2**t) / (1 - beta1**t)``. float16 parameters
    are computed in float32 (the state stays float16).

    Args:
        parent_hyperparam: Hyperparameter with the default values.
        alpha: Step size.
        beta1: Decay of the first moment.
        beta2: Decay of the second moment.
        eps: Added to ``sqrt(vhat)`` (outside the bias correction) for stability.
        eta: Schedule multiplier of the whole step, weight decay included.
        weight_decay_rate: Decoupled weight decay (AdamW).
        amsgrad: Use the running maximum of ``v`` (AMSGrad).
        adabound: Clip the step to bounds converging to ``final_lr`` (AdaBound).
        final_lr: The SGD learning rate the AdaBound bounds converge to.
        gamma: Convergence speed of the AdaBound bounds.
    """

    def __init__(
        self,
        parent_hyperparam: Any = None,
        alpha: float | None = None,
        beta1: float | None = None,
        beta2: float | None = None,
        eps: float | None = None,
        eta: float | None = None,
        weight_decay_rate: float | None = None,
        amsgrad: bool | None = None,
        adabound: bool | None = None,
        final_lr: float | None = None,
        gamma: float | None = None,
    ) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        override(
            self.hyperparam,
            alpha=alpha,
            beta1=beta1,
            beta2=beta2,
            eps=eps,
            eta=eta,
            weight_decay_rate=weight_decay_rate,
            amsgrad=amsgrad,
            adabound=adabound,
            final_lr=final_lr,
            gamma=gamma,
        )
        # AdaBound scales final_lr by alpha / initial_alpha, so a schedule on alpha moves
        # the bounds too (Chainer's behaviour).
        self.initial_alpha: float | None = getattr(self.hyperparam, "alpha", None)

    def init_state(self, param: Any) -> None:
        xp = array_module(param.array)
        self.state["m"] = xp.zeros_like(param.array)
        self.state["v"] = xp.zeros_like(param.array)
        if self.hyperparam.amsgrad:
            self.state["vhat"] = xp.zeros_like(param.array)

    @property
    def alpha_t(self) -> float:
        """The bias-corrected step size at this rule's step ``t``."""
        return _alpha_t(self.hyperparam, self.t)

    @property
    def lr(self) -> float:
        """Deprecated alias of :attr:`alpha_t` (as in Chainer 6+)."""
        warnings.warn(
            "AdamRule.lr is deprecated; use AdamRule.alpha_t", DeprecationWarning, stacklevel=2
        )
        return self.alpha_t

    @property
    def bounds(self) -> tuple[float, float]:
        """AdaBound's ``(lower, upper)`` bounds of the step at this rule's step ``t``."""
        if self.t == 0:
            raise RuntimeError("AdaBound: the bounds are undefined before the first update")
        hp = self.resolved_hyperparam()
        if self.initial_alpha is None:
            self.initial_alpha = hp.alpha
        final_lr = hp.final_lr * hp.alpha / self.initial_alpha
        lower = final_lr * (1.0 - 1.0 / (hp.gamma * self.t + 1.0))
        upper = final_lr * (1.0 + 1.0 / (hp.gamma * self.t))
        return lower, upper

    def update_core(self, param: Any) -> None:
        hp = self.resolved_hyperparam()
        grad = param.grad
        data = param.array
        eps = hp.eps
        if grad.dtype == _float16:  # float16 would lose v's small values
            grad = grad.astype(numpy.float32)
        check_eps("Adam", eps, grad.dtype)
        xp = array_module(data)
        state = self._state
        m, v = state["m"], state["v"]
        if type(data) is not numpy.ndarray and not hp.adabound:  # a backend may fuse it (CUDA)
            kernel = get_kernel("adam_update", data)
            if kernel is not None:
                vhat = None
                if hp.amsgrad:
                    vhat = state.get("vhat")
                    if vhat is None:
                        vhat = state["vhat"] = xp.zeros_like(v)
                kernel(
                    data,
                    grad,
                    m,
                    v,
                    _alpha_t(hp, self.t),
                    hp.beta1,
                    hp.beta2,
                    eps,
                    hp.eta,
                    hp.weight_decay_rate,
                    vhat,
                )
                return
        tmp = grad - m
        tmp *= 1.0 - hp.beta1
        m += tmp
        xp.multiply(grad, grad, out=tmp)
        tmp -= v
        tmp *= 1.0 - hp.beta2
        v += tmp
        if hp.amsgrad:
            vhat = state.get("vhat")
            if vhat is None:  # amsgrad switched on after the state was made
                vhat = state["vhat"] = xp.zeros_like(v)
            xp.maximum(vhat, v, out=vhat)
        else:
            vhat = v
        xp.sqrt(vhat if vhat.dtype == tmp.dtype else vhat.astype(tmp.dtype), out=tmp)
        tmp += eps
        alpha_t = _alpha_t(hp, self.t)
        eta = hp.eta
        if hp.adabound:
            lower, upper = self.bounds
            xp.divide(alpha_t, tmp, out=tmp)
            xp.clip(tmp, lower, upper, out=tmp)
            tmp *= m
            tmp *= eta
        else:
            xp.divide(m, tmp, out=tmp)
            tmp *= alpha_t * eta
        weight_decay_rate = hp.weight_decay_rate
        if weight_decay_rate != 0:
            data *= 1.0 - eta * weight_decay_rate
        data -= tmp


class Adam(GradientMethod):
    """Adam (Kingma and Ba, 2015), with decoupled weight decay, AMSGrad and AdaBound.

    Chainer's definition: ``eps`` is added to ``sqrt(v)`` *before* the bias correction,
    as ``alpha_t * m / (sqrt(v) + eps)``, whereas ``torch.optim.Adam`` uses
    ``lr / (1 - beta1**t) * m / (sqrt(v / (1 - beta2**t)) + eps)``. They agree when
    PyTorch's ``eps`` at step ``t`` is ``eps / sqrt(1 - beta2**t)``, and differ by a
    relative ``O(eps / sqrt(v))`` otherwise. ``weight_decay_rate`` is decoupled weight
    decay scaled by ``eta`` only (PyTorch's AdamW multiplies it by ``lr``).

    Args:
        alpha: Step size.
        beta1: Decay of the first moment.
        beta2: Decay of the second moment.
        eps: Added to ``sqrt(v)`` for stability.
        eta: Schedule multiplier of the whole step, weight decay included.
        weight_decay_rate: Decoupled weight decay.
        amsgrad: Use AMSGrad's running maximum of ``v``.
        adabound: Clip the step as AdaBound does (AMSBound together with ``amsgrad``).
        final_lr: The SGD learning rate the AdaBound bounds converge to.
        gamma: Convergence speed of the AdaBound bounds.
        link: A target to :meth:`setup` right away.

    Example:
        >>> import numpy as np, kusari
        >>> class Target:
        ...     def __init__(self):
        ...         self.w = kusari.Parameter(np.zeros(2, np.float32))
        ...
        ...     def namedparams(self):
        ...         yield "/w", self.w
        >>> target = Target()
        >>> opt = Adam(alpha=0.1, eps=0.0, link=target)
        >>> target.w.grad = np.array([3.0, -0.5], np.float32)
        >>> opt.update()  # the first step is alpha * sign(grad)
        >>> target.w.array.round(6)
        array([-0.1,  0.1], dtype=float32)
        >>> round(opt.alpha_t, 4)
        0.0316
    """

    alpha = HyperparameterProxy("alpha")
    beta1 = HyperparameterProxy("beta1")
    beta2 = HyperparameterProxy("beta2")
    eps = HyperparameterProxy("eps")
    eta = HyperparameterProxy("eta")
    weight_decay_rate = HyperparameterProxy("weight_decay_rate")
    amsgrad = HyperparameterProxy("amsgrad")
    adabound = HyperparameterProxy("adabound")
    final_lr = HyperparameterProxy("final_lr")
    gamma = HyperparameterProxy("gamma")

    def __init__(
        self,
        alpha: float = _default_hyperparam.alpha,
        beta1: float = _default_hyperparam.beta1,
        beta2: float = _default_hyperparam.beta2,
        eps: float = _default_hyperparam.eps,
        eta: float = _default_hyperparam.eta,
        weight_decay_rate: float = _default_hyperparam.weight_decay_rate,
        amsgrad: bool = _default_hyperparam.amsgrad,
        adabound: bool = _default_hyperparam.adabound,
        final_lr: float = _default_hyperparam.final_lr,
        gamma: float = _default_hyperparam.gamma,
        *,
        link: Any = None,
    ) -> None:
        super().__init__()
        hp = self.hyperparam
        hp.alpha, hp.beta1, hp.beta2, hp.eps, hp.eta = alpha, beta1, beta2, eps, eta
        hp.weight_decay_rate, hp.amsgrad, hp.adabound = weight_decay_rate, amsgrad, adabound
        hp.final_lr, hp.gamma = final_lr, gamma
        if link is not None:
            self.setup(link)

    def create_update_rule(self) -> AdamRule:
        return AdamRule(self.hyperparam)

    @property
    def alpha_t(self) -> float:
        """The bias-corrected step size at the optimizer's step ``t``."""
        return _alpha_t(self.hyperparam, self.t)

    @property
    def lr(self) -> float:
        """Deprecated alias of :attr:`alpha_t` (as in Chainer 6+)."""
        warnings.warn("Adam.lr is deprecated; use Adam.alpha_t", DeprecationWarning, stacklevel=2)
        return self.alpha_t


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, ICLR 2019).

    ``torch.optim.AdamW(lr=alpha, weight_decay=weight_decay_rate / alpha)`` applies the
    same decay (PyTorch scales its decay by ``lr``); see :class:`Adam` for ``eps``.

    Args:
        alpha: Step size.
        beta1: Decay of the first moment.
        beta2: Decay of the second moment.
        eps: Added to ``sqrt(v)`` for stability.
        eta: Schedule multiplier of the whole step, weight decay included.
        weight_decay_rate: Decoupled weight decay.
        link: A target to :meth:`setup` right away.
    """

    def __init__(
        self,
        alpha: float = _default_hyperparam.alpha,
        beta1: float = _default_hyperparam.beta1,
        beta2: float = _default_hyperparam.beta2,
        eps: float = _default_hyperparam.eps,
        eta: float = _default_hyperparam.eta,
        weight_decay_rate: float = _default_hyperparam.weight_decay_rate,
        *,
        link: Any = None,
    ) -> None:
        super().__init__(
            alpha=alpha,
            beta1=beta1,
            beta2=beta2,
            eps=eps,
            eta=eta,
            weight_decay_rate=weight_decay_rate,
            link=link,
        )


class AMSGrad(Adam):
    """AMSGrad (Reddi et al., "On the Convergence of Adam and Beyond", ICLR 2018).

    Args:
        alpha: Step size.
        beta1: Decay of the first moment.
        beta2: Decay of the second moment.
        eps: Added to ``sqrt(vhat)`` for stability.
        eta: Schedule multiplier.
        link: A target to :meth:`setup` right away.
    """

    def __init__(
        self,
        alpha: float = _default_hyperparam.alpha,
        beta1: float = _default_hyperparam.beta1,
        beta2: float = _default_hyperparam.beta2,
        eps: float = _default_hyperparam.eps,
        eta: float = _default_hyperparam.eta,
        *,
        link: Any = None,
    ) -> None:
        super().__init__(
            alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta, amsgrad=True, link=link
        )


class AdaBound(Adam):
    """AdaBound (Luo et al., "Adaptive Gradient Methods with Dynamic Bound of Learning
    Rate", ICLR 2019).

    Args:
        alpha: Step size.
        beta1: Decay of the first moment.
        beta2: Decay of the second moment.
        final_lr: The SGD learning rate the bounds converge to.
        gamma: Convergence speed of the bounds.
        eps: Added to ``sqrt(v)`` for stability.
        eta: Schedule multiplier.
        link: A target to :meth:`setup` right away.
    """

    def __init__(
        self,
        alpha: float = _default_hyperparam.alpha,
        beta1: float = _default_hyperparam.beta1,
        beta2: float = _default_hyperparam.beta2,
        final_lr: float = _default_hyperparam.final_lr,
        gamma: float = _default_hyperparam.gamma,
        eps: float = _default_hyperparam.eps,
        eta: float = _default_hyperparam.eta,
        *,
        link: Any = None,
    ) -> None:
        super().__init__(
            alpha=alpha,
            beta1=beta1,
            beta2=beta2,
            eps=eps,
            eta=eta,
            adabound=True,
            final_lr=final_lr,
            gamma=gamma,
            link=link,
        )


class AMSBound(Adam):
    """AMSBound: AdaBound on AMSGrad's running maximum (Luo et al., ICLR 2019).

    Args:
        alpha: Step size.
        beta1: Decay of the first moment.
        beta2: Decay of the second moment.
        final_lr: The SGD learning rate the bounds converge to.
        gamma: Convergence speed of the bounds.
        eps: Added to ``sqrt(vhat)`` for stability.
        eta: Schedule multiplier.
        link: A target to :meth:`setup` right away.
    """

    def __init__(
        self,
        alpha: float = _default_hyperparam.alpha,
        beta1: float = _default_hyperparam.beta1,
        beta2: float = _default_hyperparam.beta2,
        final_lr: float = _default_hyperparam.final_lr,
        gamma: float = _default_hyperparam.gamma,
        eps: float = _default_hyperparam.eps,
        eta: float = _default_hyperparam.eta,
        *,
        link: Any = None,
    ) -> None:
        super().__init__(
            alpha=alpha,
            beta1=beta1,
            beta2=beta2,
            eps=eps,
            eta=eta,
            amsgrad=True,
            adabound=True,
            final_lr=final_lr,
            gamma=gamma,
            link=link,
        )
