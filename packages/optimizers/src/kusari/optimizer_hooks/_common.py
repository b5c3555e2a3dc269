"""What the hooks share: the optimizer's parameters and device scopes (private)."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy

from kusari.backend import get_device_from_array, using_device

__all__ = ["named_params", "on_device", "loss_scale"]


def named_params(optimizer: Any) -> list[tuple[str, Any]]:
    """``(path, param)`` pairs of an optimizer's target (cached by kusari optimizers)."""
    getter = getattr(optimizer, "_named_params", None)
    if callable(getter):
        return getter()
    return [(str(name).lstrip("/"), p) for name, p in optimizer.target.namedparams()]


def on_device(array: Any) -> Any:
    """A context making ``array``'s device current (nothing to do for NumPy)."""
    if type(array) is numpy.ndarray:
        return contextlib.nullcontext()
    return using_device(get_device_from_array(array))


def loss_scale(param: Any) -> float:
    """The factor the gradient still carries from ``backward(loss_scale=...)``, else 1.

    Optimizer-level hooks run before the update rule divides the gradient by it, so
    values they add to the gradient are scaled by it too.
    """
    scale = getattr(param, "_loss_scale", None)
    return 1.0 if scale is None else scale
