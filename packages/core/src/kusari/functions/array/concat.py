"""Joining and splitting along an axis: ``concat``, ``stack``, ``hstack``, ``vstack``,
``dstack``, ``split_axis``, ``separate``.

Concat and SplitAxis are each other's backward, and so are Stack and Separate; an
output that got no gradient contributes zeros.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions.array.axes import normalize_axis
from kusari.functions.array.reshape import reshape
from kusari.variable import Variable

__all__ = [
    "Concat",
    "SplitAxis",
    "Stack",
    "Separate",
    "concat",
    "stack",
    "hstack",
    "vstack",
    "dstack",
    "split_axis",
    "separate",
]


def _fill_none(grads: tuple[Any, ...], shapes: list[tuple[int, ...]], like: Any) -> list[Any]:
    # An unused output's gradient is zero; build it from a sibling gradient's backend.
    xp = get_array_module(like)
    return [g if g is not None else xp.zeros(s, dtype=like.dtype) for g, s in zip(grads, shapes)]


def _first(grads: tuple[Any, ...]) -> Any:
    for g in grads:
        if g is not None:
            return g.array
    raise RuntimeError("no gradient")  # the engine never calls backward without one


class Concat(FunctionNode):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, inputs):
        xp = get_array_module(*inputs)
        self._sizes = [x.shape[self.axis] for x in inputs]
        return (xp.concatenate(inputs, axis=self.axis),)

    def backward(self, indexes, grad_outputs):
        bounds = numpy.cumsum(self._sizes)[:-1].tolist()
        return SplitAxis(bounds, self.axis).apply(grad_outputs)


class SplitAxis(FunctionNode):
    def __init__(self, indices: list[int], axis: int) -> None:
        self.indices = indices
        self.axis = axis

    def forward(self, inputs):
        (x,) = inputs
        xp = get_array_module(x)
        ys = xp.split(x, self.indices, axis=self.axis)
        self._shapes = [y.shape for y in ys]
        return tuple(ys)

    def backward(self, indexes, grad_outputs):
        like = _first(grad_outputs)
        gs = _fill_none(grad_outputs, self._shapes, like)
        return Concat(self.axis).apply(gs)


class Stack(FunctionNode):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, inputs):
        xp = get_array_module(*inputs)
        return (xp.stack(inputs, axis=self.axis),)

    def backward(self, indexes, grad_outputs):
        return Separate(self.axis).apply(grad_outputs)


class Separate(FunctionNode):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, inputs):
        (x,) = inputs
        ax = self.axis
        self._shape = x.shape[:ax] + x.shape[ax + 1 :]
        lead = (slice(None),) * ax
        return tuple(x[lead + (i,)] for i in range(x.shape[ax]))

    def backward(self, indexes, grad_outputs):
        like = _first(grad_outputs)
        gs = _fill_none(grad_outputs, [self._shape] * len(grad_outputs), like)
        return Stack(self.axis).apply(gs)


def _check_join(fn: str, xs: Any, axis: int, stacking: bool) -> int:
    if isinstance(xs, (Variable, numpy.ndarray)) or not hasattr(xs, "__len__"):
        raise TypeError(
            f"{fn}: xs must be a list or tuple of arrays/Variables; got {type(xs).__name__}"
        )
    if len(xs) == 0:
        raise ValueError(f"{fn}: xs must not be empty")
    first = xs[0]
    ndim = first.ndim
    ax = normalize_axis(axis, ndim + 1 if stacking else ndim, fn)
    for i, x in enumerate(xs):
        if x.dtype != first.dtype:
            raise TypeError(
                f"{fn}: all inputs must share a dtype; xs[0] is {first.dtype}, xs[{i}] is {x.dtype}"
            )
        same = (
            tuple(x.shape) == tuple(first.shape)
            if stacking
            else x.ndim == ndim
            and all(a == b for k, (a, b) in enumerate(zip(x.shape, first.shape)) if k != ax)
        )
        if not same:
            what = "the same shape" if stacking else f"the same shape except on axis {ax}"
            raise ValueError(
                f"{fn}: inputs must have {what}; xs[0] is {tuple(first.shape)}, "
                f"xs[{i}] is {tuple(x.shape)}"
            )
    return ax


def concat(xs: Any, axis: int = 1) -> Variable:
    """Concatenate arrays along an existing axis.

    Args:
        xs: List or tuple of Variables/arrays of the same dtype and same shape except on
            ``axis``.
        axis: The axis to join along (default 1, as in Chainer).

    Returns:
        The joined Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.concat((np.zeros((2, 3), np.float32), np.ones((2, 1), np.float32))).shape
        (2, 4)
    """
    ax = _check_join("concat", xs, axis, False)
    return Concat(ax).apply(tuple(xs))[0]


def stack(xs: Any, axis: int = 0) -> Variable:
    """Join same-shaped arrays along a new axis.

    Args:
        xs: List or tuple of Variables/arrays of one shape and dtype.
        axis: Position of the new axis.

    Returns:
        Variable with one more dimension than the inputs.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.stack([np.zeros(3, np.float32)] * 2, axis=1).shape
        (3, 2)
    """
    ax = _check_join("stack", xs, axis, True)
    return Stack(ax).apply(tuple(xs))[0]


def _at_least(xs: Any, fn: str, shape_of: Any) -> list[Any]:
    if isinstance(xs, (Variable, numpy.ndarray)) or not hasattr(xs, "__len__") or not len(xs):
        raise TypeError(f"{fn}: xs must be a non-empty list or tuple of arrays/Variables")
    out = []
    for x in xs:
        s = shape_of(tuple(x.shape))
        out.append(x if s == tuple(x.shape) else reshape(x, s))
    return out


def hstack(xs: Any) -> Variable:
    """Concatenate horizontally: along axis 1, or axis 0 for 1-D inputs (``numpy.hstack``).

    Args:
        xs: List or tuple of Variables/arrays.

    Returns:
        The joined Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.hstack([np.zeros((2, 1), np.float32), np.ones((2, 2), np.float32)]).shape
        (2, 3)
    """
    xs = _at_least(xs, "hstack", lambda s: s if s else (1,))
    return concat(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs: Any) -> Variable:
    """Concatenate vertically: along axis 0 after making inputs at least 2-D.

    Args:
        xs: List or tuple of Variables/arrays.

    Returns:
        The joined Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.vstack([np.zeros(3, np.float32), np.ones(3, np.float32)]).shape
        (2, 3)
    """
    xs = _at_least(xs, "vstack", lambda s: s if len(s) >= 2 else (1,) + (s or (1,)))
    return concat(xs, axis=0)


def dstack(xs: Any) -> Variable:
    """Concatenate depth-wise: along axis 2 after making inputs at least 3-D.

    1-D ``(n,)`` becomes ``(1, n, 1)`` and 2-D ``(m, n)`` becomes ``(m, n, 1)``.

    Args:
        xs: List or tuple of Variables/arrays.

    Returns:
        The joined Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.dstack([np.zeros((2, 3), np.float32)] * 2).shape
        (2, 3, 2)
    """

    def shape3(s: tuple[int, ...]) -> tuple[int, ...]:
        if len(s) == 0:
            return (1, 1, 1)
        if len(s) == 1:
            return (1, s[0], 1)
        if len(s) == 2:
            return s + (1,)
        return s

    return concat(_at_least(xs, "dstack", shape3), axis=2)


def split_axis(x: Any, indices_or_sections: Any, axis: int, force_tuple: bool = True) -> Any:
    """Split ``x`` along ``axis`` into equal sections or at given indices.

    Args:
        x: Input variable or array.
        indices_or_sections: An int (number of equal sections; must divide the axis) or
            a sorted sequence of split points.
        axis: The axis to split.
        force_tuple: Return a tuple even when there is one piece.

    Returns:
        A tuple of Variables (or one Variable when ``force_tuple`` is False and there is
        a single piece).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> [y.shape for y in F.split_axis(np.zeros((2, 6), np.float32), [1, 4], 1)]
        [(2, 1), (2, 3), (2, 2)]
    """
    ax = normalize_axis(axis, x.ndim, "split_axis")
    n = x.shape[ax]
    if isinstance(indices_or_sections, (int, numpy.integer)):
        sec = int(indices_or_sections)
        if sec <= 0 or n % sec:
            raise ValueError(
                f"split_axis: {sec} sections do not divide axis {ax} of length {n} "
                f"(shape {tuple(x.shape)}) evenly"
            )
        indices = [n // sec * i for i in range(1, sec)]
    else:
        indices = [int(i) for i in indices_or_sections]
    ys = SplitAxis(indices, ax).apply((x,))
    if len(ys) == 1 and not force_tuple:
        return ys[0]
    return ys


def separate(x: Any, axis: int = 0) -> tuple[Variable, ...]:
    """Split ``x`` into its slices along ``axis`` (the inverse of :func:`stack`).

    Args:
        x: Input variable or array.
        axis: The axis to take apart (it disappears from the pieces).

    Returns:
        A tuple of ``x.shape[axis]`` Variables.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> [y.shape for y in F.separate(np.zeros((2, 3), np.float32), axis=1)]
        [(2,), (2,), (2,)]
    """
    ax = normalize_axis(axis, x.ndim, "separate")
    return Separate(ax).apply((x,))
