"""Clipping of the global gradient norm as an optimizer hook."""

from __future__ import annotations

import math
from typing import Any

import numpy

from kusari.optimizer_hooks._common import loss_scale, named_params, on_device
from kusari.optimizers._arrays import array_module

__all__ = ["GradientClipping"]


def _squared_norm(grad: Any) -> float:
    if grad.dtype == numpy.float16:  # float16 squares overflow above 256
        grad = grad.astype(numpy.float32)
    flat = grad.ravel()
    with on_device(grad):
        return float(array_module(grad).vdot(flat, flat))


class GradientClipping:
    """Rescale all gradients together so that their joint L2 norm is at most ``threshold``.

    The norm is taken over every parameter's gradient at once; when it exceeds the
    threshold, each gradient is multiplied by ``threshold / norm``.

    Args:
        threshold: The largest L2 norm the gradients keep.

    Attributes:
        name: ``'GradientClipping'``.
        timing: ``'pre'``.

    Example:
        >>> import numpy as np, kusari
        >>> from kusari import optimizers
        >>> class Target:
        ...     def __init__(self):
        ...         self.w = kusari.Parameter(np.zeros(2, np.float32))
        ...
        ...     def namedparams(self):
        ...         yield "/w", self.w
        >>> target = Target()
        >>> opt = optimizers.SGD(lr=1.0).setup(target)
        >>> opt.add_hook(GradientClipping(1.0))
        >>> target.w.grad = np.array([3.0, 4.0], np.float32)
        >>> opt.update()
        >>> target.w.array
        array([-0.6, -0.8], dtype=float32)
    """

    name = "GradientClipping"
    timing = "pre"

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def __call__(self, optimizer: Any) -> None:
        grads = []
        sqnorm = 0.0
        for _, param in named_params(optimizer):
            grad = param.grad
            if grad is None:
                continue
            scale = loss_scale(param)
            sqnorm += _squared_norm(grad) / (scale * scale)
            grads.append(grad)
        norm = math.sqrt(sqnorm)
        if norm <= self.threshold:
            return
        rate = self.threshold / norm
        for grad in grads:
            with on_device(grad):
                grad *= rate
