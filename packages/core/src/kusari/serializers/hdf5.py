"""HDF5 serialization through h5py (optional: ``pip install "kusari-core[hdf5]"``).

The object tree maps onto HDF5 groups (``predictor/l1/W`` is dataset ``W`` in group
``predictor/l1``), as in Chainer. None is an empty dataset (``h5py.Empty``), Chainer's
encoding; strings are UTF-8 variable-length strings. Importing this module does not
import h5py; the first use does.
"""

from __future__ import annotations

import os
from typing import IO, Any

import numpy

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

__all__ = [
    "HDF5Serializer",
    "HDF5Deserializer",
    "save_hdf5",
    "load_hdf5",
    "Hdf5Serializer",
    "Hdf5Deserializer",
]


def _h5py(owner: str) -> Any:
    try:
        import h5py
    except ImportError as exc:
        raise ImportError(
            f"{owner} needs h5py, which could not be imported ({exc}).\n"
            'help: pip install "kusari-core[hdf5]"'
        ) from exc
    return h5py


class HDF5Serializer(Serializer):
    """Serializer writing into an ``h5py.Group``, one dataset per value.

    Args:
        group: The h5py group (or file) this serializer writes into.
        compression: The gzip level for datasets of more than one element.

    Example:
        >>> import io, h5py, numpy as np
        >>> class Model:
        ...     def serialize(self, s):
        ...         s["l1"]("W", np.eye(2))
        >>> with h5py.File(io.BytesIO(), "w") as f:
        ...     HDF5Serializer(f).save(Model())
        ...     f["l1/W"][()]
        array([[1., 0.],
               [0., 1.]])
    """

    def __init__(self, group: Any, compression: int | None = 4) -> None:
        self._h5py = _h5py("HDF5Serializer")
        self.group = group
        self.compression = compression

    def __getitem__(self, key: str) -> HDF5Serializer:
        name = child_path("", key).rstrip("/")
        return HDF5Serializer(self.group.require_group(name), self.compression)

    def __call__(self, key: str, value: Any) -> Any:
        h5py = self._h5py
        name = value_key("", key)
        full = f"{self.group.name.rstrip('/')}/{name}".lstrip("/")
        arr = to_host_array("HDF5Serializer", full, value)
        if name in self.group:
            raise ValueError(f"HDF5Serializer: {full!r} is written twice")
        if arr is None:
            self.group.create_dataset(name, data=h5py.Empty("f"))
        elif arr.dtype.kind == "U":
            self.group.create_dataset(name, data=arr.astype(object), dtype=h5py.string_dtype())
        else:
            # HDF5 cannot chunk (hence compress) a scalar; tiny datasets gain nothing
            compression = self.compression if arr.ndim and arr.size > 1 else None
            self.group.create_dataset(name, data=arr, compression=compression)
        return value


def save_hdf5(
    filename: str | os.PathLike | IO[bytes], obj: Any, compression: int | None = 4
) -> None:
    """Save ``obj`` (anything with ``serialize(serializer)``) to an HDF5 file.

    A path is written atomically (temporary file in the same directory, fsync,
    ``os.replace``; on error the temporary file is removed and an existing file is left
    untouched). An open binary file object is written directly.

    Args:
        filename: A path or a binary file object open for writing.
        obj: The object to save.
        compression: The gzip level (0-9) or None.

    Example:
        >>> import os, tempfile, h5py
        >>> class Model:
        ...     def serialize(self, s):
        ...         s("t", 3)
        >>> path = os.path.join(tempfile.mkdtemp(), "m.h5")
        >>> save_hdf5(path, Model())
        >>> int(h5py.File(path, "r")["t"][()])
        3
    """
    h5py = _h5py("save_hdf5")

    def write(target: Any) -> None:
        with h5py.File(target, "w") as f:
            HDF5Serializer(f, compression=compression).save(obj)

    if isinstance(filename, (str, bytes, os.PathLike)):
        write_atomically("save_hdf5", filename, write)
    else:
        write(filename)


class HDF5Deserializer(Deserializer):
    """Deserializer reading values from an ``h5py.Group``.

    Args:
        group: The h5py group (or file) the keys are relative to.
        strict: When True a missing key raises KeyError; when False it is skipped.
        path: The path prefix where the object's values live.
        ignore_names: A full key, a callable taking a full key, or a list of them.

    Example:
        >>> import io, h5py, numpy as np
        >>> buf = io.BytesIO()
        >>> with h5py.File(buf, "w") as f:
        ...     _ = f.create_dataset("l1/b", data=np.ones(2))
        >>> with h5py.File(buf, "r") as f:
        ...     HDF5Deserializer(f)["l1"]("b", np.zeros(2))
        array([1., 1.])
    """

    def __init__(
        self,
        group: Any,
        strict: bool = True,
        *,
        path: str = "",
        ignore_names: IgnoreNames = None,
    ) -> None:
        self._h5py = _h5py("HDF5Deserializer")
        self.group = group
        self.strict = strict
        self.path = normalize_path(path)
        self.ignore_names = normalize_ignore_names("HDF5Deserializer", ignore_names)
        filename = getattr(getattr(group, "file", None), "filename", None)
        self.source = repr(filename) if isinstance(filename, str) else "<HDF5 file>"

    def __getitem__(self, key: str) -> HDF5Deserializer:
        return HDF5Deserializer(
            self.group, self.strict, path=child_path(self.path, key), ignore_names=self.ignore_names
        )

    def __call__(self, key: str, value: Any) -> Any:
        full = value_key(self.path, key)
        node = self.group.get(full)
        if node is None and not self.strict:
            return value
        if is_ignored(self.ignore_names, full):
            return value
        if node is None:
            raise KeyError(
                f"HDF5Deserializer: key {full!r} not found in {self.source} "
                "(help: load with strict=False to skip missing keys, or pass path= when the "
                "object was saved under a prefix)"
            )
        if not isinstance(node, self._h5py.Dataset):
            raise ValueError(
                f"HDF5Deserializer: {full!r} in {self.source} is a group, not a dataset"
            )
        return assign("HDF5Deserializer", full, self.source, value, self._read(full, node))

    def _read(self, key: str, dataset: Any) -> Any:
        if dataset.shape is None:  # h5py.Empty: Chainer's and kusari's None
            return NONE
        info = self._h5py.check_string_dtype(dataset.dtype)
        if info is not None and info.length is None:  # variable-length text
            return numpy.asarray(dataset.asstr()[()], dtype=str)
        arr = numpy.asarray(dataset[()])
        if arr.dtype.hasobject:
            raise ValueError(
                f"HDF5Deserializer: {key!r} in {self.source} has an HDF5 type kusari does not "
                f"load ({dataset.dtype}); expected numbers, booleans or strings"
            )
        return arr


def load_hdf5(
    filename: str | os.PathLike | IO[bytes],
    obj: Any,
    path: str = "",
    strict: bool = True,
    ignore_names: IgnoreNames = None,
) -> None:
    """Load ``obj`` (anything with ``serialize(serializer)``) from an HDF5 file.

    Args:
        filename: A path or a binary file object open for reading.
        obj: The object to fill.
        path: Where the object's values live in the file (``'updater/model:main/'``).
        strict: When True a missing key raises KeyError naming the key and the file;
            when False missing keys are skipped.
        ignore_names: A full key, a callable taking a full key, or a list of them.

    Example:
        >>> import io, numpy as np
        >>> class Model:
        ...     def __init__(self):
        ...         self.W = np.zeros(3)
        ...
        ...     def serialize(self, s):
        ...         s("W", self.W)
        >>> buf = io.BytesIO()
        >>> m = Model()
        >>> m.W[:] = 5
        >>> save_hdf5(buf, m)
        >>> m2 = Model()
        >>> load_hdf5(buf, m2)
        >>> m2.W
        array([5., 5., 5.])
    """
    h5py = _h5py("load_hdf5")
    if isinstance(filename, (str, bytes, os.PathLike)):
        filename = os.fsdecode(os.fspath(filename))
    with h5py.File(filename, "r") as f:
        HDF5Deserializer(f, strict, path=path, ignore_names=ignore_names).load(obj)


# Spellings with a capitalized "Hdf5", for code that guessed the name that way.
Hdf5Serializer = HDF5Serializer
Hdf5Deserializer = HDF5Deserializer
