"""Initializers drawing from a zero-mean normal distribution.

Without ``rng`` the draws come from NumPy's global generator (``numpy.random``), exactly
as Chainer does, so ``numpy.random.seed(0)`` reproduces Chainer's initial weights.
"""

from __future__ import annotations

import math
from typing import Any

from kusari.initializers._base import Initializer, _check_rng, _check_scale, _draw, _write

__all__ = ["Normal", "LeCunNormal", "GlorotNormal", "HeNormal"]

_FAN_OPTIONS = ("fan_in", "fan_out")


def _fill_normal(array: Any, std: float, rng: Any) -> None:
    _write(array, _draw(rng, array, "normal", loc=0.0, scale=std))


class Normal(Initializer):
    """Fill an array with draws from N(0, scale²).

    Args:
        scale: The standard deviation.
        dtype: The dtype produced (floating), or None for the array's own.
        rng: A ``numpy.random.Generator``/``RandomState`` (or a device RNG); None uses
            the array module's global generator.

    Example:
        >>> import numpy as np
        >>> a = np.empty((100, 100))
        >>> Normal(2.0, rng=np.random.default_rng(0))(a)
        >>> round(float(a.std()), 1)
        2.0
    """

    _needs_float = True

    def __init__(self, scale: float = 0.05, dtype: Any = None, *, rng: Any = None) -> None:
        self.scale = _check_scale(type(self).__name__, scale)
        self.rng = _check_rng(type(self).__name__, rng)
        super().__init__(dtype)

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        _fill_normal(array, self.scale, self.rng)


class LeCunNormal(Initializer):
    """Fill a weight with N(0, s²), ``s = scale * sqrt(1 / fan_in)``.

    The default initializer of Chainer's (and kusari's) links for their weights.

    Args:
        scale: A factor on the standard deviation.
        dtype: The dtype produced (floating), or None for the array's own.
        rng: A NumPy generator, or None for the global one.

    Example:
        >>> import numpy as np
        >>> w = np.empty((400, 100))
        >>> LeCunNormal(rng=np.random.default_rng(0))(w)
        >>> round(float(w.std()), 2)  # sqrt(1 / 100)
        0.1
    """

    _needs_float = True

    def __init__(self, scale: float = 1.0, dtype: Any = None, *, rng: Any = None) -> None:
        self.scale = _check_scale(type(self).__name__, scale)
        self.rng = _check_rng(type(self).__name__, rng)
        super().__init__(dtype)

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        fan_in, _ = self._fans(array.shape)
        if array.size:
            _fill_normal(array, self.scale * math.sqrt(1.0 / fan_in), self.rng)


class GlorotNormal(Initializer):
    """Fill a weight with N(0, s²), ``s = scale * sqrt(2 / (fan_in + fan_out))``.

    Args:
        scale: A factor on the standard deviation.
        dtype: The dtype produced (floating), or None for the array's own.
        rng: A NumPy generator, or None for the global one.

    Example:
        >>> import numpy as np
        >>> w = np.empty((300, 100))
        >>> GlorotNormal(rng=np.random.default_rng(0))(w)
        >>> round(float(w.std()), 2)  # sqrt(2 / 400)
        0.07
    """

    _needs_float = True

    def __init__(self, scale: float = 1.0, dtype: Any = None, *, rng: Any = None) -> None:
        self.scale = _check_scale(type(self).__name__, scale)
        self.rng = _check_rng(type(self).__name__, rng)
        super().__init__(dtype)

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        fan_in, fan_out = self._fans(array.shape)
        if array.size:
            _fill_normal(array, self.scale * math.sqrt(2.0 / (fan_in + fan_out)), self.rng)


def _check_fan_option(owner: str, fan_option: Any) -> str:
    if fan_option not in _FAN_OPTIONS:
        raise ValueError(f"{owner}: fan_option must be 'fan_in' or 'fan_out', got {fan_option!r}")
    return fan_option


class HeNormal(Initializer):
    """Fill a weight with N(0, s²), ``s = scale * sqrt(2 / fan)``.

    Args:
        scale: A factor on the standard deviation.
        dtype: The dtype produced (floating), or None for the array's own.
        fan_option: ``'fan_in'`` (default) or ``'fan_out'``: which fan is ``fan``.
        rng: A NumPy generator, or None for the global one.

    Example:
        >>> import numpy as np
        >>> w = np.empty((100, 200))
        >>> HeNormal(rng=np.random.default_rng(0))(w)
        >>> round(float(w.std()), 2)  # sqrt(2 / 200)
        0.1
    """

    _needs_float = True

    def __init__(
        self, scale: float = 1.0, dtype: Any = None, fan_option: str = "fan_in", *, rng: Any = None
    ) -> None:
        self.scale = _check_scale(type(self).__name__, scale)
        self.fan_option = _check_fan_option(type(self).__name__, fan_option)
        self.rng = _check_rng(type(self).__name__, rng)
        super().__init__(dtype)

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        fan_in, fan_out = self._fans(array.shape)
        fan = fan_in if self.fan_option == "fan_in" else fan_out
        if array.size:
            _fill_normal(array, self.scale * math.sqrt(2.0 / fan), self.rng)
