"""Regression losses: ``mean_squared_error``, ``mean_absolute_error``, ``squared_error``,
``absolute_error``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float, require_same_dtype, require_same_shape
from kusari.functions.math._mask import MaskMul
from kusari.functions.math.squared_difference import SquaredDifference
from kusari.variable import Variable

__all__ = [
    "MeanSquaredError",
    "MeanAbsoluteError",
    "AbsoluteError",
    "mean_squared_error",
    "mean_absolute_error",
    "squared_error",
    "absolute_error",
]


def _check(fname: str, x0: Any, x1: Any) -> None:
    require_float(fname, x0, "x0")
    require_same_dtype(fname, x0, x1)
    require_same_shape(fname, x0, x1)


class MeanSquaredError(FunctionNode):
    def forward(self, inputs):
        x0, x1 = inputs
        self.retain_inputs((0, 1))
        d = (x0 - x1).ravel()
        self.coeff = 2.0 / max(d.size, 1)
        return (get_array_module(d).asarray(d.dot(d) / max(d.size, 1), dtype=x0.dtype),)

    def backward(self, indexes, grad_outputs):
        x0, x1 = self.get_retained_inputs()
        g = (x0 - x1) * (grad_outputs[0] * self.coeff)
        return tuple(g if i == 0 else -g for i in indexes)


class MeanAbsoluteError(FunctionNode):
    def forward(self, inputs):
        x0, x1 = inputs
        xp = get_array_module(x0)
        d = x0 - x1
        n = max(d.size, 1)
        self.sign = xp.sign(d)
        self.sign *= 1.0 / n
        return (xp.asarray(xp.abs(d).sum() / n, dtype=x0.dtype),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import broadcast_to

        g = MaskMul(self.sign).apply((broadcast_to(grad_outputs[0], self.sign.shape),))[0]
        return tuple(g if i == 0 else -g for i in indexes)


class AbsoluteError(FunctionNode):
    def forward(self, inputs):
        x0, x1 = inputs
        xp = get_array_module(x0)
        d = x0 - x1
        self.sign = xp.sign(d)
        return (xp.abs(d, out=d),)

    def backward(self, indexes, grad_outputs):
        g = MaskMul(self.sign).apply(grad_outputs)[0]
        return tuple(g if i == 0 else -g for i in indexes)


def mean_squared_error(x0: Any, x1: Any) -> Variable:
    """Mean of the squared differences, ``sum((x0 - x1) ** 2) / x0.size``.

    Args:
        x0: First input, floating dtype.
        x1: Second input of the same shape and dtype.

    Returns:
        Variable: A scalar in the inputs' dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.mean_squared_error(np.array([1.0, 3.0], np.float32), np.zeros(2, np.float32)).array
        array(5., dtype=float32)
    """
    _check("mean_squared_error", x0, x1)
    return MeanSquaredError().apply((x0, x1))[0]


def mean_absolute_error(x0: Any, x1: Any) -> Variable:
    """Mean of the absolute differences, ``sum(|x0 - x1|) / x0.size``.

    Args:
        x0: First input, floating dtype.
        x1: Second input of the same shape and dtype.

    Returns:
        Variable: A scalar in the inputs' dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.mean_absolute_error(np.array([1.0, -3.0], np.float32), np.zeros(2, np.float32)).array
        array(2., dtype=float32)
    """
    _check("mean_absolute_error", x0, x1)
    return MeanAbsoluteError().apply((x0, x1))[0]


def squared_error(x0: Any, x1: Any) -> Variable:
    """Elementwise squared difference, ``(x0 - x1) ** 2`` (no reduction).

    Args:
        x0: First input, floating dtype.
        x1: Second input of the same shape and dtype.

    Returns:
        Variable: Same shape as the inputs.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.squared_error(np.array([1.0, 3.0], np.float32), np.ones(2, np.float32)).array
        array([0., 4.], dtype=float32)
    """
    _check("squared_error", x0, x1)
    return SquaredDifference().apply((x0, x1))[0]


def absolute_error(x0: Any, x1: Any) -> Variable:
    """Elementwise absolute difference, ``|x0 - x1|`` (no reduction).

    Args:
        x0: First input, floating dtype.
        x1: Second input of the same shape and dtype.

    Returns:
        Variable: Same shape as the inputs (the gradient at 0 is 0).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.absolute_error(np.array([1.0, -3.0], np.float32), np.ones(2, np.float32)).array
        array([0., 4.], dtype=float32)
    """
    _check("absolute_error", x0, x1)
    return AbsoluteError().apply((x0, x1))[0]
