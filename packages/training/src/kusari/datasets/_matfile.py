"""A small reader for numeric arrays in MATLAB level-5 ``.mat`` files (SVHN's format).

Layout: a 128-byte header (text, subsystem offset, version 0x0100, endian mark ``IM``
for little-endian files), then data elements. Each element has an 8-byte tag (type,
byte count) or, when the byte count fits in 16 bits, a 4-byte "small" tag with the data
in the next 4 bytes; data is padded to 8 bytes. ``miCOMPRESSED`` (15) elements hold one
zlib-compressed element; ``miMATRIX`` (14) elements hold array flags, dimensions, name,
and the real part (stored in column-major order, possibly in a narrower type than the
array's class: scipy-compatible results convert it to the class's type). Only full
numeric, non-complex arrays are read; other variables are skipped. Version 7.3 files
are HDF5 and are refused with a message.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Collection

import numpy

__all__ = ["read_mat"]

_MI_TYPES = {
    1: "i1",
    2: "u1",
    3: "i2",
    4: "u2",
    5: "i4",
    6: "u4",
    7: "f4",
    9: "f8",
    12: "i8",
    13: "u8",
}
_MX_CLASSES = {
    6: "f8",
    7: "f4",
    8: "i1",
    9: "u1",
    10: "i2",
    11: "u2",
    12: "i4",
    13: "u4",
    14: "i8",
    15: "u8",
}
_MI_MATRIX, _MI_COMPRESSED = 14, 15


class _Reader:
    def __init__(self, data: bytes | memoryview, order: str, path: str) -> None:
        self.data = memoryview(data)
        self.order = order
        self.path = path
        self.pos = 0

    def u32(self, at: int) -> int:
        if at + 4 > len(self.data):
            raise ValueError(f"{self.path}: truncated MAT element tag")
        return int.from_bytes(self.data[at : at + 4], "little" if self.order == "<" else "big")

    def element(self) -> tuple[int, memoryview]:
        """Read one element at ``pos``; return (type, data) and move past its padding."""
        first = self.u32(self.pos)
        if first >> 16:  # small data element: count in the high half, data in 4 bytes
            mtype, nbytes, start, span = first & 0xFFFF, first >> 16, self.pos + 4, 4
        else:
            mtype, nbytes, start = first, self.u32(self.pos + 4), self.pos + 8
            span = nbytes if mtype == _MI_COMPRESSED else -(-nbytes // 8) * 8
        if start + nbytes > len(self.data):
            raise ValueError(
                f"{self.path}: truncated MAT element (needs {nbytes} bytes at {start})"
            )
        self.pos = min(start + span, len(self.data))
        return mtype, self.data[start : start + nbytes]


def _matrix(body: memoryview, order: str, path: str) -> tuple[str, numpy.ndarray] | None:
    sub = _Reader(body, order, path)
    _, flags_raw = sub.element()
    flags = numpy.frombuffer(flags_raw, order + "u4")
    mx_class, is_complex = int(flags[0]) & 0xFF, bool(int(flags[0]) & 0x0800)
    _, dims_raw = sub.element()
    dims = tuple(int(d) for d in numpy.frombuffer(dims_raw, order + "i4"))
    _, name_raw = sub.element()
    name = bytes(name_raw).decode("ascii", "replace")
    if mx_class not in _MX_CLASSES or is_complex:
        return None  # cells, structs, chars, sparse, complex: not needed for our data sets
    mtype, real = sub.element()
    if mtype not in _MI_TYPES:
        raise ValueError(f"{path}: variable {name!r} stored with unknown MAT type {mtype}")
    stored = numpy.dtype(order + _MI_TYPES[mtype])
    count = math.prod(dims)
    if len(real) != count * stored.itemsize:
        raise ValueError(
            f"{path}: variable {name!r} has {len(real)} bytes for dims {dims} of {stored}"
        )
    values = numpy.frombuffer(real, stored, count).reshape(dims, order="F")
    return name, values.astype(numpy.dtype(_MX_CLASSES[mx_class]))


def read_mat(path: str, names: Collection[str] | None = None) -> dict[str, numpy.ndarray]:
    """Return ``{name: array}`` for the numeric variables of a level-5 MAT file.

    Args:
        path: The ``.mat`` file.
        names: Keep only these variables (the others are still decompressed, then
            dropped), or None for all.

    Raises:
        ValueError: Not a level-5 MAT file, a v7.3 (HDF5) file, or a damaged one.
        zlib.error: A damaged compressed element.
    """
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 128:
        raise ValueError(f"{path}: too short for a MAT file")
    if data[:19] == b"MATLAB 7.3 MAT-file":
        raise ValueError(f"{path}: MAT v7.3 (HDF5) files are not supported; read it with h5py")
    mark = data[126:128]
    if mark not in (b"IM", b"MI"):
        raise ValueError(f"{path}: not a level-5 MAT file (endian mark {mark!r})")
    order = "<" if mark == b"IM" else ">"
    reader = _Reader(data, order, path)
    reader.pos = 128
    found: dict[str, numpy.ndarray] = {}
    while reader.pos < len(data):
        mtype, body = reader.element()
        if mtype == _MI_COMPRESSED:
            inner = _Reader(zlib.decompress(body), order, path)
            mtype, body = inner.element()
        if mtype != _MI_MATRIX:
            continue
        item = _matrix(body, order, path)
        if item is not None and (names is None or item[0] in names):
            found[item[0]] = item[1]
    return found
