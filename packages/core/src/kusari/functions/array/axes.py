"""Axis permutations and rank changes: ``swapaxes``, ``rollaxis``, ``moveaxis``,
``expand_dims``, ``squeeze``, ``flatten``.

All are thin wrappers that compute a permutation or a shape in Python and apply one
``transpose`` or ``reshape`` node (so they are differentiable any number of times).
"""

from __future__ import annotations

from typing import Any

from kusari.functions.array.reshape import reshape
from kusari.functions.array.transpose import transpose
from kusari.variable import Variable

__all__ = [
    "swapaxes",
    "rollaxis",
    "moveaxis",
    "expand_dims",
    "squeeze",
    "flatten",
    "normalize_axis",
]


def normalize_axis(axis: Any, ndim: int, fn: str, name: str = "axis") -> int:
    """``axis`` as an index in ``[0, ndim)`` (negative counts from the end)."""
    try:
        a = int(axis)
    except (TypeError, ValueError):
        raise TypeError(f"{fn}: {name} must be an int; got {axis!r}") from None
    if not -ndim <= a < ndim:
        raise ValueError(f"{fn}: {name} {axis} is out of range for an array of {ndim} dims")
    return a % ndim


def _as_variable(x: Any) -> Variable:
    return x if isinstance(x, Variable) else Variable(x, requires_grad=False)


def swapaxes(x: Any, axis1: int, axis2: int) -> Variable:
    """Swap two axes of ``x``.

    Args:
        x: Input variable or array.
        axis1: First axis.
        axis2: Second axis.

    Returns:
        Variable with ``axis1`` and ``axis2`` exchanged.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.swapaxes(np.zeros((2, 3, 4), np.float32), 0, 2).shape
        (4, 3, 2)
    """
    a1 = normalize_axis(axis1, x.ndim, "swapaxes", "axis1")
    a2 = normalize_axis(axis2, x.ndim, "swapaxes", "axis2")
    axes = list(range(x.ndim))
    axes[a1], axes[a2] = a2, a1
    return transpose(x, axes)


def rollaxis(x: Any, axis: int, start: int = 0) -> Variable:
    """Move ``axis`` so it sits before position ``start`` (``numpy.rollaxis`` rules).

    Args:
        x: Input variable or array.
        axis: The axis to move.
        start: The axis is placed before this position (``x.ndim`` puts it last).

    Returns:
        Variable with the axis moved.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.rollaxis(np.zeros((2, 3, 4), np.float32), 2).shape
        (4, 2, 3)
    """
    n = x.ndim
    a = normalize_axis(axis, n, "rollaxis")
    if not -n <= start <= n:
        raise ValueError(
            f"rollaxis: start {start} is out of range [{-n}, {n}] for an array of {n} dims"
        )
    s = start + n if start < 0 else start
    axes = [i for i in range(n) if i != a]
    axes.insert(s - 1 if a < s else s, a)
    return transpose(x, axes)


def moveaxis(x: Any, source: Any, destination: Any) -> Variable:
    """Move axes to new positions, keeping the others in order (``numpy.moveaxis``).

    Args:
        x: Input variable or array.
        source: Axis or sequence of axes to move.
        destination: Their new positions (same length as ``source``).

    Returns:
        Variable with the axes moved.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.moveaxis(np.zeros((2, 3, 4), np.float32), 0, -1).shape
        (3, 4, 2)
    """
    n = x.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError(
            f"moveaxis: source {source} and destination {destination} must have "
            f"the same number of elements"
        )
    src = [normalize_axis(a, n, "moveaxis", "source") for a in src]
    dst = [normalize_axis(a, n, "moveaxis", "destination") for a in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"moveaxis: repeated axis in source {source} or destination {destination}")
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)


def expand_dims(x: Any, axis: int) -> Variable:
    """Insert an axis of length one at position ``axis``.

    Args:
        x: Input variable or array.
        axis: Position of the new axis (``-1`` appends it).

    Returns:
        Variable with one more dimension.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.expand_dims(np.zeros((2, 3), np.float32), 1).shape
        (2, 1, 3)
    """
    n = x.ndim
    a = normalize_axis(axis, n + 1, "expand_dims")
    shape = tuple(x.shape)
    return reshape(x, shape[:a] + (1,) + shape[a:])


def squeeze(x: Any, axis: Any = None) -> Variable:
    """Remove axes of length one (all of them, or those in ``axis``).

    Args:
        x: Input variable or array.
        axis: None, an int or a tuple of ints; each named axis must have length one.

    Returns:
        Variable without those axes.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.squeeze(np.zeros((1, 3, 1), np.float32)).shape
        (3,)
    """
    shape = tuple(x.shape)
    if axis is None:
        axes = {i for i, s in enumerate(shape) if s == 1}
    else:
        axes = {
            normalize_axis(a, len(shape), "squeeze")
            for a in ((axis,) if isinstance(axis, int) else axis)
        }
        bad = [a for a in sorted(axes) if shape[a] != 1]
        if bad:
            raise ValueError(
                f"squeeze: cannot remove axis {bad[0]} of length {shape[bad[0]]} "
                f"from an array of shape {shape}"
            )
    return reshape(x, tuple(s for i, s in enumerate(shape) if i not in axes))


def flatten(x: Any) -> Variable:
    """Flatten ``x`` into one dimension.

    Args:
        x: Input variable or array.

    Returns:
        1-D Variable of length ``x.size``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.flatten(np.zeros((2, 3), np.float32)).shape
        (6,)
    """
    return reshape(x, (x.size,))
