"""Loading the CIFAR "python version" batches without running pickle's arbitrary code.

The batches are Python 2 pickles of dicts holding lists, strings, ints and one NumPy
array. A normal ``pickle.load`` would import and call whatever the file names. Here every
global the file may name is mapped to an inert stand-in: ``numpy.dtype`` records its
arguments, ``_reconstruct``/``ndarray`` record the array's state, and the arrays are
rebuilt afterwards with ``numpy.frombuffer`` from plain bytes, after checking that the
dtype is a simple numeric one and the byte count matches the shape. Any other global
(``os.system``, ``builtins.eval``, ...) is refused.
"""

from __future__ import annotations

import io
import math
import pickle
from typing import IO, Any

import numpy

__all__ = ["safe_load"]


class _ArrayClassMarker:
    """Stands in for ``numpy.ndarray`` (only ever passed to ``_reconstruct``)."""


class _DtypeSpec:
    """Stands in for ``numpy.dtype(...)``; resolved to a real dtype after checks."""

    def __init__(self, obj: Any = None, align: Any = False, copy: Any = False) -> None:
        if not isinstance(obj, str):
            raise pickle.UnpicklingError(f"safe_load: refusing dtype spec {obj!r}")
        self.obj = obj
        self.byteorder = "="

    def __setstate__(self, state: Any) -> None:
        # (version, byteorder, subarray, names, fields, elsize, alignment[, flags]):
        # only plain scalar dtypes are accepted, never structured or object ones.
        if not isinstance(state, tuple) or len(state) < 5 or any(s is not None for s in state[2:5]):
            raise pickle.UnpicklingError(f"safe_load: refusing dtype state {state!r}")
        if state[1] not in ("<", ">", "|", "="):
            raise pickle.UnpicklingError(f"safe_load: bad byte order {state[1]!r}")
        self.byteorder = state[1]

    def resolve(self) -> numpy.dtype:
        dtype = numpy.dtype(self.obj)
        if dtype.kind not in "biuf" or dtype.hasobject:
            raise pickle.UnpicklingError(f"safe_load: refusing non-numeric dtype {dtype}")
        return dtype.newbyteorder(self.byteorder) if self.byteorder in "<>" else dtype


class _ArraySpec:
    """Stands in for an ndarray being unpickled; :meth:`resolve` builds the real one."""

    def __init__(self) -> None:
        self.state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def resolve(self) -> numpy.ndarray:
        state = self.state
        if isinstance(state, tuple) and len(state) == 5:
            state = state[1:]  # drop the pickle format version
        if not isinstance(state, tuple) or len(state) != 4:
            raise pickle.UnpicklingError("safe_load: malformed array state")
        shape, dtype_spec, fortran, raw = state
        if not isinstance(dtype_spec, _DtypeSpec) or not isinstance(shape, tuple):
            raise pickle.UnpicklingError("safe_load: malformed array state")
        if isinstance(raw, str):
            raw = raw.encode("latin-1")  # a Python 2 str read with encoding='latin1'
        if not isinstance(raw, (bytes, bytearray)):
            raise pickle.UnpicklingError(
                f"safe_load: array data is {type(raw).__name__}, expected bytes"
            )
        dtype = dtype_spec.resolve()
        count = math.prod(int(d) for d in shape)
        if len(raw) != count * dtype.itemsize:
            raise pickle.UnpicklingError(
                f"safe_load: array data has {len(raw)} bytes, shape {shape} of {dtype} "
                f"needs {count * dtype.itemsize}"
            )
        array = numpy.frombuffer(bytes(raw), dtype, count).reshape(
            shape, order="F" if fortran else "C"
        )
        return array.astype(dtype.newbyteorder("="))


def _reconstruct(cls: Any, shape: Any, typecode: Any) -> _ArraySpec:
    if cls is not _ArrayClassMarker:
        raise pickle.UnpicklingError(
            "safe_load: _reconstruct called with a class other than ndarray"
        )
    return _ArraySpec()


def _frombuffer(buffer: Any, dtype: Any, shape: Any, order: Any) -> _ArraySpec:
    # Protocol 5 pickles arrays as numpy._core.numeric._frombuffer(bytes, dtype, shape, order).
    spec = _ArraySpec()
    spec.state = (tuple(shape), dtype, order == "F", bytes(memoryview(buffer)))
    return spec


def _codecs_encode(text: Any, encoding: Any = "utf-8") -> bytes:
    # Python 3 pickles bytes with protocol <= 2 as _codecs.encode(str, 'latin1').
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("safe_load: refusing _codecs.encode call")
    return text.encode("latin-1")


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy", "ndarray"): _ArrayClassMarker,
    ("numpy", "dtype"): _DtypeSpec,
    ("_codecs", "encode"): _codecs_encode,
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"safe_load: refusing to load global {module}.{name}"
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("safe_load: persistent ids are not allowed")


def _materialize(obj: Any, depth: int = 0) -> Any:
    if depth > 32:
        raise pickle.UnpicklingError("safe_load: nesting too deep")
    if isinstance(obj, (_ArraySpec, _DtypeSpec)):
        return obj.resolve()
    if isinstance(obj, dict):
        return {_materialize(k, depth + 1): _materialize(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_materialize(v, depth + 1) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_materialize(v, depth + 1) for v in obj)
    return obj


def safe_load(file: IO[bytes] | bytes) -> Any:
    """Unpickle data made only of builtin containers, scalars and numeric NumPy arrays.

    Python 2 strings are decoded as latin-1 (so dict keys come back as ``str``).

    Raises:
        pickle.UnpicklingError: The file names anything else or is malformed.

    Example:
        >>> import pickle, numpy as np
        >>> safe_load(pickle.dumps({"data": np.arange(3, dtype=np.uint8)}, protocol=2))["data"]
        array([0, 1, 2], dtype=uint8)
    """
    if isinstance(file, (bytes, bytearray)):
        file = io.BytesIO(file)
    try:
        obj = _Unpickler(file, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError):
        raise
    except (TypeError, AttributeError, IndexError, ValueError, KeyError) as e:
        raise pickle.UnpicklingError(
            f"safe_load: malformed pickle ({type(e).__name__}: {e})"
        ) from e
    return _materialize(obj)
