"""``bilinear``: the bilinear form ``e1^T W e2`` (+ linear terms and bias), per sample."""

from __future__ import annotations

from typing import Any

from kusari.functions.array.reshape import reshape
from kusari.functions.math.matmul import matmul
from kusari.variable import Variable

__all__ = ["bilinear"]


def bilinear(e1: Any, e2: Any, W: Any, V1: Any = None, V2: Any = None, b: Any = None) -> Variable:
    """Bilinear function ``y_l = sum_jk e1_j W_jkl e2_k + (e1 V1)_l + (e2 V2)_l + b_l``.

    Built from ``matmul`` over the flattened outer product ``e1 ⊗ e2`` (one GEMM with
    ``J*K`` inner size), so it is differentiable any number of times. ``V1``, ``V2`` and
    ``b`` must be given together or not at all (Chainer's rule).

    Args:
        e1: Left input of shape (N, J) (further axes are flattened).
        e2: Right input of shape (N, K) (further axes are flattened).
        W: Tensor of shape (J, K, L).
        V1: Optional matrix of shape (J, L).
        V2: Optional matrix of shape (K, L).
        b: Optional bias of shape (L,).

    Returns:
        Variable of shape (N, L).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> e = np.ones((2, 3), np.float32)
        >>> F.bilinear(e, e, np.ones((3, 3, 4), np.float32)).array
        array([[9., 9., 9., 9.],
               [9., 9., 9., 9.]], dtype=float32)
    """
    fn = "bilinear"
    if e1.ndim < 2 or e2.ndim < 2 or e1.shape[0] != e2.shape[0]:
        raise ValueError(
            f"{fn}: e1 and e2 must be (N, ...) with the same N; got shapes "
            f"{tuple(e1.shape)} and {tuple(e2.shape)}"
        )
    for name, a in (("e1", e1), ("e2", e2), ("W", W)):
        if a.dtype.kind != "f":
            raise TypeError(f"{fn}: {name} must have a float dtype; got {a.dtype}")
    n = e1.shape[0]
    if e1.ndim > 2:
        e1 = reshape(e1, (n, -1))
    if e2.ndim > 2:
        e2 = reshape(e2, (n, -1))
    j, k = e1.shape[1], e2.shape[1]
    if W.ndim != 3 or W.shape[:2] != (j, k):
        raise ValueError(
            f"{fn}: W must have shape ({j}, {k}, L) for e1 {tuple(e1.shape)} and "
            f"e2 {tuple(e2.shape)}; got {tuple(W.shape)}"
        )
    given = [a is not None for a in (V1, V2, b)]
    if any(given) and not all(given):
        raise ValueError(f"{fn}: V1, V2 and b must be given together or not at all")
    outer = reshape(e1, (n, j, 1)) * reshape(e2, (n, 1, k))
    y = matmul(reshape(outer, (n, j * k)), reshape(W, (j * k, W.shape[2])))
    if V1 is not None:
        y = y + matmul(e1, V1) + matmul(e2, V2) + b
    return y
