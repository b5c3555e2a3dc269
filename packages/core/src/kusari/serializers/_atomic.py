"""Write a file atomically: a temporary file beside it, fsync, then ``os.replace``.

A reader sees either the old file or the complete new one, never a partial write, and
an error (or a crash) leaves the old file untouched and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from typing import Any

__all__ = ["write_atomically"]


def _fsync_path(path: str) -> None:
    # "r+b": Windows refuses fsync on a read-only descriptor
    with open(path, "r+b") as f:
        os.fsync(f.fileno())


def _fsync_directory(directory: str) -> None:
    # Makes the rename itself durable; directories cannot be opened on Windows.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temp(path: str) -> str:
    directory, base = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(4)}.tmp")
        try:
            # 0o666 lets the umask decide, as for a file opened normally
            os.close(os.open(tmp, flags, 0o666))
        except FileExistsError:
            continue
        return tmp


def write_atomically(owner: str, path: Any, write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` and move the result onto ``path`` atomically.

    Args:
        owner: The public function's name, for error messages.
        path: The destination (str, bytes or path-like).
        write: Writes the complete content to the given temporary path.
    """
    path = os.path.abspath(os.fsdecode(os.fspath(path)))
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{owner}: the directory {directory!r} of {path!r} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{owner}: {path!r} is a directory")
    tmp = _create_temp(path)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))  # keep an existing file's mode
        write(tmp)
        _fsync_path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)
