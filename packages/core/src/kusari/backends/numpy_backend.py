"""The NumPy backend: a plugin module like any other, registered directly by core.

It is also declared under the ``kusari.backends`` entry point so listings show it.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backends._base import Backend, Device
from kusari.backends.hookspecs import BackendRecord, hookimpl

__all__ = ["NumpyBackend", "CpuDevice"]


class CpuDevice(Device):
    """The host (NumPy) device, ``'@numpy'``."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return "@numpy"

    def send_array(self, array: Any) -> Any:
        if type(array) is numpy.ndarray:
            return array
        if isinstance(array, (numpy.ndarray, numpy.generic)):
            return numpy.asarray(array)
        from kusari.backends._registry import backend_of_type

        owner = backend_of_type(type(array))
        if owner is not None and owner is not self.backend:
            return owner.to_host(array)
        return numpy.asarray(array)


class NumpyBackend(Backend):
    """Arrays in host memory, computed by NumPy."""

    name = "numpy"
    xp = numpy
    array_types = (numpy.ndarray,)

    def __init__(self) -> None:
        self._device = CpuDevice(self, None)

    def get_device(self, index: int | None = None) -> Device:
        if index not in (None, 0, -1):
            raise ValueError(f"the numpy backend has one device; got index {index!r}")
        return self._device

    def device_of(self, array: Any) -> Device:
        return self._device

    def to_host(self, array: Any) -> numpy.ndarray:
        return numpy.asarray(array)


@hookimpl
def kusari_register_backends() -> list[BackendRecord]:
    return [
        BackendRecord(
            name="numpy",
            factory=NumpyBackend,
            array_type_names=("numpy.ndarray",),
            aliases=("cpu", "native"),
        )
    ]


@hookimpl
def kusari_claim_array_type(array_type: type) -> str | None:
    if issubclass(array_type, (numpy.ndarray, numpy.generic)):
        return "numpy"
    return None
