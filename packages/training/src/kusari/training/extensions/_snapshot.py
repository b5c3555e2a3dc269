"""``snapshot`` and ``snapshot_object``: save the trainer (or any object) periodically."""

from __future__ import annotations

import contextlib
import os
import re
import string
import warnings
import zipfile
from collections.abc import Callable
from typing import Any

from kusari.serializers import load_npz
from kusari.training import extension
from kusari.training.extensions.snapshot_writers import SimpleWriter, Writer

__all__ = ["snapshot", "snapshot_object", "find_snapshots"]

# core's atomic writer names its temporary files ".<name>.<8 hex digits>.tmp"
_TEMP_FILE = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp$")


def _pattern(filename: str) -> re.Pattern[str]:
    """A regex matching the names a filename template produces (fields match anything)."""
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(filename):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".+?")
    return re.compile("^" + "".join(parts) + "$")


def find_snapshots(filename: str, outdir: str) -> list[str]:
    """Complete snapshot files in ``outdir`` matching the template, oldest first.

    Temporary files of unfinished writes never match.

    Args:
        filename: The template given to :func:`snapshot` (e.g.
            ``'snapshot_iter_{.updater.iteration}'``).
        outdir: The directory to scan.

    Returns:
        File names (not paths), ordered by modification time, then by name.
    """
    if not isinstance(filename, str):
        raise TypeError("find_snapshots: needs a str filename template")
    pattern = _pattern(filename)
    try:
        names = os.listdir(outdir)
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        if _TEMP_FILE.match(name) or not pattern.match(name):
            continue
        path = os.path.join(outdir, name)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            continue  # deleted meanwhile (n_retains of another writer)
        if os.path.isfile(path):
            found.append((stat.st_mtime_ns, _natural_key(name), name))
    return [name for _, _, name in sorted(found)]


def _natural_key(name: str) -> list[Any]:
    # 'snapshot_iter_100' sorts after 'snapshot_iter_20' when mtimes tie
    return [(0, int(tok), "") if tok.isdigit() else (1, 0, tok) for tok in re.split(r"(\d+)", name)]


def _is_complete_npz(path: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (OSError, zipfile.BadZipFile, EOFError, ValueError):
        return False


class _Snapshot(extension.Extension):
    """The extension returned by :func:`snapshot`."""

    trigger = (1, "epoch")
    # Runs after the other extensions of the iteration, so the saved state includes
    # what they did (e.g. the LogReport entry of this epoch).
    priority = -100

    def __init__(
        self,
        target: Any,
        condition: Callable[[], bool] | None,
        writer: Writer,
        filename: str | Callable[[Any], str],
        snapshot_on_error: bool,
        n_retains: int,
        autoload: bool,
    ) -> None:
        self._target = target
        self._condition = condition
        self.writer = writer
        self.filename = filename
        self._snapshot_on_error = snapshot_on_error
        self.n_retains = n_retains
        self.autoload = autoload
        self._outdir: str | None = None
        self.loaded_from: str | None = None

    def _target_of(self, trainer: Any) -> Any:
        return trainer if self._target is None else self._target

    def initialize(self, trainer: Any) -> None:
        self._outdir = trainer.out
        if self.n_retains > 0 and isinstance(self.filename, str):
            self.writer.post_save = self._remove_old
        if not self.autoload:
            return
        if not isinstance(self.filename, str):
            raise TypeError("snapshot(autoload=True) needs a str filename template")
        self._remove_stale_temporaries(trainer.out)
        for name in reversed(find_snapshots(self.filename, trainer.out)):
            path = os.path.join(trainer.out, name)
            if not _is_complete_npz(path):
                warnings.warn(
                    f"snapshot: skipping {path}: not a complete NPZ archive", stacklevel=2
                )
                continue
            load_npz(path, self._target_of(trainer))
            self.loaded_from = path
            return

    def _remove_stale_temporaries(self, outdir: str) -> None:
        # Left by a write that was killed before its rename; never loaded, just garbage.
        pattern = _pattern(self.filename)
        with contextlib.suppress(FileNotFoundError):
            for name in os.listdir(outdir):
                if _TEMP_FILE.match(name) and pattern.match(name[1:].rsplit(".", 2)[0]):
                    with contextlib.suppress(OSError):
                        os.remove(os.path.join(outdir, name))

    def _remove_old(self, _written: str) -> None:
        outdir = self._outdir
        if outdir is None:
            return
        names = find_snapshots(self.filename, outdir)
        for name in names[: max(len(names) - self.n_retains, 0)]:
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(outdir, name))

    def __call__(self, trainer: Any) -> None:
        if self._condition is None or self._condition():
            self._make_snapshot(trainer)

    def _make_snapshot(self, trainer: Any) -> None:
        self._outdir = trainer.out
        name = self.filename(trainer) if callable(self.filename) else self.filename.format(trainer)
        self.writer(name, trainer.out, self._target_of(trainer))

    def on_error(self, trainer: Any, exc: BaseException, tb: Any) -> None:
        if self._snapshot_on_error:
            self._make_snapshot(trainer)

    def finalize(self) -> None:
        self.writer.finalize()


def snapshot(
    savefun: Callable[..., Any] | None = None,
    filename: str | Callable[[Any], str] = "snapshot_iter_{.updater.iteration}",
    *,
    target: Any = None,
    condition: Callable[[], bool] | None = None,
    writer: Writer | None = None,
    snapshot_on_error: bool = False,
    n_retains: int = -1,
    autoload: bool = False,
) -> _Snapshot:
    """Return an extension saving the trainer (the whole training state) periodically.

    The file name is ``filename.format(trainer)``, so ``'snapshot_epoch-{.updater.epoch}'``
    gives ``snapshot_epoch-3``. Files are written atomically. Resume with
    ``kusari.serializers.load_npz(path, trainer)`` before ``trainer.run()``, or let
    ``autoload`` do it. Default trigger: once per epoch.

    Args:
        savefun: ``savefun(path, target)``; ``kusari.serializers.save_npz`` by default.
        filename: A ``str.format`` template applied to the trainer, or a callable
            ``filename(trainer) -> str``.
        target: What to save (the trainer when None).
        condition: Called before each snapshot; no snapshot when it returns False.
        writer: A :mod:`snapshot_writers` writer (e.g. ``ThreadWriter()`` to write in the
            background); do not combine with ``savefun``.
        snapshot_on_error: Also save when the training loop raises.
        n_retains: Keep only the newest ``n_retains`` files matching the template.
        autoload: At ``trainer.run()`` start, load the newest complete matching snapshot
            in ``trainer.out`` (NPZ), if any, before any other extension initializes.

    Returns:
        The extension.

    Example:
        >>> ext = snapshot(filename="snapshot_epoch-{.updater.epoch}", autoload=True)
        >>> ext.trigger, ext.priority
        ((1, 'epoch'), -100)
    """
    if savefun is not None and writer is not None:
        raise TypeError("snapshot: give savefun or writer, not both (a writer has its savefun)")
    if writer is None:
        writer = SimpleWriter() if savefun is None else SimpleWriter(savefun)
    elif not callable(writer):
        raise TypeError(f"snapshot: writer must be a snapshot writer, got {type(writer).__name__}")
    if not (isinstance(filename, str) or callable(filename)):
        raise TypeError(
            f"snapshot: filename must be a str template or a callable, got {filename!r}"
        )
    return _Snapshot(
        target, condition, writer, filename, snapshot_on_error, int(n_retains), autoload
    )


def snapshot_object(
    target: Any,
    filename: str | Callable[[Any], str],
    savefun: Callable[..., Any] | None = None,
    **kwargs: Any,
) -> _Snapshot:
    """Return an extension saving one object (a model, an optimizer) periodically.

    Same options as :func:`snapshot`; ``filename`` is formatted with the trainer, e.g.
    ``'model_epoch-{.updater.epoch}'``. Load the file with
    ``kusari.serializers.load_npz(path, model)``.

    Example:
        >>> import numpy as np
        >>> class Model:
        ...     def serialize(self, s):
        ...         s("W", np.zeros(2))
        >>> ext = snapshot_object(Model(), "model_epoch-{.updater.epoch}")
    """
    return snapshot(savefun=savefun, filename=filename, target=target, **kwargs)
