"""``ManualScheduleTrigger``: fire at listed iterations or epochs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from kusari.training.triggers.interval_trigger import check_unit, serialize_previous

__all__ = ["ManualScheduleTrigger"]


class ManualScheduleTrigger:
    """Fires when the training reaches one of ``points`` (in ``unit``\\ s).

    After the last point has passed, :attr:`finished` is True (the trainer then skips
    the extension's ``initialize`` on resume).

    Args:
        points: A number or a list of numbers.
        unit: ``'iteration'`` or ``'epoch'``.

    Example:
        >>> t = ManualScheduleTrigger([10, 30], "iteration")
        >>> t.points, t.finished
        ([10, 30], False)
    """

    def __init__(self, points: int | float | Iterable[int | float], unit: str) -> None:
        check_unit("ManualScheduleTrigger", unit)
        if isinstance(points, (int, float)):
            points = [points]
        points = list(points)
        if not points:
            raise ValueError("ManualScheduleTrigger: expected at least one point, got none")
        self.points = points
        self.unit = unit
        self.finished = False
        self._previous_iteration = -1
        self._previous_epoch_detail = -1.0

    def __call__(self, trainer: Any) -> bool:
        """Whether the last update reached one of the points."""
        updater = trainer.updater
        if self.unit == "epoch":
            now = updater.epoch_detail
            previous = self._previous_epoch_detail
            if previous < 0:
                previous = updater.previous_epoch_detail
                previous = -1.0 if previous is None else previous
        else:
            now = updater.iteration
            previous = self._previous_iteration
            if previous < 0:
                previous = now - 1
        fire = any(previous < p <= now for p in self.points)
        if now >= max(self.points):
            self.finished = True
        self._previous_iteration = updater.iteration
        self._previous_epoch_detail = float(getattr(updater, "epoch_detail", -1.0))
        return fire

    def get_training_length(self) -> tuple[int | float, str]:
        """As a stop trigger: the last point."""
        return max(self.points), self.unit

    def serialize(self, serializer: Any) -> None:
        """Save or load the last call's position and whether the schedule is over."""
        self._previous_iteration, self._previous_epoch_detail = serialize_previous(
            serializer, self._previous_iteration, self._previous_epoch_detail
        )
        with contextlib.suppress(KeyError):  # not in Chainer's snapshots
            self.finished = bool(serializer("finished", self.finished))
