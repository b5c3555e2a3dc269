"""The CuPy backend object and its devices.

The backend always constructs: without CuPy, without a driver or without a device it is
*unavailable* and says which of these it is, so ``kusari.get_device('@cupy:0')`` can
explain the problem instead of failing on an import.
"""

from __future__ import annotations

import contextlib
import functools
from types import ModuleType
from typing import Any

import numpy

from kusari.backend import Backend, Device

__all__ = ["CupyBackend", "CupyDevice", "cupy_or_none", "unavailable_reason"]

_INSTALL = "pip install 'kusari-backend-cuda[cuda12]' (or [cuda13])"


@functools.cache
def cupy_or_none() -> ModuleType | None:
    """The ``cupy`` module, or None when it cannot be imported."""
    try:
        import cupy
    except Exception:  # ImportError, or a broken CUDA library load
        return None
    return cupy


@functools.cache
def unavailable_reason() -> str:
    """Why CUDA cannot be used here ('' when it can): no CuPy, no driver, or no device."""
    try:
        import cupy
    except ImportError as exc:
        return f"cupy is not installed ({exc}): {_INSTALL}"
    except Exception as exc:
        return f"cupy failed to import: {type(exc).__name__}: {exc}"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # cupy.cuda.runtime.CUDARuntimeError and friends
        msg = str(exc)
        if "insufficient" in msg.lower() or "driver" in msg.lower():
            return f"no usable NVIDIA driver: {msg}"
        return f"the CUDA runtime reports no usable device: {msg}"
    if count == 0:
        return "no CUDA device is present"
    return ""


class CupyDevice(Device):
    """A CUDA device, ``'@cupy:N'``."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return f"@cupy:{self.index}"

    @property
    def cupy_device(self) -> Any:
        return self.backend.xp.cuda.Device(self.index)

    def send_array(self, array: Any) -> Any:
        cupy = self.backend.xp
        if isinstance(array, cupy.ndarray):
            if array.device.id == self.index:
                return array
            with self.cupy_device:
                return cupy.array(array, copy=True)  # peer copy
        if not isinstance(array, numpy.ndarray):
            from kusari.backend import get_device

            array = get_device("@numpy").send(array)
        with self.cupy_device:
            return cupy.asarray(array)

    def use(self) -> None:
        self.cupy_device.use()

    def context(self) -> Any:
        """A context manager making this the current CUDA device."""
        return self.cupy_device

    def synchronize(self) -> None:
        self.cupy_device.synchronize()


class CupyBackend(Backend):
    """Arrays on NVIDIA GPUs, computed by CuPy (and this plugin's kernels)."""

    name = "cupy"

    def __init__(self) -> None:
        cupy = cupy_or_none()
        self.xp = cupy
        self.array_types = (cupy.ndarray,) if cupy is not None else ()
        self._devices: dict[int, CupyDevice] = {}
        from kusari_backend_cuda import facade

        self.facade = facade

    def available(self) -> tuple[bool, str]:
        reason = unavailable_reason()
        return reason == "", reason

    def get_device(self, index: int | None = None) -> Device:
        ok, reason = self.available()
        if not ok:
            raise RuntimeError(f"the CUDA backend is unavailable: {reason}")
        cupy = self.xp
        if index is None:
            index = cupy.cuda.runtime.getDevice()
        count = cupy.cuda.runtime.getDeviceCount()
        if not 0 <= index < count:
            raise ValueError(f"no CUDA device {index}: this machine has {count} (0..{count - 1})")
        dev = self._devices.get(index)
        if dev is None:
            dev = self._devices[index] = CupyDevice(self, index)
        return dev

    def device_of(self, array: Any) -> Device:
        return self.get_device(array.device.id)

    def to_host(self, array: Any) -> numpy.ndarray:
        with contextlib.suppress(AttributeError):
            return array.get()
        return numpy.asarray(array)
