"""``embed_id``: look rows of an embedding matrix up by integer id."""

from __future__ import annotations

from typing import Any

from kusari._deferred import ScatterAddGrad
from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["EmbedIDFunction", "EmbedIDGrad", "embed_id"]


class EmbedIDFunction(FunctionNode):
    """``y = W[x]``; ids equal to ``ignore_label`` give zero rows and no gradient."""

    def __init__(self, ignore_label: int | None = None) -> None:
        self.ignore_label = ignore_label

    def forward(self, inputs):
        x, W = inputs
        self.retain_inputs((0,))
        self._w_shape = W.shape
        self._size = W.size
        xp = get_array_module(x)
        il = self.ignore_label
        mask = None if il is None else x == il
        ids = x if mask is None else xp.where(mask, 0, x)
        if ids.size:
            lo, hi, n = int(ids.min()), int(ids.max()), W.shape[0]
            if lo < 0 or hi >= n:
                raise ValueError(
                    f"embed_id: ids must be in [0, {n}) for W of shape {W.shape}"
                    f"{'' if il is None else f' (or equal ignore_label={il})'}; got values in "
                    f"[{lo}, {hi}]"
                )
        y = W.take(ids, axis=0)
        if mask is not None:
            y[mask] = 0
        return (y,)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        gw = EmbedIDGrad(self._w_shape, self.ignore_label).apply((x, grad_outputs[0]))[0]
        return tuple(gw if i == 1 else None for i in indexes)

    def backward_arrays(self, indexes, grad_outputs):
        x, gy = self.inputs[0].data, grad_outputs[0]
        if self.inputs[1].creator is None and gy.size < self._size:
            # A leaf table, and the rows are fewer than the table: defer, so every use
            # in one backward pass is one scatter-add into one zero matrix
            # (kusari._deferred) instead of one dense matrix each.
            ids = x.ravel()
            rows = gy.reshape((ids.size,) + self._w_shape[1:])
            if self.ignore_label is not None:
                keep = ids != self.ignore_label
                ids, rows = ids[keep], rows[keep]
            gw = ScatterAddGrad(self._w_shape, ids, rows)
        else:
            gw = EmbedIDGrad(self._w_shape, self.ignore_label).forward((x, gy))[0]
        return tuple(gw if i == 1 else None for i in indexes)


class EmbedIDGrad(FunctionNode):
    """Scatter-add ``gy`` rows into a zero matrix at the ids (the gradient of ``W[x]``)."""

    def __init__(self, w_shape: tuple[int, ...], ignore_label: int | None = None) -> None:
        self.w_shape = w_shape
        self.ignore_label = ignore_label

    def forward(self, inputs):
        x, gy = inputs
        self.retain_inputs((0,))
        xp = get_array_module(gy)
        gw = xp.zeros(self.w_shape, dtype=gy.dtype)
        ids = x.ravel()
        rows = gy.reshape((ids.size,) + self.w_shape[1:])
        if self.ignore_label is not None:
            keep = ids != self.ignore_label
            ids, rows = ids[keep], rows[keep]
        xp.add.at(gw, ids, rows)  # repeated ids accumulate
        return (gw,)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        out = []
        for i in indexes:
            if i == 1:
                out.append(EmbedIDFunction(self.ignore_label).apply((x, grad_outputs[0]))[0])
            else:
                out.append(None)
        return tuple(out)


def embed_id(x: Any, W: Any, ignore_label: int | None = None) -> Variable:
    """Embedding lookup: row ``x[i]`` of ``W`` for every id in ``x``.

    Args:
        x: Integer ids of any shape.
        W: Embedding matrix of shape (n_vocab, n_units...), float dtype.
        ignore_label: Id whose output is a zero vector and that receives no gradient.

    Returns:
        Variable of shape ``x.shape + W.shape[1:]``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> W = np.arange(6, dtype=np.float32).reshape(3, 2)
        >>> F.embed_id(np.array([2, 0, -1]), W, ignore_label=-1).array
        array([[4., 5.],
               [0., 1.],
               [0., 0.]], dtype=float32)
    """
    if x.dtype.kind not in "iu":
        raise TypeError(f"embed_id: x must hold integer ids; got dtype {x.dtype}")
    if W.dtype.kind != "f":
        raise TypeError(f"embed_id: W must have a float dtype; got {W.dtype}")
    if W.ndim < 1:
        raise ValueError(f"embed_id: W must be at least 1-D (n_vocab, ...); got shape {W.shape}")
    return EmbedIDFunction(ignore_label).apply((x, W))[0]
