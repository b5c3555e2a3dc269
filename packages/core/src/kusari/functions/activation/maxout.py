"""``maxout``: the maximum over groups of ``pool_size`` consecutive channels."""

from __future__ import annotations

from typing import Any

from kusari.functions._checks import normalize_axis, require_float
from kusari.variable import Variable

__all__ = ["maxout"]


def maxout(x: Any, pool_size: int, axis: int = 1) -> Variable:
    """Maxout: split ``axis`` into groups of ``pool_size`` and take each group's max.

    Args:
        x: Input Variable or array of a floating dtype.
        pool_size: Group size; ``x.shape[axis]`` must be a multiple of it.
        axis: The axis to pool along.

    Returns:
        Variable: ``x.shape[axis]`` becomes ``x.shape[axis] // pool_size``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.maxout(np.array([[1.0, 5.0, 2.0, 0.0]], np.float32), 2).array
        array([[5., 2.]], dtype=float32)
    """
    from kusari.functions.array.reshape import reshape
    from kusari.functions.math.minmax import max

    require_float("maxout", x)
    if isinstance(pool_size, bool) or not hasattr(pool_size, "__index__") or pool_size <= 0:
        raise ValueError(f"maxout: expected a positive int pool_size, got {pool_size!r}")
    axis = normalize_axis("maxout", axis, x.ndim)
    c = x.shape[axis]
    if c % pool_size:
        raise ValueError(
            f"maxout: x.shape[{axis}] = {c} is not a multiple of pool_size = {pool_size}"
        )
    shape = tuple(x.shape[:axis]) + (c // pool_size, int(pool_size)) + tuple(x.shape[axis + 1 :])
    return max(reshape(x, shape), axis=axis + 1)
