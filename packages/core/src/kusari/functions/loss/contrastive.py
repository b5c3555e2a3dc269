"""``contrastive`` and ``triplet``: metric-learning losses on embeddings."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.functions._checks import (
    array_of,
    check_labels,
    require_float,
    require_same_dtype,
    require_same_shape,
)
from kusari.variable import Variable

__all__ = ["contrastive", "triplet"]


def _var(x: Any) -> Variable:
    return x if isinstance(x, Variable) else Variable(x, requires_grad=False)


def contrastive(x0: Any, x1: Any, y: Any, margin: float = 1.0, reduce: str = "mean") -> Variable:
    """Contrastive loss: pull similar pairs together, push dissimilar ones past ``margin``.

    With ``d = ||x0[i] - x1[i]||``, sample ``i`` costs
    ``(y * d**2 + (1 - y) * max(margin - d, 0)**2) / 2``.

    Args:
        x0: Embeddings of shape ``(N, K)``, floating dtype.
        x1: Embeddings of the same shape and dtype.
        y: Integer labels of shape ``(N,)``: 1 for similar pairs, 0 for dissimilar ones.
        margin: The margin (positive).
        reduce: ``'mean'`` (sum divided by N) or ``'no'`` (per-sample losses).

    Returns:
        Variable: The loss.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> a = np.array([[0.0, 0.0], [0.0, 0.0]], np.float32)
        >>> b = np.array([[3.0, 4.0], [0.0, 0.5]], np.float32)
        >>> F.contrastive(a, b, np.array([1, 0], np.int32), reduce="no").array
        array([12.5  ,  0.125], dtype=float32)
    """
    from kusari.functions.activation.relu import relu
    from kusari.functions.math.exponential import sqrt
    from kusari.functions.math.maximum import maximum
    from kusari.functions.math.sum import sum

    require_float("contrastive", x0, "x0")
    require_same_dtype("contrastive", x0, x1, ("x0", "x1"))
    require_same_shape("contrastive", x0, x1, ("x0", "x1"))
    if x0.ndim != 2:
        raise ValueError(f"contrastive: expected x0 of shape (N, K), got {tuple(x0.shape)}")
    if reduce not in ("mean", "no"):
        raise ValueError(f"contrastive: expected reduce 'mean' or 'no', got {reduce!r}")
    if not margin > 0:
        raise ValueError(f"contrastive: expected margin > 0, got {margin}")
    y = check_labels("contrastive", y, (x0.shape[0],), 2, None, "y")
    xp = get_array_module(array_of(x0))
    yf = y.astype(x0.dtype)
    diff = _var(x0) - x1
    dist_sq = sum(diff * diff, axis=1)
    # Flooring at the dtype's tiny keeps sqrt's gradient finite for identical pairs.
    tiny = xp.full((1,), numpy.finfo(x0.dtype).tiny, dtype=x0.dtype)
    dist = sqrt(maximum(dist_sq, tiny))
    mdist = relu(float(margin) - dist)
    loss = (dist_sq * yf + mdist * mdist * (1 - yf)) * 0.5
    if reduce == "no":
        return loss
    return sum(loss) * (1.0 / x0.shape[0])


def triplet(
    anchor: Any, positive: Any, negative: Any, margin: float = 0.2, reduce: str = "mean"
) -> Variable:
    """Triplet loss: ``max(||a - p||**2 - ||a - n||**2 + margin, 0)`` per sample.

    Args:
        anchor: Embeddings of shape ``(N, K)``, floating dtype.
        positive: Embeddings of the same class as ``anchor`` (same shape and dtype).
        negative: Embeddings of another class (same shape and dtype).
        margin: The margin (positive).
        reduce: ``'mean'`` (over samples) or ``'no'`` (per-sample losses).

    Returns:
        Variable: The loss.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> a = np.zeros((1, 2), np.float32)
        >>> p = np.array([[1.0, 0.0]], np.float32)
        >>> F.triplet(a, p, np.array([[0.0, 1.0]], np.float32), reduce="no").array
        array([0.2], dtype=float32)
    """
    from kusari.functions.activation.relu import relu
    from kusari.functions.math.average import mean
    from kusari.functions.math.sum import sum

    require_float("triplet", anchor, "anchor")
    for other, name in ((positive, "positive"), (negative, "negative")):
        require_same_dtype("triplet", anchor, other, ("anchor", name))
        require_same_shape("triplet", anchor, other, ("anchor", name))
    if anchor.ndim != 2:
        raise ValueError(f"triplet: expected anchor of shape (N, K), got {tuple(anchor.shape)}")
    if reduce not in ("mean", "no"):
        raise ValueError(f"triplet: expected reduce 'mean' or 'no', got {reduce!r}")
    if not margin > 0:
        raise ValueError(f"triplet: expected margin > 0, got {margin}")
    a = _var(anchor)
    dp = a - positive
    dn = a - negative
    loss = relu(sum(dp * dp, axis=1) - sum(dn * dn, axis=1) + float(margin))
    return loss if reduce == "no" else mean(loss)
