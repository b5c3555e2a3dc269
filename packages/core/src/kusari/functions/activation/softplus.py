"""``softplus`` and ``swish``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float, require_same_dtype
from kusari.functions.activation.sigmoid import sigmoid
from kusari.variable import Variable

__all__ = ["Softplus", "softplus", "swish"]


class Softplus(FunctionNode):
    """``log(1 + exp(beta * x)) / beta``, as ``max(bx, 0) + log1p(exp(-|bx|))`` (stable)."""

    def __init__(self, beta: float) -> None:
        self.beta = beta

    def forward(self, inputs):
        (x,) = inputs
        require_float("softplus", x)
        self.retain_inputs((0,))
        xp = get_array_module(x)
        bx = x * self.beta if self.beta != 1.0 else x
        t = -xp.abs(bx)
        xp.exp(t, out=t)
        xp.log1p(t, out=t)
        t += xp.maximum(bx, 0)
        if self.beta != 1.0:
            t *= 1.0 / self.beta
        return (t,)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        bx = x * self.beta if self.beta != 1.0 else x
        return (grad_outputs[0] * sigmoid(bx),)


def softplus(x: Any, beta: float = 1.0) -> Variable:
    """Smooth ReLU, ``log(1 + exp(beta * x)) / beta``.

    Args:
        x: Input Variable or array of a floating dtype.
        beta: The sharpness (positive); large beta approaches ``relu``.

    Returns:
        Variable: Same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.softplus(np.array([0.0, 2.0], np.float32)).array
        array([0.6931472, 2.126928 ], dtype=float32)
    """
    if not beta > 0:
        raise ValueError(f"softplus: expected beta > 0, got {beta}")
    return Softplus(float(beta)).apply((x,))[0]


def swish(x: Any, beta: Any) -> Variable:
    """Swish, ``x * sigmoid(beta * x)`` with ``beta`` broadcast from axis 1.

    Args:
        x: Input of shape ``(N, C, ...)`` and a floating dtype.
        beta: Variable or array of shape ``x.shape[1:1 + beta.ndim]`` (a learnable
            parameter in ``L.Swish``).

    Returns:
        Variable: Same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.swish(np.array([[0.0, 2.0]], np.float32), np.ones(2, np.float32)).array
        array([[0.       , 1.7615942]], dtype=float32)
    """
    from kusari.functions.array.reshape import reshape

    require_float("swish", x)
    require_same_dtype("swish", x, beta, ("x", "beta"))
    if beta.ndim >= x.ndim or tuple(beta.shape) != tuple(x.shape[1 : 1 + beta.ndim]):
        raise ValueError(
            f"swish: expected beta of shape x.shape[1:1 + beta.ndim] = "
            f"{tuple(x.shape[1 : 1 + beta.ndim])} for x of shape {tuple(x.shape)}, "
            f"got {tuple(beta.shape)}"
        )
    b = reshape(beta, (1,) + tuple(beta.shape) + (1,) * (x.ndim - 1 - beta.ndim))
    if not isinstance(x, Variable):
        x = Variable(x, requires_grad=False)
    return x * sigmoid(x * b)
