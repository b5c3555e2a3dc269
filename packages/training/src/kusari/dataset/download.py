"""Where data sets live on disk, and fetching files into that cache safely.

The root is ``$KUSARI_DATASET_ROOT`` (default ``~/.kusari/dataset``) unless
:func:`set_dataset_root` chose another. Every file is written atomically (temporary file
in the same directory, fsync, ``os.replace``), downloads are checked against a known
SHA-256/MD5 or, when none is known, against the SHA-256 recorded in a ``.sha256`` sidecar
on first download, and a cache file that fails its check or fails to load is fetched or
built again instead of being used.
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable, Sequence
from typing import IO, Any

from kusari.dataset._atomic import atomic_path, atomic_write

__all__ = [
    "DownloadError",
    "cache_or_load_file",
    "cached_download",
    "get_dataset_directory",
    "get_dataset_root",
    "set_dataset_root",
]

_root_override: str | None = None

# What a corrupt or truncated cache file raises while loading (zip CRC, short gzip, bad
# header, missing key, undecodable text).
CORRUPT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    EOFError,
    KeyError,
    zipfile.BadZipFile,
    zlib.error,
)

_CHUNK = 1 << 20


class DownloadError(OSError):
    """No URL could deliver a file (the message names the URLs and where to put it)."""


def get_dataset_root() -> str:
    """Return the directory holding all downloaded data sets.

    Example:
        >>> isinstance(get_dataset_root(), str)
        True
    """
    if _root_override is not None:
        return _root_override
    env = os.environ.get("KUSARI_DATASET_ROOT")
    if env:
        return os.path.expanduser(env)
    return os.path.join(os.path.expanduser("~"), ".kusari", "dataset")


def set_dataset_root(path: str | os.PathLike[str]) -> None:
    """Use ``path`` as the data set root from now on (over ``$KUSARI_DATASET_ROOT``)."""
    global _root_override
    _root_override = os.path.expanduser(os.fspath(path))


def get_dataset_directory(dataset_name: str, create_directory: bool = True) -> str:
    """Return ``<root>/<dataset_name>``, creating it unless ``create_directory`` is False.

    Example:
        >>> get_dataset_directory("mnist", create_directory=False).endswith("mnist")
        True
    """
    path = os.path.join(get_dataset_root(), dataset_name)
    if create_directory:
        os.makedirs(path, exist_ok=True)
    return path


def _open_url(url: str, timeout: float) -> IO[bytes]:
    """Open ``url`` for reading (the one network entry point; tests replace it)."""
    import urllib.request  # imported here: it pulls in http, email and ssl (~40 ms)

    return urllib.request.urlopen(url, timeout=timeout)


def file_digest(path: str, algorithm: str = "sha256") -> str:
    """Return the hex digest of a file, read in 1 MiB chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _sidecar(path: str) -> str:
    return path + ".sha256"


def _read_sidecar(path: str) -> str | None:
    try:
        with open(_sidecar(path), encoding="ascii") as f:
            text = f.read().split()
    except (OSError, UnicodeDecodeError):
        return None
    return text[0].lower() if text else None


def record_sidecar(path: str, digest: str | None = None) -> None:
    """Write ``<path>.sha256`` (``sha256sum`` format) for a file with no known checksum."""
    digest = digest or file_digest(path)
    with atomic_write(_sidecar(path), "w", encoding="ascii") as f:
        f.write(f"{digest}  {os.path.basename(path)}\n")


def verify_file(path: str, sha256: str | None = None, md5: str | None = None) -> str | None:
    """Check a file against its known checksum, or its sidecar; return None or the problem.

    With no known checksum and no sidecar the file is accepted and a sidecar is written,
    so later corruption is caught.
    """
    if sha256:
        got = file_digest(path, "sha256")
        return None if got == sha256.lower() else f"SHA-256 {got}, expected {sha256}"
    if md5:
        got = file_digest(path, "md5")
        return None if got == md5.lower() else f"MD5 {got}, expected {md5}"
    recorded = _read_sidecar(path)
    got = file_digest(path)
    if recorded is None:
        record_sidecar(path, got)
        return None
    return None if got == recorded else f"SHA-256 {got}, recorded at download {recorded}"


def fetch_file(
    urls: Sequence[str],
    path: str,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    caller: str = "download",
    timeout: float = 60.0,
) -> None:
    """Download the first URL that works into ``path`` atomically, verifying it.

    Raises:
        DownloadError: Every URL failed (network error or checksum mismatch); the message
            lists each URL with its error and says where to put the file by hand.
    """
    import http.client  # URLError is an OSError; HTTPException (e.g. IncompleteRead) is not

    failures = []
    for url in urls:
        print(f"{caller}: downloading {url} ...", file=sys.stderr)
        try:
            h_sha, h_md5 = hashlib.sha256(), hashlib.md5()
            with _open_url(url, timeout) as response, atomic_write(path, "wb") as out:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    h_sha.update(chunk)
                    h_md5.update(chunk)
                    out.write(chunk)
                if sha256 and h_sha.hexdigest() != sha256.lower():
                    raise ValueError(f"SHA-256 {h_sha.hexdigest()} != expected {sha256}")
                if md5 and not sha256 and h_md5.hexdigest() != md5.lower():
                    raise ValueError(f"MD5 {h_md5.hexdigest()} != expected {md5}")
        except (OSError, ValueError, http.client.HTTPException) as e:
            failures.append(f"  {url}: {type(e).__name__}: {e}")
            continue
        record_sidecar(path, h_sha.hexdigest())
        return
    name = os.path.basename(path)
    raise DownloadError(
        f"{caller}: could not download {name}; tried:\n"
        + "\n".join(failures)
        + f"\nhelp: without internet access, fetch {urls[0]} on another machine and "
        f"save it as {path}, then call {caller} again"
    )


def cached_download(url: str, *, sha256: str | None = None, md5: str | None = None) -> str:
    """Download ``url`` once into ``<root>/_dl_cache`` and return the local path.

    The cached file is re-verified on each call (known checksum or recorded sidecar) and
    downloaded again when it no longer matches.

    Args:
        url: The URL (``http``, ``https`` or ``file``).
        sha256: Expected SHA-256 hex digest, if known.
        md5: Expected MD5 hex digest, if known (used only without ``sha256``).

    Returns:
        The path of the verified file.
    """
    cache_root = os.path.join(get_dataset_root(), "_dl_cache")
    path = os.path.join(cache_root, hashlib.md5(url.encode("utf-8")).hexdigest())
    if os.path.exists(path):
        problem = verify_file(path, sha256, md5)
        if problem is None:
            return path
        warnings.warn(
            f"cached_download: cached copy of {url} is corrupt ({problem}); downloading again",
            stacklevel=2,
        )
    fetch_file([url], path, sha256=sha256, md5=md5, caller="cached_download")
    return path


def cache_or_load_file(
    path: str, creator: Callable[[str], Any], loader: Callable[[str], Any]
) -> Any:
    """Load ``path`` with ``loader``, first building it with ``creator`` when missing.

    ``creator(temp_path)`` writes the file (its base name is ``path``'s) and returns the
    loaded content; the file then replaces ``path`` atomically. If an existing file fails
    to load (truncated, bad CRC, wrong content) it is rebuilt once, with a warning.

    Args:
        path: The cache file.
        creator: ``creator(path) -> content``; writes the file.
        loader: ``loader(path) -> content``; raises on a corrupt file.

    Returns:
        The content.
    """
    if os.path.exists(path):
        try:
            return loader(path)
        except CORRUPT_ERRORS as e:
            warnings.warn(
                f"cache_or_load_file: {path} is corrupt ({type(e).__name__}: {e}); rebuilding it",
                stacklevel=2,
            )
    with atomic_path(path) as tmp:
        content = creator(tmp)
    return content
