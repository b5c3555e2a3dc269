"""``PrintReport``: print the LogReport entries as a table."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, Any

from kusari.training import extension
from kusari.training.extensions.log_report import LogReport

__all__ = ["PrintReport"]


def _isatty(out: Any) -> bool:
    isatty = getattr(out, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed stream
        return False


class PrintReport(extension.Extension):
    """Print one table row per new :class:`LogReport` entry.

    The header lists ``entries``; each column is as wide as its name (at least 10
    characters); a value missing from an entry leaves its cell blank.

    Args:
        entries: The log keys to show, e.g. ``['epoch', 'main/loss']``.
        log_report: The LogReport extension, or its name in the trainer.
        out: Where to print (``sys.stdout`` when None, looked up at each call).

    Example:
        >>> trainer.extend(PrintReport(["epoch", "main/loss", "elapsed_time"]))  # doctest: +SKIP
    """

    def __init__(
        self,
        entries: Sequence[str],
        log_report: str | LogReport = "LogReport",
        out: IO[str] | None = None,
    ) -> None:
        if isinstance(entries, str):
            raise TypeError(f"PrintReport: entries must be a list of keys, got the str {entries!r}")
        self._entries = list(entries)
        self._log_report = log_report
        self._out = out
        self._log_len = 0
        widths = [max(10, len(e)) for e in self._entries]
        self._header = "  ".join(e.ljust(w) for e, w in zip(self._entries, widths)).rstrip()
        self._header_printed = False
        self._widths = widths

    def _get_log_report(self, trainer: Any) -> LogReport:
        log_report = self._log_report
        if isinstance(log_report, str):
            return trainer.get_extension(log_report)
        if isinstance(log_report, LogReport):
            log_report(trainer)  # a private LogReport is updated by this extension
            return log_report
        raise TypeError(
            f"PrintReport: log_report must be a LogReport or its name, got "
            f"{type(log_report).__name__}"
        )

    def __call__(self, trainer: Any) -> None:
        out = self._out if self._out is not None else sys.stdout
        log = self._get_log_report(trainer).log
        if len(log) <= self._log_len and self._header_printed:
            return
        lines = []
        if not self._header_printed:
            lines.append(self._header)
            self._header_printed = True
        for entry in log[self._log_len :]:
            lines.append(self.format_row(entry))
        self._log_len = len(log)
        # On a terminal, erase what a progress bar drew below the cursor first.
        prefix = "\033[J" if _isatty(out) else ""
        out.write(prefix + "\n".join(lines) + "\n")
        flush = getattr(out, "flush", None)
        if flush is not None:
            flush()

    def format_row(self, entry: dict[str, Any]) -> str:
        """One table row for a log entry."""
        cells = []
        for key, width in zip(self._entries, self._widths):
            value = entry.get(key)
            if value is None:
                cells.append(" " * width)
            elif isinstance(value, (int, float)):
                cells.append(f"{value:<{width}g}")
            else:
                cells.append(f"{value!s:<{width}}")
        return "  ".join(cells).rstrip()

    def serialize(self, serializer: Any) -> None:
        """Save or load a private LogReport's state."""
        if isinstance(self._log_report, LogReport):
            self._log_report.serialize(serializer["_log_report"])
