"""Layer-wise adaptive rate scaling (LARS) as an optimizer hook."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.optimizer_hooks._common import loss_scale, on_device
from kusari.optimizers._arrays import array_module
from kusari.optimizers._norm import l2_norm

__all__ = ["GradientLARS"]


class GradientLARS:
    """Rescale each gradient by its layer's trust ratio (You et al., 2017), before the update.

    For a parameter ``w`` with gradient ``g``::

        local_rate = |w| / (eps + |g| + weight_decay * |w|)
        g = (g + weight_decay * w) * (local_rate if |w| > threshold else 1)

    where ``|.|`` is the L2 norm of the whole array. Combine it with SGD or MomentumSGD,
    whose ``lr`` then plays the trust coefficient's role; see also
    :class:`kusari.optimizers.LARS`.

    Args:
        threshold: Parameters whose norm is at most this are not rescaled.
        weight_decay: L2 weight decay added to the gradient.
        eps: Added to the denominator of the trust ratio.

    Attributes:
        name: ``'GradientLARS'``.
        timing: ``'pre'``.
        call_for_each_param: True.

    Example:
        >>> import numpy as np, kusari
        >>> p = kusari.Parameter(np.array([3.0, 4.0], np.float32))
        >>> p.grad = np.array([0.0, 0.5], np.float32)
        >>> GradientLARS(eps=0.0)(None, p)
        >>> p.grad
        array([0., 5.], dtype=float32)
    """

    name = "GradientLARS"
    call_for_each_param = True
    timing = "pre"

    def __init__(
        self, threshold: float = 1e-2, weight_decay: float = 0.0, eps: float = 1e-9
    ) -> None:
        self.threshold = threshold
        self.weight_decay = weight_decay
        self.eps = eps

    def __call__(self, rule: Any, param: Any) -> None:
        data, grad = param.array, param.grad
        if data is None or grad is None:
            return
        xp = array_module(data)
        scale = loss_scale(param)
        with on_device(data):
            p_norm = l2_norm(xp, data)
            g_norm = l2_norm(xp, grad) / scale
            with numpy.errstate(divide="ignore", invalid="ignore"):  # eps=0, zero norms
                local_rate = p_norm / (self.eps + g_norm + self.weight_decay * p_norm)
            rate = xp.where(p_norm > self.threshold, local_rate, 1.0)
            if self.weight_decay != 0:
                grad += (self.weight_decay * scale) * data
            grad *= rate
