"""Atomic file writes: a temporary file in the target's directory, fsync, ``os.replace``.

A reader never sees a half-written cache file: either the old file (or none) or the new
one, whole. An exception mid-write leaves no file behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import IO, Any

__all__ = ["atomic_write", "atomic_path", "fsync_directory"]


def fsync_directory(directory: str) -> None:
    """Flush a directory entry to disk so a rename survives a crash (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on directories; the rename still happened
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` when the block exits cleanly.

    Args:
        path: The file to create or replace.
        mode: ``'wb'`` or ``'w'``.
        encoding: Text encoding for ``mode='w'`` (UTF-8 by default).

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "a.txt")
        >>> with atomic_write(p, "w") as f:
        ...     _ = f.write("hello")
        >>> open(p).read()
        'hello'
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write: expected mode 'wb' or 'w', got {mode!r}")
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp"
    )
    try:
        if mode == "w":
            f = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline="\n")
        else:
            f = os.fdopen(fd, "wb")
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_directory(directory)


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path with ``path``'s base name; it replaces ``path`` on success.

    For writers that want a file name rather than a file object (``numpy.savez`` adds
    ``.npz`` unless the name already ends with it, so the base name is kept).
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmpdir = tempfile.mkdtemp(dir=directory, prefix="." + os.path.basename(path) + ".")
    tmp = os.path.join(tmpdir, os.path.basename(path))
    try:
        yield tmp
        if not os.path.isfile(tmp):
            raise FileNotFoundError(f"atomic_path: the writer did not create {tmp}")
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_directory(directory)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
