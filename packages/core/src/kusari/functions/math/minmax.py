"""``max``, ``min`` (differentiable) and ``argmax``, ``argmin`` (index arrays, no graph).

The gradient of max/min flows to every element equal to the result (ties each get the
full gradient), as in Chainer.
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import array_of, normalize_axes, normalize_axis, require_float
from kusari.functions.math._mask import MaskMul
from kusari.functions.math.sum import _grad_to_input, _kept_shape
from kusari.variable import Variable

__all__ = ["Max", "Min", "max", "min", "argmax", "argmin"]


class _Extremum(FunctionNode):
    _reduce = "max"

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        y = getattr(x, self._reduce)(axis=self.axis, keepdims=self.keepdims)
        return (get_array_module(x).asarray(y),)

    def backward(self, indexes, grad_outputs):
        x = self.inputs[0].data
        y = self.output_data[0]
        if not self.keepdims:
            y = y.reshape(_kept_shape(x.shape, self.axis))
        gx = _grad_to_input(grad_outputs[0], x.shape, self.axis, self.keepdims)
        return MaskMul(x == y).apply((gx,))


class Max(_Extremum):
    _reduce = "max"


class Min(_Extremum):
    _reduce = "min"


def _check(fname: str, x: Any, axis: Any) -> tuple[int, ...] | None:
    require_float(fname, x)
    if x.size == 0:
        raise ValueError(f"{fname}: expected a non-empty array, got shape {tuple(x.shape)}")
    return None if axis is None else normalize_axes(fname, axis, x.ndim)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Maximum of the elements over the given axes.

    Args:
        x: Input Variable or array of a floating dtype.
        axis: None (all elements), an int or a tuple of ints.
        keepdims: Keep the reduced axes as axes of length one.

    Returns:
        Variable: The maxima (the gradient goes to every element equal to its maximum).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.max(np.array([[1.0, 4.0], [3.0, 2.0]], np.float32), axis=1).array
        array([4., 3.], dtype=float32)
    """
    return Max(_check("max", x, axis), bool(keepdims)).apply((x,))[0]


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Minimum of the elements over the given axes.

    Args:
        x: Input Variable or array of a floating dtype.
        axis: None (all elements), an int or a tuple of ints.
        keepdims: Keep the reduced axes as axes of length one.

    Returns:
        Variable: The minima (the gradient goes to every element equal to its minimum).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.min(np.array([[1.0, 4.0], [3.0, 2.0]], np.float32), axis=1).array
        array([1., 2.], dtype=float32)
    """
    return Min(_check("min", x, axis), bool(keepdims)).apply((x,))[0]


def _arg(fname: str, x: Any, axis: Any) -> Variable:
    a = array_of(x)
    if a.size == 0:
        raise ValueError(f"{fname}: expected a non-empty array, got shape {tuple(a.shape)}")
    if axis is not None:
        if isinstance(axis, bool) or not hasattr(axis, "__index__"):
            raise TypeError(f"{fname}: expected axis to be None or an int, got {axis!r}")
        axis = normalize_axis(fname, int(axis), a.ndim)
    xp = get_array_module(a)
    idx = getattr(a, fname)(axis=axis)
    return Variable(xp.asarray(idx, dtype=xp.int32), requires_grad=False)


def argmax(x: Any, axis: int | None = None) -> Variable:
    """Indices of the maxima along an axis (of the flattened array when ``axis`` is None).

    Not differentiable: the result is an int32 Variable that is not part of the graph.

    Args:
        x: Input Variable or array.
        axis: The axis, or None.

    Returns:
        Variable: int32 indices.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.argmax(np.array([[1.0, 4.0], [3.0, 2.0]], np.float32), axis=1).array
        array([1, 0], dtype=int32)
    """
    return _arg("argmax", x, axis)


def argmin(x: Any, axis: int | None = None) -> Variable:
    """Indices of the minima along an axis (of the flattened array when ``axis`` is None).

    Not differentiable: the result is an int32 Variable that is not part of the graph.

    Args:
        x: Input Variable or array.
        axis: The axis, or None.

    Returns:
        Variable: int32 indices.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.argmin(np.array([[1.0, 4.0], [3.0, 2.0]], np.float32), axis=1).array
        array([0, 1], dtype=int32)
    """
    return _arg("argmin", x, axis)
