"""Exponentials, logarithms and powers: ``exp``, ``log`` (base e, 2, 10), ``log1p``,
``expm1``, ``sqrt``, ``rsqrt``, ``square``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = [
    "Exp",
    "Log",
    "Log1p",
    "Expm1",
    "Sqrt",
    "Rsqrt",
    "Square",
    "exp",
    "log",
    "log2",
    "log10",
    "log1p",
    "expm1",
    "sqrt",
    "rsqrt",
    "square",
]


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

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``e ** x`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.exp(np.zeros(2, np.float32)).array
        array([1., 1.], dtype=float32)
    """
    return Exp().apply((x,))[0]


def log(x: Any) -> Variable:
    """Elementwise natural logarithm.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``log(x)`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.log(np.ones(2, np.float32)).array
        array([0., 0.], dtype=float32)
    """
    return Log().apply((x,))[0]


def log2(x: Any) -> Variable:
    """Elementwise base-2 logarithm (``log(x) / log(2)``).

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``log2(x)`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.log2(np.array([1.0, 8.0])).array
        array([0., 3.])
    """
    return log(x) * (1.0 / 0.6931471805599453)


def log10(x: Any) -> Variable:
    """Elementwise base-10 logarithm (``log(x) / log(10)``).

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``log10(x)`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.log10(np.array([1.0, 100.0])).array
        array([0., 2.])
    """
    return log(x) * (1.0 / 2.302585092994046)


class Log1p(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        _require_float("log1p", x)
        self.retain_inputs((0,))
        return (get_array_module(x).log1p(x),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] / (x + 1.0),)


class Expm1(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        _require_float("expm1", x)
        self.retain_outputs((0,))
        return (get_array_module(x).expm1(x),)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return (grad_outputs[0] * (y + 1.0),)


class Sqrt(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        _require_float("sqrt", x)
        self.retain_outputs((0,))
        return (get_array_module(x).sqrt(x),)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return (grad_outputs[0] * 0.5 / y,)


class Rsqrt(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        _require_float("rsqrt", x)
        self.retain_outputs((0,))
        xp = get_array_module(x)
        y = xp.sqrt(x)
        return (xp.reciprocal(y, out=y),)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return (grad_outputs[0] * (y * y * y) * -0.5,)


class Square(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        _require_float("square", x)
        self.retain_inputs((0,))
        return (x * x,)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * (x * 2.0),)

    def backward_arrays(self, indexes, grad_outputs):
        x = self.inputs[0].data
        return (grad_outputs[0] * (x * x.dtype.type(2)),)


def log1p(x: Any) -> Variable:
    """Elementwise ``log(1 + x)``, accurate for small ``x``.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``log(1 + x)`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.log1p(np.array([0.0, 1e-10])).array
        array([0.e+00, 1.e-10])
    """
    return Log1p().apply((x,))[0]


def expm1(x: Any) -> Variable:
    """Elementwise ``exp(x) - 1``, accurate for small ``x``.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``exp(x) - 1`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.expm1(np.array([0.0, 1e-10])).array
        array([0.e+00, 1.e-10])
    """
    return Expm1().apply((x,))[0]


def sqrt(x: Any) -> Variable:
    """Elementwise square root.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``sqrt(x)`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.sqrt(np.array([4.0, 9.0], np.float32)).array
        array([2., 3.], dtype=float32)
    """
    return Sqrt().apply((x,))[0]


def rsqrt(x: Any) -> Variable:
    """Elementwise reciprocal square root, ``1 / sqrt(x)``.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``1 / sqrt(x)`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.rsqrt(np.array([4.0, 16.0], np.float32)).array
        array([0.5 , 0.25], dtype=float32)
    """
    return Rsqrt().apply((x,))[0]


def square(x: Any) -> Variable:
    """Elementwise square, ``x * x``.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``x * x`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.square(np.array([-2.0, 3.0], np.float32)).array
        array([4., 9.], dtype=float32)
    """
    return Square().apply((x,))[0]
