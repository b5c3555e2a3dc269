"""``dropout``: zero random elements while training and rescale the rest.

Randomness: on NumPy the mask is drawn from NumPy's *global* legacy RNG
(``numpy.random.random_sample``), so ``numpy.random.seed(n)`` makes runs reproducible and
``numpy.random.get_state()`` / ``set_state()`` save and restore it (the trainer's
snapshots rely on this). Other backends draw from their own global RNG
(``xp.random``, e.g. ``cupy.random``).

Backend kernel (optional, looked up with ``kusari.backend.get_kernel``):

* ``'dropout'``: ``kernel(x, ratio) -> (y, mask)`` where ``mask`` has ``x``'s shape and
  dtype and holds ``0`` or ``1 / (1 - ratio)``, and ``y = x * mask``. Only used when no
  ``mask=`` is given.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy

from kusari.backend import get_array_module, get_kernel
from kusari.configuration import config
from kusari.function_node import FunctionNode
from kusari.functions._checks import array_of, require_float
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["Dropout", "dropout"]

_UNSET = object()


def _draw_mask(x: Any, ratio: float) -> Any:
    xp = get_array_module(x)
    if xp is numpy:
        keep = numpy.random.random_sample(x.shape) >= ratio
    else:
        keep = xp.random.random_sample(x.shape) >= ratio
    return xp.multiply(keep, 1.0 / (1.0 - ratio), dtype=x.dtype)


class Dropout(FunctionNode):
    """``x * mask`` with a mask of zeros and ``1 / (1 - ratio)``."""

    def __init__(self, ratio: float, mask: Any = None) -> None:
        self.ratio = ratio
        self.mask = mask

    def forward(self, inputs):
        (x,) = inputs
        if self.mask is None:
            kernel = get_kernel("dropout", x)
            if kernel is not None:
                y, self.mask = kernel(x, self.ratio)
                return (y,)
            self.mask = _draw_mask(x, self.ratio)
        return (x * self.mask,)

    def backward(self, indexes, grad_outputs):
        return MaskMul(self.mask).apply(grad_outputs)


def dropout(x: Any, ratio: float = 0.5, **kwargs: Any) -> Any:
    """Randomly zero elements with probability ``ratio`` and scale the rest by ``1/(1-ratio)``.

    Acts only while ``kusari.config.train`` is True; otherwise returns ``x`` unchanged.

    Args:
        x: Input Variable or array of a floating dtype.
        ratio: Probability of dropping each element, in ``[0, 1)``.
        **kwargs: ``mask`` — a precomputed mask (``x``'s shape and dtype, values 0 or
            ``1/(1-ratio)``), used instead of drawing one; ``return_mask`` — also return
            the mask (None when not training); ``train`` — deprecated Chainer v1 spelling
            that overrides ``config.train`` for this call (warns DeprecationWarning).

    Returns:
        Variable, or ``(Variable, mask)`` with ``return_mask=True``.

    Example:
        >>> import numpy as np, kusari, kusari.functions as F
        >>> x = np.ones((2, 3), np.float32)
        >>> with kusari.using_config("train", False):
        ...     F.dropout(x).array
        array([[1., 1., 1.],
               [1., 1., 1.]], dtype=float32)
        >>> y, mask = F.dropout(x, 0.5, mask=np.full((2, 3), 2, np.float32), return_mask=True)
        >>> y.array
        array([[2., 2., 2.],
               [2., 2., 2.]], dtype=float32)
    """
    train = kwargs.pop("train", _UNSET)
    mask = kwargs.pop("mask", None)
    return_mask = kwargs.pop("return_mask", False)
    if kwargs:
        raise TypeError(
            f"dropout: unexpected keyword arguments {sorted(kwargs)}; "
            f"expected mask, return_mask (or the deprecated train)"
        )
    if train is _UNSET:
        active = config.train
    else:
        warnings.warn(
            "dropout: the train argument is deprecated (Chainer v1); it overrides "
            "kusari.config.train for this call. Use `with kusari.using_config('train', ...)` "
            "instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        active = bool(train)
    if (
        isinstance(ratio, bool)
        or not isinstance(ratio, (int, float, numpy.floating))
        or not 0.0 <= ratio < 1.0
    ):
        raise ValueError(f"dropout: expected ratio in [0, 1), got {ratio!r}")
    if not active:
        out = x if isinstance(x, Variable) else Variable(x, requires_grad=False)
        return (out, None) if return_mask else out
    require_float("dropout", x)
    if mask is not None:
        mask = array_of(mask)
        if tuple(mask.shape) != tuple(x.shape) or mask.dtype != x.dtype:
            raise ValueError(
                f"dropout: expected mask of shape {tuple(x.shape)} and dtype "
                f"{x.dtype}, got shape {tuple(mask.shape)} and dtype {mask.dtype}"
            )
    node = Dropout(float(ratio), mask)
    y = node.apply((x,))[0]
    return (y, node.mask) if return_mask else y
