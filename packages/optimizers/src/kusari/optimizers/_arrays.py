"""Small array helpers shared by the update rules and the optimizer (private)."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module, get_device_from_array

__all__ = ["array_module", "device_key", "check_grad", "describe"]

_ndarray = numpy.ndarray


def array_module(array: Any) -> Any:
    """The array module computing on ``array`` (NumPy without a registry lookup)."""
    return numpy if type(array) is _ndarray else get_array_module(array)


def device_key(array: Any) -> Any:
    """A cheap value that changes when ``array`` lives on another device.

    For NumPy arrays it is the type itself, so the hot path compares one pointer.
    """
    t = type(array)
    if t is _ndarray:
        return t
    return (t, get_device_from_array(array).name)


def describe(array: Any) -> str:
    """``shape (3, 2), dtype float32, device @numpy`` for error messages."""
    try:
        device = get_device_from_array(array).name
    except Exception:  # an object no backend claims: say what it is instead
        device = f"{type(array).__module__}.{type(array).__qualname__}"
    return f"shape {tuple(array.shape)}, dtype {array.dtype}, device {device}"


def check_grad(where: str, name: str, data: Any, grad: Any) -> None:
    """Raise a clear error when ``grad`` cannot update ``data``.

    Args:
        where: The caller, e.g. ``'SGD.update'``.
        name: The parameter's path or name.
        data: The parameter's array.
        grad: Its gradient.

    Raises:
        TypeError: The gradient has another dtype or lives on another device.
        ValueError: The gradient has another shape, or the parameter has no array.
    """
    if data is None:
        raise ValueError(
            f"{where}: parameter {name!r} has a gradient but no array (it is not initialized)"
        )
    if type(grad) is not type(data) or (
        type(data) is not _ndarray and device_key(grad) != device_key(data)
    ):
        raise TypeError(
            f"{where}: the gradient of parameter {name!r} lives on another device than the "
            f"parameter; expected {describe(data)}, got {describe(grad)}\n"
            "help: move the gradient with kusari.get_device(...).send(grad) or call "
            "target.to_device(...) before computing gradients"
        )
    if grad.dtype != data.dtype:
        raise TypeError(
            f"{where}: the gradient of parameter {name!r} has dtype {grad.dtype}, "
            f"expected {data.dtype} (the parameter's dtype)"
        )
    if grad.shape != data.shape:
        raise ValueError(
            f"{where}: the gradient of parameter {name!r} has shape {tuple(grad.shape)}, "
            f"expected {tuple(data.shape)} (the parameter's shape)"
        )
