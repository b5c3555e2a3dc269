"""``layer_normalization``: standardize each sample, then scale and shift per unit."""

from __future__ import annotations

from typing import Any

from kusari.functions.normalization._layout import check_float
from kusari.functions.normalization._standardize import standardize
from kusari.variable import Variable

__all__ = ["layer_normalization"]


def layer_normalization(x: Any, gamma: Any, beta: Any, eps: float = 1e-5) -> Variable:
    """Layer normalization: normalize every sample over its units, then scale and shift.

    ``y = gamma * (x - mean) / sqrt(var + eps) + beta`` with ``mean`` and (biased) ``var``
    taken per sample over all axes but the first.

    Args:
        x: Input of shape ``(batch, units)`` (or ``(batch, *units)``).
        gamma: Scale of shape ``x.shape[1:]``.
        beta: Shift of shape ``x.shape[1:]``.
        eps: Added to the variance for numerical stability.

    Returns:
        The normalized Variable, with ``x``'s shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[1.0, 3.0], [2.0, 2.0]], np.float32)
        >>> y = F.layer_normalization(x, np.ones(2, np.float32), np.zeros(2, np.float32))
        >>> np.round(y.array, 3)
        array([[-1.,  1.],
               [ 0.,  0.]], dtype=float32)
    """
    fname = "layer_normalization"
    check_float(fname, "x", x)
    check_float(fname, "gamma", gamma)
    check_float(fname, "beta", beta)
    if x.ndim < 2:
        raise ValueError(f"{fname}: x must have shape (batch, units); got {x.shape}")
    for name, p in (("gamma", gamma), ("beta", beta)):
        if tuple(p.shape) != tuple(x.shape[1:]):
            raise ValueError(
                f"{fname}: {name} must have shape {tuple(x.shape[1:])} (x.shape[1:] "
                f"for x of shape {x.shape}); got {tuple(p.shape)}"
            )
        if p.dtype != x.dtype:
            raise TypeError(f"{fname}: {name} must have x's dtype {x.dtype}; got {p.dtype}")
    xhat = standardize(x, tuple(range(1, x.ndim)), eps)
    return xhat * gamma + beta
