"""Initializers: callables that fill a parameter's array in place (``kusari.initializers``).

The names and semantics are Chainer 7's. Random initializers draw from NumPy's global
generator unless given ``rng=``, so ``numpy.random.seed(0)`` makes initialization
reproducible, with the same values Chainer would produce.

Example:
    >>> import numpy as np
    >>> from kusari import initializers
    >>> np.random.seed(0)
    >>> w = initializers.generate_array(initializers.HeNormal(), (64, 3, 3, 3), np)
    >>> w.dtype, w.shape
    (dtype('float32'), (64, 3, 3, 3))
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy

from kusari.initializers import constant, normal, orthogonal, sampling, uniform
from kusari.initializers._base import Initializer, generate_array, get_fans
from kusari.initializers.constant import Constant, Identity, NaN, One, Zero
from kusari.initializers.normal import GlorotNormal, HeNormal, LeCunNormal, Normal
from kusari.initializers.orthogonal import Orthogonal
from kusari.initializers.sampling import DownsamplingConvFilter, UpsamplingDeconvFilter
from kusari.initializers.uniform import GlorotUniform, HeUniform, LeCunUniform, Uniform

__all__ = [
    "Initializer",
    "generate_array",
    "get_fans",
    "get_initializer",
    "Constant",
    "Identity",
    "NaN",
    "One",
    "Zero",
    "Normal",
    "LeCunNormal",
    "GlorotNormal",
    "HeNormal",
    "Uniform",
    "LeCunUniform",
    "GlorotUniform",
    "HeUniform",
    "Orthogonal",
    "UpsamplingDeconvFilter",
    "DownsamplingConvFilter",
    "constant",
    "normal",
    "orthogonal",
    "sampling",
    "uniform",
]


def get_initializer(initializer: Any) -> Any:
    """Turn what a link accepts as ``initialW``/``initial_bias`` into an initializer.

    Chainer's links call this on their weight argument: ``None`` gives
    :class:`LeCunNormal` (``scale=1``), Chainer's default weight initializer. Biases
    default to zero, and a bare ``Parameter()`` with no initializer is NaN-filled; the
    links handle those defaults themselves before calling here.

    Args:
        initializer: None; a scalar (→ :class:`Constant`); an array (→ ``Constant(array)``,
            broadcast on fill); an :class:`Initializer` or any callable filling an array
            in place (returned as is).

    Returns:
        A callable that fills an array in place.

    Example:
        >>> get_initializer(None)
        LeCunNormal(scale=1.0)
        >>> get_initializer(0.5)
        Constant(fill_value=0.5)
    """
    if initializer is None:
        return LeCunNormal()
    if isinstance(initializer, (numbers.Number, numpy.generic)) and not isinstance(
        initializer, (str, bytes)
    ):
        return Constant(initializer)
    if constant._is_array(initializer):
        return Constant(initializer)
    if not callable(initializer):
        raise TypeError(
            "get_initializer: expected None, a scalar, an array or an initializer "
            f"(a callable filling an array in place), got {type(initializer).__name__}"
        )
    return initializer


# Chainer's private spelling, used by code ported from Chainer links.
_get_initializer = get_initializer
