"""Base classes of backends and devices (re-exported by :mod:`kusari.backend`)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy

__all__ = ["Backend", "Device"]


class Backend:
    """Base class of backend objects returned by a :class:`BackendRecord`'s factory.

    Subclasses set ``name``, ``xp`` (the array module) and ``array_types`` and implement
    :meth:`get_device`, :meth:`device_of` and :meth:`to_host`.
    """

    name: str = "?"
    xp: ModuleType | Any = None
    array_types: tuple[type, ...] = ()
    kernels: dict[str, Any]

    def available(self) -> tuple[bool, str]:
        """``(True, '')`` when usable, else ``(False, reason)``."""
        return True, ""

    def get_device(self, index: int | None = None) -> Device:
        raise NotImplementedError

    def device_of(self, array: Any) -> Device:
        raise NotImplementedError

    def to_host(self, array: Any) -> numpy.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<kusari backend {self.name}>"


class Device:
    """A place arrays live: ``'@numpy'``, ``'@cupy:0'``, …

    Attributes:
        backend: The :class:`Backend` owning the device.
        index: The device number, or None for single-device backends.
    """

    __slots__ = ("backend", "index")

    def __init__(self, backend: Backend, index: int | None) -> None:
        self.backend = backend
        self.index = index

    @property
    def xp(self) -> Any:
        """The array module computing on this device."""
        return self.backend.xp

    @property
    def name(self) -> str:
        return f"@{self.backend.name}" + ("" if self.index is None else f":{self.index}")

    def send_array(self, array: Any) -> Any:
        """Return ``array`` on this device (a no-op when it is already here)."""
        raise NotImplementedError

    def send(self, arrays: Any) -> Any:
        """Transfer an array, or nested tuples/lists/dicts of them, to this device."""
        if arrays is None:
            return None
        if isinstance(arrays, (tuple, list)):
            return type(arrays)(self.send(a) for a in arrays)
        if isinstance(arrays, dict):
            return {k: self.send(v) for k, v in arrays.items()}
        return self.send_array(arrays)

    def use(self) -> None:
        """Make this the current device of its backend (no-op for single-device backends)."""

    def is_array_supported(self, array: Any) -> bool:
        return isinstance(array, self.backend.array_types) and self.backend.device_of(array) == self

    def __copy__(self) -> Device:
        return self  # devices are singletons per backend and index

    def __deepcopy__(self, memo: dict) -> Device:
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Device) and self.name == other.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"<Device {self.name}>"

    def __str__(self) -> str:
        return self.name
