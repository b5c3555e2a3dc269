"""``exp``, ``log`` (and the base-2/10 variants)."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["Exp", "Log", "exp", "log", "log2", "log10"]


def _require_float(name: str, x: Any) -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating-point input, got dtype {x.dtype}")


class Exp(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        _require_float("exp", x)
        self.retain_outputs((0,))
        return (get_array_module(x).exp(x),)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return (grad_outputs[0] * y,)


class Log(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        _require_float("log", x)
        self.retain_inputs((0,))
        return (get_array_module(x).log(x),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] / x,)


def exp(x: Any) -> Variable:
    """Elementwise ``e ** x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.exp(np.zeros(2, np.float32)).array
        array([1., 1.], dtype=float32)
    """
    return Exp().apply((x,))[0]


def log(x: Any) -> Variable:
    """Elementwise natural logarithm.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.log(np.ones(2, np.float32)).array
        array([0., 0.], dtype=float32)
    """
    return Log().apply((x,))[0]


def log2(x: Any) -> Variable:
    """Elementwise base-2 logarithm (``log(x) / log(2)``)."""
    return log(x) * (1.0 / 0.6931471805599453)


def log10(x: Any) -> Variable:
    """Elementwise base-10 logarithm (``log(x) / log(10)``)."""
    return log(x) * (1.0 / 2.302585092994046)
