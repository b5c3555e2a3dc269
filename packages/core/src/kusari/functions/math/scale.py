"""``bias`` and ``scale``: add or multiply a smaller array broadcast from an axis."""

from __future__ import annotations

from typing import Any

from kusari.functions._checks import normalize_axis, require_float, require_same_dtype
from kusari.variable import Variable

__all__ = ["bias", "scale"]


def _expand(fname: str, x: Any, y: Any, axis: int) -> Any:
    from kusari.functions.array.reshape import reshape

    require_float(fname, x)
    require_same_dtype(fname, x, y, ("x", "y"))
    if y.ndim > x.ndim:
        raise ValueError(
            f"{fname}: expected y with at most {x.ndim} dims, got shape "
            f"{tuple(y.shape)} for x of shape {tuple(x.shape)}"
        )
    axis = normalize_axis(fname, axis, x.ndim) if y.ndim else 0
    want = tuple(x.shape[axis : axis + y.ndim])
    if tuple(y.shape) != want:
        raise ValueError(
            f"{fname}: expected y of shape x.shape[{axis}:{axis + y.ndim}] = "
            f"{want}, got {tuple(y.shape)}"
        )
    shape = (1,) * axis + tuple(y.shape) + (1,) * (x.ndim - axis - y.ndim)
    return reshape(y, shape)


def _as_var(x: Any) -> Variable:
    return x if isinstance(x, Variable) else Variable(x, requires_grad=False)


def bias(x: Any, y: Any, axis: int = 1) -> Variable:
    """``x + y`` with ``y`` broadcast along the axes of ``x`` from ``axis`` on.

    Args:
        x: Input of a floating dtype.
        y: Bias of shape ``x.shape[axis:axis + y.ndim]``.
        axis: The first axis of ``x`` that ``y``'s axes line up with.

    Returns:
        Variable: Same shape as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.bias(np.zeros((1, 2, 2), np.float32), np.array([1.0, 2.0], np.float32)).array
        array([[[1., 1.],
                [2., 2.]]], dtype=float32)
    """
    return _as_var(x) + _expand("bias", x, y, axis)


def scale(x: Any, y: Any, axis: int = 1) -> Variable:
    """``x * y`` with ``y`` broadcast along the axes of ``x`` from ``axis`` on.

    Args:
        x: Input of a floating dtype.
        y: Scale of shape ``x.shape[axis:axis + y.ndim]``.
        axis: The first axis of ``x`` that ``y``'s axes line up with.

    Returns:
        Variable: Same shape as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.scale(np.ones((1, 2), np.float32), np.array([3.0, 4.0], np.float32)).array
        array([[3., 4.]], dtype=float32)
    """
    return _as_var(x) * _expand("scale", x, y, axis)
