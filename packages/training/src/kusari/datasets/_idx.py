"""Reading IDX files (the MNIST family's format), gzip-compressed or not.

Layout: two zero bytes, a type byte (0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32,
0x0D float32, 0x0E float64), a byte with the number of dimensions, one big-endian uint32
per dimension, then the values in C order, big-endian.
"""

from __future__ import annotations

import gzip
import math
import struct

import numpy

__all__ = ["read_idx"]

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str) -> numpy.ndarray:
    """Return the array stored in an IDX file (``.gz`` detected by its magic bytes).

    Raises:
        ValueError: Bad header, unknown type, or a payload whose size disagrees with the
            header (truncated or trailing data).
        EOFError, OSError: A truncated or damaged gzip stream.
    """
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    with gzip.open(path, "rb") if gzipped else open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic {data[:4].hex()})")
    type_code, ndim = data[2], data[3]
    if type_code not in _TYPES:
        raise ValueError(f"{path}: unknown IDX element type 0x{type_code:02x}")
    offset = 4 + 4 * ndim
    if len(data) < offset:
        raise ValueError(f"{path}: truncated IDX header")
    dims = struct.unpack(f">{ndim}I", data[4:offset])
    dtype = numpy.dtype(_TYPES[type_code])
    count = math.prod(dims)
    expected = count * dtype.itemsize
    if len(data) - offset != expected:
        raise ValueError(
            f"{path}: IDX payload has {len(data) - offset} bytes, the header "
            f"{dims} of {dtype} needs {expected} (truncated or damaged file)"
        )
    array = numpy.frombuffer(data, dtype, count, offset).reshape(dims)
    return array.astype(dtype.newbyteorder("="), copy=dtype.itemsize > 1)
