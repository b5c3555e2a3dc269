"""Thread-local configuration (``kusari.config``) with Chainer's keys.

``config.train`` and friends are read on every function call, so reading must be
cheap: per-thread values live in a :class:`threading.local` subclass whose *class*
attributes hold the global defaults. An unset per-thread key falls through to the
class attribute at C speed, and ``global_config.x = v`` rewrites that class attribute,
which every thread without its own override then sees.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import numpy

__all__ = [
    "config",
    "global_config",
    "using_config",
    "no_backprop_mode",
    "force_backprop_mode",
    "show",
    "get_dtype",
    "is_debug",
    "set_debug",
]

_DEFAULTS: dict[str, Any] = {
    "autotune": False,
    "cudnn_deterministic": False,
    "cudnn_fast_batch_normalization": False,
    "debug": False,
    "dtype": numpy.dtype(numpy.float32),
    "enable_backprop": True,
    "in_recomputing": False,
    "keep_graph_on_report": False,
    "lazy_grad_sum": False,
    "train": True,
    "type_check": True,
    "use_cudnn": "auto",
    "use_cudnn_tensor_core": "auto",
    "use_ideep": "never",
    "use_static_graph": True,
    "warn_nondeterministic": False,
    "schedule_func": None,
    "compute_mode": None,
}


class _LocalConfig(threading.local):
    """Per-thread overrides; unset names resolve to the class-level global values."""

    def __repr__(self) -> str:
        return f"<kusari.config {_snapshot(self)}>"


for _key, _value in _DEFAULTS.items():
    setattr(_LocalConfig, _key, _value)


class _GlobalConfig:
    """Writes go to the defaults every thread falls back to."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return _LocalConfig.__dict__[name]
        except KeyError:
            raise AttributeError(f"kusari.global_config has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(_LocalConfig, name, _normalize(name, value))

    def __delattr__(self, name: str) -> None:
        delattr(_LocalConfig, name)

    def __repr__(self) -> str:
        return f"<kusari.global_config {_snapshot(None)}>"


def _normalize(name: str, value: Any) -> Any:
    if name == "dtype" and value is not None:
        return numpy.dtype(value)
    return value


def _snapshot(local: _LocalConfig | None) -> dict[str, Any]:
    keys = [k for k in vars(_LocalConfig) if not k.startswith("_")]
    if local is not None:
        keys += [k for k in vars(local) if k not in keys]
    source = local if local is not None else _LocalConfig
    return {k: getattr(source, k) for k in sorted(keys)}


config = _LocalConfig()
global_config = _GlobalConfig()

_MISSING = object()


@contextlib.contextmanager
def using_config(name: str, value: Any, config: _LocalConfig = config) -> Iterator[None]:
    """Set ``config.<name>`` to ``value`` for this thread inside a ``with`` block.

    Example:
        >>> import kusari
        >>> with kusari.using_config("train", False):
        ...     kusari.config.train
        False
    """
    old = config.__dict__.get(name, _MISSING)
    setattr(config, name, _normalize(name, value))
    try:
        yield
    finally:
        if old is _MISSING:
            delattr(config, name)
        else:
            setattr(config, name, old)


def no_backprop_mode() -> contextlib.AbstractContextManager[None]:
    """Disable graph construction inside a ``with`` block (inference, evaluation)."""
    return using_config("enable_backprop", False)


def force_backprop_mode() -> contextlib.AbstractContextManager[None]:
    """Enable graph construction inside a ``with`` block, even within no_backprop_mode."""
    return using_config("enable_backprop", True)


def show(file: Any = None) -> None:
    """Print the current thread's configuration, one key per line."""
    import sys

    out = file if file is not None else sys.stdout
    for key, value in _snapshot(config).items():
        out.write(f"{key:32}{value}\n")


def get_dtype(dtype: Any = None) -> numpy.dtype:
    """Resolve ``dtype`` (None → ``config.dtype``) to a NumPy dtype."""
    return numpy.dtype(config.dtype if dtype is None else dtype)


def is_debug() -> bool:
    """Whether debug mode (NaN checks, richer errors) is on for this thread."""
    return bool(config.debug)


def set_debug(debug: bool) -> None:
    """Turn debug mode on or off for this thread."""
    config.debug = debug
