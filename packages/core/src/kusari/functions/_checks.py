"""Cheap input checks shared by the function library (errors name the function).

Every helper raises ``TypeError`` for a wrong dtype and ``ValueError`` for a wrong
shape or value, with a message of the form ``"<function>: expected ..., got ..."``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "array_of",
    "require_float",
    "require_same_dtype",
    "require_same_shape",
    "check_labels",
    "label_range",
    "normalize_axis",
    "normalize_axes",
]


def array_of(x: Any) -> Any:
    """The array inside a Variable, or ``x`` itself."""
    return getattr(x, "_data", x)


def require_float(fname: str, x: Any, argname: str = "x") -> None:
    """Raise TypeError unless ``x`` (array or Variable) has a floating dtype."""
    dtype = x.dtype
    if dtype.kind != "f":
        raise TypeError(
            f"{fname}: expected {argname} of a floating-point dtype (float16, float32 or "
            f"float64), got {dtype}"
        )


def require_same_dtype(fname: str, a: Any, b: Any, names: tuple[str, str] = ("x0", "x1")) -> None:
    """Raise TypeError when two operands have different dtypes."""
    if a.dtype != b.dtype:
        raise TypeError(
            f"{fname}: expected {names[0]} and {names[1]} to have the same dtype, "
            f"got {a.dtype} and {b.dtype}"
        )


def require_same_shape(fname: str, a: Any, b: Any, names: tuple[str, str] = ("x0", "x1")) -> None:
    """Raise ValueError when two operands have different shapes."""
    if a.shape != b.shape:
        raise ValueError(
            f"{fname}: expected {names[0]} and {names[1]} to have the same shape, "
            f"got {a.shape} and {b.shape}"
        )


def check_labels(
    fname: str,
    t: Any,
    shape: tuple[int, ...],
    n_classes: int | None,
    ignore_label: int | None,
    argname: str = "t",
) -> Any:
    """Validate an integer label array; returns the array.

    Args:
        fname: The function name used in error messages.
        t: Labels (array or Variable).
        shape: The shape ``t`` must have.
        n_classes: Labels must lie in ``[0, n_classes)`` (None: no range check).
        ignore_label: A label value that is allowed anywhere (None: none).
        argname: The argument's name in messages.
    """
    return label_range(fname, t, shape, n_classes, ignore_label, argname)[0]


def label_range(
    fname: str,
    t: Any,
    shape: tuple[int, ...],
    n_classes: int | None,
    ignore_label: int | None,
    argname: str = "t",
) -> tuple[Any, int, int]:
    """:func:`check_labels`, also returning the labels' ``(min, max)`` (``(0, -1)`` if empty).

    Losses use the range to skip masking when no label can equal ``ignore_label``.
    """
    t = array_of(t)
    kind = getattr(getattr(t, "dtype", None), "kind", None)
    if kind not in ("i", "u"):
        got = t.dtype if kind is not None else type(t).__name__
        raise TypeError(
            f"{fname}: expected {argname} to be an integer label array (int32 or int64), got {got}"
        )
    if t.shape != shape:
        raise ValueError(f"{fname}: expected {argname} of shape {shape} to match x, got {t.shape}")
    if t.size == 0:
        return t, 0, -1
    lo, hi = int(t.min()), int(t.max())
    if n_classes is None or (lo >= 0 and hi < n_classes):
        return t, lo, hi
    valid = (t >= 0) & (t < n_classes)
    if ignore_label is not None:
        valid |= t == ignore_label
    if not bool(valid.all()):
        bad = int(t[~valid].ravel()[0])
        allowed = f"[0, {n_classes})" + (
            f" or {ignore_label} (ignore_label)" if ignore_label is not None else ""
        )
        raise ValueError(f"{fname}: expected labels in {allowed}, got {bad}")
    return t, lo, hi


def normalize_axis(fname: str, axis: int, ndim: int) -> int:
    """A non-negative axis; ValueError if out of range for ``ndim``."""
    if not -ndim <= axis < ndim:
        raise ValueError(f"{fname}: axis {axis} is out of range for an array of {ndim} dims")
    return axis % ndim if ndim else 0


def normalize_axes(fname: str, axis: Any, ndim: int) -> tuple[int, ...] | None:
    """None, an int or a tuple of ints → None or a sorted tuple of non-negative axes."""
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        axes = tuple(normalize_axis(fname, _int_axis(fname, a), ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"{fname}: duplicate value in axis {tuple(axis)}")
        return tuple(sorted(axes))
    return (normalize_axis(fname, _int_axis(fname, axis), ndim),)


def _int_axis(fname: str, a: Any) -> int:
    if isinstance(a, bool) or not hasattr(a, "__index__"):
        raise TypeError(
            f"{fname}: expected axis to be None, an int or a tuple of ints, "
            f"got {type(a).__name__} {a!r}"
        )
    return int(a)
