"""``kusari.backends.cuda``: Chainer's ``cuda`` module, a thin facade over the CUDA plugin.

CUDA support lives in the separate distribution ``kusari-backend-cuda``, found through
the ``kusari.backends`` entry point. Without it, the functions that need a GPU raise an
error that says what to install; :func:`to_cpu` and :func:`get_array_module` still work
on NumPy arrays.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari import backend as _backend

__all__ = [
    "to_cpu",
    "to_gpu",
    "get_array_module",
    "get_device_from_id",
    "get_device_from_array",
    "check_cuda_available",
    "is_available",
    "DummyDevice",
]

_INSTALL_HINT = "pip install 'kusari-backend-cuda[cuda12]' (or [cuda13] for CUDA 13)"


def _cuda_backend() -> Any:
    """The loaded CUDA backend, or raise a RuntimeError/ImportError explaining why not."""
    from kusari.backends import _registry

    try:
        b = _registry.get_backend("cupy")
    except ValueError:
        raise ImportError(
            f"CUDA support is provided by kusari-backend-cuda, which is not installed: "
            f"{_INSTALL_HINT}"
        ) from None
    return b


def is_available() -> bool:
    """Whether a usable CUDA backend (plugin, CuPy, driver and a device) is present."""
    try:
        ok, _ = _cuda_backend().available()
    except ImportError:
        return False
    return ok


def check_cuda_available() -> None:
    """Raise a RuntimeError naming the reason when CUDA cannot be used."""
    ok, reason = _cuda_backend().available()
    if not ok:
        raise RuntimeError(f"CUDA is unavailable: {reason}")


def _device_spec(device: Any) -> Any:
    """Turn Chainer's ``to_gpu(device)`` argument into a device specifier."""
    _cuda_backend()
    if device is None:
        return "@cupy"
    if isinstance(device, _backend.Device):
        return device
    if isinstance(device, (int, numpy.integer)):
        if device < 0:
            raise ValueError(f"to_gpu: expected a GPU id >= 0, got {device}")
        return f"@cupy:{int(device)}"
    dev_id = getattr(device, "id", None)  # cupy.cuda.Device
    if isinstance(dev_id, int):
        return f"@cupy:{dev_id}"
    return device


def to_gpu(array: Any, device: Any = None, stream: Any = None) -> Any:
    """Copy an array (or nested lists/tuples of arrays) to a GPU.

    Raises:
        ImportError: kusari-backend-cuda is not installed (the message says how to install).
        RuntimeError: It is installed but CUDA is unusable here (the reason is given).
    """
    dev = _backend.get_device(_device_spec(device))
    return dev.send(array)


def to_cpu(array: Any, stream: Any = None) -> Any:
    """Copy an array (or nested lists/tuples of arrays, or a Variable's array) to the host."""
    from kusari.variable import Variable

    if isinstance(array, Variable):
        array = array.array
    if array is None or type(array) is numpy.ndarray:
        return array
    if isinstance(array, (list, tuple)):
        return type(array)(to_cpu(a) for a in array)
    if isinstance(array, (int, float, numpy.generic)):
        return numpy.asarray(array)
    return _backend.get_device("@numpy").send(array)


def get_array_module(*args: Any) -> Any:
    """``cupy`` if any argument is a CuPy array (or a Variable holding one), else ``numpy``."""
    return _backend.get_array_module(*args)


def get_device_from_id(device_id: int | None) -> Any:
    """The CUDA device with this id (a no-op device for None)."""
    if device_id is None:
        return DummyDevice
    return _backend.get_device(f"@cupy:{int(device_id)}")


def get_device_from_array(*arrays: Any) -> Any:
    """The device of the first GPU array among ``arrays``, else :data:`DummyDevice`."""
    for a in arrays:
        a = getattr(a, "_data", a)
        if a is not None and type(a) is not numpy.ndarray and not isinstance(a, numpy.generic):
            return _backend.get_device_from_array(a)
    return DummyDevice


class _DummyDevice:
    """Chainer's placeholder device for CPU code paths: a context manager doing nothing."""

    id = -1

    def __enter__(self) -> _DummyDevice:
        return self

    def __exit__(self, *args: Any) -> None:
        return None

    def use(self) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _DummyDevice)

    def __hash__(self) -> int:
        return 0


DummyDevice = _DummyDevice()


def __getattr__(name: str) -> Any:
    # Everything else (cupy, memory_pool, elementwise, reduce, raw, Stream, …) comes from
    # the plugin's facade, when it is installed.
    if name.startswith("__"):
        raise AttributeError(name)
    if name == "available":
        return is_available()
    if name == "cudnn_enabled":
        return False
    try:
        backend = _cuda_backend()
    except ImportError as exc:
        raise AttributeError(f"kusari.backends.cuda.{name}: {exc}") from None
    facade = getattr(backend, "facade", None)
    if facade is not None and hasattr(facade, name):
        return getattr(facade, name)
    raise AttributeError(f"module 'kusari.backends.cuda' has no attribute {name!r}")
