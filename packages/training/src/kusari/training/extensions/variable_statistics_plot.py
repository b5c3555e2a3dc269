"""``VariableStatisticsPlot``: plot percentile bands of variables and their gradients."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.training import extension
from kusari.training.extensions import _plotting
from kusari.training.triggers._util import get_trigger

__all__ = ["VariableStatisticsPlot"]


def _host(x: Any) -> numpy.ndarray:
    return numpy.asarray(x.get() if hasattr(x, "get") and not isinstance(x, numpy.ndarray) else x)


class VariableStatisticsPlot(extension.Extension):
    """Plot, over iterations, percentiles (and mean/std) of variables' values and grads.

    When ``trigger`` fires, the values of all ``targets`` (variables, or links whose
    parameters are taken) are pooled, a random subsample of at most ``max_sample_size``
    is drawn with a private generator (the global one is left alone, so training stays
    reproducible), and their statistics are added to ``<out>/<filename>``.

    Args:
        targets: A Variable or Link, or a list of them.
        max_sample_size: Most values used per statistic.
        report_data: Plot the values.
        report_grad: Plot the gradients.
        plot_mean: Draw the mean.
        plot_std: Draw mean ± std.
        percentile_sigmas: Percentiles drawn as shaded bands (symmetric pairs).
        trigger: When to add a point (default once per epoch).
        filename: The PNG name (``file_name`` is Chainer's older spelling).
        figsize: Matplotlib figure size.
        marker: Marker of the mean line.
        grid: Draw a grid.

    Example:
        >>> trainer.extend(VariableStatisticsPlot(model))  # doctest: +SKIP
    """

    def __init__(
        self,
        targets: Any,
        max_sample_size: int = 1000,
        report_data: bool = True,
        report_grad: bool = True,
        plot_mean: bool = True,
        plot_std: bool = True,
        percentile_sigmas: Sequence[float] = (0, 0.13, 2.28, 15.87, 50, 84.13, 97.72, 99.87, 100),
        trigger: Any = (1, "epoch"),
        filename: str | None = None,
        figsize: tuple[float, float] | None = None,
        marker: str | None = None,
        grid: bool = True,
        **kwargs: Any,
    ) -> None:
        file_name = kwargs.pop("file_name", "statistics.png")
        if kwargs:
            raise TypeError(
                f"VariableStatisticsPlot: unexpected keyword arguments {sorted(kwargs)}"
            )
        self._targets = list(targets) if isinstance(targets, (list, tuple)) else [targets]
        self._max_sample_size = int(max_sample_size)
        self._keys = [k for k, on in (("data", report_data), ("grad", report_grad)) if on]
        if not self._keys:
            raise ValueError("VariableStatisticsPlot: report_data and report_grad are both False")
        self._plot_mean = plot_mean
        self._plot_std = plot_std
        self._percentile_sigmas = sorted(percentile_sigmas)
        self.trigger = get_trigger(trigger)
        self._filename = file_name if filename is None else filename
        self._figsize = figsize
        self._marker = marker
        self._grid = grid
        self._random = numpy.random.RandomState(0)
        self._x: list[int] = []
        self._stats: dict[str, list[numpy.ndarray]] = {k: [] for k in self._keys}

    def _variables(self) -> list[Any]:
        out = []
        for target in self._targets:
            params = getattr(target, "params", None)
            out.extend(params() if callable(params) else [target])
        return out

    def _statistics(self, key: str) -> numpy.ndarray:
        """[mean, std, *percentiles] of the pooled values (NaN when there are none)."""
        pieces = []
        for var in self._variables():
            array = var.array if key == "data" else var.grad
            if array is not None:
                pieces.append(_host(get_array_module(array).ravel(array)))
        n = 2 + len(self._percentile_sigmas)
        if not pieces:
            return numpy.full(n, numpy.nan)
        values = numpy.concatenate(pieces).astype(numpy.float64)
        if values.size > self._max_sample_size:
            values = values[self._random.choice(values.size, self._max_sample_size, replace=False)]
        return numpy.concatenate(
            [[values.mean(), values.std()], numpy.percentile(values, self._percentile_sigmas)]
        )

    def __call__(self, trainer: Any) -> None:
        self._x.append(trainer.updater.iteration)
        for key in self._keys:
            self._stats[key].append(self._statistics(key))
        if _plotting.available("VariableStatisticsPlot"):
            self._draw(os.path.join(trainer.out, self._filename))

    def _draw(self, path: str) -> None:
        fig = _plotting.new_figure(figsize=self._figsize)
        x = numpy.asarray(self._x)
        n_pct = len(self._percentile_sigmas)
        for i, key in enumerate(self._keys):
            ax = fig.add_subplot(1, len(self._keys), i + 1)
            stats = numpy.asarray(self._stats[key])
            mean, std, pct = stats[:, 0], stats[:, 1], stats[:, 2:]
            for j in range(n_pct // 2):  # outer bands first, lighter
                ax.fill_between(
                    x,
                    pct[:, j],
                    pct[:, n_pct - 1 - j],
                    color="tab:blue",
                    alpha=0.15 + 0.6 * j / max(n_pct // 2, 1),
                    linewidth=0,
                )
            if self._plot_mean:
                ax.plot(x, mean, color="black", marker=self._marker, label="mean")
            if self._plot_std:
                ax.plot(x, mean + std, color="tab:red", linestyle="--", label="mean ± std")
                ax.plot(x, mean - std, color="tab:red", linestyle="--")
            ax.set_title(key)
            ax.set_xlabel("iteration")
            if self._grid:
                ax.grid()
            if self._plot_mean or self._plot_std:
                ax.legend(loc="best")
        _plotting.save_png("VariableStatisticsPlot", fig, path, bbox_inches="tight")
