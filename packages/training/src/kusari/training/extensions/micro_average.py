"""``MicroAverage``: report sum(numerators) / sum(denominators) over an interval."""

from __future__ import annotations

from typing import Any

from kusari.reporter import report
from kusari.training import extension
from kusari.training.triggers._util import get_trigger

__all__ = ["MicroAverage"]


class MicroAverage(extension.Extension):
    """Report a micro-average, e.g. accuracy over all examples instead of over batches.

    Each iteration adds ``observation[numerator_key]`` and
    ``observation[denominator_key]`` to running sums; when ``trigger`` fires it reports
    ``numerator / denominator`` as ``result_key`` and starts again.

    Args:
        numerator_key: Key of the per-batch numerator (e.g. correct predictions).
        denominator_key: Key of the per-batch denominator (e.g. batch size).
        result_key: Key of the reported ratio.
        trigger: When to report (default once per epoch).

    Example:
        >>> ext = MicroAverage("main/correct", "main/total", "main/accuracy")
        >>> ext.priority
        200
    """

    priority = extension.PRIORITY_EDITOR

    def __init__(
        self, numerator_key: str, denominator_key: str, result_key: str, trigger: Any = (1, "epoch")
    ) -> None:
        self._numerator_key = numerator_key
        self._denominator_key = denominator_key
        self._result_key = result_key
        self._trigger = get_trigger(trigger)
        self._numerator = 0.0
        self._denominator = 0.0

    def __call__(self, trainer: Any) -> None:
        observation = trainer.observation
        if self._numerator_key in observation and self._denominator_key in observation:
            self._numerator += float(_host(observation[self._numerator_key]))
            self._denominator += float(_host(observation[self._denominator_key]))
        if self._trigger(trainer):
            if self._denominator:
                report({self._result_key: self._numerator / self._denominator})
            self._numerator = 0.0
            self._denominator = 0.0

    def serialize(self, serializer: Any) -> None:
        """Save or load the trigger and the running sums."""
        if hasattr(self._trigger, "serialize"):
            self._trigger.serialize(serializer["trigger"])
        self._numerator = float(serializer("_numerator", self._numerator))
        self._denominator = float(serializer("_denominator", self._denominator))


def _host(value: Any) -> Any:
    return getattr(value, "array", value)
