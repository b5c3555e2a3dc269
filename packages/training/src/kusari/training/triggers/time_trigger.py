"""``TimeTrigger``: fire every ``period`` seconds of training time."""

from __future__ import annotations

from typing import Any

__all__ = ["TimeTrigger"]


class TimeTrigger:
    """Fires when ``trainer.elapsed_time`` passes the next multiple of ``period``.

    Args:
        period: Seconds between firings.

    Example:
        >>> t = TimeTrigger(60.0)
        >>> t.period
        60.0
    """

    def __init__(self, period: float) -> None:
        if isinstance(period, bool) or not isinstance(period, (int, float)) or period <= 0:
            raise ValueError(f"TimeTrigger: period must be a positive number, got {period!r}")
        self.period = float(period)
        self._next_time = self.period

    def __call__(self, trainer: Any) -> bool:
        """Whether the next deadline has passed (then the deadline moves on)."""
        if trainer.elapsed_time < self._next_time:
            return False
        self._next_time += self.period
        return True

    def serialize(self, serializer: Any) -> None:
        """Save or load the next deadline."""
        self._next_time = float(serializer("_next_time", self._next_time))
