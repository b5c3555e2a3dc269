"""``elu`` and ``selu``: exponential linear units."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["ELU", "ELUGrad", "elu", "selu"]


class ELU(FunctionNode):
    """``x`` where ``x >= 0``, ``alpha * (exp(x) - 1)`` elsewhere."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def forward(self, inputs):
        (x,) = inputs
        require_float("elu", x)
        self.retain_inputs((0,))
        xp = get_array_module(x)
        neg = xp.expm1(xp.minimum(x, 0))  # minimum keeps exp from overflowing for large x
        neg *= x.dtype.type(self.alpha)
        return (xp.where(x >= 0, x, neg),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return ELUGrad(self.alpha).apply((x, grad_outputs[0]))


class ELUGrad(FunctionNode):
    """``gy * (1 if x >= 0 else alpha * exp(x))``."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def forward(self, inputs):
        x, gy = inputs
        self.retain_inputs((0, 1))
        xp = get_array_module(x)
        d = xp.exp(xp.minimum(x, 0))
        d *= x.dtype.type(self.alpha)
        return (gy * xp.where(x >= 0, x.dtype.type(1), d),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.math.exponential import exp

        x, gy = self.get_retained_inputs()
        (ggx,) = grad_outputs
        neg = x.array < 0
        out = []
        for i in indexes:
            if i == 0:
                # d/dx of alpha * exp(x) on the negative side; zero on the positive side.
                out.append(MaskMul(neg).apply((ggx * gy * exp(x) * self.alpha,))[0])
            else:
                out.append(ELUGrad(self.alpha).apply((x, ggx))[0])
        return tuple(out)


def elu(x: Any, alpha: float = 1.0) -> Variable:
    """Exponential linear unit: ``x`` if ``x >= 0`` else ``alpha * (exp(x) - 1)``.

    Args:
        x: Input Variable or array of a floating dtype.
        alpha: The scale of the negative part.

    Returns:
        Variable: Same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.elu(np.array([-1.0, 2.0], np.float32)).array
        array([-0.63212055,  2.        ], dtype=float32)
    """
    return ELU(float(alpha)).apply((x,))[0]


def selu(x: Any, alpha: float = 1.6732632423543772, scale: float = 1.0507009873554805) -> Variable:
    """Scaled ELU: ``scale * elu(x, alpha)`` with the self-normalizing constants.

    Args:
        x: Input Variable or array of a floating dtype.
        alpha: The ELU's alpha.
        scale: The output scale.

    Returns:
        Variable: Same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.selu(np.array([0.0, 1.0], np.float32)).array
        array([0.      , 1.050701], dtype=float32)
    """
    require_float("selu", x)
    return ELU(float(alpha)).apply((x,))[0] * float(scale)
