"""``PlotReport``: plot reported values over epochs or iterations into a PNG file."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from kusari.reporter import DictSummary
from kusari.serializers import Serializer
from kusari.training import extension
from kusari.training.extensions import _plotting
from kusari.training.triggers._util import get_trigger

__all__ = ["PlotReport"]


class PlotReport(extension.Extension):
    """Draw the interval means of ``y_keys`` against ``x_key`` and save a PNG.

    Called every iteration, it averages the observed ``y_keys``; when ``trigger`` fires it
    appends one point per key and redraws ``<out>/<filename>`` with matplotlib's Agg
    renderer (no display needed). Without matplotlib it warns once and draws nothing.

    Args:
        y_keys: A key or a list of keys to plot, e.g. ``['main/loss',
            'validation/main/loss']``.
        x_key: ``'epoch'`` or ``'iteration'``.
        trigger: When to add points and redraw (default once per epoch).
        postprocess: Called as ``postprocess(figure, axes, summary)`` before saving.
        filename: The PNG's name in the trainer's ``out`` (``file_name`` is Chainer's
            older spelling; default ``plot.png``).
        marker: Matplotlib marker of the points.
        grid: Draw a grid.

    Example:
        >>> trainer.extend(
        ...     PlotReport(
        ...         ["main/loss", "validation/main/loss"], x_key="epoch", file_name="loss.png"
        ...     )
        ... )  # doctest: +SKIP
    """

    def __init__(
        self,
        y_keys: str | Sequence[str],
        x_key: str = "iteration",
        trigger: Any = (1, "epoch"),
        postprocess: Callable[..., Any] | None = None,
        filename: str | None = None,
        marker: str | None = "x",
        grid: bool = True,
        **kwargs: Any,
    ) -> None:
        file_name = kwargs.pop("file_name", "plot.png")
        if kwargs:
            raise TypeError(f"PlotReport: unexpected keyword arguments {sorted(kwargs)}")
        if x_key not in ("epoch", "iteration"):
            raise ValueError(f"PlotReport: x_key must be 'epoch' or 'iteration', got {x_key!r}")
        self._y_keys = [y_keys] if isinstance(y_keys, str) else list(y_keys)
        self._x_key = x_key
        self._trigger = get_trigger(trigger)
        self._postprocess = postprocess
        self._filename = file_name if filename is None else filename
        self._marker = marker
        self._grid = grid
        self._summary = DictSummary()
        self._data: dict[str, list[list[float]]] = {k: [] for k in self._y_keys}

    @staticmethod
    def available() -> bool:
        """Whether matplotlib is installed (plots are drawn)."""
        return _plotting.available("PlotReport")

    @property
    def data(self) -> dict[str, list[list[float]]]:
        """The plotted points: ``{key: [[x, y], ...]}``."""
        return self._data

    def __call__(self, trainer: Any) -> None:
        self._summary.add(trainer.observation, self._y_keys)
        if not self._trigger(trainer):
            return
        means = self._summary.compute_mean()
        summary, self._summary = self._summary, DictSummary()
        updater = trainer.updater
        x = updater.epoch if self._x_key == "epoch" else updater.iteration
        for key in self._y_keys:
            if key in means:
                self._data[key].append([x, float(means[key])])
        if _plotting.available("PlotReport"):
            self._draw(os.path.join(trainer.out, self._filename), summary)

    def _draw(self, path: str, summary: DictSummary) -> None:
        fig = _plotting.new_figure()
        ax = fig.add_subplot(111)
        ax.set_xlabel(self._x_key)
        if self._grid:
            ax.grid()
        for key in self._y_keys:
            points = self._data[key]
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, ys, marker=self._marker, label=key)
        if not ax.has_data():
            return
        if self._postprocess is not None:
            self._postprocess(fig, ax, summary)
        legend = ax.legend(bbox_to_anchor=(1.05, 1), loc=2, borderaxespad=0.0)
        _plotting.save_png(
            "PlotReport", fig, path, bbox_extra_artists=(legend,), bbox_inches="tight"
        )

    def serialize(self, serializer: Any) -> None:
        """Save or load the plotted points (and the trigger and running means)."""
        # Chainer's PlotReport saved only the points: its snapshots lack these two.
        with contextlib.suppress(KeyError):
            if hasattr(self._trigger, "serialize"):
                self._trigger.serialize(serializer["_trigger"])
            self._summary.serialize(serializer["_summary"])
        key = f"_plot_{self._filename}"
        if isinstance(serializer, Serializer):
            serializer(key, json.dumps(self._data))
        else:
            loaded = json.loads(str(serializer(key, "")) or "{}")
            self._data = {k: loaded.get(k, []) for k in self._y_keys}
