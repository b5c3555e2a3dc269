"""``gelu``: the Gaussian error linear unit in its exact form, ``x * Phi(x)``.

``Phi`` is the standard normal CDF, ``(1 + erf(x / sqrt(2))) / 2`` (not the tanh
approximation); see :mod:`kusari.functions.math.erf` for how ``erf`` is computed.
"""

from __future__ import annotations

import math
from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float
from kusari.functions.math.erf import erf_array
from kusari.variable import Variable

__all__ = ["GELU", "GELUGrad", "gelu"]

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _cdf(x: Any) -> Any:
    p = erf_array(x * _INV_SQRT2)
    p += 1
    p *= 0.5
    return p


def _pdf(x: Any) -> Any:
    xp = get_array_module(x)
    p = x * x
    p *= -0.5
    xp.exp(p, out=p)
    p *= _INV_SQRT_2PI
    return p


class GELU(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        require_float("gelu", x)
        self.retain_inputs((0,))
        return (x * _cdf(x),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        return GELUGrad().apply((x, grad_outputs[0]))


class GELUGrad(FunctionNode):
    """``gy * (Phi(x) + x * phi(x))``."""

    def forward(self, inputs):
        x, gy = inputs
        self.retain_inputs((0, 1))
        d = x * _pdf(x)
        d += _cdf(x)
        d *= gy
        return (d,)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.math.exponential import exp

        x, gy = self.get_retained_inputs()
        (a,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                # d/dx (Phi + x phi) = phi * (2 - x**2)
                phi = exp(x * x * -0.5) * _INV_SQRT_2PI
                out.append(a * gy * phi * (2.0 - x * x))
            else:
                out.append(GELUGrad().apply((x, a))[0])
        return tuple(out)


def gelu(x: Any) -> Variable:
    """Gaussian error linear unit, ``x * Phi(x)`` with ``Phi`` the standard normal CDF.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: Same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.gelu(np.array([-1.0, 0.0, 1.0], np.float32)).array
        array([-0.15865526,  0.        ,  0.8413447 ], dtype=float32)
    """
    return GELU().apply((x,))[0]
