"""``ProgressBar``: show how far training has gone (tqdm on a terminal, plain lines in logs)."""

from __future__ import annotations

import datetime
import sys
import time
from typing import IO, Any

from kusari.training import extension
from kusari.training.extensions.print_report import _isatty

__all__ = ["ProgressBar"]


def _eta(seconds: float) -> str:
    return str(datetime.timedelta(seconds=round(max(seconds, 0.0))))


def _bar(fraction: float, length: int) -> str:
    done = int(min(max(fraction, 0.0), 1.0) * length)
    return "#" * done + "." * (length - done)


class ProgressBar(extension.Extension):
    """Show training progress every ``update_interval`` iterations.

    On a terminal it draws a tqdm bar when tqdm is installed (else a text bar that
    redraws in place); on anything else (a log file, a pipe) it prints one plain line
    per update, and at most one every ``min_interval`` seconds, so logs stay short.
    :class:`PrintReport` rows appear above the bar.

    Args:
        training_length: ``(length, 'epoch'|'iteration')``; taken from the stop trigger
            when None.
        update_interval: Iterations between updates of the display.
        bar_length: Width of the text bar in characters.
        out: The stream to draw on (``sys.stdout`` when None).
        min_interval: Least seconds between two lines when ``out`` is not a terminal
            (default 5).

    Example:
        >>> trainer.extend(ProgressBar(update_interval=50))  # doctest: +SKIP
    """

    trigger = (1, "iteration")

    def __init__(
        self,
        training_length: tuple[int | float, str] | None = None,
        update_interval: int = 100,
        bar_length: int = 50,
        out: IO[str] | None = None,
        *,
        min_interval: float = 5.0,
    ) -> None:
        if int(update_interval) <= 0:
            raise ValueError(
                f"ProgressBar: update_interval must be positive, got {update_interval}"
            )
        self._training_length = training_length
        self._update_interval = int(update_interval)
        self._bar_length = int(bar_length)
        self._out = out
        self._min_interval = float(min_interval)
        self._pbar: Any = None
        self._drawn_lines = 0
        self._last_time: float | None = None
        self._last_line_time = -float("inf")
        self._last_iteration = 0
        self._rate = 0.0

    def _stream(self) -> Any:
        return self._out if self._out is not None else sys.stdout

    def initialize(self, trainer: Any) -> None:
        self._last_time = time.perf_counter()
        self._last_iteration = trainer.updater.iteration

    def __call__(self, trainer: Any) -> None:
        iteration = trainer.updater.iteration
        if iteration % self._update_interval != 0:
            return
        length = self._training_length
        if length is None:
            getter = getattr(trainer.stop_trigger, "get_training_length", None)
            length = getter() if getter is not None else None
            self._training_length = length
        now = time.perf_counter()
        if self._last_time is None:
            self._last_time, self._last_iteration = now, iteration
        elif now > self._last_time and iteration > self._last_iteration:
            self._rate = (iteration - self._last_iteration) / (now - self._last_time)
            self._last_time, self._last_iteration = now, iteration
        out = self._stream()
        if _isatty(out):
            if self._draw_tqdm(trainer, length, out):
                return
            self._draw_text_block(trainer, length, out)
        elif now - self._last_line_time >= self._min_interval:
            self._last_line_time = now
            out.write(self._status_line(trainer, length) + "\n")
            out.flush()

    # --- progress arithmetic --------------------------------------------------------

    def _progress(self, trainer: Any, length: Any) -> tuple[float | None, float | None]:
        """(fraction done, estimated total iterations), None where unknown."""
        updater = trainer.updater
        if length is None:
            return None, None
        total, unit = length
        if unit == "iteration":
            return updater.iteration / total, float(total)
        epoch_detail = updater.epoch_detail
        fraction = epoch_detail / total
        if epoch_detail <= 0:
            return fraction, None
        return fraction, updater.iteration * total / epoch_detail

    def _status_line(self, trainer: Any, length: Any) -> str:
        updater = trainer.updater
        fraction, total_iter = self._progress(trainer, length)
        parts = []
        if fraction is not None:
            parts.append(f"[{_bar(fraction, self._bar_length)}] {fraction:7.2%}")
        epochs = f"{updater.epoch} epoch"
        if length is not None and length[1] == "epoch":
            epochs += f" / {length[0]:g} epochs"
        parts.append(f"{updater.iteration} iter, {epochs}")
        if self._rate > 0:
            parts.append(f"{self._rate:.2f} iters/sec")
            if total_iter is not None:
                parts.append(f"ETA {_eta((total_iter - updater.iteration) / self._rate)}")
        return " | ".join(parts)

    # --- terminal drawing -----------------------------------------------------------

    def _draw_tqdm(self, trainer: Any, length: Any, out: Any) -> bool:
        try:
            from tqdm import tqdm
        except ImportError:
            return False
        updater = trainer.updater
        _, total_iter = self._progress(trainer, length)
        if self._pbar is None:
            self._pbar = tqdm(
                total=None if total_iter is None else round(total_iter),
                initial=updater.iteration,
                file=out,
                unit="iter",
                dynamic_ncols=True,
                mininterval=0,
                leave=True,
            )
        pbar = self._pbar
        if total_iter is not None and pbar.total != round(total_iter):
            pbar.total = round(total_iter)
        pbar.set_postfix_str(f"epoch {updater.epoch}", refresh=False)
        pbar.update(updater.iteration - pbar.n)
        # Leave the cursor at the start of the bar's line: a PrintReport row then
        # replaces the bar, which tqdm redraws below it at the next update.
        out.write("\r")
        out.flush()
        return True

    def _draw_text_block(self, trainer: Any, length: Any, out: Any) -> None:
        updater = trainer.updater
        fraction, total_iter = self._progress(trainer, length)
        lines = []
        if fraction is not None:
            lines.append(f"     total [{_bar(fraction, self._bar_length)}] {fraction:7.2%}")
        epoch_fraction = updater.epoch_detail - updater.epoch
        lines.append(f"this epoch [{_bar(epoch_fraction, self._bar_length)}] {epoch_fraction:7.2%}")
        lines.append(f"{updater.iteration:>10} iter, {updater.epoch} epoch")
        if self._rate > 0:
            eta = ""
            if total_iter is not None:
                remaining = (total_iter - updater.iteration) / self._rate
                eta = f" Estimated time to finish: {_eta(remaining)}."
            lines.append(f"{self._rate:10.5g} iters/sec.{eta}")
        out.write("\033[J" + "\n".join(lines) + "\n" + f"\033[{len(lines)}A")
        out.flush()
        self._drawn_lines = len(lines)

    def finalize(self) -> None:
        if self._pbar is not None:
            self._pbar.close()
            self._pbar = None
        elif self._drawn_lines:
            out = self._stream()
            out.write("\033[J")
            out.flush()
            self._drawn_lines = 0
