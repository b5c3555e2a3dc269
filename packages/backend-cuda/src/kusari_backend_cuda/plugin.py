"""The entry-point module: hook implementations only, and no CuPy import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kusari.backends.hookspecs import BackendRecord, hookimpl

__all__ = ["kusari_register_backends", "kusari_register_kernels"]


def _make_backend() -> Any:
    from kusari_backend_cuda.backend import CupyBackend

    return CupyBackend()


@hookimpl
def kusari_register_backends() -> list[BackendRecord]:
    return [
        BackendRecord(
            name="cupy",
            factory=_make_backend,
            array_type_names=("cupy.ndarray",),
            priority=10,
            aliases=("cuda",),
        )
    ]


@hookimpl
def kusari_register_kernels(backend_name: str) -> Mapping[str, Callable[..., Any]] | None:
    if backend_name != "cupy":
        return None
    from kusari_backend_cuda.backend import cupy_or_none

    if cupy_or_none() is None:
        return None
    from kusari_backend_cuda import kernels

    return kernels.KERNELS
