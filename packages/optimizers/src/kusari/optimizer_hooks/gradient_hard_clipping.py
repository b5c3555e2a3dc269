"""Element-wise gradient clipping as an optimizer hook."""

from __future__ import annotations

from typing import Any

from kusari.optimizer_hooks._common import loss_scale, on_device
from kusari.optimizers._arrays import array_module

__all__ = ["GradientHardClipping"]


class GradientHardClipping:
    """Clip every gradient element into ``[lower_bound, upper_bound]``, before the update.

    Args:
        lower_bound: The smallest value a gradient element keeps.
        upper_bound: The largest value a gradient element keeps.

    Attributes:
        name: ``'GradientHardClipping'``.
        timing: ``'pre'``.
        call_for_each_param: True.

    Example:
        >>> import numpy as np, kusari
        >>> p = kusari.Parameter(np.zeros(3, np.float32))
        >>> p.grad = np.array([-5.0, 0.5, 5.0], np.float32)
        >>> GradientHardClipping(-1.0, 1.0)(None, p)
        >>> p.grad
        array([-1. ,  0.5,  1. ], dtype=float32)
    """

    name = "GradientHardClipping"
    call_for_each_param = True
    timing = "pre"

    def __init__(self, lower_bound: float, upper_bound: float) -> None:
        if lower_bound > upper_bound:
            raise ValueError(
                f"GradientHardClipping: expected lower_bound <= upper_bound, got "
                f"lower_bound={lower_bound} and upper_bound={upper_bound}"
            )
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def __call__(self, rule: Any, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        scale = loss_scale(param)  # the bounds apply to the unscaled gradient
        with on_device(grad):
            array_module(grad).clip(
                grad, self.lower_bound * scale, self.upper_bound * scale, out=grad
            )
