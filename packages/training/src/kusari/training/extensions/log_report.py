"""``LogReport``: average the observations over an interval and write them to a JSON log."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from kusari.reporter import DictSummary
from kusari.serializers import Serializer
from kusari.serializers._atomic import write_atomically
from kusari.training import extension
from kusari.training.triggers._util import get_trigger

__all__ = ["LogReport"]


class LogReport(extension.Extension):
    """Collect the mean of each reported value per interval into :attr:`log`.

    Called every iteration, it adds the scalar observations (only ``keys`` when given)
    to a running mean; when ``trigger`` fires it appends one entry with those means plus
    ``epoch``, ``iteration`` and ``elapsed_time`` to :attr:`log` and rewrites
    ``<out>/<filename>`` as a JSON list (atomically, so a reader never sees half a file).

    Args:
        keys: Observation keys to keep (all scalars when None).
        trigger: When to write an entry (default once per epoch).
        postprocess: Called with each entry (a dict) before it is stored; may edit it.
        filename: The log file name in the trainer's ``out`` (``log``); it may use entry
            fields (``'log_{epoch}'``); None writes no file. ``log_name`` is Chainer's
            older spelling.

    Example:
        >>> trainer.extend(LogReport(trigger=(100, "iteration")))  # doctest: +SKIP
    """

    def __init__(
        self,
        keys: Iterable[str] | None = None,
        trigger: Any = (1, "epoch"),
        postprocess: Callable[[dict[str, Any]], Any] | None = None,
        filename: str | None = None,
        **kwargs: Any,
    ) -> None:
        log_name = kwargs.pop("log_name", "log")
        if kwargs:
            raise TypeError(f"LogReport: unexpected keyword arguments {sorted(kwargs)}")
        self._keys = None if keys is None else tuple(keys)
        self._trigger = get_trigger(trigger)
        self._postprocess = postprocess
        self._log_name = log_name if filename is None else filename
        self._log: list[dict[str, Any]] = []
        self._summary = DictSummary()

    @property
    def log(self) -> list[dict[str, Any]]:
        """The entries written so far (dicts of floats and ints)."""
        return self._log

    def __call__(self, trainer: Any) -> None:
        observation = trainer.observation
        if observation:
            self._summary.add(observation, self._keys)
        if not self._trigger(trainer):
            return
        entry: dict[str, Any] = {k: float(v) for k, v in self._summary.compute_mean().items()}
        updater = trainer.updater
        entry["epoch"] = updater.epoch
        entry["iteration"] = updater.iteration
        entry["elapsed_time"] = trainer.elapsed_time
        if self._postprocess is not None:
            self._postprocess(entry)
        self._log.append(entry)
        if self._log_name is not None:
            self._write(trainer.out, self._log_name.format(**entry))
        self._summary = DictSummary()

    def _write(self, out: str, name: str) -> None:
        text = json.dumps(self._log, indent=4)

        def write(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)

        write_atomically("LogReport", os.path.join(out, name), write)

    def serialize(self, serializer: Any) -> None:
        """Save or load the trigger, the running means and the log."""
        if hasattr(self._trigger, "serialize"):
            self._trigger.serialize(serializer["_trigger"])
        self._summary.serialize(serializer["_summary"])
        if isinstance(serializer, Serializer):
            serializer("_log", json.dumps(self._log))
        else:
            self._log = json.loads(str(serializer("_log", "")) or "[]")
