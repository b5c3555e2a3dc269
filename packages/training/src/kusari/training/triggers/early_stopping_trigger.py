"""``EarlyStoppingTrigger``: a stop trigger that ends training when a value stops improving."""

from __future__ import annotations

import operator
import warnings
from typing import Any

from kusari.reporter import DictSummary
from kusari.training.triggers._util import get_trigger

__all__ = ["EarlyStoppingTrigger"]


class EarlyStoppingTrigger:
    """Stop training when ``monitor`` has not improved for ``patience`` checks.

    Use it as the trainer's stop trigger. At every ``check_trigger`` the mean of the
    monitored value since the previous check is compared with the best one; after
    ``patience`` checks without improvement, or when ``max_trigger`` fires, it fires.

    Args:
        check_trigger: When to compare (default once per epoch).
        monitor: The observation key to watch.
        patience: Checks without improvement before stopping (``patients`` is accepted
            as Chainer's old spelling).
        mode: ``'min'``, ``'max'`` or ``'auto'`` (``'max'`` when the key contains
            ``'acc'``, else ``'min'``).
        verbose: Print a line when stopping.
        max_trigger: Stop anyway when this fires (default 100 epochs).

    Example:
        >>> t = EarlyStoppingTrigger(
        ...     monitor="validation/main/loss", patience=2, max_trigger=(20, "epoch")
        ... )
        >>> t.get_training_length()
        (20, 'epoch')
    """

    def __init__(
        self,
        check_trigger: Any = (1, "epoch"),
        monitor: str = "main/loss",
        patience: int | None = None,
        mode: str = "auto",
        verbose: bool = False,
        max_trigger: Any = (100, "epoch"),
        **kwargs: Any,
    ) -> None:
        patients = kwargs.pop("patients", None)
        if kwargs:
            raise TypeError(f"EarlyStoppingTrigger: unexpected arguments {sorted(kwargs)}")
        if patience is None:
            patience = 3 if patients is None else patients
        elif patients is not None:
            raise TypeError("EarlyStoppingTrigger: give patience or patients, not both")
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        if mode not in ("min", "max"):
            raise ValueError(
                f"EarlyStoppingTrigger: mode must be 'min', 'max' or 'auto', got {mode!r}"
            )
        self.monitor = monitor
        self._monitored = (monitor,)
        self.patience = int(patience)
        self.verbose = verbose
        self.mode = mode
        self._compare = operator.lt if mode == "min" else operator.gt
        self.best = float("inf") if mode == "min" else -float("inf")
        self.count = 0
        self._interval_trigger = get_trigger(check_trigger)
        self._max_trigger = get_trigger(max_trigger)
        self._summary = DictSummary()

    @property
    def patients(self) -> int:
        """Chainer's old name of :attr:`patience`."""
        return self.patience

    def __call__(self, trainer: Any) -> bool:
        """Whether to stop now."""
        observation = trainer.observation
        self._summary.add(observation, self._monitored)
        if self._max_trigger(trainer):
            return True
        if not self._interval_trigger(trainer):
            return False
        stats = self._summary.compute_mean()
        self._summary = DictSummary()
        if self.monitor not in stats:
            warnings.warn(
                f"EarlyStoppingTrigger: {self.monitor!r} was not observed; known keys: "
                f"{sorted(observation)}",
                stacklevel=2,
            )
            return False
        value = float(stats[self.monitor])
        if self._compare(value, self.best):
            self.best = value
            self.count = 0
        else:
            self.count += 1
        if self.count >= self.patience:
            if self.verbose:
                print(f"Epoch {trainer.updater.epoch}: early stopping")
            return True
        return False

    def get_training_length(self) -> Any:
        """The longest the training can last (that of ``max_trigger``)."""
        getter = getattr(self._max_trigger, "get_training_length", None)
        return getter() if getter is not None else None

    def serialize(self, serializer: Any) -> None:
        """Save or load the best value, the count and the sub-triggers."""
        for name in ("_interval_trigger", "_max_trigger"):
            trigger = getattr(self, name)
            if hasattr(trigger, "serialize"):
                trigger.serialize(serializer[name])
        self._summary.serialize(serializer["_summary"])
        self.best = float(serializer("best", self.best))
        self.count = int(serializer("count", self.count))
