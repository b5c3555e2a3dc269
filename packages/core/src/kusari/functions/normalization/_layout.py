"""Shared plumbing for the normalizations over "all axes but the channel axes".

A batch normalization reduces over some axes of ``x`` and keeps the others (the axes
``gamma`` is laid along). The fast NumPy code sees ``x`` as a 3-D array ``(A, C, B)``
whose middle axis holds the kept axes: reductions then run over contiguous memory
(``(A, C, B) @ ones(B)`` is one BLAS call per leading index) without a transpose. That
view exists without a copy whenever the kept axes are one consecutive block, which is
the case for Chainer's default axes; other layouts transpose once.
"""

from __future__ import annotations

from typing import Any

import numpy

__all__ = ["Layout", "get_layout", "check_float", "compute_dtype", "as_array"]


class Layout:
    """How to view ``x`` as ``(A, C, B)`` for one combination of shapes and axes."""

    __slots__ = (
        "axes",
        "key_shape",
        "kshape",
        "shape3",
        "perm",
        "inv_perm",
        "perm_shape",
        "m",
        "x_shape",
    )

    def __init__(self, x_shape: tuple[int, ...], axes: tuple[int, ...]) -> None:
        ndim = len(x_shape)
        keep = [i for i in range(ndim) if i not in axes]
        self.x_shape = x_shape
        self.axes = axes
        self.key_shape = tuple(x_shape[i] for i in keep)
        # Shape of gamma broadcast against x: 1 on reduced axes.
        self.kshape = tuple(1 if i in axes else s for i, s in enumerate(x_shape))
        c = _prod(self.key_shape)
        self.m = _prod(x_shape) // max(c, 1)
        if not keep or keep == list(range(keep[0], keep[-1] + 1)):
            k0 = keep[0] if keep else 0
            k1 = keep[-1] + 1 if keep else 0
            self.shape3 = (_prod(x_shape[:k0]), c, _prod(x_shape[k1:]))
            self.perm = self.inv_perm = self.perm_shape = None
        else:
            perm = tuple(axes) + tuple(keep)
            self.perm = perm
            self.inv_perm = tuple(numpy.argsort(perm))
            self.perm_shape = tuple(x_shape[i] for i in perm)
            self.shape3 = (self.m, c, 1)

    def to3(self, a: Any) -> Any:
        """``a`` (shaped like x) as an ``(A, C, B)`` array (a view when possible)."""
        if self.perm is not None:
            a = a.transpose(self.perm)
        return a.reshape(self.shape3)

    def from3(self, a3: Any) -> Any:
        """Inverse of :meth:`to3`."""
        if self.perm is None:
            return a3.reshape(self.x_shape)
        return a3.reshape(self.perm_shape).transpose(self.inv_perm)


def _prod(shape: Any) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


_cache: dict[tuple[Any, ...], Layout] = {}


def get_layout(x_shape: tuple[int, ...], axes: tuple[int, ...]) -> Layout:
    """A cached :class:`Layout` (the per-call cost is a dict lookup)."""
    key = (x_shape, axes)
    lay = _cache.get(key)
    if lay is None:
        if len(_cache) > 256:
            _cache.clear()
        lay = _cache[key] = Layout(x_shape, axes)
    return lay


def check_float(fname: str, what: str, a: Any) -> None:
    """Raise TypeError naming ``fname`` unless ``a`` is a floating-point array."""
    dtype = getattr(a, "dtype", None)
    if dtype is None:
        raise TypeError(f"{fname}: {what} must be an array or Variable; got {type(a).__name__}")
    if dtype.kind != "f":
        raise TypeError(
            f"{fname}: {what} must have a floating-point dtype (float16, float32 or "
            f"float64); got {dtype}"
        )


_ct_cache: dict[tuple[Any, Any], Any] = {}


def compute_dtype(x_dtype: Any, p_dtype: Any) -> Any:
    """The dtype statistics are computed in: float32 at least, never below the params."""
    key = (x_dtype, p_dtype)
    ct = _ct_cache.get(key)
    if ct is None:
        ct = _ct_cache[key] = numpy.promote_types(
            numpy.promote_types(x_dtype, p_dtype), numpy.float32
        )
    return ct


def as_array(a: Any) -> Any:
    """The array of a Variable, or ``a`` itself."""
    return getattr(a, "_data", a)
