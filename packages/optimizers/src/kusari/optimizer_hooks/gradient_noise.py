"""Annealed Gaussian gradient noise as an optimizer hook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from kusari.optimizer_hooks._common import loss_scale, on_device
from kusari.optimizers._arrays import array_module

__all__ = ["GradientNoise", "exponential_decay_noise"]


def exponential_decay_noise(
    xp: Any, shape: tuple[int, ...], dtype: Any, hook: Any, opt: Any
) -> Any:
    """Gaussian noise with variance ``hook.eta / (1 + opt.t) ** 0.55``.

    From Neelakantan et al., "Adding Gradient Noise Improves Learning for Very Deep
    Networks" (2015). ``opt`` is the update rule of the parameter (its ``t`` counts
    the updates so far) and the noise is drawn from ``xp.random``.

    Returns:
        An array of ``shape`` and ``dtype``.
    """
    std = numpy.sqrt(hook.eta / numpy.power(1 + opt.t, 0.55))
    return xp.random.normal(0, std, shape).astype(dtype)


class GradientNoise:
    """Add noise to each gradient before the update.

    Args:
        eta: The scale of the noise variance.
        noise_func: ``noise_func(xp, shape, dtype, hook, update_rule)`` returning the
            noise array; :func:`exponential_decay_noise` by default.

    Attributes:
        name: ``'GradientNoise'``.
        timing: ``'pre'``.
        call_for_each_param: True.

    Example:
        >>> import numpy as np, kusari
        >>> from kusari.optimizers import SGDRule
        >>> p = kusari.Parameter(np.zeros(3, np.float32))
        >>> p.grad = np.zeros(3, np.float32)
        >>> GradientNoise(eta=0.3)(SGDRule(), p)
        >>> bool(np.all(p.grad != 0))
        True
    """

    name = "GradientNoise"
    call_for_each_param = True
    timing = "pre"

    def __init__(
        self, eta: float, noise_func: Callable[..., Any] = exponential_decay_noise
    ) -> None:
        if not callable(noise_func):
            raise TypeError(
                f"GradientNoise: noise_func must be callable, got {type(noise_func).__name__}"
            )
        self.eta = eta
        self.noise_func = noise_func

    def __call__(self, rule: Any, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        with on_device(grad):
            noise = self.noise_func(array_module(grad), grad.shape, grad.dtype, self, rule)
            scale = loss_scale(param)
            if scale != 1.0:
                noise = noise * scale
            grad += noise
