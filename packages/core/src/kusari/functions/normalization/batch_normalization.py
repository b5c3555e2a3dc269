"""``batch_normalization`` and ``fixed_batch_normalization``.

``BatchNormalization`` is one fused node: its forward computes the batch mean and
variance in two passes over a contiguous ``(A, C, B)`` view (see ``_layout``) and writes
``y`` into the centred buffer in place; its backward uses the closed form of
``gx``/``ggamma``/``gbeta``. When double backprop is requested (backward runs with
backprop enabled) the same gradients are built from differentiable primitives instead,
so they can be differentiated again to any order.

Statistics of float16 inputs are computed in float32; float32 stays float32 (per-channel
sums are accumulated in float64, which costs nothing at that size).

Backend kernel overrides (``kusari.backend.get_kernel``):

- ``'batch_normalization'``: ``kernel(x, gamma, beta, eps, axes) -> (y, mean, var)``,
  with ``mean``/``var`` (biased) 1-D arrays of ``gamma.size`` elements.
- ``'batch_normalization_grad'``: ``kernel(x, gamma, gy, mean, inv_std, axes) ->
  (gx, ggamma, gbeta)``; ``ggamma``/``gbeta`` are 1-D.
- ``'fixed_batch_normalization'``: ``kernel(x, gamma, beta, mean, var, eps, axes) -> y``.

``axes`` is the tuple of reduced axes of ``x``; ``gamma``, ``beta``, ``mean`` and ``var``
have the shape of the kept axes.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module, get_kernel
from kusari.configuration import config
from kusari.function_node import FunctionNode
from kusari.functions.array.broadcast import sum_to
from kusari.functions.array.reshape import reshape
from kusari.functions.normalization._layout import (
    Layout,
    as_array,
    check_float,
    compute_dtype,
    get_layout,
)
from kusari.variable import Variable

__all__ = [
    "BatchNormalization",
    "FixedBatchNormalization",
    "batch_normalization",
    "fixed_batch_normalization",
]

_f64 = numpy.float64


def _row_sums(xp: Any, a3: Any) -> Any:
    """Sums of an ``(A, C, B)`` array over its last axis, as ``(A, C)``."""
    if a3.shape[2] == 1:
        return a3[:, :, 0]
    return a3 @ xp.ones(a3.shape[2], a3.dtype)


def _batch_stats(xp: Any, x3: Any, m: int, ct: Any) -> tuple[Any, Any, Any]:
    """``(xc, mean, var)``: the centred data (a fresh buffer) and float64 statistics."""
    xs = x3 if x3.dtype == ct else x3.astype(ct)
    mean = _row_sums(xp, xs).sum(0, dtype=_f64) / m
    xc = xs - mean.astype(ct)[:, None]
    # Two passes (centre, then square) keep float32 variances accurate when |mean| >> std.
    var = xp.einsum("acb,acb->ac", xc, xc).sum(0, dtype=_f64) / m
    return xc, mean, var


class BatchNormalization(FunctionNode):
    """Batch normalization with batch statistics (fused forward and backward)."""

    def __init__(
        self,
        layout: Layout,
        eps: float,
        running_mean: Any = None,
        running_var: Any = None,
        decay: float = 0.9,
    ) -> None:
        self.layout = layout
        self.eps = eps
        self.running_mean = running_mean
        self.running_var = running_var
        self.decay = decay
        self.mean = None
        self.inv_std = None

    def forward(self, inputs):
        x, gamma, beta = inputs
        lay = self.layout
        xp = get_array_module(x)
        kernel = get_kernel("batch_normalization", x)
        if kernel is not None:
            y, mean, var = kernel(x, gamma, beta, self.eps, lay.axes)
            mean = mean.ravel()
            var = var.ravel()
            self.inv_std = 1.0 / xp.sqrt(var + self.eps)
        else:
            ct = compute_dtype(x.dtype, gamma.dtype)
            xc, mean, var = _batch_stats(xp, lay.to3(x), lay.m, ct)
            inv = self.inv_std = 1.0 / xp.sqrt(var + self.eps)
            # y = (x - mean) * gamma / std + beta, written into the centred buffer.
            xc *= (gamma.ravel() * inv).astype(ct, copy=False)[:, None]
            xc += beta.ravel().astype(ct, copy=False)[:, None]
            y = lay.from3(xc).astype(x.dtype, copy=False)
        self.mean = mean
        if self.running_mean is not None or self.running_var is not None:
            self._update_running(mean, var)
        self.retain_inputs((0, 1))
        return (y,)

    def _update_running(self, mean: Any, var: Any) -> None:
        decay = self.decay
        rm, rv = self.running_mean, self.running_var
        m = self.layout.m
        if rm is not None:
            rm *= decay
            rm += ((1 - decay) * mean).reshape(rm.shape).astype(rm.dtype, copy=False)
        if rv is not None:
            # Chainer keeps the unbiased variance in the running average.
            unbiased = var * (m / max(m - 1.0, 1.0))
            rv *= decay
            rv += ((1 - decay) * unbiased).reshape(rv.shape).astype(rv.dtype, copy=False)

    def backward(self, indexes, grad_outputs):
        x, gamma = self.get_retained_inputs()
        (gy,) = grad_outputs
        if config.enable_backprop:
            return _differentiable_grads(x, gamma, gy, self.layout, self.eps, indexes)
        return self._fast_grads(x.array, gamma.array, gy.array, indexes)

    def _fast_grads(self, x, gamma, gy, indexes):
        lay = self.layout
        xp = get_array_module(x)
        mean, inv = self.mean, self.inv_std
        kernel = get_kernel("batch_normalization_grad", x)
        if kernel is not None:
            gx, ggamma, gbeta = kernel(x, gamma, gy, mean, inv, lay.axes)
            return gx, ggamma.reshape(gamma.shape), gbeta.reshape(gamma.shape)
        ct = compute_dtype(x.dtype, gamma.dtype)
        m = lay.m
        gy3 = lay.to3(gy)
        if gy3.dtype != ct:
            gy3 = gy3.astype(ct)
        x3 = lay.to3(x)
        gbeta = _row_sums(xp, gy3).sum(0, dtype=_f64)
        xc = x3 - mean.astype(ct)[:, None]
        ggamma = xp.einsum("acb,acb->ac", gy3, xc).sum(0, dtype=_f64) * inv
        gx = None
        if 0 in indexes:
            # gx = gamma/std * (gy - (xhat * ggamma + gbeta) / m), in place on xc.
            xc *= (-(inv * ggamma) / m).astype(ct)[:, None]
            xc += gy3
            xc -= (gbeta / m).astype(ct)[:, None]
            xc *= (gamma.ravel() * inv).astype(ct)[:, None]
            gx = lay.from3(xc).astype(x.dtype, copy=False)
        pshape, pdtype = gamma.shape, gamma.dtype
        return (gx, ggamma.astype(pdtype).reshape(pshape), gbeta.astype(pdtype).reshape(pshape))


def _match(v: Variable, dtype: Any) -> Variable:
    if v.dtype == dtype:
        return v
    from kusari.functions import cast  # the array category owns cast

    return cast(v, dtype)


def _differentiable_grads(
    x: Variable, gamma: Variable, gy: Variable, lay: Layout, eps: float, indexes: tuple[int, ...]
) -> tuple[Variable | None, ...]:
    """The batch-norm gradients from primitives (used when double backprop is on)."""
    kshape, m = lay.kshape, lay.m
    g = reshape(_match(gamma, x.dtype), kshape)
    mean = sum_to(x, kshape) * (1.0 / m)
    xc = x - mean
    inv = (sum_to(xc * xc, kshape) * (1.0 / m) + eps) ** -0.5
    xhat = xc * inv
    gbeta = sum_to(gy, kshape)
    ggamma = sum_to(gy * xhat, kshape)
    out = []
    for i in indexes:
        if i == 0:
            out.append((g * inv) * (gy - (xhat * ggamma + gbeta) * (1.0 / m)))
        elif i == 1:
            out.append(_match(reshape(ggamma, gamma.shape), gamma.dtype))
        else:
            out.append(_match(reshape(gbeta, gamma.shape), gamma.dtype))
    return tuple(out)


class FixedBatchNormalization(FunctionNode):
    """Batch normalization with given statistics (inference mode)."""

    def __init__(self, layout: Layout, eps: float) -> None:
        self.layout = layout
        self.eps = eps

    def forward(self, inputs):
        x, gamma, beta, mean, var = inputs
        lay = self.layout
        self.retain_inputs((0, 1, 3, 4))
        kernel = get_kernel("fixed_batch_normalization", x)
        if kernel is not None:
            return (kernel(x, gamma, beta, mean, var, self.eps, lay.axes),)
        xp = get_array_module(x)
        ct = compute_dtype(x.dtype, gamma.dtype)
        inv = 1.0 / xp.sqrt(var.ravel().astype(_f64) + self.eps)
        scale = gamma.ravel() * inv
        shift = beta.ravel() - mean.ravel() * scale
        y3 = lay.to3(x) * scale.astype(ct)[:, None]
        y3 += shift.astype(ct)[:, None]
        return (lay.from3(y3).astype(x.dtype, copy=False),)

    def backward(self, indexes, grad_outputs):
        x, gamma, mean, var = self.get_retained_inputs()
        (gy,) = grad_outputs
        kshape = self.layout.kshape
        dt = x.dtype
        g = reshape(_match(gamma, dt), kshape)
        inv = (reshape(_match(var, dt), kshape) + self.eps) ** -0.5
        gscale = g * inv
        need_gamma = 1 in indexes or 4 in indexes
        xhat = (x - reshape(_match(mean, dt), kshape)) * inv if need_gamma else None
        ggamma = sum_to(gy * xhat, kshape) if need_gamma else None
        gbeta = sum_to(gy, kshape) if (2 in indexes or 3 in indexes) else None
        out = []
        for i in indexes:
            if i == 0:
                out.append(gy * gscale)
            elif i == 1:
                out.append(_param_grad(ggamma, gamma))
            elif i == 2:
                out.append(_param_grad(gbeta, gamma))
            elif i == 3:
                out.append(_param_grad(-(gbeta * gscale), mean))
            else:
                out.append(_param_grad(ggamma * gscale * inv * -0.5, var))
        return tuple(out)


def _param_grad(g: Variable, like: Variable) -> Variable:
    return _match(reshape(g, like.shape), like.dtype)


def _axes(fname: str, x: Any, gamma: Any, axis: Any) -> tuple[int, ...]:
    ndim = x.ndim
    if axis is None:
        # Chainer: reduce the batch axis and every axis after gamma's.
        return (0,) + tuple(range(gamma.ndim + 1, ndim))
    raw = (axis,) if isinstance(axis, (int, numpy.integer)) else tuple(axis)
    for a in raw:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{fname}: axis {axis!r} is out of range for an input of shape {x.shape}"
            )
    axes = tuple(sorted(int(a) % ndim for a in raw))
    if len(set(axes)) != len(axes):
        raise ValueError(f"{fname}: axis {axis!r} repeats an axis")
    return axes


def _prepare(
    fname: str, x: Any, gamma: Any, beta: Any, axis: Any, extra: tuple[tuple[str, Any], ...] = ()
) -> Layout:
    check_float(fname, "x", x)
    check_float(fname, "gamma", gamma)
    check_float(fname, "beta", beta)
    if x.ndim < 2 and axis is None:
        raise ValueError(
            f"{fname}: x must have at least 2 dimensions (batch, channels, ...); "
            f"got shape {x.shape}"
        )
    axes = _axes(fname, x, gamma, axis)
    lay = get_layout(tuple(x.shape), axes)
    for name, a in (("gamma", gamma), ("beta", beta)) + extra:
        if a is None:
            continue
        if tuple(a.shape) != lay.key_shape:
            raise ValueError(
                f"{fname}: {name} must have the shape of x's non-reduced axes {lay.key_shape} "
                f"(x has shape {x.shape}, reduced axes {axes}); got {tuple(a.shape)}"
            )
    if beta.dtype != gamma.dtype:
        raise TypeError(
            f"{fname}: gamma and beta must share a dtype; got {gamma.dtype} and {beta.dtype}"
        )
    return lay


def batch_normalization(
    x: Any,
    gamma: Any,
    beta: Any,
    eps: float = 2e-5,
    running_mean: Any = None,
    running_var: Any = None,
    decay: float = 0.9,
    axis: Any = None,
) -> Variable:
    """Batch normalization with the statistics of the current mini-batch.

    ``y = gamma * (x - mean) / sqrt(var + eps) + beta``, with ``mean`` and (biased) ``var``
    taken over every axis but the channel axes (by default the batch axis 0 and the axes
    after ``gamma``'s, e.g. ``(0, 2, 3)`` for ``(N, C, H, W)`` input and ``(C,)`` gamma).

    Args:
        x: Input of shape ``(N, C, ...)``.
        gamma: Scale, shaped like the non-reduced axes of ``x``.
        beta: Shift, same shape as ``gamma``.
        eps: Added to the variance for numerical stability.
        running_mean: Array updated **in place** to ``decay * running_mean +
            (1 - decay) * mean`` (None: not updated).
        running_var: Array updated in place with the unbiased variance ``var * m / (m - 1)``.
        decay: Decay rate of the running averages.
        axis: Axis or axes to reduce over (None: Chainer's default described above).

    Returns:
        The normalized Variable, with ``x``'s shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
        >>> y = F.batch_normalization(x, np.ones(2, np.float32), np.zeros(2, np.float32))
        >>> np.round(y.array, 3)
        array([[-1., -1.],
               [ 1.,  1.]], dtype=float32)
    """
    lay = _prepare(
        "batch_normalization",
        x,
        gamma,
        beta,
        axis,
        (("running_mean", running_mean), ("running_var", running_var)),
    )
    running_mean = as_array(running_mean)
    running_var = as_array(running_var)
    return BatchNormalization(lay, eps, running_mean, running_var, decay).apply((x, gamma, beta))[0]


def fixed_batch_normalization(
    x: Any, gamma: Any, beta: Any, mean: Any, var: Any, eps: float = 2e-5, axis: Any = None
) -> Variable:
    """Batch normalization with fixed statistics (what a model uses at inference).

    ``y = gamma * (x - mean) / sqrt(var + eps) + beta``; every argument is differentiable.

    Args:
        x: Input of shape ``(N, C, ...)``.
        gamma: Scale, shaped like the non-reduced axes of ``x``.
        beta: Shift, same shape as ``gamma``.
        mean: The mean to subtract, same shape as ``gamma``.
        var: The variance to divide by (its square root), same shape as ``gamma``.
        eps: Added to the variance for numerical stability.
        axis: Axis or axes the statistics were taken over (None: Chainer's default).

    Returns:
        The normalized Variable, with ``x``'s shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
        >>> one, zero = np.ones(2, np.float32), np.zeros(2, np.float32)
        >>> F.fixed_batch_normalization(x, one, zero, one, one * 4, eps=0).array
        array([[0. , 0.5],
               [1. , 2.5]], dtype=float32)
    """
    fname = "fixed_batch_normalization"
    check_float(fname, "mean", mean)
    check_float(fname, "var", var)
    lay = _prepare(fname, x, gamma, beta, axis, (("mean", mean), ("var", var)))
    return FixedBatchNormalization(lay, eps).apply((x, gamma, beta, mean, var))[0]
