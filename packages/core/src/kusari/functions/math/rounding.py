"""``sign``, ``floor``, ``ceil``, ``fix`` (not differentiable) and ``fmod``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import array_of, require_float, require_same_dtype
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["Fmod", "sign", "floor", "ceil", "fix", "fmod"]


def _constant_result(fname: str, x: Any, op: str) -> Variable:
    a = array_of(x)
    require_float(fname, a)
    return Variable(getattr(get_array_module(a), op)(a), requires_grad=False)


def sign(x: Any) -> Variable:
    """Elementwise sign (-1, 0 or 1). Not differentiable: the result is not in the graph.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: The signs, in ``x``'s dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.sign(np.array([-2.0, 0.0, 3.0], np.float32)).array
        array([-1.,  0.,  1.], dtype=float32)
    """
    return _constant_result("sign", x, "sign")


def floor(x: Any) -> Variable:
    """Elementwise floor. Not differentiable: the result is not in the graph.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: The largest integers not greater than ``x``, in ``x``'s dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.floor(np.array([-1.5, 2.5], np.float32)).array
        array([-2.,  2.], dtype=float32)
    """
    return _constant_result("floor", x, "floor")


def ceil(x: Any) -> Variable:
    """Elementwise ceiling. Not differentiable: the result is not in the graph.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: The smallest integers not less than ``x``, in ``x``'s dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.ceil(np.array([-1.5, 2.5], np.float32)).array
        array([-1.,  3.], dtype=float32)
    """
    return _constant_result("ceil", x, "ceil")


def fix(x: Any) -> Variable:
    """Elementwise rounding toward zero. Not differentiable: the result is not in the graph.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: ``x`` with its fractional part dropped, in ``x``'s dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.fix(np.array([-1.5, 2.5], np.float32)).array
        array([-1.,  2.], dtype=float32)
    """
    return _constant_result("fix", x, "fix")


class Fmod(FunctionNode):
    """C-style remainder ``x - trunc(x / d) * d``."""

    def forward(self, inputs):
        x, d = inputs
        self.retain_inputs((0, 1))
        return (get_array_module(x).fmod(x, d),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import sum_to

        x = self.inputs[0].data
        d = self.inputs[1].data
        (gy,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                g = gy
                shape = x.shape
            else:
                # d(fmod)/dd = -trunc(x / d), piecewise constant.
                g = MaskMul(-get_array_module(x).trunc(x / d)).apply((gy,))[0]
                shape = d.shape
            out.append(sum_to(g, shape) if g.shape != shape else g)
        return tuple(out)


def fmod(x: Any, divisor: Any) -> Variable:
    """Elementwise C-style remainder of ``x / divisor`` (the sign follows ``x``).

    Args:
        x: Dividend (floating dtype).
        divisor: Divisor (same dtype; broadcast like NumPy).

    Returns:
        Variable: ``x - trunc(x / divisor) * divisor``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.fmod(np.array([-5.0, 5.0], np.float32), np.array([3.0, 3.0], np.float32)).array
        array([-2.,  2.], dtype=float32)
    """
    require_float("fmod", x)
    require_same_dtype("fmod", x, divisor, ("x", "divisor"))
    return Fmod().apply((x, divisor))[0]
