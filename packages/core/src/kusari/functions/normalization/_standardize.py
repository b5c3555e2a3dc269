"""``(x - mean) / sqrt(var + eps)`` over some axes: the core of layer and group norm.

One fused node (two-pass statistics, closed-form backward) whose double-backprop path
is built from primitives, like ``BatchNormalization``.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.configuration import config
from kusari.function_node import FunctionNode
from kusari.functions.array.broadcast import sum_to
from kusari.functions.normalization._layout import Layout, compute_dtype, get_layout
from kusari.variable import Variable

__all__ = ["Standardize", "standardize"]

_f64 = numpy.float64


def _row_sums(xp: Any, a3: Any) -> Any:
    if a3.shape[2] == 1:
        return a3[:, :, 0]
    return a3 @ xp.ones(a3.shape[2], a3.dtype)


class Standardize(FunctionNode):
    """Zero mean, unit variance over ``layout.axes`` (the other axes index the groups)."""

    def __init__(self, layout: Layout, eps: float) -> None:
        self.layout = layout
        self.eps = eps
        self.inv_std = None

    def forward(self, inputs):
        (x,) = inputs
        lay = self.layout
        xp = get_array_module(x)
        ct = compute_dtype(x.dtype, x.dtype)
        x3 = lay.to3(x)
        xs = x3 if x3.dtype == ct else x3.astype(ct)
        m = lay.m
        mean = (_row_sums(xp, xs).sum(0, dtype=_f64) / m).astype(ct)
        xc = xs - mean[:, None]
        var = xp.einsum("acb,acb->ac", xc, xc).sum(0, dtype=_f64) / m
        inv = self.inv_std = (1.0 / xp.sqrt(var + self.eps)).astype(ct)
        xc *= inv[:, None]
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        return (lay.from3(xc).astype(x.dtype, copy=False),)

    def backward(self, indexes, grad_outputs):
        (gy,) = grad_outputs
        lay = self.layout
        if config.enable_backprop:
            (x,) = self.get_retained_inputs()
            kshape, m = lay.kshape, lay.m
            xc = x - sum_to(x, kshape) * (1.0 / m)
            inv = (sum_to(xc * xc, kshape) * (1.0 / m) + self.eps) ** -0.5
            xhat = xc * inv
            return (
                inv * (gy - (sum_to(gy, kshape) + xhat * sum_to(gy * xhat, kshape)) * (1.0 / m)),
            )
        (y,) = self.get_retained_outputs()
        y = y.array
        gy = gy.array
        xp = get_array_module(y)
        ct = self.inv_std.dtype
        y3 = lay.to3(y)
        g3 = lay.to3(gy)
        if g3.dtype != ct:
            g3 = g3.astype(ct)
            y3 = y3.astype(ct)
        m = lay.m
        gsum = _row_sums(xp, g3).sum(0, dtype=_f64)
        gdot = xp.einsum("acb,acb->ac", g3, y3).sum(0, dtype=_f64)
        # gx = inv * (gy - mean(gy) - xhat * mean(gy * xhat))
        gx = y3 * (-gdot / m).astype(ct)[:, None]
        gx += g3
        gx -= (gsum / m).astype(ct)[:, None]
        gx *= self.inv_std[:, None]
        return (lay.from3(gx).astype(gy.dtype, copy=False),)


def standardize(x: Any, axes: tuple[int, ...], eps: float) -> Variable:
    """Standardize ``x`` over ``axes`` (sorted, non-negative); other axes index groups."""
    return Standardize(get_layout(tuple(x.shape), tuple(axes)), eps).apply((x,))[0]
