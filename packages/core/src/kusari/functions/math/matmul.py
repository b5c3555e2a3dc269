"""``matmul`` and ``batch_matmul``: matrix products on the last two axes."""

from __future__ import annotations

from typing import Any

from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["MatMul", "matmul", "batch_matmul"]


def _swap(a: Any) -> Any:
    return a.swapaxes(-1, -2) if a.ndim >= 2 else a


class MatMul(FunctionNode):
    """``op(a) @ op(b)`` for arrays of 2+ dims; leading dims broadcast."""

    def __init__(self, transa: bool = False, transb: bool = False) -> None:
        self.transa = transa
        self.transb = transb

    def forward(self, inputs):
        a, b = inputs
        if a.dtype != b.dtype:
            raise TypeError(
                f"matmul: both operands must have the same dtype; got {a.dtype} and {b.dtype}"
            )
        if a.ndim < 2 or b.ndim < 2:
            raise ValueError(
                f"MatMul: expected arrays of 2 or more dims; got shapes {a.shape} and {b.shape}"
            )
        self.retain_inputs((0, 1))
        a2 = _swap(a) if self.transa else a
        b2 = _swap(b) if self.transb else b
        if a2.shape[-1] != b2.shape[-2]:
            raise ValueError(
                f"matmul: shapes {a.shape}{'ᵀ' if self.transa else ''} and "
                f"{b.shape}{'ᵀ' if self.transb else ''} are not aligned "
                f"({a2.shape[-1]} != {b2.shape[-2]})"
            )
        return (a2 @ b2,)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import sum_to

        a, b = self.get_retained_inputs()
        (gy,) = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                # d(op(a)) = gy @ op(b)^T ; undo op on a
                if self.transa:
                    ga = MatMul(self.transb, True).apply((b, gy))[0]
                else:
                    ga = MatMul(False, not self.transb).apply((gy, b))[0]
                out.append(sum_to(ga, a.shape) if ga.shape != a.shape else ga)
            else:
                if self.transb:
                    gb = MatMul(True, self.transa).apply((gy, a))[0]
                else:
                    gb = MatMul(not self.transa, False).apply((a, gy))[0]
                out.append(sum_to(gb, b.shape) if gb.shape != b.shape else gb)
        return tuple(out)

    def backward_arrays(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import sum_to_array

        a = self.inputs[0].data
        b = self.inputs[1].data
        gy = grad_outputs[0]
        out = []
        for i in indexes:
            if i == 0:
                bt = b if self.transb else _swap(b)
                ga = gy @ bt
                if self.transa:
                    ga = _swap(ga)
                out.append(sum_to_array(ga, a.shape))
            else:
                at = a if self.transa else _swap(a)
                gb = at @ gy
                if self.transb:
                    gb = _swap(gb)
                out.append(sum_to_array(gb, b.shape))
        return tuple(out)


def matmul(a: Any, b: Any, transa: bool = False, transb: bool = False) -> Variable:
    """Matrix product of ``a`` and ``b`` (NumPy ``matmul`` semantics, 1-D operands included).

    Args:
        a: First operand.
        b: Second operand.
        transa: Transpose the last two axes of ``a`` first.
        transb: Transpose the last two axes of ``b`` first.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.matmul(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32)).shape
        (2, 4)
    """
    from kusari.functions.array.reshape import reshape

    a_vec, b_vec = a.ndim == 1, b.ndim == 1
    if a_vec:
        a = reshape(a, (1, -1))
        transa = False
    if b_vec:
        b = reshape(b, (-1, 1))
        transb = False
    y = MatMul(transa, transb).apply((a, b))[0]
    if a_vec and b_vec:
        return reshape(y, y.shape[:-2])
    if a_vec:
        return reshape(y, y.shape[:-2] + y.shape[-1:])
    if b_vec:
        return reshape(y, y.shape[:-1])
    return y


def batch_matmul(a: Any, b: Any, transa: bool = False, transb: bool = False) -> Variable:
    """Batched matrix product of 3-D arrays (Chainer's ``batch_matmul``; prefer matmul).

    Args:
        a: Array of shape ``(B, N, K)`` (a 2-D ``(B, N)`` is read as ``(B, N, 1)``).
        b: Array of shape ``(B, K, M)`` (a 2-D ``(B, K)`` is read as ``(B, K, 1)``).
        transa: Transpose each matrix of ``a`` first.
        transb: Transpose each matrix of ``b`` first.

    Returns:
        The products, shape ``(B, N, M)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.batch_matmul(np.ones((4, 2, 3), np.float32), np.ones((4, 3, 5), np.float32)).shape
        (4, 2, 5)
    """
    if a.ndim == 2:
        from kusari.functions.array.reshape import reshape

        a = reshape(a, a.shape + (1,))
    if b.ndim == 2:
        from kusari.functions.array.reshape import reshape

        b = reshape(b, b.shape + (1,))
    return MatMul(transa, transb).apply((a, b))[0]
