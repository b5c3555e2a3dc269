"""``group_normalization``: standardize groups of channels per sample, then scale and shift."""

from __future__ import annotations

from typing import Any

from kusari.functions.array.reshape import reshape
from kusari.functions.normalization._layout import check_float
from kusari.functions.normalization._standardize import standardize
from kusari.variable import Variable

__all__ = ["group_normalization"]


def group_normalization(x: Any, groups: int, gamma: Any, beta: Any, eps: float = 1e-5) -> Variable:
    """Group normalization: normalize each group of channels of each sample.

    The ``C`` channels of ``x`` are split into ``groups`` consecutive groups; every
    (sample, group) pair is standardized over its channels and spatial positions, then
    each channel is scaled by ``gamma`` and shifted by ``beta``.

    Args:
        x: Input of shape ``(N, C, ...)``.
        groups: Number of groups; must divide ``C``.
        gamma: Per-channel scale of shape ``(C,)``.
        beta: Per-channel shift of shape ``(C,)``.
        eps: Added to the variance for numerical stability.

    Returns:
        The normalized Variable, with ``x``'s shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.arange(8, dtype=np.float32).reshape(1, 4, 2)
        >>> y = F.group_normalization(x, 2, np.ones(4, np.float32), np.zeros(4, np.float32))
        >>> y.shape
        (1, 4, 2)
    """
    fname = "group_normalization"
    check_float(fname, "x", x)
    check_float(fname, "gamma", gamma)
    check_float(fname, "beta", beta)
    if x.ndim < 2:
        raise ValueError(f"{fname}: x must have shape (N, C, ...); got {x.shape}")
    n, c = x.shape[:2]
    if not isinstance(groups, int) or groups <= 0 or c % groups:
        raise ValueError(
            f"{fname}: groups must be a positive int dividing the {c} channels of x "
            f"(shape {x.shape}); got {groups!r}"
        )
    for name, p in (("gamma", gamma), ("beta", beta)):
        if tuple(p.shape) != (c,):
            raise ValueError(f"{fname}: {name} must have shape ({c},); got {tuple(p.shape)}")
        if p.dtype != x.dtype:
            raise TypeError(f"{fname}: {name} must have x's dtype {x.dtype}; got {p.dtype}")
    xg = reshape(x, (n, groups, -1))
    xhat = reshape(standardize(xg, (2,), eps), x.shape)
    pshape = (1, c) + (1,) * (x.ndim - 2)
    return xhat * reshape(gamma, pshape) + reshape(beta, pshape)
