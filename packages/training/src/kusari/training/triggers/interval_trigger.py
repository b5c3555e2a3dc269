"""``IntervalTrigger``: fire every ``period`` iterations or epochs."""

from __future__ import annotations

import operator
from typing import Any

__all__ = ["IntervalTrigger", "check_unit", "serialize_previous"]


def serialize_previous(serializer: Any, iteration: int, epoch_detail: float) -> tuple[int, float]:
    """Save or load ``previous_iteration`` and ``previous_epoch_detail`` (-1: unknown)."""
    try:
        iteration = int(serializer("previous_iteration", iteration))
    except KeyError:
        iteration = -1
    try:
        epoch_detail = float(serializer("previous_epoch_detail", epoch_detail))
    except KeyError:
        epoch_detail = -1.0
    return iteration, epoch_detail


def check_unit(owner: str, unit: Any) -> str:
    """Validate a trigger unit (``'epoch'`` or ``'iteration'``)."""
    if unit not in ("epoch", "iteration"):
        raise ValueError(f"{owner}: unit must be 'epoch' or 'iteration', got {unit!r}")
    return unit


class IntervalTrigger:
    """Fires each time the training crosses a multiple of ``period`` ``unit``\\ s.

    With ``unit='epoch'`` it compares the updater's fractional ``epoch_detail`` before and
    after the last update, so ``(0.5, 'epoch')`` fires twice per epoch and a batch that
    ends an epoch midway still fires once.

    Args:
        period: Length of the interval (an int for iterations; a float is allowed
            for epochs).
        unit: ``'iteration'`` or ``'epoch'``.

    Example:
        >>> t = IntervalTrigger(2, "iteration")
        >>> t.get_training_length()
        (2, 'iteration')
    """

    __slots__ = ("period", "unit", "count", "_previous_iteration", "_previous_epoch_detail")

    def __init__(self, period: int | float, unit: str) -> None:
        check_unit("IntervalTrigger", unit)
        if unit == "iteration":
            try:
                period = operator.index(period)
            except TypeError:
                raise TypeError(
                    f"IntervalTrigger: an iteration period must be an int, got {period!r}"
                ) from None
        if isinstance(period, bool) or not isinstance(period, (int, float)) or period <= 0:
            raise ValueError(f"IntervalTrigger: period must be a positive number, got {period!r}")
        self.period = period
        self.unit = unit
        self.count = 0
        # -1 means "not called yet" (serializers cannot store None)
        self._previous_iteration = -1
        self._previous_epoch_detail = -1.0

    def __call__(self, trainer: Any) -> bool:
        """Whether the last update crossed a multiple of the period."""
        updater = trainer.updater
        iteration = updater.iteration
        if self.unit == "epoch":
            epoch_detail = updater.epoch_detail
            previous = self._previous_epoch_detail
            if previous < 0:
                previous = updater.previous_epoch_detail
                if previous is None:
                    previous = 0.0 if iteration > 0 else -1.0
            self.count = int(epoch_detail // self.period)
            fire = previous // self.period != epoch_detail // self.period
            self._previous_epoch_detail = epoch_detail
        else:
            previous_iteration = self._previous_iteration
            if previous_iteration < 0:
                previous_iteration = iteration - 1
            fire = previous_iteration // self.period != iteration // self.period
            self.count = iteration // self.period
        self._previous_iteration = iteration
        return bool(fire) and iteration > 0

    def may_fire(self, iteration: int, epoch_len: int) -> bool:
        """Whether it fires at ``iteration`` when an epoch has ``epoch_len`` iterations."""
        if self.unit == "epoch":
            return iteration % (epoch_len * self.period) == 0
        return iteration % self.period == 0

    def get_training_length(self) -> tuple[int | float, str]:
        """``(period, unit)``: as a stop trigger, how long training lasts."""
        return self.period, self.unit

    def serialize(self, serializer: Any) -> None:
        """Save or load where the last call happened (Chainer's keys).

        A snapshot without them (an old Chainer) loads as "unknown": the next call then
        assumes it is called every iteration.
        """
        self._previous_iteration, self._previous_epoch_detail = serialize_previous(
            serializer, self._previous_iteration, self._previous_epoch_detail
        )

    def __repr__(self) -> str:
        return f"IntervalTrigger({self.period!r}, {self.unit!r})"
