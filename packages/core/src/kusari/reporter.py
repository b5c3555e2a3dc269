"""Reporting observed values: ``Reporter``, ``report``, ``report_scope``, summaries.

Links and extensions call :func:`report` with named values; the Trainer collects them
into an observation dictionary each iteration.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy

__all__ = [
    "Reporter",
    "get_current_reporter",
    "report",
    "report_scope",
    "Summary",
    "DictSummary",
]

_local = threading.local()


def _stack() -> list[Reporter]:
    s = getattr(_local, "reporters", None)
    if s is None:
        s = _local.reporters = []
    return s


class Reporter:
    """Collects values reported by named observers into the current observation dict.

    Example:
        >>> import kusari
        >>> reporter = kusari.Reporter()
        >>> observation = {}
        >>> with reporter.scope(observation):
        ...     kusari.report({"loss": 0.5})
        >>> observation
        {'loss': 0.5}
    """

    def __init__(self) -> None:
        self._observer_names: dict[int, str] = {}
        self.observation: dict[str, Any] = {}

    def __enter__(self) -> Reporter:
        _stack().append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _stack().pop()

    @contextlib.contextmanager
    def scope(self, observation: dict[str, Any]) -> Iterator[None]:
        """Make this reporter current and collect into ``observation`` inside the block."""
        old = self.observation
        self.observation = observation
        self.__enter__()
        try:
            yield
        finally:
            self.__exit__(None, None, None)
            self.observation = old

    def add_observer(self, name: str, observer: Any) -> None:
        """Register ``observer``; its reports get the prefix ``name + '/'``."""
        self._observer_names[id(observer)] = name

    def add_observers(self, prefix: str, observers: Any) -> None:
        """Register ``(name, observer)`` pairs (e.g. ``link.namedlinks()``) under ``prefix``."""
        for name, observer in observers:
            self._observer_names[id(observer)] = prefix + name

    def report(self, values: Mapping[str, Any], observer: Any = None) -> None:
        """Store ``values`` (prefixed by the observer's name) in the current observation."""
        from kusari.configuration import config
        from kusari.variable import Variable

        if not config.keep_graph_on_report:
            values = {k: _detach(v, Variable) for k, v in values.items()}
        if observer is not None:
            name = self._observer_names.get(id(observer))
            if name is None:
                raise KeyError(
                    f"report: the observer {type(observer).__name__} is not registered with the "
                    f"current reporter; register it with reporter.add_observer(name, observer)"
                )
            values = {f"{name}/{k}": v for k, v in values.items()}
        self.observation.update(values)


def _detach(v: Any, variable_type: type) -> Any:
    if isinstance(v, variable_type):
        out = variable_type(v.array)
        out.requires_grad = False
        return out
    return v


def get_current_reporter() -> Reporter:
    """The innermost active reporter."""
    s = _stack()
    if not s:
        raise RuntimeError("no reporter is active; use `with reporter:` or report_scope")
    return s[-1]


def report(values: Mapping[str, Any], observer: Any = None) -> None:
    """Report ``values`` to the current reporter; a no-op when none is active.

    Args:
        values: Names to values (scalars, arrays or Variables).
        observer: The object reporting (a Link); its registered name becomes the prefix.
    """
    s = _stack()
    if s:
        s[-1].report(values, observer)


@contextlib.contextmanager
def report_scope(observation: dict[str, Any]) -> Iterator[None]:
    """Collect values reported inside the block into ``observation``."""
    current = get_current_reporter()
    old = current.observation
    current.observation = observation
    try:
        yield
    finally:
        current.observation = old


def _scalar(value: Any) -> Any:
    """A host value as a Python float (exact float64 accumulation, no per-add arrays).

    Device arrays stay on their device, so reporting a GPU loss does not synchronize.
    """
    t = type(value)
    if t is float or t is int:
        return value
    from kusari.variable import Variable

    if isinstance(value, Variable):
        value = value._data
        t = type(value)
    if isinstance(value, (numpy.generic, int, float)) or (t is numpy.ndarray and value.ndim == 0):
        if getattr(value, "dtype", None) is not None and value.dtype.kind not in "biuf":
            return None  # a string or object scalar: not summarized
        return float(value)
    return value


class Summary:
    """Online mean, variance and standard deviation of a scalar series."""

    __slots__ = ("_x", "_x2", "_n")

    def __init__(self) -> None:
        self._x = 0.0
        self._x2 = 0.0
        self._n = 0.0

    def add(self, value: Any, weight: float = 1) -> None:
        """Add one value (a scalar, a 0-d array or a Variable) with ``weight``."""
        value = _scalar(value)
        self._x += weight * value
        self._x2 += weight * value * value
        self._n += weight

    def compute_mean(self) -> Any:
        return self._x / self._n

    def make_statistics(self) -> tuple[Any, Any]:
        mean = self._x / self._n
        var = self._x2 / self._n - mean * mean
        return mean, numpy.sqrt(numpy.maximum(var, 0))

    def serialize(self, serializer: Any) -> None:
        self._x = serializer("_x", self._x)
        self._x2 = serializer("_x2", self._x2)
        self._n = serializer("_n", self._n)


class DictSummary:
    """A :class:`Summary` per key of the dictionaries added; non-scalars are skipped."""

    def __init__(self) -> None:
        self._summaries: dict[str, Summary] = {}

    def add(self, d: Mapping[str, Any], keys: Iterable[str] | None = None) -> None:
        """Add each scalar entry of ``d`` (``(value, weight)`` pairs allowed).

        Args:
            d: Names to values; non-scalars are skipped, like Chainer.
            keys: Only these names (those missing from ``d`` are ignored).
        """
        summaries = self._summaries
        items = d.items() if keys is None else ((k, d[k]) for k in keys if k in d)
        for k, v in items:
            w = 1
            if type(v) is tuple:
                v, w = v
            v = _scalar(v)
            if type(v) is not float and type(v) is not int and getattr(v, "ndim", None) != 0:
                continue
            s = summaries.get(k)
            if s is None:
                s = summaries[k] = Summary()
            s.add(v, weight=w)

    def __bool__(self) -> bool:
        return bool(self._summaries)

    def compute_mean(self) -> dict[str, Any]:
        return {k: s.compute_mean() for k, s in self._summaries.items()}

    def make_statistics(self) -> dict[str, Any]:
        out = {}
        for k, s in self._summaries.items():
            mean, std = s.make_statistics()
            out[k] = mean
            out[k + ".std"] = std
        return out

    def serialize(self, serializer: Any) -> None:
        names = list(self._summaries)
        stored = serializer("_names", ",".join(names) if names else "")
        if isinstance(stored, numpy.ndarray):
            stored = str(stored)
        for name in stored.split(",") if stored else []:
            self._summaries.setdefault(name, Summary()).serialize(serializer["_summaries"][name])
