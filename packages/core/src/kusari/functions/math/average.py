"""``mean`` and ``average`` (weighted mean)."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import normalize_axes, require_float, require_same_dtype
from kusari.functions.math.sum import _grad_to_input, sum
from kusari.variable import Variable

__all__ = ["Mean", "mean", "average"]


class Mean(FunctionNode):
    """Mean over ``axis`` (a tuple of non-negative axes, or None for all)."""

    def __init__(self, axis: tuple[int, ...] | None = None, keepdims: bool = False) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        if self.axis is None:
            n = x.size
        else:
            n = 1
            for a in self.axis:
                n *= x.shape[a]
        self._scale = 1.0 / n if n else float("nan")
        if self.axis is None and not self.keepdims:
            return (get_array_module(x).asarray(x.mean()),)
        return (x.mean(axis=self.axis, keepdims=self.keepdims),)

    def backward(self, indexes, grad_outputs):
        return (
            _grad_to_input(grad_outputs[0] * self._scale, self._in_shape, self.axis, self.keepdims),
        )


def average(x: Any, axis: Any = None, weights: Any = None, keepdims: bool = False) -> Variable:
    """Weighted average of the elements over the given axes.

    Args:
        x: Input Variable or array of a floating dtype.
        axis: None (all elements), an int or a tuple of ints.
        weights: None (plain mean), or weights of ``x``'s shape when ``axis`` is None, or a
            1-D array of length ``x.shape[axis]`` when ``axis`` is an int.
        keepdims: Keep the reduced axes as axes of length one.

    Returns:
        Variable: ``sum(x * w) / sum(w)`` over the axes.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[1.0, 2.0], [3.0, 5.0]], np.float32)
        >>> F.average(x, axis=1, weights=np.array([1.0, 3.0], np.float32)).array
        array([1.75, 4.5 ], dtype=float32)
    """
    return _average("average", x, axis, weights, keepdims)


def _average(fname: str, x: Any, axis: Any, weights: Any, keepdims: bool) -> Variable:
    if x.dtype.kind != "f":
        require_float(fname, x)
    axes = None if axis is None else normalize_axes(fname, axis, x.ndim)
    if weights is None:
        return Mean(axes, bool(keepdims)).apply((x,))[0]
    require_same_dtype(fname, x, weights, ("x", "weights"))
    if axes is None:
        if tuple(weights.shape) != tuple(x.shape):
            raise ValueError(
                f"{fname}: with axis=None, expected weights of shape "
                f"{tuple(x.shape)}, got {tuple(weights.shape)}"
            )
        w = weights
    else:
        if len(axes) != 1:
            raise ValueError(f"{fname}: weights need a single int axis, got axis={axis!r}")
        a = axes[0]
        if tuple(weights.shape) != (x.shape[a],):
            raise ValueError(
                f"{fname}: expected 1-D weights of shape ({x.shape[a]},) for "
                f"axis {axis}, got {tuple(weights.shape)}"
            )
        from kusari.functions.array.reshape import reshape

        w = reshape(weights, tuple(d if i == a else 1 for i, d in enumerate(x.shape)))
    total = sum(x * w, axis=axes, keepdims=keepdims)
    divider = sum(weights)
    if total.ndim:
        from kusari.functions.array.broadcast import broadcast_to

        divider = broadcast_to(divider, total.shape)
    return total / divider


def mean(x: Any, axis: Any = None, weights: Any = None, keepdims: bool = False) -> Variable:
    """Mean of the elements over the given axes (``average`` with optional weights).

    Args:
        x: Input Variable or array of a floating dtype.
        axis: None (all elements), an int or a tuple of ints.
        weights: Optional weights, as in :func:`average`.
        keepdims: Keep the reduced axes as axes of length one.

    Returns:
        Variable: The means, in ``x``'s dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.mean(np.array([[1.0, 2.0], [3.0, 6.0]], np.float32), axis=0).array
        array([2., 4.], dtype=float32)
    """
    return _average("mean", x, axis, weights, keepdims)
