"""``maximum`` and ``minimum``: elementwise extremum of two arrays (broadcasting)."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float, require_same_dtype
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["Maximum", "Minimum", "maximum", "minimum"]


class _Pairwise(FunctionNode):
    _op = "maximum"

    def forward(self, inputs):
        a, b = inputs
        self.retain_inputs((0, 1))
        return (getattr(get_array_module(a), self._op)(a, b),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import sum_to

        a = self.inputs[0].data
        b = self.inputs[1].data
        # Ties send the gradient to the first operand (as Chainer does).
        first = (a >= b) if self._op == "maximum" else (a <= b)
        (gy,) = grad_outputs
        out = []
        for i in indexes:
            mask = first if i == 0 else ~first
            g = MaskMul(mask).apply((gy,))[0]
            shape = a.shape if i == 0 else b.shape
            out.append(sum_to(g, shape) if g.shape != shape else g)
        return tuple(out)


class Maximum(_Pairwise):
    _op = "maximum"


class Minimum(_Pairwise):
    _op = "minimum"


def _check(fname: str, x1: Any, x2: Any) -> None:
    require_float(fname, x1, "x1")
    require_same_dtype(fname, x1, x2, ("x1", "x2"))
    try:
        numpy.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))  # shapes only: any backend
    except ValueError:
        raise ValueError(
            f"{fname}: shapes {tuple(x1.shape)} and {tuple(x2.shape)} cannot be broadcast together"
        ) from None


def maximum(x1: Any, x2: Any) -> Variable:
    """Elementwise maximum of two inputs (broadcast like NumPy).

    Args:
        x1: First input (floating dtype).
        x2: Second input (same dtype).

    Returns:
        Variable: ``max(x1, x2)`` elementwise; ties send the gradient to ``x1``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.maximum(np.array([1.0, 4.0], np.float32), np.array([3.0, 2.0], np.float32)).array
        array([3., 4.], dtype=float32)
    """
    _check("maximum", x1, x2)
    return Maximum().apply((x1, x2))[0]


def minimum(x1: Any, x2: Any) -> Variable:
    """Elementwise minimum of two inputs (broadcast like NumPy).

    Args:
        x1: First input (floating dtype).
        x2: Second input (same dtype).

    Returns:
        Variable: ``min(x1, x2)`` elementwise; ties send the gradient to ``x1``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.minimum(np.array([1.0, 4.0], np.float32), np.array([3.0, 2.0], np.float32)).array
        array([1., 2.], dtype=float32)
    """
    _check("minimum", x1, x2)
    return Minimum().apply((x1, x2))[0]
