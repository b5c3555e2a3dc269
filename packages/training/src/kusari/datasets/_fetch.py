"""Finding a data set's source files: known local copies, the cache, then the network.

Each source file is described by a :class:`Remote` (file name, mirror URLs, checksum).
:func:`load_remote` returns ``parse(path)`` for the first good copy:

1. a known local copy (e.g. Debian's ``dataset-fashion-mnist`` package), checked by
   parsing it (Debian recompresses the archives, so upstream checksums do not apply);
2. ``<root>/<directory>/<file name>``, checked against the known checksum or the
   ``.sha256`` sidecar recorded at download, and by parsing;
3. a fresh download from the mirrors, written atomically and verified.

A copy that fails a check is never used: the next source is tried, and a cache file
is replaced only once a good download is complete.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy

from kusari.dataset import download

__all__ = ["CORRUPT_ERRORS", "Remote", "load_remote", "npz_loader", "resolve_dtype", "save_npz"]

T = TypeVar("T")
CORRUPT_ERRORS = download.CORRUPT_ERRORS


@dataclasses.dataclass(frozen=True)
class Remote:
    """One source file of a data set.

    Attributes:
        filename: Its name on disk.
        urls: Mirrors, tried in order.
        sha256: Known SHA-256 of the official file, or None.
        md5: Known MD5 (used when no SHA-256 is known), or None. With neither, the
            SHA-256 of the first download is recorded in a sidecar and checked later.
    """

    filename: str
    urls: tuple[str, ...]
    sha256: str | None = None
    md5: str | None = None


def load_remote(
    remote: Remote,
    directory: str,
    parse: Callable[[str], T],
    *,
    caller: str,
    local_dirs: Sequence[str] = (),
) -> T:
    """Return ``parse(path)`` for the first verified copy of ``remote`` (see module doc).

    Args:
        remote: The file.
        directory: The data set's cache directory.
        parse: Reads the file; raises ValueError/OSError/EOFError on a bad file.
        caller: Public function name used in messages (``'get_mnist'``).
        local_dirs: Directories that may hold a copy installed by other means.

    Raises:
        DownloadError: No copy was usable and no mirror could deliver one.
        ValueError: The freshly downloaded file does not parse.
    """
    for local_dir in local_dirs:
        candidate = os.path.join(local_dir, remote.filename)
        if os.path.isfile(candidate):
            try:
                return parse(candidate)
            except CORRUPT_ERRORS as e:
                warnings.warn(
                    f"{caller}: ignoring unreadable local copy {candidate} "
                    f"({type(e).__name__}: {e})",
                    stacklevel=3,
                )
    path = os.path.join(directory, remote.filename)
    if os.path.isfile(path):
        problem = download.verify_file(path, remote.sha256, remote.md5)
        if problem is None:
            try:
                return parse(path)
            except CORRUPT_ERRORS as e:
                problem = f"{type(e).__name__}: {e}"
        warnings.warn(
            f"{caller}: {path} is corrupt ({problem}); downloading it again", stacklevel=3
        )
    download.fetch_file(remote.urls, path, sha256=remote.sha256, md5=remote.md5, caller=caller)
    try:
        return parse(path)
    except CORRUPT_ERRORS as e:
        raise ValueError(
            f"{caller}: downloaded {path} but cannot read it ({type(e).__name__}: {e}); "
            "help: delete the file and its .sha256 sidecar and try again"
        ) from e


def resolve_dtype(dtype: Any) -> numpy.dtype:
    """``dtype``, or ``kusari.config.dtype`` (float32 unless configured) when None."""
    try:
        from kusari import get_dtype
    except ImportError:  # core without get_dtype: Chainer's default
        return numpy.dtype(numpy.float32 if dtype is None else dtype)
    return get_dtype(dtype)


def npz_loader(
    expected: dict[str, tuple[Any, int | None]],
) -> Callable[[str], dict[str, numpy.ndarray]]:
    """Return a loader reading every array of an ``.npz`` eagerly, without pickle.

    Args:
        expected: ``{key: (dtype, ndim)}``; a file missing a key or holding another
            dtype/ndim counts as corrupt (ValueError).
    """

    def load(path: str) -> dict[str, numpy.ndarray]:
        with numpy.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in expected}
        for key, (dtype, ndim) in expected.items():
            a = arrays[key]
            if a.dtype != numpy.dtype(dtype) or (ndim is not None and a.ndim != ndim):
                raise ValueError(
                    f"{path}: {key!r} is {a.dtype} with {a.ndim} dims, "
                    f"expected {numpy.dtype(dtype)} with {ndim}"
                )
        return arrays

    return load


def save_npz(path: str, **arrays: numpy.ndarray) -> None:
    """Write an uncompressed ``.npz`` (fast to load; the zip CRC still catches damage)."""
    with open(path, "wb") as f:
        numpy.savez(f, **arrays)
