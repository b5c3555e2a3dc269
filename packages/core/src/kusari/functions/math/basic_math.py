"""The arithmetic behind Variable operators: ``+ - * / // ** @``, unary ``- + abs``.

Binary operators broadcast like NumPy; the gradient of a broadcast operand is summed
back to its shape. Both operands must share a dtype (a silent float64 upcast would
double memory and hide bugs); scalars take the Variable's dtype.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = [
    "Add",
    "AddConstant",
    "Sub",
    "SubFromConstant",
    "Mul",
    "MulConstant",
    "Div",
    "DivFromConstant",
    "PowVarVar",
    "PowVarConst",
    "PowConstVar",
    "Neg",
    "Absolute",
    "add",
    "absolute",
    "neg",
]

_ndarray = numpy.ndarray
_scalar_types = (int, float, numpy.generic)


def _sum_to(gy: Variable, shape: tuple[int, ...]) -> Variable:
    if gy.shape == shape:
        return gy
    from kusari.functions.array.broadcast import sum_to

    return sum_to(gy, shape)


def _sum_to_array(gy: Any, shape: tuple[int, ...]) -> Any:
    if gy.shape == shape:
        return gy
    from kusari.functions.array.broadcast import sum_to_array

    return sum_to_array(gy, shape)


def _check_dtypes(label: str, a: Any, b: Any) -> None:
    if a.dtype != b.dtype:
        raise TypeError(
            f"{label}: both operands must have the same dtype; got {a.dtype} and {b.dtype}\n"
            f"help: cast one of them, e.g. F.cast(x, numpy.{a.dtype}) or array.astype(...)"
        )


class Add(FunctionNode):
    def forward(self, inputs):
        a, b = inputs
        if a.dtype != b.dtype:
            _check_dtypes("Add", a, b)
        self.shapes = (a.shape, b.shape)
        return (a + b,)

    def backward(self, indexes, grad_outputs):
        (gy,) = grad_outputs
        return tuple(_sum_to(gy, self.shapes[i]) for i in indexes)

    def backward_arrays(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        return tuple([_sum_to_array(gy, self.shapes[i]) for i in indexes])


class AddConstant(FunctionNode):
    def __init__(self, value: Any) -> None:
        self.value = value

    @property
    def label(self) -> str:
        return f"_ + {_label(self.value)}"

    def forward(self, inputs):
        (x,) = inputs
        y = x + self.value
        return ((y if y.dtype == x.dtype else y.astype(x.dtype)),)

    def backward(self, indexes, grad_outputs):
        return grad_outputs

    def backward_arrays(self, indexes, grad_outputs):
        return grad_outputs


class Sub(FunctionNode):
    def forward(self, inputs):
        a, b = inputs
        if a.dtype != b.dtype:
            _check_dtypes("Sub", a, b)
        self.shapes = (a.shape, b.shape)
        return (a - b,)

    def backward(self, indexes, grad_outputs):
        (gy,) = grad_outputs
        out = []
        for i in indexes:
            out.append(_sum_to(gy, self.shapes[0]) if i == 0 else -_sum_to(gy, self.shapes[1]))
        return tuple(out)

    def backward_arrays(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        return tuple(
            [
                _sum_to_array(gy, self.shapes[0]) if i == 0 else -_sum_to_array(gy, self.shapes[1])
                for i in indexes
            ]
        )


class SubFromConstant(FunctionNode):
    def __init__(self, value: Any) -> None:
        self.value = value

    @property
    def label(self) -> str:
        return f"{_label(self.value)} - _"

    def forward(self, inputs):
        (x,) = inputs
        y = self.value - x
        return ((y if y.dtype == x.dtype else y.astype(x.dtype)),)

    def backward(self, indexes, grad_outputs):
        return (-grad_outputs[0],)

    def backward_arrays(self, indexes, grad_outputs):
        return (-grad_outputs[0],)


class Mul(FunctionNode):
    def forward(self, inputs):
        a, b = inputs
        if a.dtype != b.dtype:
            _check_dtypes("Mul", a, b)
        self.retain_inputs((0, 1))
        return (a * b,)

    def backward(self, indexes, grad_outputs):
        (gy,) = grad_outputs
        a, b = self.get_retained_inputs()
        out = []
        for i in indexes:
            if i == 0:
                out.append(_sum_to(gy * b, a.shape))
            else:
                out.append(_sum_to(gy * a, b.shape))
        return tuple(out)

    def backward_arrays(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        a = self.inputs[0].data
        b = self.inputs[1].data
        return tuple(
            [
                _sum_to_array(gy * b, a.shape) if i == 0 else _sum_to_array(gy * a, b.shape)
                for i in indexes
            ]
        )


class MulConstant(FunctionNode):
    def __init__(self, value: Any) -> None:
        self.value = value

    @property
    def label(self) -> str:
        return f"_ * {_label(self.value)}"

    def forward(self, inputs):
        (x,) = inputs
        y = x * self.value
        return ((y if y.dtype == x.dtype else y.astype(x.dtype)),)

    def backward(self, indexes, grad_outputs):
        return (grad_outputs[0] * self.value,)

    def backward_arrays(self, indexes, grad_outputs):
        return (grad_outputs[0] * self.value,)


class Div(FunctionNode):
    def forward(self, inputs):
        a, b = inputs
        if a.dtype != b.dtype:
            _check_dtypes("Div", a, b)
        self.retain_inputs((0, 1))
        return (a / b,)

    def backward(self, indexes, grad_outputs):
        (gy,) = grad_outputs
        a, b = self.get_retained_inputs()
        ga = gy / b
        out = []
        for i in indexes:
            if i == 0:
                out.append(_sum_to(ga, a.shape))
            else:
                out.append(_sum_to(-ga * a / b, b.shape))
        return tuple(out)

    def backward_arrays(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        a = self.inputs[0].data
        b = self.inputs[1].data
        ga = gy / b
        return tuple(
            [
                _sum_to_array(ga, a.shape) if i == 0 else _sum_to_array(-ga * a / b, b.shape)
                for i in indexes
            ]
        )


class DivFromConstant(FunctionNode):
    def __init__(self, value: Any) -> None:
        self.value = value

    @property
    def label(self) -> str:
        return f"{_label(self.value)} / _"

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        y = self.value / x
        return ((y if y.dtype == x.dtype else y.astype(x.dtype)),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * (-self.value) / (x * x),)


class PowVarVar(FunctionNode):
    def forward(self, inputs):
        a, b = inputs
        if a.dtype != b.dtype:
            _check_dtypes("PowVarVar", a, b)
        self.retain_inputs((0, 1))
        self.retain_outputs((0,))
        return (a**b,)

    def backward(self, indexes, grad_outputs):
        (gy,) = grad_outputs
        a, b = self.get_retained_inputs()
        (y,) = self.get_retained_outputs()
        out = []
        for i in indexes:
            if i == 0:
                out.append(_sum_to(gy * b * a ** (b - 1), a.shape))
            else:
                from kusari.functions.math.exponential import log

                out.append(_sum_to(gy * y * log(a), b.shape))
        return tuple(out)


class PowVarConst(FunctionNode):
    def __init__(self, value: Any) -> None:
        self.value = value

    @property
    def label(self) -> str:
        return f"_ ** {_label(self.value)}"

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        v = self.value
        y = x * x if v == 2 else x**v
        return ((y if y.dtype == x.dtype else y.astype(x.dtype)),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        (gy,) = grad_outputs
        v = self.value
        if v == 2:
            return (gy * (x * 2.0),)
        if v == 1:
            return (gy,)
        return (gy * (x ** (v - 1) * v),)

    def backward_arrays(self, indexes, grad_outputs):
        x = self.inputs[0].data
        gy = grad_outputs[0]
        v = self.value
        if v == 2:
            return (gy * (x * 2.0),)
        if v == 1:
            return (gy,)
        g = gy * (x ** (v - 1) * v)
        return ((g if g.dtype == x.dtype else g.astype(x.dtype)),)


class PowConstVar(FunctionNode):
    def __init__(self, value: Any) -> None:
        self.value = value

    @property
    def label(self) -> str:
        return f"{_label(self.value)} ** _"

    def forward(self, inputs):
        (x,) = inputs
        self.retain_outputs((0,))
        y = self.value**x
        return ((y if y.dtype == x.dtype else y.astype(x.dtype)),)

    def backward(self, indexes, grad_outputs):
        (y,) = self.get_retained_outputs()
        return (grad_outputs[0] * y * float(numpy.log(self.value)),)


class Neg(FunctionNode):
    @property
    def label(self) -> str:
        return "-_"

    def forward(self, inputs):
        return (-inputs[0],)

    def backward(self, indexes, grad_outputs):
        return (-grad_outputs[0],)

    def backward_arrays(self, indexes, grad_outputs):
        return (-grad_outputs[0],)


class Absolute(FunctionNode):
    @property
    def label(self) -> str:
        return "|_|"

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        return (abs(x),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        xp = x.xp
        return (grad_outputs[0] * xp.sign(x.array).astype(x.dtype, copy=False),)


class FloorDiv(FunctionNode):
    """``x // y``: not differentiable (its gradient is zero almost everywhere)."""

    def forward(self, inputs):
        a, b = inputs
        return (a // b,)

    def backward(self, indexes, grad_outputs):
        raise RuntimeError("FloorDiv (x // y) is not differentiable")


def _label(value: Any) -> str:
    if isinstance(value, _ndarray):
        return f"constant array {value.shape}" if value.ndim else str(value)
    return str(value)


def _const(x: Variable, value: Any, op: str) -> Any:
    """Validate a non-Variable operand; returns a scalar or an array, or NotImplemented."""
    if isinstance(value, _scalar_types) and not isinstance(value, bool):
        if isinstance(value, numpy.generic) and value.dtype != x.dtype and value.dtype.kind == "f":
            return value.astype(x.dtype)
        return value
    if isinstance(value, bool):
        return int(value)
    if type(value) is _ndarray or (hasattr(value, "shape") and hasattr(value, "dtype")):
        return value
    return NotImplemented


# -- operator implementations (attached to Variable below) ------------------------------


def add(*xs: Any) -> Variable:
    """Elementwise sum of any number of Variables or arrays, with broadcasting.

    Args:
        *xs: Two or more Variables or arrays of one dtype.

    Returns:
        The sum as a Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.add(np.ones(2, np.float32), np.ones(2, np.float32), np.ones(2, np.float32)).array
        array([3., 3.], dtype=float32)
    """
    y = xs[0]
    for x in xs[1:]:
        y = _add(y, x)
    return y if isinstance(y, Variable) else Variable(y)


def _add(self: Variable, other: Any) -> Variable:
    if isinstance(other, Variable):
        return Add().apply((self, other))[0]
    v = _const(self, other, "+")
    if v is NotImplemented:
        return NotImplemented
    if hasattr(v, "shape") and not isinstance(v, numpy.generic):
        return Add().apply((self, v))[0]
    return AddConstant(v).apply((self,))[0]


def _sub(self: Variable, other: Any) -> Variable:
    if isinstance(other, Variable):
        return Sub().apply((self, other))[0]
    v = _const(self, other, "-")
    if v is NotImplemented:
        return NotImplemented
    if hasattr(v, "shape") and not isinstance(v, numpy.generic):
        return Sub().apply((self, v))[0]
    return AddConstant(-v).apply((self,))[0]


def _rsub(self: Variable, other: Any) -> Variable:
    v = _const(self, other, "-")
    if v is NotImplemented:
        return NotImplemented
    if hasattr(v, "shape") and not isinstance(v, numpy.generic):
        return Sub().apply((v, self))[0]
    return SubFromConstant(v).apply((self,))[0]


def _mul(self: Variable, other: Any) -> Variable:
    if isinstance(other, Variable):
        return Mul().apply((self, other))[0]
    v = _const(self, other, "*")
    if v is NotImplemented:
        return NotImplemented
    if hasattr(v, "shape") and not isinstance(v, numpy.generic):
        return Mul().apply((self, v))[0]
    return MulConstant(v).apply((self,))[0]


def _div(self: Variable, other: Any) -> Variable:
    if isinstance(other, Variable):
        return Div().apply((self, other))[0]
    v = _const(self, other, "/")
    if v is NotImplemented:
        return NotImplemented
    if hasattr(v, "shape") and not isinstance(v, numpy.generic):
        return Div().apply((self, v))[0]
    return MulConstant(1.0 / v).apply((self,))[0]


def _rdiv(self: Variable, other: Any) -> Variable:
    v = _const(self, other, "/")
    if v is NotImplemented:
        return NotImplemented
    if hasattr(v, "shape") and not isinstance(v, numpy.generic):
        return Div().apply((v, self))[0]
    return DivFromConstant(v).apply((self,))[0]


def _floordiv(self: Variable, other: Any) -> Variable:
    other = other if isinstance(other, Variable) else numpy.asarray(other, dtype=self.dtype)
    return FloorDiv().apply((self, other))[0]


def _rfloordiv(self: Variable, other: Any) -> Variable:
    return FloorDiv().apply((numpy.asarray(other, dtype=self.dtype), self))[0]


def _pow(self: Variable, other: Any) -> Variable:
    if isinstance(other, Variable):
        return PowVarVar().apply((self, other))[0]
    v = _const(self, other, "**")
    if v is NotImplemented:
        return NotImplemented
    if hasattr(v, "shape") and not isinstance(v, numpy.generic):
        return PowVarVar().apply((self, v))[0]
    return PowVarConst(v).apply((self,))[0]


def _rpow(self: Variable, other: Any) -> Variable:
    v = _const(self, other, "**")
    if v is NotImplemented:
        return NotImplemented
    if hasattr(v, "shape") and not isinstance(v, numpy.generic):
        return PowVarVar().apply((v, self))[0]
    return PowConstVar(v).apply((self,))[0]


def neg(x: Variable) -> Variable:
    """``-x``."""
    return Neg().apply((x,))[0]


def absolute(x: Any) -> Variable:
    """Elementwise absolute value, ``|x|`` (the gradient at 0 is 0).

    Args:
        x: Input Variable or array.

    Returns:
        ``|x|`` as a Variable of the same dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.absolute(np.array([-1.5, 2.0], np.float32)).array
        array([1.5, 2. ], dtype=float32)
    """
    return Absolute().apply((x,))[0]


def _matmul(self: Variable, other: Any) -> Variable:
    from kusari.functions.math.matmul import matmul

    return matmul(self, other)


def _rmatmul(self: Variable, other: Any) -> Variable:
    from kusari.functions.math.matmul import matmul

    return matmul(other, self)


def _getitem(self: Variable, slices: Any) -> Variable:
    from kusari.functions.array.get_item import get_item

    return get_item(self, slices)


def _reshape(self: Variable, *shape: Any) -> Variable:
    from kusari.functions.array.reshape import reshape

    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return reshape(self, shape)


def _transpose(self: Variable, *axes: Any) -> Variable:
    from kusari.functions.array.transpose import transpose

    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
        axes = axes[0]
    return transpose(self, axes or None)
