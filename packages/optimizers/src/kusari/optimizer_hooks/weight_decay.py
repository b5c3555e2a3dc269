"""L2 regularization as an optimizer hook."""

from __future__ import annotations

from typing import Any

from kusari.optimizer_hooks._common import loss_scale, on_device

__all__ = ["WeightDecay"]


class WeightDecay:
    """Add ``rate * param`` to each gradient (L2 regularization), before the update.

    Args:
        rate: The coefficient of the weight decay.

    Attributes:
        rate: The coefficient (may be changed between updates).
        name: ``'WeightDecay'``, the default registration name.
        timing: ``'pre'``: it runs before the update.
        call_for_each_param: True: it is called as ``hook(update_rule, param)``.

    Example:
        >>> import numpy as np, kusari
        >>> p = kusari.Parameter(np.array([1.0, -2.0], np.float32))
        >>> p.grad = np.zeros(2, np.float32)
        >>> WeightDecay(0.1)(None, p)
        >>> p.grad
        array([ 0.1, -0.2], dtype=float32)
    """

    name = "WeightDecay"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, rule: Any, param: Any) -> None:
        data, grad = param.array, param.grad
        if data is None or grad is None:
            return
        with on_device(data):
            grad += (self.rate * loss_scale(param)) * data
