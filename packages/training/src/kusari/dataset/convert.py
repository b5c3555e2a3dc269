"""Turning a list of examples into batched arrays on a device: ``concat_examples`` and kin."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy

from kusari.dataset._batch import ColumnarBatch

__all__ = ["Converter", "converter", "concat_examples", "to_device"]


def _lookup_device(device_spec: Any) -> Any:
    """Return core's Device for a specifier (kept apart so tests can substitute it)."""
    from kusari.backend import get_device

    return get_device(device_spec)


def _is_numpy_spec(device: Any) -> bool:
    if isinstance(device, str):
        return device == "@numpy"
    if isinstance(device, (int, numpy.integer)) and not isinstance(device, bool):
        return device < 0
    return getattr(device, "xp", None) is numpy


def to_device(device: Any, x: Any) -> Any:
    """Send an array (or nested tuple/list/dict of arrays) to a device.

    Args:
        device: None (leave ``x`` where it is), a negative int or ``'@numpy'`` (host),
            an int ``n >= 0`` or ``'@cupy:n'`` (GPU ``n``), or a device object.
        x: The array, or a tuple/list/dict of arrays.

    Returns:
        ``x`` on ``device``; NumPy arrays sent to the host are returned as they are.

    Example:
        >>> import numpy as np
        >>> a = np.ones(2)
        >>> to_device(None, a) is a, to_device(-1, a) is a
        (True, True)
    """
    if device is None:
        return x
    if type(x) is numpy.ndarray and _is_numpy_spec(device):
        return x  # already on the host: skip the device lookup on the hot path
    target = device if hasattr(device, "send") else _lookup_device(device)
    return target.send(x)


class Converter:
    """Base class of batch converters: ``converter(batch, device)`` returns arrays.

    Trainers call instances with a device object (or None). Plain functions written for
    Chainer 6 and earlier take an int instead; wrap new-style functions with
    :func:`converter`.

    Example:
        >>> class Firsts(Converter):
        ...     def __call__(self, batch, device=None):
        ...         return [example[0] for example in batch]
        >>> Firsts()([(1, 2), (3, 4)])
        [1, 3]
    """

    def __call__(self, batch: Sequence[Any], device: Any = None) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")


class _FunctionConverter(Converter):
    """A :class:`Converter` made from a function by :func:`converter`."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self._func = func
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<converter {getattr(self._func, '__qualname__', self._func)!r}>"


def converter(func: Callable[..., Any] | None = None) -> Any:
    """Decorator making ``func(batch, device)`` a :class:`Converter`.

    Use as ``@converter()`` (Chainer's spelling) or ``@converter``.

    Example:
        >>> @converter()
        ... def sums(batch, device=None):
        ...     return [sum(example) for example in batch]
        >>> isinstance(sums, Converter), sums([(1, 2)])
        (True, [3])
    """
    if func is not None:
        if not callable(func):
            raise TypeError(f"converter: expected a function, got {type(func).__name__}")
        return _FunctionConverter(func)
    return _FunctionConverter


def _call_converter(conv: Any, batch: Sequence[Any], device: Any) -> Any:
    """Call ``conv`` the way Chainer's updaters do (for the trainer and the evaluator).

    New-style converters get the device object; old-style functions get ``-1`` for the
    host, the GPU number for CUDA devices, or no device argument when ``device`` is None.
    """
    if isinstance(conv, Converter):
        return conv(batch, device)
    if device is None:
        return conv(batch)
    if getattr(device, "xp", None) is numpy:
        return conv(batch, -1)
    backend = getattr(getattr(device, "backend", None), "name", None)
    if backend == "cupy":
        return conv(batch, device.index)
    raise TypeError(
        f"converter {conv!r} is an old-style function taking a device number, which "
        f"cannot express device {device}; help: decorate it with "
        "kusari.dataset.converter() so it receives the device object"
    )


def _is_array(x: Any) -> bool:
    if isinstance(x, numpy.ndarray):
        return True
    if isinstance(x, (numpy.generic, int, float, complex, bool, list, tuple)):
        return False
    try:
        from kusari.backend import is_array
    except ImportError:  # core missing: only NumPy arrays exist
        return False
    return bool(is_array(x))


def _xp_of(x: Any) -> Any:
    if isinstance(x, numpy.ndarray):
        return numpy
    from kusari.backend import get_array_module

    return get_array_module(x)


def _shapes_message(arrays: Sequence[Any]) -> str:
    shapes = sorted({tuple(a.shape) for a in arrays})
    return ", ".join(str(s) for s in shapes[:5]) + (", …" if len(shapes) > 5 else "")


def _concat_arrays(arrays: Sequence[Any], padding: Any) -> Any:
    first = arrays[0]
    if not _is_array(first):
        try:
            return numpy.asarray(arrays)
        except ValueError:
            if padding is None:
                raise ValueError(
                    "concat_examples: examples of one field have different lengths; "
                    "help: pass padding=<fill value> to pad them to a common shape"
                ) from None
            arrays = [numpy.asarray(a) for a in arrays]
            first = arrays[0]
    if padding is not None:
        return _concat_with_padding(arrays, padding)
    xp = _xp_of(first)
    try:
        return xp.stack(arrays)
    except ValueError:
        raise ValueError(
            "concat_examples: expected examples of one field to share a shape, got "
            f"shapes {_shapes_message(arrays)}; help: pass padding=<fill value>"
        ) from None


def _concat_with_padding(arrays: Sequence[Any], padding: Any) -> Any:
    first = arrays[0]
    ndim = first.ndim
    shape = list(first.shape)
    for a in arrays[1:]:
        if a.ndim != ndim:
            raise ValueError(
                "concat_examples: padding needs examples with the same number of "
                f"dimensions, got shapes {_shapes_message(arrays)}"
            )
        shape = [max(s, t) for s, t in zip(shape, a.shape)]
    xp = _xp_of(first)
    result = xp.full((len(arrays), *shape), padding, dtype=first.dtype)
    for i, a in enumerate(arrays):
        result[(i, *(slice(d) for d in a.shape))] = a
    return result


def _columns_to_device(columns: Any, device: Any) -> Any:
    if isinstance(columns, tuple):
        return tuple(to_device(device, c) for c in columns)
    if isinstance(columns, dict):
        return {k: to_device(device, c) for k, c in columns.items()}
    return to_device(device, columns)


@converter()
def concat_examples(batch: Sequence[Any], device: Any = None, padding: Any = None) -> Any:
    """Stack a list of examples into arrays, field by field, and send them to a device.

    Examples may be arrays (or scalars), tuples of them, or dicts of them; the result has
    the same structure with one array per field, its first axis the batch.

    Args:
        batch: A non-empty list of examples.
        device: Where to put the arrays; see :func:`to_device`.
        padding: None to require equal shapes, or a fill value padding every example to
            the largest shape (a tuple/dict gives one fill value per field).

    Returns:
        An array, a tuple of arrays or a dict of arrays.

    Example:
        >>> import numpy as np
        >>> x, t = concat_examples([(np.zeros(3), 1), (np.ones(3), 2)])
        >>> x.shape, t.tolist()
        ((2, 3), [1, 2])
        >>> concat_examples([np.ones(1), np.ones(3)], padding=0).tolist()
        [[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
    """
    if len(batch) == 0:
        raise ValueError("concat_examples: expected a non-empty batch, got an empty one")
    if padding is None and type(batch) is ColumnarBatch:
        columns = batch.pop_columns()
        if columns is not None:
            return _columns_to_device(columns, device)
    first = batch[0]
    if isinstance(first, tuple):
        n = len(first)
        if isinstance(padding, tuple):
            if len(padding) != n:
                raise ValueError(
                    f"concat_examples: expected {n} padding values (one per field), "
                    f"got {len(padding)}"
                )
            pads = padding
        else:
            pads = (padding,) * n
        return tuple(
            to_device(device, _concat_arrays([example[i] for example in batch], pads[i]))
            for i in range(n)
        )
    if isinstance(first, dict):
        pads = padding if isinstance(padding, dict) else dict.fromkeys(first, padding)
        return {
            key: to_device(
                device, _concat_arrays([example[key] for example in batch], pads.get(key))
            )
            for key in first
        }
    return to_device(device, _concat_arrays(batch, padding))
