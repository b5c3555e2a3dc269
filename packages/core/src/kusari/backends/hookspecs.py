"""The hooks a kusari backend plugin implements.

A backend plugin is a module (or object) named by an entry point in the group
``kusari.backends``; kusari registers it with a :class:`pluggy.PluginManager` the first
time it needs a backend other than NumPy. Hooks run at registration only, never per
operation: their results are cached in plain dicts.

Registration phase
    :func:`kusari_register_backends` (collecting) — describe the backends the plugin
    provides, cheaply, without importing the heavy array library.

Kernel phase
    :func:`kusari_register_kernels` (collecting) — contribute fast kernels that replace
    the generic implementation of named functions for one backend.

Fallback phase
    :func:`kusari_claim_array_type` (first-result) — name the backend for an array type
    nobody declared; asked once per unknown type, the answer is cached.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from kusari.backend import Backend

__all__ = [
    "PROJECT_NAME",
    "ENTRY_POINT_GROUP",
    "hookspec",
    "hookimpl",
    "BackendRecord",
    "kusari_register_backends",
    "kusari_register_kernels",
    "kusari_claim_array_type",
]

PROJECT_NAME = "kusari"
ENTRY_POINT_GROUP = "kusari.backends"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@dataclasses.dataclass(frozen=True)
class BackendRecord:
    """A cheap description of one backend, returned by :func:`kusari_register_backends`.

    Attributes:
        name: The backend's name, used in device specifiers (``'@numpy'``, ``'@cupy:0'``).
        factory: A callable returning the :class:`kusari.backend.Backend` object. It may
            import the heavy array library; kusari calls it only when the backend is needed.
        array_type_names: Fully qualified names of the array types the backend owns
            (``'numpy.ndarray'``); matched against ``type(a).__module__`` + name, and
            also by top-level module, so ``'cupy.ndarray'`` claims ``cupy._core.core.ndarray``.
        priority: Higher wins when two backends claim the same name or type.
        aliases: Other names for device specifiers (``'cuda'`` for ``'cupy'``).
    """

    name: str
    factory: Callable[[], Backend]
    array_type_names: tuple[str, ...] = ()
    priority: int = 0
    aliases: tuple[str, ...] = ()


@hookspec
def kusari_register_backends() -> list[BackendRecord]:
    """Return the backends this plugin provides (collecting hook; results are concatenated).

    Called once, when the registry first loads the plugin. Must not import the array
    library: put that inside ``BackendRecord.factory``.
    """
    raise NotImplementedError


@hookspec
def kusari_register_kernels(backend_name: str) -> Mapping[str, Callable[..., Any]] | None:
    """Return ``{function_name: kernel}`` overrides for ``backend_name`` (collecting hook).

    Called once per backend, the first time a function asks for its kernels. A kernel
    receives the same arguments as the generic implementation documents for that name
    and returns the same results. Return None for backends the plugin doesn't serve.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def kusari_claim_array_type(array_type: type) -> str | None:
    """Return the backend name for ``array_type`` if this plugin owns it (first-result hook).

    A slow fallback for array types no :class:`BackendRecord` names (subclasses,
    wrappers). Asked at most once per type; the answer is cached.
    """
    raise NotImplementedError
