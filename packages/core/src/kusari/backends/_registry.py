"""The backend registry: pluggy plugin loading and the ``array type → backend`` map.

Nothing here runs per operation except :func:`backend_of`'s dict lookup. Plugins are
discovered once, on first need (an unknown array type, an unknown device name, a
listing); ``import kusari`` discovers nothing.
"""

from __future__ import annotations

import dataclasses
import os
import traceback
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy
import pluggy

from kusari.backends import hookspecs

if TYPE_CHECKING:
    from kusari.backend import Backend

__all__ = [
    "PluginError",
    "backend_of",
    "backend_of_type",
    "get_backend",
    "list_backends",
    "plugin_errors",
    "register_plugin",
    "discover",
    "reset",
    "kernels_for",
]

ENV_VAR = "KUSARI_BACKENDS"
"""Comma-separated entry-point names to load (``numpy`` is always there); ``none`` or
an empty value loads no third-party plugin."""

_NOT_ARRAY_TYPES = frozenset({type(None), bool, int, float, complex, str, bytes, list, tuple, dict})


@dataclasses.dataclass(frozen=True)
class PluginError:
    """A plugin that failed to load or register, kept for reporting."""

    entry_point: str
    value: str
    distribution: str
    version: str
    error: BaseException
    traceback: str

    def __str__(self) -> str:
        return (
            f"backend plugin {self.entry_point!r} ({self.value}) from "
            f"{self.distribution} {self.version} failed: {type(self.error).__name__}: {self.error}"
        )


class _State:
    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, hookspecs.BackendRecord] = {}
        self.backends: dict[str, Backend] = {}
        self.by_type: dict[type, Backend | None] = {}
        self.errors: list[PluginError] = []
        self.discovered = False


_state = _State()


def _add_records(records: Iterable[hookspecs.BackendRecord]) -> None:
    for rec in records:
        for key in (rec.name, *rec.aliases):
            old = _state.records.get(key)
            if old is None or rec.priority > old.priority:
                _state.records[key] = rec


def register_plugin(plugin: Any, name: str | None = None) -> None:
    """Register a backend plugin object or module directly (tests, built-ins).

    Args:
        plugin: A module or object implementing hooks from :mod:`kusari.backends.hookspecs`.
        name: The plugin's name in listings (defaults to pluggy's choice).
    """
    _state.pm.register(plugin, name=name)
    hook = _state.pm.subset_hook_caller(
        "kusari_register_backends", [p for p in _state.pm.get_plugins() if p is not plugin]
    )
    for result in hook():
        _add_records(result or ())
    # Unknown types may now resolve; forget cached misses.
    for t, b in list(_state.by_type.items()):
        if b is None:
            del _state.by_type[t]


def _allowed_entry_points() -> set[str] | None:
    value = os.environ.get(ENV_VAR)
    if value is None:
        return None
    names = {v.strip() for v in value.split(",") if v.strip()}
    return set() if names <= {"none"} else names


def discover() -> None:
    """Load every ``kusari.backends`` entry point once, each in its own ``try``.

    pluggy's ``load_setuptools_entrypoints`` stops at the first broken plugin; here a
    broken plugin is recorded in :func:`plugin_errors` and the others still load.
    """
    if _state.discovered:
        return
    _state.discovered = True
    from importlib.metadata import entry_points  # costs ~45 ms: only on first need

    allowed = _allowed_entry_points()
    registered = {getattr(p, "__name__", None) for p in _state.pm.get_plugins()}
    for ep in entry_points(group=hookspecs.ENTRY_POINT_GROUP):
        if ep.value in registered or (allowed is not None and ep.name not in allowed):
            continue
        if _state.pm.get_plugin(ep.name) is not None:
            continue
        try:
            plugin = ep.load()
            register_plugin(plugin, name=ep.name)
        except Exception as exc:  # a broken plugin must never break kusari
            dist = ep.dist
            _state.errors.append(
                PluginError(
                    entry_point=ep.name,
                    value=ep.value,
                    distribution=dist.name if dist is not None else "?",
                    version=dist.version if dist is not None else "?",
                    error=exc,
                    traceback=traceback.format_exc(),
                )
            )


def plugin_errors() -> list[PluginError]:
    """The plugins that failed to load, with their distribution, version and error."""
    discover()
    return list(_state.errors)


def _load(rec: hookspecs.BackendRecord) -> Backend:
    backend = _state.backends.get(rec.name)
    if backend is None:
        backend = rec.factory()
        backend.kernels = {}
        _state.backends[rec.name] = backend
        for t in backend.array_types:
            _state.by_type[t] = backend
        for kernels in _state.pm.hook.kusari_register_kernels(backend_name=rec.name):
            if kernels:
                backend.kernels.update(kernels)
    return backend


def get_backend(name: str) -> Backend:
    """Return the backend called ``name`` (or an alias), loading plugins if needed.

    Raises:
        ValueError: No installed backend has that name; the message lists those that
            exist and how to install the missing one.
    """
    rec = _state.records.get(name)
    if rec is None:
        discover()
        rec = _state.records.get(name)
    if rec is None:
        known = ", ".join(sorted({r.name for r in _state.records.values()})) or "none"
        hint = ""
        if name in ("cupy", "cuda"):
            hint = "\nhelp: pip install 'kusari-backend-cuda[cuda12]' (or [cuda13])"
        broken = [str(e) for e in _state.errors]
        if broken:
            hint += "\nbroken plugins:\n  " + "\n  ".join(broken)
        raise ValueError(f"no kusari backend named {name!r}; installed backends: {known}{hint}")
    return _load(rec)


def list_backends() -> list[Backend]:
    """Every installed backend (loading their records, not necessarily their libraries)."""
    discover()
    out = []
    for rec in sorted({id(r): r for r in _state.records.values()}.values(), key=lambda r: r.name):
        try:
            out.append(_load(rec))
        except Exception as exc:
            _state.errors.append(
                PluginError(rec.name, repr(rec.factory), "?", "?", exc, traceback.format_exc())
            )
    return out


def _type_name_matches(t: type, names: tuple[str, ...]) -> bool:
    full = f"{t.__module__}.{t.__qualname__}"
    top = t.__module__.split(".", 1)[0]
    for n in names:
        if n == full or (n.split(".", 1)[0] == top and n.rsplit(".", 1)[-1] == t.__name__):
            return True
    return False


def backend_of_type(t: type) -> Backend | None:
    """The backend owning array type ``t`` or None; the slow path of :func:`backend_of`."""
    if t in _state.by_type:
        return _state.by_type[t]
    if t in _NOT_ARRAY_TYPES:
        return None
    backend = None
    if t is not numpy.ndarray:
        discover()
        for rec in list(_state.records.values()):
            if rec.name != "numpy" and _type_name_matches(t, rec.array_type_names):
                candidate = _load(rec)
                if any(issubclass(t, a) for a in candidate.array_types):
                    backend = candidate
                    break
    if backend is None and issubclass(t, (numpy.ndarray, numpy.generic)):
        backend = get_backend("numpy")
    if backend is None:
        name = _state.pm.hook.kusari_claim_array_type(array_type=t)
        if name is not None:
            backend = get_backend(name)
    _state.by_type[t] = backend
    return backend


def backend_of(array: Any) -> Backend:
    """The backend owning ``array``; a dict lookup after the first array of each type.

    Raises:
        TypeError: No backend claims the array's type.
    """
    backend = _state.by_type.get(type(array))
    if backend is None:
        backend = backend_of_type(type(array))
        if backend is None:
            names = ", ".join(sorted({r.name for r in _state.records.values()}))
            raise TypeError(
                f"kusari: unsupported array type {type(array).__module__}."
                f"{type(array).__qualname__}; expected an array of an installed backend ({names})"
            )
    return backend


def kernels_for(array: Any) -> dict[str, Callable[..., Any]]:
    """The kernel overrides of the backend owning ``array`` (empty for NumPy)."""
    return backend_of(array).kernels


def reset(*, keep_numpy: bool = True) -> None:
    """Forget every plugin, backend and cache (for tests); re-registers NumPy by default."""
    global _state
    _state = _State()
    if keep_numpy:
        from kusari.backends import numpy_backend

        register_plugin(numpy_backend, name="numpy")


def _bootstrap() -> None:
    from kusari.backends import numpy_backend

    register_plugin(numpy_backend, name="numpy")


_bootstrap()
