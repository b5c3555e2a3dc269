"""``depth2space`` and ``space2depth``: move channel blocks into pixels and back.

Chainer orders the ``r*r`` sub-pixels outside the channels (channel index
``(dy*r + dx)*C + c``), which differs from PyTorch's ``pixel_shuffle`` (``c*r*r + ...``).
Both are one reshape, one transpose and one reshape (differentiable any number of times).
"""

from __future__ import annotations

from typing import Any

from kusari.functions.array.reshape import reshape
from kusari.functions.array.transpose import transpose
from kusari.variable import Variable

__all__ = ["depth2space", "space2depth"]


def _check(fn: str, X: Any, r: int) -> None:
    if not isinstance(r, int) or r < 1:
        raise ValueError(f"{fn}: r must be a positive int; got {r!r}")
    if X.ndim != 4:
        raise ValueError(f"{fn}: X must be 4-D (N, C, H, W); got shape {tuple(X.shape)}")


def depth2space(X: Any, r: int) -> Variable:
    """Rearrange (N, C*r*r, H, W) into (N, C, H*r, W*r) (sub-pixel upscaling).

    Args:
        X: Input of shape (N, C*r*r, H, W).
        r: Upscaling factor.

    Returns:
        Variable of shape (N, C, H*r, W*r).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> X = np.arange(4, dtype=np.float32).reshape(1, 4, 1, 1)
        >>> F.depth2space(X, 2).array
        array([[[[0., 1.],
                 [2., 3.]]]], dtype=float32)
    """
    _check("depth2space", X, r)
    n, c, h, w = X.shape
    if c % (r * r):
        raise ValueError(
            f"depth2space: channels {c} must be a multiple of r*r={r * r} (shape {tuple(X.shape)})"
        )
    c //= r * r
    y = transpose(reshape(X, (n, r, r, c, h, w)), (0, 3, 4, 1, 5, 2))
    return reshape(y, (n, c, h * r, w * r))


def space2depth(X: Any, r: int) -> Variable:
    """Rearrange (N, C, H*r, W*r) into (N, C*r*r, H, W) (the inverse of depth2space).

    Args:
        X: Input of shape (N, C, H*r, W*r).
        r: Downscaling factor.

    Returns:
        Variable of shape (N, C*r*r, H, W).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> X = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2)
        >>> F.space2depth(X, 2).array.ravel()
        array([0., 1., 2., 3.], dtype=float32)
    """
    _check("space2depth", X, r)
    n, c, hr, wr = X.shape
    if hr % r or wr % r:
        raise ValueError(
            f"space2depth: height and width must be multiples of r={r}; got shape {tuple(X.shape)}"
        )
    h, w = hr // r, wr // r
    y = transpose(reshape(X, (n, c, h, r, w, r)), (0, 3, 5, 1, 2, 4))
    return reshape(y, (n, r * r * c, h, w))
