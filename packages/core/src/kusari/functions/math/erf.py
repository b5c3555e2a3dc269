"""``erf`` and ``erfc``: the Gauss error function and its complement.

NumPy has no ``erf``. When SciPy is installed its ufunc is used; otherwise the values
come from the standard library's ``math.erf`` / ``math.erfc`` (correctly rounded in
double precision, about 0.15 µs per element). Other backends supply a kernel:

* ``'erf'`` / ``'erfc'``: ``kernel(x) -> y`` elementwise, same shape and dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy

from kusari.backend import get_array_module, get_kernel
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float
from kusari.variable import Variable

__all__ = ["Erf", "Erfc", "erf", "erfc", "erf_array", "erfc_array"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

try:  # optional: SciPy's ufuncs are ~50x faster than the math-module fallback
    from scipy import special as _special  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    _special = None

_np_erf = numpy.frompyfunc(math.erf, 1, 1)
_np_erfc = numpy.frompyfunc(math.erfc, 1, 1)


def _apply(name: str, x: Any, fallback: Any) -> Any:
    kernel = get_kernel(name, x)
    if kernel is not None:
        return kernel(x)
    if get_array_module(x) is not numpy:
        raise TypeError(
            f"{name}: no {name!r} kernel is registered for arrays of type "
            f"{type(x).__module__}.{type(x).__name__}\nhelp: move the input to the CPU "
            f"(variable.to_cpu()) or install a backend that provides it"
        )
    if _special is not None:
        return getattr(_special, name)(x).astype(x.dtype, copy=False)
    return numpy.asarray(fallback(x), dtype=x.dtype)


def erf_array(x: Any) -> Any:
    """``erf`` of an array (no graph)."""
    return _apply("erf", x, _np_erf)


def erfc_array(x: Any) -> Any:
    """``erfc`` of an array (no graph)."""
    return _apply("erfc", x, _np_erfc)


class Erf(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        require_float("erf", x)
        self.retain_inputs((0,))
        return (erf_array(x),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.math.exponential import exp

        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * exp(-x * x) * _TWO_OVER_SQRT_PI,)


class Erfc(FunctionNode):
    def forward(self, inputs):
        (x,) = inputs
        require_float("erfc", x)
        self.retain_inputs((0,))
        return (erfc_array(x),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.math.exponential import exp

        (x,) = self.get_retained_inputs()
        return (grad_outputs[0] * exp(-x * x) * -_TWO_OVER_SQRT_PI,)


def erf(x: Any) -> Variable:
    """Elementwise Gauss error function, ``2/sqrt(pi) * integral_0^x exp(-t**2) dt``.

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: Values in ``(-1, 1)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.erf(np.array([0.0, 1.0])).array
        array([0.        , 0.84270079])
    """
    return Erf().apply((x,))[0]


def erfc(x: Any) -> Variable:
    """Elementwise complementary error function, ``1 - erf(x)`` (accurate for large x).

    Args:
        x: Input Variable or array of a floating dtype.

    Returns:
        Variable: Values in ``(0, 2)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.erfc(np.array([0.0, 1.0])).array
        array([1.        , 0.15729921])
    """
    return Erfc().apply((x,))[0]
