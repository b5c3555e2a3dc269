"""``batch_renormalization`` (Ioffe, 2017) on top of the fused batch normalization.

With ``r = clip(sigma_batch / sigma_running, 1/rmax, rmax)`` and
``d = clip((mean_batch - mean_running) / sigma_running, -dmax, dmax)`` held constant,
``y = gamma * (xhat * r + d) + beta`` is a batch normalization with scale ``gamma * r``
and shift ``gamma * d + beta``; that is how it is computed, so the gradients (and
double backprop) come from ``BatchNormalization``.
"""

from __future__ import annotations

import warnings
from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions.normalization._layout import as_array, compute_dtype
from kusari.functions.normalization.batch_normalization import (
    BatchNormalization,
    _batch_stats,
    _prepare,
    fixed_batch_normalization,
)
from kusari.variable import Variable

__all__ = ["batch_renormalization", "fixed_batch_renormalization"]


def batch_renormalization(
    x: Any,
    gamma: Any,
    beta: Any,
    rmax: float,
    dmax: float,
    eps: float = 2e-5,
    running_mean: Any = None,
    running_var: Any = None,
    decay: float = 0.9,
    update_statistics: bool = False,
) -> Variable:
    """Batch renormalization: batch normalization corrected towards the running statistics.

    Args:
        x: Input of shape ``(N, C, ...)``.
        gamma: Scale, shaped like the non-reduced axes of ``x``.
        beta: Shift, same shape as ``gamma``.
        rmax: Upper bound of ``r`` (its lower bound is ``1 / rmax``).
        dmax: Bound of ``|d|``.
        eps: Added to the variances for numerical stability.
        running_mean: Running mean (required).
        running_var: Running variance (required).
        decay: Decay rate of the running averages.
        update_statistics: Update ``running_mean``/``running_var`` in place, as
            :func:`batch_normalization` does (unbiased variance).

    Returns:
        The normalized Variable, with ``x``'s shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
        >>> one, zero = np.ones(2, np.float32), np.zeros(2, np.float32)
        >>> y = F.batch_renormalization(
        ...     x, one, zero, 3.0, 1.0, running_mean=zero.copy(), running_var=one.copy()
        ... )
        >>> y.shape
        (2, 2)
    """
    fname = "batch_renormalization"
    if running_mean is None or running_var is None:
        raise TypeError(f"{fname}: running_mean and running_var are required")
    lay = _prepare(
        fname, x, gamma, beta, None, (("running_mean", running_mean), ("running_var", running_var))
    )
    rm, rv = as_array(running_mean), as_array(running_var)
    xa, ga = as_array(x), as_array(gamma)
    xp = get_array_module(xa)
    _, mean, var = _batch_stats(xp, lay.to3(xa), lay.m, compute_dtype(xa.dtype, ga.dtype))
    sigma_run = xp.sqrt(rv.ravel() + eps)
    r = xp.clip(xp.sqrt(var + eps) / sigma_run, 1.0 / rmax, rmax).astype(ga.dtype)
    d = xp.clip((mean - rm.ravel()) / sigma_run, -dmax, dmax).astype(ga.dtype)
    r, d = r.reshape(ga.shape), d.reshape(ga.shape)
    node: FunctionNode = BatchNormalization(
        lay, eps, rm if update_statistics else None, rv if update_statistics else None, decay
    )
    return node.apply((x, gamma * r, gamma * d + beta))[0]


def fixed_batch_renormalization(
    x: Any, gamma: Any, beta: Any, mean: Any, var: Any, eps: float = 2e-5
) -> Variable:
    """Deprecated alias of :func:`fixed_batch_normalization` (as in Chainer).

    Args:
        x: Input of shape ``(N, C, ...)``.
        gamma: Scale.
        beta: Shift.
        mean: Mean to subtract.
        var: Variance to divide by.
        eps: Added to the variance.

    Returns:
        The normalized Variable.

    Example:
        >>> import numpy as np, warnings, kusari.functions as F
        >>> one = np.ones(2, np.float32)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.fixed_batch_renormalization(np.ones((1, 2), np.float32), one, one, one, one).shape
        (1, 2)
    """
    warnings.warn(
        "fixed_batch_renormalization is deprecated; use fixed_batch_normalization",
        DeprecationWarning,
        stacklevel=2,
    )
    return fixed_batch_normalization(x, gamma, beta, mean, var, eps)
