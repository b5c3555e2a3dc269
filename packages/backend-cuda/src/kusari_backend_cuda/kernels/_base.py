"""Lazily compiled kernel specifications and the argument checks every wrapper uses.

A kernel is declared once, at import, as a :class:`Elementwise` or :class:`Reduction`
spec: plain strings, no CuPy. The ``cupy.ElementwiseKernel`` / ``cupy.ReductionKernel``
object is built on the first call and cached per *compute type*: the code may use
``CT``, a typedef for ``float`` (float16/float32 data) or ``double`` (float64 data), so
half-precision inputs are computed in single precision without a second copy of the
source. CuPy compiles (and caches on disk) one binary per dtype combination on first
launch.

Why ElementwiseKernel with ``raw`` parameters rather than ``RawKernel`` for the index
kernels (im2col, col2im, pooling): it is the same generated loop, but CuPy dispatches
on float16/float32/float64 for us and picks 32-bit indexing when the arrays allow it.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

import numpy

__all__ = [
    "Elementwise",
    "Reduction",
    "SPECS",
    "cupy_module",
    "compute_ctype",
    "check_array",
    "check_float",
    "check_same_dtype",
    "check_pair",
    "check_scalar",
    "KernelArgumentError",
]

#: Every spec declared by the kernel modules, by kernel name (tests compile them all).
SPECS: dict[str, Elementwise | Reduction] = {}

_lock = threading.Lock()
_CT_DTYPE = {"float": "float32", "double": "float64"}


class KernelArgumentError(ValueError):
    """Raised for a bad argument to a kernel wrapper (a ValueError)."""


def cupy_module() -> ModuleType:
    """``cupy``, imported on first use (importing this package never imports it)."""
    try:
        import cupy
    except ImportError as exc:  # the plugin registers no kernels without CuPy
        raise RuntimeError(
            f"kusari-backend-cuda kernels need CuPy, which cannot be imported ({exc})\n"
            "help: pip install 'kusari-backend-cuda[cuda12]' (or [cuda13])"
        ) from None
    return cupy


def compute_ctype(*dtypes: Any) -> str:
    """``'double'`` if any dtype is float64, else ``'float'`` (half data computes in float)."""
    for dt in dtypes:
        if dt is not None and numpy.dtype(dt) == numpy.float64:
            return "double"
    return "float"


class _Spec:
    __slots__ = ("name", "_kernels")

    def __init__(self, name: str) -> None:
        if name in SPECS:
            raise RuntimeError(f"kernel spec {name!r} is declared twice")
        self.name = name
        self._kernels: dict[str, Any] = {}
        SPECS[name] = self  # type: ignore[assignment]

    def preamble_for(self, ctype: str) -> str:
        """The preamble with ``CT`` defined as the compute type."""
        if ctype not in _CT_DTYPE:
            raise ValueError(
                f"{self.name}: compute type must be 'float' or 'double', got {ctype!r}"
            )
        return f"typedef {ctype} CT;\n" + self.preamble  # type: ignore[attr-defined]

    @staticmethod
    def params_for(params: str, ctype: str) -> str:
        """Parameter text with the ``CT_DTYPE`` token spelled as the compute dtype."""
        return params.replace("CT_DTYPE", _CT_DTYPE[ctype])

    def kernel(self, ctype: str = "float") -> Any:
        """The CuPy kernel object for compute type ``ctype`` (built once, then cached)."""
        k = self._kernels.get(ctype)
        if k is None:
            with _lock:
                k = self._kernels.get(ctype)
                if k is None:
                    k = self._kernels[ctype] = self._build(cupy_module(), ctype)
        return k

    def clear(self) -> None:
        """Forget the built kernel objects (tests swap the ``cupy`` module)."""
        self._kernels.clear()

    def _build(self, cupy: ModuleType, ctype: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


class Elementwise(_Spec):
    """A ``cupy.ElementwiseKernel`` declared by its strings, built lazily."""

    __slots__ = ("in_params", "out_params", "operation", "preamble", "options")

    def __init__(
        self,
        name: str,
        in_params: str,
        out_params: str,
        operation: str,
        preamble: str = "",
        *,
        reduce_dims: bool = True,
    ) -> None:
        super().__init__(name)
        self.in_params = in_params
        self.out_params = out_params
        self.operation = operation
        self.preamble = preamble
        self.options = {"reduce_dims": reduce_dims}

    def _build(self, cupy: ModuleType, ctype: str) -> Any:
        return cupy.ElementwiseKernel(
            self.params_for(self.in_params, ctype),
            self.params_for(self.out_params, ctype),
            self.operation,
            f"kusari_{self.name}_{ctype}",
            preamble=self.preamble_for(ctype),
            **self.options,
        )

    def __call__(self, *args: Any, ctype: str = "float", **kwargs: Any) -> Any:
        return self.kernel(ctype)(*args, **kwargs)


class Reduction(_Spec):
    """A ``cupy.ReductionKernel`` declared by its strings, built lazily."""

    __slots__ = (
        "in_params",
        "out_params",
        "map_expr",
        "reduce_expr",
        "post_map_expr",
        "identity",
        "preamble",
    )

    def __init__(
        self,
        name: str,
        in_params: str,
        out_params: str,
        map_expr: str,
        reduce_expr: str,
        post_map_expr: str,
        identity: str,
        preamble: str = "",
    ) -> None:
        super().__init__(name)
        self.in_params = in_params
        self.out_params = out_params
        self.map_expr = map_expr
        self.reduce_expr = reduce_expr
        self.post_map_expr = post_map_expr
        self.identity = identity
        self.preamble = preamble

    def _build(self, cupy: ModuleType, ctype: str) -> Any:
        return cupy.ReductionKernel(
            self.params_for(self.in_params, ctype),
            self.params_for(self.out_params, ctype),
            self.map_expr,
            self.reduce_expr,
            self.post_map_expr,
            self.identity,
            f"kusari_{self.name}_{ctype}",
            reduce_type=ctype,
            preamble=self.preamble_for(ctype),
        )

    def __call__(self, *args: Any, ctype: str = "float", **kwargs: Any) -> Any:
        return self.kernel(ctype)(*args, **kwargs)


# --- argument checks --------------------------------------------------------------------
# Kernels are reached through kusari.backend.get_kernel with CuPy arrays, but they are
# public (a third-party function may look them up), so each wrapper checks its inputs
# with these helpers: a few attribute tests, no device synchronization.


def _describe(a: Any) -> str:
    shape = getattr(a, "shape", None)
    dtype = getattr(a, "dtype", None)
    kind = f"{type(a).__module__}.{type(a).__name__}"
    if shape is None:
        return kind
    return f"{kind} of shape {tuple(shape)} and dtype {dtype}"


def check_array(fn: str, what: str, a: Any, ndim: int | None = None, min_ndim: int = 0) -> None:
    """Require a ``cupy.ndarray`` (optionally of ``ndim`` or at least ``min_ndim`` axes)."""
    cupy = cupy_module()
    if not isinstance(a, cupy.ndarray):
        raise TypeError(
            f"{fn} kernel: {what} must be a cupy.ndarray; got {_describe(a)}\n"
            "help: move it to the GPU first (kusari.get_device('@cupy:0').send(a))"
        )
    if ndim is not None and a.ndim != ndim:
        raise KernelArgumentError(
            f"{fn} kernel: {what} must have {ndim} dimensions; got shape {tuple(a.shape)}"
        )
    if a.ndim < min_ndim:
        raise KernelArgumentError(
            f"{fn} kernel: {what} must have at least {min_ndim} dimensions; "
            f"got shape {tuple(a.shape)}"
        )


def check_float(fn: str, what: str, a: Any, ndim: int | None = None, min_ndim: int = 0) -> None:
    """Like :func:`check_array`, and the dtype must be float16, float32 or float64."""
    check_array(fn, what, a, ndim, min_ndim)
    if a.dtype.kind != "f":
        raise TypeError(
            f"{fn} kernel: {what} must have a floating-point dtype (float16, float32 or "
            f"float64); got {a.dtype}"
        )


def check_same_dtype(fn: str, pairs: tuple[tuple[str, Any], ...]) -> None:
    """Require every named array in ``pairs`` to share the first one's dtype."""
    first_name, first = pairs[0]
    for name, a in pairs[1:]:
        if a.dtype != first.dtype:
            raise TypeError(
                f"{fn} kernel: {name} must have {first_name}'s dtype {first.dtype}; got {a.dtype}"
            )


def check_pair(fn: str, what: str, value: Any, minimum: int) -> tuple[int, int]:
    """``value`` as a pair of Python ints, each ``>= minimum``."""
    try:
        a, b = value
    except (TypeError, ValueError):
        raise TypeError(f"{fn} kernel: {what} must be a pair of ints; got {value!r}") from None
    for v in (a, b):
        if isinstance(v, bool) or not isinstance(v, (int, numpy.integer)):
            raise TypeError(f"{fn} kernel: {what} must be a pair of ints; got {value!r}")
    if a < minimum or b < minimum:
        raise KernelArgumentError(f"{fn} kernel: {what} must be >= {minimum}; got {value!r}")
    return int(a), int(b)


def check_scalar(
    fn: str,
    what: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    high_open: bool = False,
) -> float:
    """``value`` as a Python float, optionally inside ``[low, high]`` (or ``[low, high)``)."""
    if isinstance(value, bool) or not isinstance(
        value, (int, float, numpy.integer, numpy.floating)
    ):
        raise TypeError(f"{fn} kernel: {what} must be a real number; got {value!r}")
    v = float(value)
    bad = (low is not None and v < low) or (
        high is not None and (v >= high if high_open else v > high)
    )
    if bad or v != v:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        bounds = f"[{lo}, {hi}{')' if high_open else ']'}"
        raise KernelArgumentError(f"{fn} kernel: {what} must be in {bounds}; got {value!r}")
    return v
