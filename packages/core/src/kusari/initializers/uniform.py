"""Initializers drawing from a symmetric uniform distribution U(-s, s).

Without ``rng`` the draws come from NumPy's global generator (``numpy.random``), exactly
as Chainer does, so ``numpy.random.seed(0)`` reproduces Chainer's initial weights.
"""

from __future__ import annotations

import math
from typing import Any

from kusari.initializers._base import Initializer, _check_rng, _check_scale, _draw, _write
from kusari.initializers.normal import _check_fan_option

__all__ = ["Uniform", "LeCunUniform", "GlorotUniform", "HeUniform"]


def _fill_uniform(array: Any, bound: float, rng: Any) -> None:
    _write(array, _draw(rng, array, "uniform", low=-bound, high=bound))


class _FanUniform(Initializer):
    """Shared constructor of the fan-scaled uniform initializers."""

    _needs_float = True

    def __init__(self, scale: float = 1.0, dtype: Any = None, *, rng: Any = None) -> None:
        self.scale = _check_scale(type(self).__name__, scale)
        self.rng = _check_rng(type(self).__name__, rng)
        super().__init__(dtype)

    def _bound(self, fan_in: int, fan_out: int) -> float:
        raise NotImplementedError

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        fan_in, fan_out = self._fans(array.shape)
        if array.size:
            _fill_uniform(array, self.scale * self._bound(fan_in, fan_out), self.rng)


class Uniform(Initializer):
    """Fill an array with draws from U(-scale, scale).

    Args:
        scale: The half-width of the interval.
        dtype: The dtype produced (floating), or None for the array's own.
        rng: A ``numpy.random.Generator``/``RandomState`` (or a device RNG); None uses
            the array module's global generator.

    Example:
        >>> import numpy as np
        >>> a = np.empty(1000)
        >>> Uniform(0.5, rng=np.random.default_rng(0))(a)
        >>> bool(a.min() >= -0.5 and a.max() <= 0.5)
        True
    """

    _needs_float = True

    def __init__(self, scale: float = 0.05, dtype: Any = None, *, rng: Any = None) -> None:
        self.scale = _check_scale(type(self).__name__, scale)
        self.rng = _check_rng(type(self).__name__, rng)
        super().__init__(dtype)

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        _fill_uniform(array, self.scale, self.rng)


class LeCunUniform(_FanUniform):
    """Fill a weight with U(-s, s), ``s = scale * sqrt(3 / fan_in)`` (variance 1/fan_in).

    Args:
        scale: A factor on the half-width.
        dtype: The dtype produced (floating), or None for the array's own.
        rng: A NumPy generator, or None for the global one.

    Example:
        >>> import numpy as np
        >>> w = np.empty((3, 12))
        >>> LeCunUniform(rng=np.random.default_rng(0))(w)
        >>> bool(abs(w).max() <= 0.5)  # sqrt(3 / 12)
        True
    """

    def _bound(self, fan_in: int, fan_out: int) -> float:
        return math.sqrt(3.0 / fan_in)


class GlorotUniform(_FanUniform):
    """Fill a weight with U(-s, s), ``s = scale * sqrt(6 / (fan_in + fan_out))``.

    Args:
        scale: A factor on the half-width.
        dtype: The dtype produced (floating), or None for the array's own.
        rng: A NumPy generator, or None for the global one.

    Example:
        >>> import numpy as np
        >>> w = np.empty((12, 12))
        >>> GlorotUniform(rng=np.random.default_rng(0))(w)
        >>> bool(abs(w).max() <= 0.5)  # sqrt(6 / 24)
        True
    """

    def _bound(self, fan_in: int, fan_out: int) -> float:
        return math.sqrt(6.0 / (fan_in + fan_out))


class HeUniform(_FanUniform):
    """Fill a weight with U(-s, s), ``s = scale * sqrt(6 / fan)`` (variance 2/fan).

    Args:
        scale: A factor on the half-width.
        dtype: The dtype produced (floating), or None for the array's own.
        fan_option: ``'fan_in'`` (default, Chainer's only choice) or ``'fan_out'``.
        rng: A NumPy generator, or None for the global one.

    Example:
        >>> import numpy as np
        >>> w = np.empty((3, 24))
        >>> HeUniform(rng=np.random.default_rng(0))(w)
        >>> bool(abs(w).max() <= 0.5)  # sqrt(6 / 24)
        True
    """

    def __init__(
        self, scale: float = 1.0, dtype: Any = None, fan_option: str = "fan_in", *, rng: Any = None
    ) -> None:
        self.fan_option = _check_fan_option(type(self).__name__, fan_option)
        super().__init__(scale, dtype, rng=rng)

    def _bound(self, fan_in: int, fan_out: int) -> float:
        return math.sqrt(6.0 / (fan_in if self.fan_option == "fan_in" else fan_out))
