"""The :class:`Initializer` base class and the helpers every initializer shares.

An initializer is a callable that fills an existing array in place; it never
allocates. :func:`generate_array` allocates an array of the right dtype and device
and hands it to an initializer.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy

__all__ = ["Initializer", "get_fans", "generate_array"]


def _default_dtype() -> numpy.dtype:
    # Imported late: kusari/__init__ may import this package before config exists.
    from kusari.configuration import config

    return numpy.dtype(config.dtype)


def _xp_of(array: Any) -> Any:
    """The array module of ``array``; NumPy is answered without touching the registry."""
    if isinstance(array, numpy.ndarray):
        return numpy
    from kusari.backend import get_array_module

    return get_array_module(array)


def _to_host(array: Any) -> numpy.ndarray:
    """A NumPy copy (or view) of an array of any registered backend."""
    if isinstance(array, (numpy.ndarray, numpy.generic)):
        return numpy.asarray(array)
    from kusari.backend import backend_of

    return backend_of(array).to_host(array)


def _write(array: Any, values: Any) -> None:
    """Copy ``values`` (host or device) into ``array`` in place, casting to its dtype."""
    xp = _xp_of(array)
    if xp is numpy:
        array[...] = _to_host(values)
    else:
        array[...] = xp.asarray(values)


def _check_rng(owner: str, rng: Any) -> Any:
    if rng is not None and not (hasattr(rng, "normal") and hasattr(rng, "uniform")):
        raise TypeError(
            f"{owner}: rng must be a numpy.random.Generator or RandomState "
            f"(an object with normal() and uniform()); got {type(rng).__name__}"
        )
    return rng


def _sampler(rng: Any, array: Any) -> tuple[Any, bool]:
    """The object to draw from and whether it is a device array module's ``random``.

    Without an explicit ``rng`` Chainer draws from the array module's global RNG, so
    ``numpy.random.seed(0)`` makes initialization reproducible (and identical to
    Chainer's for the same seed).
    """
    if rng is not None:
        return rng, False
    xp = _xp_of(array)
    if xp is numpy or getattr(xp, "random", None) is None:
        return numpy.random, False
    return xp.random, True


def _draw(rng: Any, array: Any, kind: str, **kwargs: Any) -> Any:
    """Draw ``array.shape`` samples of ``normal`` or ``uniform`` with ``kwargs``."""
    source, on_device = _sampler(rng, array)
    if on_device and array.dtype in (numpy.float16, numpy.float32):
        # Device RNGs (cuRAND) accept a dtype; float16 is not supported there.
        kwargs["dtype"] = numpy.float32
    return getattr(source, kind)(size=array.shape, **kwargs)


def _is_float_dtype(dtype: numpy.dtype) -> bool:
    return dtype.kind == "f"


class Initializer:
    """Base class of initializers: callables that fill an array in place.

    Subclasses implement :meth:`__call__`. ``dtype`` (None: take the array's dtype, or
    ``kusari.config.dtype`` in :func:`generate_array`) is the dtype the initializer
    produces; calling it on an array of another dtype is an error.

    Args:
        dtype: A NumPy dtype specifier or None.

    Example:
        >>> import numpy as np
        >>> from kusari import initializers
        >>> class Twos(initializers.Initializer):
        ...     def __call__(self, array):
        ...         array[...] = 2
        >>> a = np.empty(3, dtype=np.float32)
        >>> Twos()(a)
        >>> a
        array([2., 2., 2.], dtype=float32)
    """

    #: Whether the values are random draws, which need a floating dtype.
    _needs_float = False

    def __init__(self, dtype: Any = None) -> None:
        if dtype is not None:
            try:
                dtype = numpy.dtype(dtype)
            except TypeError:
                raise TypeError(
                    f"{type(self).__name__}: dtype must be a NumPy dtype specifier "
                    f"(float16, float32, float64), got {dtype!r}"
                ) from None
            if self._needs_float and not _is_float_dtype(dtype):
                raise ValueError(
                    f"{type(self).__name__}: dtype must be a floating type "
                    f"(float16, float32 or float64), got {dtype}"
                )
        self.dtype = dtype

    def __call__(self, array: Any) -> None:
        """Fill ``array`` in place."""
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(array)")

    def _check_dtype(self, array: Any) -> None:
        """Raise ValueError when ``array`` does not have the dtype this initializer makes."""
        dtype = numpy.dtype(array.dtype)
        if self.dtype is not None and dtype != self.dtype:
            raise ValueError(
                f"{type(self).__name__}: expected an array of dtype {self.dtype} "
                f"(the initializer's dtype), got {dtype} with shape {tuple(array.shape)}"
            )
        if self._needs_float and not _is_float_dtype(dtype):
            raise ValueError(
                f"{type(self).__name__}: random initial values need a floating array "
                f"(float16, float32 or float64), got {dtype} with shape {tuple(array.shape)}"
            )

    def _fans(self, shape: tuple[int, ...]) -> tuple[int, int]:
        try:
            return get_fans(shape)
        except ValueError as exc:
            raise ValueError(f"{type(self).__name__}: {exc}") from None

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_") and v is not None
        )
        return f"{type(self).__name__}({fields})"


def _check_scale(owner: str, scale: Any) -> float:
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not scale >= 0:
        raise ValueError(f"{owner}: scale must be a real number >= 0, got {scale!r}")
    return scale


def get_fans(shape: Sequence[int]) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``.

    ``fan_in = shape[1] * prod(shape[2:])`` and ``fan_out = shape[0] * prod(shape[2:])``,
    the numbers of inputs and outputs each unit connects to.

    Args:
        shape: The weight's shape, at least two dimensions.

    Returns:
        tuple: ``(fan_in, fan_out)``.

    Example:
        >>> get_fans((64, 3, 5, 5))
        (75, 1600)
    """
    if not isinstance(shape, (tuple, list)):
        raise ValueError(f"get_fans: shape must be a tuple, got {type(shape).__name__} {shape!r}")
    if len(shape) < 2:
        raise ValueError(
            f"get_fans: shape must have at least 2 dimensions (out, in, ...), got {tuple(shape)}"
        )
    receptive = math.prod(int(k) for k in shape[2:])
    return int(shape[1]) * receptive, int(shape[0]) * receptive


def generate_array(
    initializer: Any, shape: Any, xp: Any, dtype: Any = None, device: Any = None
) -> Any:
    """Allocate an array with ``xp`` and fill it with ``initializer``.

    The dtype is ``dtype``, else ``initializer.dtype``, else ``kusari.config.dtype``
    (float32 by default).

    Args:
        initializer: An :class:`Initializer` or any callable filling an array in place.
        shape: An int or a tuple of ints.
        xp: The array module (``numpy``, ``cupy``).
        dtype: The dtype, or None.
        device: A device specifier (``'@numpy'``, ``'@cupy:0'``, a Device) or None; its
            array module must be ``xp``.

    Returns:
        The initialized array.

    Example:
        >>> import numpy as np
        >>> from kusari import initializers
        >>> generate_array(initializers.One(), (2,), np)
        array([1., 1.], dtype=float32)
    """
    init_dtype = getattr(initializer, "dtype", None)
    if (
        dtype is not None
        and init_dtype is not None
        and numpy.dtype(dtype) != numpy.dtype(init_dtype)
    ):
        raise ValueError(
            f"generate_array: dtype {numpy.dtype(dtype)} conflicts with the "
            f"initializer's dtype {numpy.dtype(init_dtype)} ({type(initializer).__name__})"
        )
    if dtype is None:
        dtype = init_dtype
    dtype = _default_dtype() if dtype is None else numpy.dtype(dtype)
    shape = (int(shape),) if isinstance(shape, numbers.Integral) else tuple(int(s) for s in shape)
    if device is None:
        array = xp.empty(shape, dtype=dtype)
        initializer(array)
        return array
    from kusari.backend import get_device, using_device

    dev = get_device(device)
    if dev.xp is not xp:
        raise ValueError(
            f"generate_array: xp ({getattr(xp, '__name__', xp)}) and device ({dev}) are "
            "inconsistent; pass the device's array module"
        )
    with using_device(dev):
        array = xp.empty(shape, dtype=dtype)
        initializer(array)
    return array
