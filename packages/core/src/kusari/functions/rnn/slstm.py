"""``slstm``: the S-LSTM cell for binary trees (two children), from primitives.

Gates use :func:`~kusari.functions.lstm`'s interleaved layout. The formula is what
Chainer computes (its docstring writes ``tanh(a1 + a2) * sigmoid(i1 + i2)`` for the cell
input, but every implementation sums the two children's products, as below). Built from
``tanh``/``sigmoid``/arithmetic, so it is differentiable to any order.
"""

from __future__ import annotations

from typing import Any

from kusari.functions._checks import require_float
from kusari.functions.activation.sigmoid import sigmoid
from kusari.functions.activation.tanh import tanh
from kusari.functions.array.reshape import reshape
from kusari.variable import Variable

__all__ = ["slstm"]


def _gates(x: Any, h: int) -> tuple[Variable, ...]:
    r = reshape(x, (x.shape[0], h, 4) + tuple(x.shape[2:]))
    return tuple(r[:, :, k] for k in range(4))


def slstm(c_prev1: Any, c_prev2: Any, x1: Any, x2: Any) -> tuple[Variable, Variable]:
    """S-LSTM cell: merge two child states into one (tree-structured LSTM).

    With ``a_k, i_k, f_k, o_k`` read from ``x_k`` as in :func:`lstm`::

        c = tanh(a1) * sigmoid(i1) + tanh(a2) * sigmoid(i2)
            + sigmoid(f1) * c_prev1 + sigmoid(f2) * c_prev2
        h = sigmoid(o1 + o2) * tanh(c)

    Args:
        c_prev1: Cell state of the first child, shape ``(B, H, ...)``.
        c_prev2: Cell state of the second child, same shape.
        x1: Gate inputs from the first child, shape ``(B, 4 * H, ...)``.
        x2: Gate inputs from the second child, same shape.

    Returns:
        tuple: ``(c, h)``, both of ``c_prev1``'s shape.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> z, x = np.zeros((1, 2), np.float32), np.zeros((1, 8), np.float32)
        >>> c, h = F.slstm(z, z, x, x)
        >>> c.shape, h.shape
        ((1, 2), (1, 2))
    """
    fname = "slstm"
    names = ("c_prev1", "c_prev2", "x1", "x2")
    args = (c_prev1, c_prev2, x1, x2)
    for name, a in zip(names, args):
        require_float(fname, a, name)
        if a.dtype != c_prev1.dtype:
            raise TypeError(
                f"{fname}: all inputs must share a dtype; got {c_prev1.dtype} "
                f"(c_prev1) and {a.dtype} ({name})"
            )
    shape = tuple(c_prev1.shape)
    xshape = (shape[0], 4 * shape[1]) + shape[2:] if len(shape) >= 2 else None
    if (
        xshape is None
        or tuple(c_prev2.shape) != shape
        or tuple(x1.shape) != xshape
        or tuple(x2.shape) != xshape
    ):
        raise ValueError(
            f"{fname}: expected c_prev1, c_prev2 of shape (B, H, ...) and x1, x2 of shape "
            f"(B, 4 * H, ...); got {shape}, {tuple(c_prev2.shape)}, {tuple(x1.shape)}, "
            f"{tuple(x2.shape)}"
        )
    h = shape[1]
    a1, i1, f1, o1 = _gates(x1, h)
    a2, i2, f2, o2 = _gates(x2, h)
    c = (
        tanh(a1) * sigmoid(i1)
        + tanh(a2) * sigmoid(i2)
        + sigmoid(f1) * c_prev1
        + sigmoid(f2) * c_prev2
    )
    return c, sigmoid(o1 + o2) * tanh(c)
