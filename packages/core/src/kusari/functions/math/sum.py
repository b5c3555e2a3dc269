"""``sum`` and ``cumsum``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import normalize_axes, normalize_axis, require_float
from kusari.variable import Variable

__all__ = ["Sum", "Cumsum", "sum", "cumsum"]


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` with the reduced axes set to 1 (the ``keepdims=True`` shape)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def _grad_to_input(
    gy: Variable, in_shape: tuple[int, ...], axes: tuple[int, ...] | None, keepdims: bool
) -> Variable:
    """Broadcast the gradient of a reduction back to the input's shape."""
    from kusari.functions.array.broadcast import broadcast_to
    from kusari.functions.array.reshape import reshape

    if axes is not None and not keepdims:
        gy = reshape(gy, _kept_shape(in_shape, axes))
    return broadcast_to(gy, in_shape)


class Sum(FunctionNode):
    """Sum over ``axis`` (a tuple of non-negative axes, or None for all)."""

    def __init__(self, axis: tuple[int, ...] | None = None, keepdims: bool = False) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        if self.axis is None and not self.keepdims:
            # x.sum() is a NumPy scalar; one asarray keeps the output an array.
            return (get_array_module(x).asarray(x.sum()),)
        return (x.sum(axis=self.axis, keepdims=self.keepdims),)

    def backward(self, indexes, grad_outputs):
        return (_grad_to_input(grad_outputs[0], self._in_shape, self.axis, self.keepdims),)

    def backward_arrays(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        if self.axis is not None and not self.keepdims:
            gy = gy.reshape(_kept_shape(self._in_shape, self.axis))
        return (get_array_module(gy).broadcast_to(gy, self._in_shape),)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Sum of the elements over the given axes.

    Args:
        x: Input Variable or array of a floating dtype.
        axis: None (all elements), an int or a tuple of ints.
        keepdims: Keep the reduced axes as axes of length one.

    Returns:
        Variable: The sums, in ``x``'s dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.sum(np.ones((2, 3), np.float32), axis=1).array
        array([3., 3.], dtype=float32)
    """
    if x.dtype.kind != "f":
        require_float("sum", x)
    axes = None if axis is None else normalize_axes("sum", axis, x.ndim)
    return Sum(axes, bool(keepdims)).apply((x,))[0]


class Cumsum(FunctionNode):
    """Cumulative sum along one axis; ``reverse`` sums from the end (the adjoint)."""

    def __init__(self, axis: int, reverse: bool = False) -> None:
        self.axis = axis
        self.reverse = reverse

    def forward(self, inputs):
        (x,) = inputs
        xp = get_array_module(x)
        if not self.reverse:
            return (xp.cumsum(x, axis=self.axis, dtype=x.dtype),)
        flip = xp.flip(x, axis=self.axis)
        return (
            xp.ascontiguousarray(
                xp.flip(xp.cumsum(flip, axis=self.axis, dtype=x.dtype), axis=self.axis)
            ),
        )

    def backward(self, indexes, grad_outputs):
        return Cumsum(self.axis, not self.reverse).apply(grad_outputs)


def cumsum(x: Any, axis: int | None = None) -> Variable:
    """Cumulative sum along an axis (of the flattened array when ``axis`` is None).

    Args:
        x: Input Variable or array of a floating dtype.
        axis: The axis, or None to flatten first.

    Returns:
        Variable: Same shape as ``x`` (1-D when ``axis`` is None).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.cumsum(np.array([1.0, 2.0, 3.0], np.float32)).array
        array([1., 3., 6.], dtype=float32)
    """
    require_float("cumsum", x)
    if axis is None:
        from kusari.functions.array.reshape import reshape

        x = reshape(x, (x.size,))
        axis = 0
    elif isinstance(axis, bool) or not hasattr(axis, "__index__"):
        raise TypeError(f"cumsum: expected axis to be None or an int, got {axis!r}")
    return Cumsum(normalize_axis("cumsum", int(axis), x.ndim)).apply((x,))[0]
