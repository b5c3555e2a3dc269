"""L1 regularization as an optimizer hook."""

from __future__ import annotations

from typing import Any

from kusari.optimizer_hooks._common import loss_scale, on_device
from kusari.optimizers._arrays import array_module

__all__ = ["Lasso"]


class Lasso:
    """Add ``rate * sign(param)`` to each gradient (L1 regularization), before the update.

    Args:
        rate: The coefficient of the L1 penalty.

    Attributes:
        rate: The coefficient.
        name: ``'Lasso'``, the default registration name.
        timing: ``'pre'``.
        call_for_each_param: True.

    Example:
        >>> import numpy as np, kusari
        >>> p = kusari.Parameter(np.array([3.0, -2.0, 0.0], np.float32))
        >>> p.grad = np.zeros(3, np.float32)
        >>> Lasso(0.5)(None, p)
        >>> p.grad
        array([ 0.5, -0.5,  0. ], dtype=float32)
    """

    name = "Lasso"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, rule: Any, param: Any) -> None:
        data, grad = param.array, param.grad
        if data is None or grad is None:
            return
        with on_device(data):
            sign = array_module(data).sign(data)
            sign *= self.rate * loss_scale(param)
            grad += sign
