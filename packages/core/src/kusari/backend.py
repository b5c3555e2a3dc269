"""Backends and devices: where arrays live and which array module computes on them.

Example:
    >>> import numpy as np, kusari
    >>> kusari.get_device("@numpy")
    <Device @numpy>
    >>> kusari.backend.get_array_module(np.zeros(3)) is np
    True
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy

from kusari.backends import _registry
from kusari.backends._registry import backend_of

__all__ = [
    "Backend",
    "Device",
    "get_device",
    "get_device_from_array",
    "get_array_module",
    "using_device",
    "copyto",
    "backend_of",
    "get_kernel",
    "is_array",
]


from kusari.backends._base import Backend, Device

_local = threading.local()


def get_device(device_spec: Any) -> Device:
    """Return the :class:`Device` for a specifier.

    Args:
        device_spec: A :class:`Device`; a string ``'@numpy'``, ``'@cupy:0'`` (alias
            ``'@cuda:0'``); an int in Chainer's style (negative → NumPy, ``n`` → ``@cupy:n``);
            or an array module (``numpy``).

    Raises:
        ValueError: The specifier is malformed or names no installed backend.
        RuntimeError: The backend is installed but unavailable (the reason is given).
    """
    if isinstance(device_spec, Device):
        return device_spec
    if isinstance(device_spec, bool):
        raise TypeError(f"kusari.get_device: expected a device specifier, got {device_spec!r}")
    if isinstance(device_spec, (int, numpy.integer)):
        if device_spec < 0:
            return _registry.get_backend("numpy").get_device(None)
        return _device_of_backend("cupy", int(device_spec), device_spec)
    if isinstance(device_spec, ModuleType):
        if device_spec is numpy:
            return _registry.get_backend("numpy").get_device(None)
        return _device_of_backend(device_spec.__name__.split(".")[0], None, device_spec)
    if isinstance(device_spec, str):
        if not device_spec.startswith("@"):
            raise ValueError(
                f"kusari.get_device: a device string starts with '@' ('@numpy', '@cupy:0'); "
                f"got {device_spec!r}"
            )
        name, _, index = device_spec[1:].partition(":")
        if index and not index.isdigit():
            raise ValueError(f"kusari.get_device: bad device index in {device_spec!r}")
        return _device_of_backend(name, int(index) if index else None, device_spec)
    raise TypeError(
        f"kusari.get_device: expected a Device, '@numpy', '@cupy:N', an int or an array module; "
        f"got {type(device_spec).__name__} {device_spec!r}"
    )


def _device_of_backend(name: str, index: int | None, spec: Any) -> Device:
    try:
        backend = _registry.get_backend(name)
    except ValueError as exc:
        raise ValueError(f"kusari.get_device({spec!r}): {exc}") from None
    ok, reason = backend.available()
    if not ok:
        raise RuntimeError(
            f"kusari.get_device({spec!r}): backend {name!r} is unavailable: {reason}"
        )
    return backend.get_device(index)


def get_device_from_array(array: Any) -> Device:
    """The device holding ``array`` (a Variable's array is looked through)."""
    array = getattr(array, "_data", array) if not isinstance(array, numpy.ndarray) else array
    return backend_of(array).device_of(array)


def is_array(obj: Any) -> bool:
    """Whether ``obj`` is an array of any installed backend."""
    return type(obj) is numpy.ndarray or _registry.backend_of_type(type(obj)) is not None


def get_array_module(*args: Any) -> Any:
    """The array module for ``args``: the first non-NumPy backend's module, else ``numpy``.

    Variables are looked through; non-array arguments are ignored (Chainer semantics).
    """
    for a in args:
        t = type(a)
        if t is numpy.ndarray:
            continue
        a = getattr(a, "_data", a)  # Variable
        t = type(a)
        if t is numpy.ndarray:
            continue
        b = _registry._state.by_type.get(t, False)
        if b is False:
            b = _registry.backend_of_type(t)
        if b is not None and b.name != "numpy":
            return b.xp
    return numpy


def get_kernel(name: str, array: Any) -> Any:
    """The backend kernel registered under ``name`` for ``array``'s backend, or None."""
    return backend_of(array).kernels.get(name)


@contextlib.contextmanager
def using_device(device_spec: Any) -> Iterator[Device]:
    """Make a device current inside a ``with`` block (CUDA: ``cupy.cuda.Device(n)``)."""
    device = get_device(device_spec)
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(device)
    try:
        cm = getattr(device, "context", None)
        with cm() if cm is not None else contextlib.nullcontext():
            yield device
    finally:
        stack.pop()


def copyto(dst: Any, src: Any) -> None:
    """Copy ``src`` into ``dst`` in place, across devices if needed."""
    src = get_device_from_array(dst).send(src)
    get_array_module(dst).copyto(dst, src)
