"""Trigonometric and hyperbolic functions: ``sin``, ``cos``, ``tan``, ``arcsin``,
``arccos``, ``arctan``, ``sinh``, ``cosh``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float
from kusari.variable import Variable

__all__ = [
    "Arctan2",
    "arctan2",
    "Sin",
    "Cos",
    "Tan",
    "Arcsin",
    "Arccos",
    "Arctan",
    "Sinh",
    "Cosh",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
]


class _Unary(FunctionNode):
    """An elementwise ufunc that keeps its input for backward."""

    _name = ""

    def forward(self, inputs):
        (x,) = inputs
        if x.dtype.kind != "f":
            require_float(self._name, x)
        self.retain_inputs((0,))
        return (getattr(get_array_module(x), self._name)(x),)


class Sin(_Unary):
    _name = "sin"

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * cos(x),)


class Cos(_Unary):
    _name = "cos"

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * -sin(x),)


class Tan(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        require_float("tan", x)
        self.retain_outputs((0,))
        return (get_array_module(x).tan(x),)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return (grad_outputs[0] * (y * y + 1.0),)


class Arcsin(_Unary):
    _name = "arcsin"

    def backward(self, indexes, grad_outputs):
        from kusari.functions.math.exponential import rsqrt

        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * rsqrt(1.0 - x * x),)


class Arccos(_Unary):
    _name = "arccos"

    def backward(self, indexes, grad_outputs):
        from kusari.functions.math.exponential import rsqrt

        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * -rsqrt(1.0 - x * x),)


class Arctan(_Unary):
    _name = "arctan"

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] / (x * x + 1.0),)


class Sinh(_Unary):
    _name = "sinh"

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * cosh(x),)


class Cosh(_Unary):
    _name = "cosh"

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * sinh(x),)


_DOC = """Elementwise {what}.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``{expr}`` elementwise, same shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.{name}(np.array([{arg}])).array
        array([{out}])
    """


def sin(x: Any) -> Variable:
    return Sin().apply((x,))[0]


def cos(x: Any) -> Variable:
    return Cos().apply((x,))[0]


def tan(x: Any) -> Variable:
    return Tan().apply((x,))[0]


def arcsin(x: Any) -> Variable:
    return Arcsin().apply((x,))[0]


def arccos(x: Any) -> Variable:
    return Arccos().apply((x,))[0]


def arctan(x: Any) -> Variable:
    return Arctan().apply((x,))[0]


def sinh(x: Any) -> Variable:
    return Sinh().apply((x,))[0]


def cosh(x: Any) -> Variable:
    return Cosh().apply((x,))[0]


for _f, _what, _expr, _out in [
    (sin, "sine", "sin(x)", "0."),
    (cos, "cosine", "cos(x)", "1."),
    (tan, "tangent", "tan(x)", "0."),
    (arcsin, "inverse sine", "arcsin(x)", "0."),
    (arccos, "inverse cosine", "arccos(x)", "1.57079633"),
    (arctan, "inverse tangent", "arctan(x)", "0."),
    (sinh, "hyperbolic sine", "sinh(x)", "0."),
    (cosh, "hyperbolic cosine", "cosh(x)", "1."),
]:
    _f.__doc__ = _DOC.format(what=_what, expr=_expr, name=_f.__name__, arg="0.0", out=_out)
del _f, _what, _expr, _out


class Arctan2(FunctionNode):
    def forward(self, inputs):
        y, x = inputs
        self.retain_inputs((0, 1))
        return (get_array_module(y).arctan2(y, x),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import sum_to

        y, x = self.get_retained_inputs()
        g = grad_outputs[0] / (x * x + y * y)
        out = []
        for i in indexes:
            gi = g * x if i == 0 else -g * y
            shape = (y if i == 0 else x).shape
            out.append(sum_to(gi, shape) if gi.shape != shape else gi)
        return tuple(out)


def arctan2(x1: Any, x2: Any) -> Variable:
    """Elementwise angle of the point ``(x2, x1)``: ``arctan(x1 / x2)`` in the right quadrant.

    Args:
        x1: The y-coordinates, floating dtype.
        x2: The x-coordinates, same dtype (broadcast like NumPy).

    Returns:
        Variable: Angles in ``[-pi, pi]``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.arctan2(np.array([1.0, -1.0]), np.array([-1.0, -1.0])).array
        array([ 2.35619449, -2.35619449])
    """
    from kusari.functions._checks import require_same_dtype

    require_float("arctan2", x1, "x1")
    require_same_dtype("arctan2", x1, x2, ("x1", "x2"))
    return Arctan2().apply((x1, x2))[0]
