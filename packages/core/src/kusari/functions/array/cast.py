"""``cast``: change the dtype of a Variable (gradients are cast back)."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["Cast", "cast"]


class Cast(FunctionNode):
    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype

    @property
    def label(self) -> str:
        return f"Cast({self.dtype})"

    def forward(self, inputs):
        (x,) = inputs
        self._in_dtype = x.dtype
        return (x.astype(self.dtype),)

    def backward(self, indexes, grad_outputs):
        (gy,) = grad_outputs
        if self._in_dtype.kind != "f":
            return (None,)  # integer inputs get no gradient
        return Cast(self._in_dtype).apply((gy,))


def cast(x: Any, dtype: Any) -> Variable:
    """Cast ``x`` to ``dtype``; returns ``x`` itself (as a Variable) if it already has it.

    Args:
        x: Input variable or array.
        dtype: Target dtype (anything ``numpy.dtype`` accepts).

    Returns:
        Variable of dtype ``dtype``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.cast(np.ones(2, np.float32), np.float16).dtype
        dtype('float16')
    """
    try:
        dt = numpy.dtype(dtype)
    except TypeError:
        raise TypeError(f"cast: {dtype!r} is not a dtype") from None
    if x.dtype == dt:
        return x if isinstance(x, Variable) else Variable(x, requires_grad=False)
    return Cast(dt).apply((x,))[0]
