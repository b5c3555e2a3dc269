"""Triggers that fire when an observed value reaches a new best."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from kusari.reporter import DictSummary
from kusari.training.triggers._util import get_trigger

__all__ = ["BestValueTrigger", "MaxValueTrigger", "MinValueTrigger"]


class BestValueTrigger:
    """Fires when the mean of ``key`` over an interval beats the best so far.

    Each call adds ``trainer.observation[key]`` (when present) to a running mean; when
    ``trigger`` fires, the mean is compared with the best value with ``compare(best,
    new)`` and the trigger fires when it returns True (always for the first value).

    Args:
        key: The observation key, e.g. ``'validation/main/loss'``.
        compare: ``compare(best, new) -> bool``: whether ``new`` is better.
        trigger: When to compare (default once per epoch).

    Example:
        >>> t = BestValueTrigger("validation/main/accuracy", lambda best, new: new > best)
        >>> t.best_value is None
        True
    """

    def __init__(
        self, key: str, compare: Callable[[float, float], bool], trigger: Any = (1, "epoch")
    ) -> None:
        if not callable(compare):
            raise TypeError(f"BestValueTrigger: compare must be callable, got {compare!r}")
        self._key = key
        self._compare = compare
        self._interval_trigger = get_trigger(trigger)
        self._best_value: float | None = None
        self._summary = DictSummary()

    @property
    def best_value(self) -> float | None:
        """The best mean seen so far (None before the first comparison)."""
        return self._best_value

    def __call__(self, trainer: Any) -> bool:
        """Accumulate the value; at the interval, whether the mean is a new best."""
        self._summary.add(trainer.observation, (self._key,))
        if not self._interval_trigger(trainer):
            return False
        stats = self._summary.compute_mean()
        self._summary = DictSummary()
        if self._key not in stats:
            return False
        value = float(stats[self._key])
        if self._best_value is None or self._compare(self._best_value, value):
            self._best_value = value
            return True
        return False

    def serialize(self, serializer: Any) -> None:
        """Save or load the interval trigger, the best value and the running mean."""
        if hasattr(self._interval_trigger, "serialize"):
            self._interval_trigger.serialize(serializer["interval_trigger"])
        self._summary.serialize(serializer["summary"])
        best = serializer("best_value", self._best_value)
        self._best_value = None if best is None else float(best)


class MaxValueTrigger(BestValueTrigger):
    """Fires when the mean of ``key`` reaches a new maximum.

    Example:
        >>> t = MaxValueTrigger("validation/main/accuracy", trigger=(1, "epoch"))
    """

    def __init__(self, key: str, trigger: Any = (1, "epoch")) -> None:
        super().__init__(key, operator.lt, trigger)


class MinValueTrigger(BestValueTrigger):
    """Fires when the mean of ``key`` reaches a new minimum.

    Example:
        >>> t = MinValueTrigger("validation/main/loss", trigger=(1, "epoch"))
    """

    def __init__(self, key: str, trigger: Any = (1, "epoch")) -> None:
        super().__init__(key, operator.gt, trigger)
