"""``pad``: pad an array (constant, edge, reflect, symmetric or wrap modes).

Every supported mode copies input elements or a constant, so its gradient is an
exact scatter-add: ``constant`` crops the centre, the selection modes add each padded
element's gradient onto the input element it copies (one axis at a time).
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["Pad", "PadGrad", "pad"]

_SELECT_MODES = ("edge", "reflect", "symmetric", "wrap")


def _normalize_width(pad_width: Any, ndim: int) -> tuple[tuple[int, int], ...]:
    w = numpy.asarray(pad_width)
    if w.dtype.kind not in "iu":
        raise TypeError(f"pad: pad_width must hold integers; got {pad_width!r}")
    try:
        w = numpy.broadcast_to(w, (ndim, 2))
    except ValueError:
        raise ValueError(
            f"pad: pad_width {pad_width!r} does not fit an array of {ndim} dims; "
            f"use an int, a (before, after) pair or one pair per axis"
        ) from None
    if (w < 0).any():
        raise ValueError(f"pad: pad_width must be non-negative; got {pad_width!r}")
    return tuple((int(a), int(b)) for a, b in w)


class Pad(FunctionNode):
    def __init__(
        self, pad_width: tuple[tuple[int, int], ...], mode: str, kwargs: dict[str, Any]
    ) -> None:
        self.pad_width = pad_width
        self.mode = mode
        self.kwargs = kwargs

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        xp = get_array_module(x)
        return (xp.pad(x, self.pad_width, mode=self.mode, **self.kwargs),)

    def backward(self, indexes, grad_outputs):
        return PadGrad(self.pad_width, self.mode, self._in_shape).apply(grad_outputs)


class PadGrad(FunctionNode):
    """The adjoint of :class:`Pad` (constant part dropped): crop or scatter-add."""

    def __init__(
        self, pad_width: tuple[tuple[int, int], ...], mode: str, in_shape: tuple[int, ...]
    ) -> None:
        self.pad_width = pad_width
        self.mode = mode
        self.in_shape = in_shape

    def forward(self, inputs):
        (g,) = inputs
        xp = get_array_module(g)
        if self.mode == "constant":
            sl = tuple(slice(a, a + n) for (a, _), n in zip(self.pad_width, self.in_shape))
            return (xp.ascontiguousarray(g[sl]),)
        for axis, ((before, after), n) in enumerate(zip(self.pad_width, self.in_shape)):
            if not before and not after:
                continue
            # Which input position each padded position copies, from padding arange(n).
            src = numpy.pad(numpy.arange(n), (before, after), mode=self.mode)
            moved = xp.moveaxis(g, axis, 0)
            acc = xp.zeros((n,) + moved.shape[1:], dtype=g.dtype)
            xp.add.at(acc, xp.asarray(src), moved)
            g = xp.moveaxis(acc, 0, axis)
        return (xp.ascontiguousarray(g),)

    def backward(self, indexes, grad_outputs):
        mode = self.mode
        kwargs = {"constant_values": 0} if mode == "constant" else {}
        return Pad(self.pad_width, mode, kwargs).apply(grad_outputs)


def pad(x: Any, pad_width: Any, mode: str = "constant", **keywords: Any) -> Variable:
    """Pad ``x`` like ``numpy.pad``.

    Args:
        x: Input variable or array.
        pad_width: An int, a ``(before, after)`` pair, or one pair per axis.
        mode: ``'constant'`` (fill with ``constant_values``, default 0), ``'edge'``,
            ``'reflect'``, ``'symmetric'`` or ``'wrap'``.
        **keywords: ``constant_values`` for ``'constant'``.

    Returns:
        The padded Variable.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.pad(np.array([1, 2], np.float32), 1, constant_values=9).array
        array([9., 1., 2., 9.], dtype=float32)
    """
    if mode != "constant" and mode not in _SELECT_MODES:
        raise ValueError(f"pad: mode must be 'constant' or one of {_SELECT_MODES}; got {mode!r}")
    allowed = {"constant_values"} if mode == "constant" else set()
    extra = set(keywords) - allowed
    if extra:
        raise TypeError(f"pad: unexpected keyword arguments {sorted(extra)} for mode {mode!r}")
    width = _normalize_width(pad_width, x.ndim)
    if mode in ("reflect", "symmetric", "wrap"):
        for (a, b), n in zip(width, x.shape):
            if (a or b) and n == 0:
                raise ValueError(f"pad: cannot {mode}-pad an empty axis of shape {x.shape}")
    return Pad(width, mode, dict(keywords)).apply((x,))[0]
