"""``permutate``: reorder the slices of an array along an axis by a permutation."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions.array.axes import normalize_axis
from kusari.variable import Variable

__all__ = ["Permutate", "permutate"]


class Permutate(FunctionNode):
    def __init__(self, indices: Any, axis: int, inv: bool) -> None:
        self.indices = indices
        self.axis = axis
        self.inv = inv

    def forward(self, inputs):
        (x,) = inputs
        xp = get_array_module(x)
        idx = self.indices
        if self.inv:
            idx = xp.argsort(idx)
        return (xp.take(x, idx, axis=self.axis),)

    def backward(self, indexes, grad_outputs):
        return Permutate(self.indices, self.axis, not self.inv).apply(grad_outputs)


def permutate(x: Any, indices: Any, axis: int = 0, inv: bool = False) -> Variable:
    """Permute ``x`` along ``axis``: ``y[i] = x[indices[i]]`` (or the inverse).

    Args:
        x: Input variable or array.
        indices: A permutation of ``range(x.shape[axis])`` (array or Variable of ints).
        axis: The axis to permute.
        inv: Apply the inverse permutation (``y[indices[i]] = x[i]``).

    Returns:
        The permuted Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.permutate(np.array([1, 2, 3], np.float32), np.array([2, 0, 1])).array
        array([3., 1., 2.], dtype=float32)
    """
    idx = indices.array if isinstance(indices, Variable) else indices
    ax = normalize_axis(axis, x.ndim, "permutate")
    xp = get_array_module(idx)
    idx = xp.asarray(idx)
    n = x.shape[ax]
    if idx.dtype.kind not in "iu" or idx.ndim != 1:
        raise TypeError(
            f"permutate: indices must be a 1-D integer array; got {idx.dtype} of shape {idx.shape}"
        )
    if idx.shape[0] != n or not bool((xp.sort(idx) == xp.arange(n)).all()):
        raise ValueError(
            f"permutate: indices must be a permutation of range({n}) (axis {ax} of "
            f"shape {tuple(x.shape)}); got {idx}"
        )
    return Permutate(idx, ax, inv).apply((x,))[0]
