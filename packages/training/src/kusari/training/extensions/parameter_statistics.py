"""``ParameterStatistics``: report statistics of parameters and gradients."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.reporter import report
from kusari.training import extension
from kusari.training.triggers._util import get_trigger

__all__ = ["ParameterStatistics"]

_PERCENTILE_SIGMAS = (0.13, 2.28, 15.87, 50, 84.13, 97.72, 99.87)


def _to_host(x: Any) -> Any:
    return x.get() if hasattr(x, "get") and not isinstance(x, numpy.ndarray) else x


class ParameterStatistics(extension.Extension):
    """Report mean, std, min, max, zero count and percentiles of parameters and gradients.

    Keys look like ``<prefix>/predictor/l1/W/data/mean`` (``grad`` for gradients);
    statistics returning several values get an index (``.../percentile/3``). The
    statistics are computed when ``trigger`` fires, on the current values (not averaged
    over the interval: computing them every iteration would slow training down).

    Args:
        links: A link or a list of links.
        statistics: ``{name: function(flat_array) -> scalar or array}``; ``'default'``
            for the built-in set, None for none.
        report_params: Report statistics of the parameter arrays.
        report_grads: Report statistics of the gradients.
        prefix: Prepended to every key.
        trigger: When to report (default once per epoch).
        skip_nan_params: Report NaN instead of computing on arrays holding NaN.

    Example:
        >>> trainer.extend(ParameterStatistics(model.predictor, prefix="stats"))  # doctest: +SKIP
    """

    default_name = "parameter_statistics"
    priority = extension.PRIORITY_WRITER

    default_statistics: Mapping[str, Callable[[Any], Any]] = {
        "mean": lambda x: get_array_module(x).mean(x),
        "std": lambda x: get_array_module(x).std(x),
        "min": lambda x: get_array_module(x).min(x),
        "max": lambda x: get_array_module(x).max(x),
        "zeros": lambda x: get_array_module(x).count_nonzero(x == 0),
        "percentile": lambda x: get_array_module(x).percentile(x, _PERCENTILE_SIGMAS),
    }

    def __init__(
        self,
        links: Any,
        statistics: Mapping[str, Callable[[Any], Any]] | str | None = "default",
        report_params: bool = True,
        report_grads: bool = True,
        prefix: str | None = None,
        trigger: Any = (1, "epoch"),
        skip_nan_params: bool = False,
    ) -> None:
        self._links = list(links) if isinstance(links, (list, tuple)) else [links]
        if statistics == "default":
            statistics = self.default_statistics
        elif isinstance(statistics, str):
            raise ValueError(
                "ParameterStatistics: statistics must be 'default', a dict or None, "
                f"got {statistics!r}"
            )
        self._statistics = dict(statistics or {})
        self._attrs = [a for a, on in (("data", report_params), ("grad", report_grads)) if on]
        self._prefix = prefix
        self.trigger = get_trigger(trigger)
        self._skip_nan_params = skip_nan_params

    def register_statistics(self, name: str, function: Callable[[Any], Any]) -> None:
        """Add a statistic ``function(flat_array)`` reported under ``name``."""
        self._statistics[name] = function

    def compute(self) -> dict[str, Any]:
        """The statistics of the current values, by key."""
        out: dict[str, Any] = {}
        head = self._prefix + "/" if self._prefix else ""
        for link in self._links:
            link_name = getattr(link, "name", None)
            for param_name, param in link.namedparams():
                base = head + (f"{link_name}/" if link_name else "") + param_name.lstrip("/")
                for attr in self._attrs:
                    array = param.array if attr == "data" else param.grad
                    if array is None:
                        continue
                    flat = array.ravel()
                    has_nan = self._skip_nan_params and bool(
                        get_array_module(flat).isnan(flat).any()
                    )
                    for stat_name, function in self._statistics.items():
                        key = f"{base}/{attr}/{stat_name}"
                        value = numpy.nan if has_nan else _to_host(function(flat))
                        if numpy.ndim(value) > 0 and numpy.size(value) > 1:
                            out.update({f"{key}/{i}": v for i, v in enumerate(numpy.ravel(value))})
                        else:
                            out[key] = value
        return out

    def __call__(self, trainer: Any) -> None:
        report(self.compute())
