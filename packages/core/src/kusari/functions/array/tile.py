"""``tile`` and ``repeat``: copy an array's blocks or elements.

Their gradients sum the copies: ``tile`` through ``reshape`` + ``sum_to`` (so they are
differentiable again), ``repeat`` with a dedicated ``RepeatGrad`` (segment sums) whose
backward is ``repeat``.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions.array.axes import normalize_axis
from kusari.functions.array.broadcast import sum_to
from kusari.functions.array.reshape import reshape
from kusari.variable import Variable

__all__ = ["Tile", "Repeat", "RepeatGrad", "tile", "repeat"]


class Tile(FunctionNode):
    def __init__(self, reps: tuple[int, ...]) -> None:
        self.reps = reps

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        return (get_array_module(x).tile(x, self.reps),)

    def backward(self, indexes, grad_outputs):
        (gy,) = grad_outputs
        n = len(self.reps)
        shape = (1,) * (n - len(self._in_shape)) + tuple(self._in_shape)
        inter, target = [], []
        for r, s in zip(self.reps, shape):
            inter += [r, s]
            target += [1, s]
        g = sum_to(reshape(gy, tuple(inter)), tuple(target))
        return (reshape(g, self._in_shape),)


def tile(x: Any, reps: Any) -> Variable:
    """Repeat ``x`` as blocks, ``reps[i]`` times along axis ``i`` (``numpy.tile``).

    Args:
        x: Input variable or array.
        reps: An int or a tuple of non-negative ints.

    Returns:
        The tiled Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.tile(np.array([1, 2], np.float32), 2).array
        array([1., 2., 1., 2.], dtype=float32)
    """
    r = (reps,) if isinstance(reps, (int, numpy.integer)) else tuple(reps)
    if any(not isinstance(v, (int, numpy.integer)) or v < 0 for v in r):
        raise ValueError(f"tile: reps must be non-negative ints; got {reps!r}")
    r = tuple(int(v) for v in r)
    r = (1,) * (x.ndim - len(r)) + r
    return Tile(r).apply((x,))[0]


class Repeat(FunctionNode):
    def __init__(self, repeats: Any, axis: int) -> None:
        self.repeats = repeats
        self.axis = axis

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        return (get_array_module(x).repeat(x, self.repeats, axis=self.axis),)

    def backward(self, indexes, grad_outputs):
        return RepeatGrad(self.repeats, self.axis, self._in_shape).apply(grad_outputs)


class RepeatGrad(FunctionNode):
    """Sum each run of repeated copies back into one element."""

    def __init__(self, repeats: Any, axis: int, in_shape: tuple[int, ...]) -> None:
        self.repeats = repeats
        self.axis = axis
        self.in_shape = in_shape

    def forward(self, inputs):
        (gy,) = inputs
        xp = get_array_module(gy)
        ax, n = self.axis, self.in_shape[self.axis]
        reps = numpy.broadcast_to(numpy.asarray(self.repeats), (n,))
        if (reps == reps[0]).all() and n:
            r = int(reps[0])
            g = gy.reshape(gy.shape[:ax] + (n, r) + gy.shape[ax + 1 :]).sum(axis=ax + 1)
            return (g,)
        # Unequal runs: segment ids and one scatter-add (empty runs stay zero).
        seg = numpy.repeat(numpy.arange(n), reps)
        moved = xp.moveaxis(gy, ax, 0)
        acc = xp.zeros((n,) + moved.shape[1:], dtype=gy.dtype)
        xp.add.at(acc, xp.asarray(seg), moved)
        return (xp.ascontiguousarray(xp.moveaxis(acc, 0, ax)),)

    def backward(self, indexes, grad_outputs):
        return Repeat(self.repeats, self.axis).apply(grad_outputs)


def repeat(x: Any, repeats: Any, axis: int | None = None) -> Variable:
    """Repeat each element of ``x`` (``numpy.repeat``).

    Args:
        x: Input variable or array.
        repeats: An int, or one non-negative int per element along ``axis``.
        axis: The axis to repeat along; None flattens ``x`` first.

    Returns:
        The repeated Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.repeat(np.array([1, 2], np.float32), 2).array
        array([1., 1., 2., 2.], dtype=float32)
    """
    if axis is None:
        x = reshape(x, (x.size,))
        axis = 0
    ax = normalize_axis(axis, x.ndim, "repeat")
    r = numpy.asarray(repeats)
    if r.dtype.kind not in "iu" or r.ndim > 1 or (r < 0).any():
        raise ValueError(
            f"repeat: repeats must be a non-negative int or a 1-D sequence of them; got {repeats!r}"
        )
    if r.ndim == 1 and r.shape[0] not in (1, x.shape[ax]):
        raise ValueError(
            f"repeat: got {r.shape[0]} repeats for axis {ax} of length "
            f"{x.shape[ax]} (shape {tuple(x.shape)})"
        )
    reps = int(r) if r.ndim == 0 else (int(r[0]) if r.shape[0] == 1 else tuple(r.tolist()))
    return Repeat(reps, ax).apply((x,))[0]
