"""How None is stored in NPZ files without pickle, and how Chainer's pickled None is read.

kusari writes None as a 0-d array of the structured dtype ``[('kusari_none', 'u1')]``
(value 0): plain bytes that ``numpy.load(..., allow_pickle=False)`` reads, which no
real parameter or state ever uses.

Chainer wrote None as ``numpy.asarray(None)``, an object array whose payload is a
pickle. kusari never unpickles: it compares the payload byte for byte with the exact
bytes NumPy writes for that one value, so only a genuine None is accepted and nothing
in the file is ever executed; any other object array is refused.
"""

from __future__ import annotations

import zipfile
from typing import Any

import numpy
import numpy.lib.format as npy_format

__all__ = ["NONE_DTYPE", "encode_none", "is_none_marker", "is_pickled_none_member"]

NONE_DTYPE = numpy.dtype([("kusari_none", "u1")])


def encode_none() -> numpy.ndarray:
    """The array that stands for None in an NPZ file."""
    return numpy.zeros((), dtype=NONE_DTYPE)


def is_none_marker(array: numpy.ndarray) -> bool:
    """Whether ``array`` is kusari's None marker."""
    return array.shape == () and array.dtype == NONE_DTYPE


# The pickle of numpy.asarray(None) as numpy.save writes it: protocol 3 under NumPy 1.x
# (Chainer's era), protocol 4 with the module renamed under NumPy 2.x.
_PICKLED_NONE = frozenset(
    {
        b"\x80\x03cnumpy.core.multiarray\n_reconstruct\nq\x00cnumpy\nndarray\nq\x01K\x00"
        b"\x85q\x02C\x01bq\x03\x87q\x04Rq\x05(K\x01)cnumpy\ndtype\nq\x06X\x02\x00\x00\x00O8"
        b"q\x07\x89\x88\x87q\x08Rq\t(K\x03X\x01\x00\x00\x00|q\nNNNJ\xff\xff\xff\xffJ\xff\xff"
        b"\xff\xffK?tq\x0bb\x89]q\x0cNatq\rb.",
        b"\x80\x04\x95\x87\x00\x00\x00\x00\x00\x00\x00\x8c\x16numpy._core.multiarray\x94"
        b"\x8c\x0c_reconstruct\x94\x93\x94\x8c\x05numpy\x94\x8c\x07ndarray\x94\x93\x94K\x00"
        b"\x85\x94C\x01b\x94\x87\x94R\x94(K\x01)h\x03\x8c\x05dtype\x94\x93\x94\x8c\x02O8\x94"
        b"\x89\x88\x87\x94R\x94(K\x03\x8c\x01|\x94NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?t"
        b"\x94b\x89]\x94Nat\x94b.",
    }
)
_LONGEST = max(map(len, _PICKLED_NONE))


def is_pickled_none_member(npz: Any, key: str) -> tuple[bool, bool]:
    """Inspect the raw ``.npy`` member for ``key`` of an ``NpzFile`` without unpickling.

    Returns:
        ``(is_object_array, is_pickled_none)``.
    """
    archive = getattr(npz, "zip", None)
    if not isinstance(archive, zipfile.ZipFile):
        return False, False
    names = set(archive.namelist())
    member = key + ".npy" if key + ".npy" in names else key
    if member not in names:
        return False, False
    with archive.open(member) as fp:
        try:
            version = npy_format.read_magic(fp)
            if version == (1, 0):
                shape, _, dtype = npy_format.read_array_header_1_0(fp)
            elif version == (2, 0):
                shape, _, dtype = npy_format.read_array_header_2_0(fp)
            else:
                return False, False
        except ValueError:
            return False, False
        if not dtype.hasobject:
            return False, False
        payload = fp.read(_LONGEST + 1)
    return True, shape == () and payload in _PICKLED_NONE
