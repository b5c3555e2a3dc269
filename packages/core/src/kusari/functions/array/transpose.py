"""``transpose``."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["Transpose", "transpose"]


class Transpose(FunctionNode):
    def __init__(self, axes: tuple[int, ...] | None = None) -> None:
        self.axes = axes

    @property
    def label(self) -> str:
        return "Transpose"

    def forward(self, inputs):
        (x,) = inputs
        axes = self.axes
        if axes is not None and (
            len(axes) != x.ndim or sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim))
        ):
            raise ValueError(
                f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of an "
                f"array of shape {x.shape}"
            )
        return (x.transpose(axes),)

    def backward(self, indexes, grad_outputs):
        axes = self.axes
        inv = None if axes is None else tuple(numpy.argsort([a % len(axes) for a in axes]))
        return Transpose(inv).apply(grad_outputs)

    def backward_arrays(self, indexes, grad_outputs):
        axes = self.axes
        inv = None if axes is None else tuple(numpy.argsort([a % len(axes) for a in axes]))
        return (grad_outputs[0].transpose(inv),)


def transpose(x: Any, axes: Any = None) -> Variable:
    """Permute the axes of ``x`` (reverse them when ``axes`` is None).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.transpose(np.zeros((2, 3, 4), np.float32), (2, 0, 1)).shape
        (4, 2, 3)
    """
    if axes is not None:
        axes = tuple(int(a) for a in axes)
    return Transpose(axes).apply((x,))[0]
