"""NPZ serialization: Chainer's default format, one ``.npy`` member per '/'-joined key.

Files are plain NumPy archives (``numpy.load`` reads them) laid out exactly as
Chainer's, so Chainer's files load into kusari objects and back. Writing never pickles
and loading never unpickles; None is stored as described in :mod:`._none`.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from typing import IO, Any

import numpy
import numpy.lib.format as npy_format

from kusari.serializers._atomic import write_atomically
from kusari.serializers._base import (
    NONE,
    Deserializer,
    IgnoreNames,
    Serializer,
    assign,
    child_path,
    is_ignored,
    normalize_ignore_names,
    normalize_path,
    to_host_array,
    value_key,
)
from kusari.serializers._none import encode_none, is_none_marker, is_pickled_none_member

__all__ = ["DictionarySerializer", "NpzDeserializer", "save_npz", "load_npz"]

PathOrFile = str | bytes | os.PathLike | IO[bytes]


class DictionarySerializer(Serializer):
    """Serializer that flattens an object tree into a dict of NumPy arrays.

    Keys are '/'-joined paths (``'predictor/l1/W'``); values are host arrays, with None
    stored as kusari's pickle-free marker. :func:`save_npz` writes the dict to a file.

    Args:
        target: The dict to fill (a new one when None).
        path: The path prefix of this serializer inside the tree.

    Example:
        >>> import numpy as np
        >>> class Model:
        ...     def __init__(self):
        ...         self.W = np.ones((2, 2), np.float32)
        ...
        ...     def serialize(self, s):
        ...         s["l1"]("W", self.W)
        >>> s = DictionarySerializer()
        >>> s.save(Model())
        >>> list(s.target)
        ['l1/W']
    """

    def __init__(self, target: dict[str, numpy.ndarray] | None = None, path: str = "") -> None:
        self.target = {} if target is None else target
        self.path = path

    def __getitem__(self, key: str) -> DictionarySerializer:
        return DictionarySerializer(self.target, child_path(self.path, key))

    def __call__(self, key: str, value: Any) -> Any:
        full = value_key(self.path, key)
        arr = to_host_array("DictionarySerializer", full, value)
        self.target[full] = encode_none() if arr is None else arr
        return value


def _describe(file: Any) -> str:
    if isinstance(file, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(os.fspath(file)))
    name = getattr(file, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(file).__name__}>"


def _write_npz(fileobj: IO[bytes], arrays: dict[str, numpy.ndarray], compression: bool) -> None:
    # Written member by member (as numpy.savez does) instead of numpy.savez(**arrays):
    # keys such as 'file' or 'allow_pickle' would collide with savez's own arguments.
    method = zipfile.ZIP_DEFLATED if compression else zipfile.ZIP_STORED
    with zipfile.ZipFile(fileobj, mode="w", compression=method, allowZip64=True) as archive:
        for key, arr in arrays.items():
            with archive.open(key + ".npy", mode="w", force_zip64=True) as member:
                npy_format.write_array(member, numpy.asanyarray(arr), allow_pickle=False)


def save_npz(file: PathOrFile, obj: Any, compression: bool = True) -> None:
    """Save ``obj`` (anything with ``serialize(serializer)``) to an NPZ file.

    A path is written atomically: a temporary file in the same directory is written,
    flushed, fsynced and moved onto ``file`` with ``os.replace``; on any error it is
    removed and an existing file is left untouched. An open binary file is written
    directly. No ``.npz`` suffix is added.

    Args:
        file: A path (str, bytes, path-like) or a binary file object open for writing.
        obj: The object to save (a Link, an Optimizer, a Trainer, ...).
        compression: Deflate the members (Chainer's default) or store them.

    Example:
        >>> import numpy as np, os, tempfile
        >>> class Model:
        ...     def __init__(self):
        ...         self.W = np.arange(3.0)
        ...
        ...     def serialize(self, s):
        ...         s("W", self.W)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
        >>> save_npz(path, Model())
        >>> np.load(path)["W"]
        array([0., 1., 2.])
    """
    serializer = DictionarySerializer()
    serializer.save(obj)
    if isinstance(file, (str, bytes, os.PathLike)):

        def write(tmp: str) -> None:
            with open(tmp, "wb") as f:
                _write_npz(f, serializer.target, compression)

        write_atomically("save_npz", file, write)
    else:
        _write_npz(file, serializer.target, compression)


class NpzDeserializer(Deserializer):
    """Deserializer reading values from an NPZ archive (or any mapping of key → array).

    Args:
        npz: The archive opened by ``numpy.load(..., allow_pickle=False)``, or a dict.
        path: The path prefix where the object's values live (``'updater/model:main/'``).
        strict: When True a missing key raises KeyError; when False it is skipped and
            ``value`` is returned unchanged.
        ignore_names: A full key, a callable taking a full key and returning True to skip
            it, or a list of them. Full keys include ``path``.
        source: How to name the archive in error messages.

    Example:
        >>> import numpy as np
        >>> d = NpzDeserializer({"l1/W": np.ones(2)})
        >>> target = np.zeros(2)
        >>> _ = d["l1"]("W", target)
        >>> target
        array([1., 1.])
    """

    def __init__(
        self,
        npz: Mapping[str, Any],
        path: str = "",
        strict: bool = True,
        ignore_names: IgnoreNames = None,
        *,
        source: str | None = None,
    ) -> None:
        self.npz = npz
        self.path = normalize_path(path)
        self.strict = strict
        self.ignore_names = normalize_ignore_names("NpzDeserializer", ignore_names)
        self.source = source if source is not None else _describe_npz(npz)

    def __getitem__(self, key: str) -> NpzDeserializer:
        return NpzDeserializer(
            self.npz, child_path(self.path, key), self.strict, self.ignore_names, source=self.source
        )

    def __call__(self, key: str, value: Any) -> Any:
        full = value_key(self.path, key)
        present = full in self.npz
        if not present and not self.strict:
            return value
        if is_ignored(self.ignore_names, full):
            return value
        if not present:
            raise KeyError(
                f"NpzDeserializer: key {full!r} not found in {self.source} "
                "(help: load with strict=False to skip missing keys, or pass path= when the "
                "object was saved under a prefix)"
            )
        return assign("NpzDeserializer", full, self.source, value, self._read(full))

    def _read(self, key: str) -> Any:
        try:
            arr = self.npz[key]
        except ValueError:
            is_object, is_none = is_pickled_none_member(self.npz, key)
            if is_none:
                return NONE
            if is_object:
                raise ValueError(
                    f"NpzDeserializer: refusing {key!r} in {self.source}: it holds pickled "
                    "Python objects (an object array), and loading them could run arbitrary "
                    "code; kusari never unpickles"
                ) from None
            raise
        arr = numpy.asarray(arr)
        if arr.dtype.hasobject:
            # An in-memory dict (no pickle involved): Chainer's DictionarySerializer
            # stored None as numpy.asarray(None).
            if arr.shape == () and arr[()] is None:
                return NONE
            raise ValueError(
                f"NpzDeserializer: refusing {key!r} in {self.source}: it is an object array"
            )
        return NONE if is_none_marker(arr) else arr


def _describe_npz(npz: Any) -> str:
    archive = getattr(npz, "zip", None)
    name = getattr(archive, "filename", None)
    return repr(name) if name else f"<{type(npz).__name__}>"


def load_npz(
    file: PathOrFile,
    obj: Any,
    path: str = "",
    strict: bool = True,
    ignore_names: IgnoreNames = None,
    *,
    allow_pickle: bool | None = None,
) -> None:
    """Load ``obj`` (anything with ``serialize(serializer)``) from an NPZ file.

    Never unpickles: a member holding Python objects is refused with a ValueError (a
    None written by Chainer is recognized byte for byte and loads as None).

    Args:
        file: A path or a binary file object open for reading.
        obj: The object to fill.
        path: Where the object's values live in the file, e.g. ``'updater/model:main/'``
            to take a model out of a trainer snapshot.
        strict: When True a missing key raises KeyError naming the key and the file;
            when False missing keys are skipped.
        ignore_names: A full key, a callable taking a full key, or a list of them:
            matching values are not loaded.
        allow_pickle: Accepted for Chainer compatibility; it has no effect.

    Example:
        >>> import io, numpy as np
        >>> class Model:
        ...     def __init__(self, value):
        ...         self.b = np.full(2, value)
        ...
        ...     def serialize(self, s):
        ...         s("b", self.b)
        >>> buf = io.BytesIO()
        >>> save_npz(buf, Model(7.0))
        >>> _ = buf.seek(0)
        >>> m = Model(0.0)
        >>> load_npz(buf, m)
        >>> m.b
        array([7., 7.])
    """
    del allow_pickle  # loading Python objects would run code from the file: never done
    source = _describe(file)
    try:
        npz = numpy.load(file, allow_pickle=False)
    except ValueError as exc:
        raise ValueError(
            f"load_npz: {source} is not an NPZ archive kusari can read: {exc}"
        ) from None
    if not isinstance(npz, numpy.lib.npyio.NpzFile):
        raise ValueError(
            f"load_npz: {source} holds a single .npy array, not an NPZ archive of named arrays"
        )
    with npz:
        NpzDeserializer(npz, path, strict, ignore_names, source=source).load(obj)
