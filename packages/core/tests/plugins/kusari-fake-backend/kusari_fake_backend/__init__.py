"""A test-only third-party backend, registered through the ``kusari.backends`` entry point.

Its arrays are :class:`FakeArray`, a NumPy subclass, so NumPy computes on them while
kusari must still treat them as a separate backend (``'@fake'``): dispatch, device
transfer and mixed-backend errors are exercised exactly as for a real plugin.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backends.hookspecs import BackendRecord, hookimpl

LOADED = []  # factory calls, so tests can check laziness


class FakeArray(numpy.ndarray):
    """A host array that belongs to the fake backend."""


def _make() -> Any:
    from kusari.backend import Backend, Device

    class FakeDevice(Device):
        __slots__ = ()

        def send_array(self, array: Any) -> Any:
            if type(array) is FakeArray:
                return array
            from kusari.backend import get_device

            host = get_device("@numpy").send(array)
            return numpy.asarray(host).view(FakeArray)

    class FakeBackend(Backend):
        name = "fake"
        xp = numpy
        array_types = (FakeArray,)

        def __init__(self) -> None:
            self._device = FakeDevice(self, None)

        def get_device(self, index: int | None = None) -> Device:
            return self._device

        def device_of(self, array: Any) -> Device:
            return self._device

        def to_host(self, array: Any) -> numpy.ndarray:
            return numpy.asarray(array).view(numpy.ndarray)

    LOADED.append(True)
    return FakeBackend()


@hookimpl
def kusari_register_backends() -> list[BackendRecord]:
    return [
        BackendRecord(
            name="fake", factory=_make, array_type_names=("kusari_fake_backend.FakeArray",)
        )
    ]


@hookimpl
def kusari_register_kernels(backend_name: str) -> dict[str, Any] | None:
    if backend_name != "fake":
        return None
    return {"fake_kernel": lambda x: x}
