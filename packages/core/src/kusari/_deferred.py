"""Leaf-gradient contributions whose computation is merged across uses of one weight.

A weight used at many time steps (an RNN's matrices, an embedding) receives one
gradient contribution per use. Computed one by one, each is a thin GEMM (or a dense
zero matrix plus a scatter) writing the whole weight-sized array, followed by an
addition. Deferred, the engine collects them per leaf and :meth:`DeferredGrad.combine`
computes the sum in one kernel: one GEMM over the concatenated batches, one scatter.

Only array-level backward (no double backprop) produces them, and only for leaves;
anything else calls :meth:`DeferredGrad.materialize` at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kusari.backend import get_array_module

__all__ = ["DeferredGrad", "GemmGrad", "ScatterAddGrad"]


class DeferredGrad:
    """A gradient term computed later, possibly together with others of its kind."""

    __slots__ = ()

    def materialize(self) -> Any:
        """The gradient array of this term alone."""
        raise NotImplementedError

    @classmethod
    def combine(cls, terms: Sequence[DeferredGrad]) -> Any:
        """The sum of ``terms`` (all of this class and shape) as one new array."""
        total = terms[0].materialize()
        for t in terms[1:]:
            total += t.materialize()
        return total


class GemmGrad(DeferredGrad):
    """``a.T @ b`` for 2-D ``a`` (N, M) and ``b`` (N, K): a linear weight's gradient."""

    __slots__ = ("a", "b")

    def __init__(self, a: Any, b: Any) -> None:
        self.a = a
        self.b = b

    def materialize(self) -> Any:
        a, b = self.a, self.b
        if a.shape[0] == 1:  # an outer product: ``dot`` beats matmul here
            return get_array_module(a).dot(a.T, b)
        return a.T @ b

    @classmethod
    def combine(cls, terms: Sequence[GemmGrad]) -> Any:
        if len(terms) == 1:
            return terms[0].materialize()
        xp = get_array_module(terms[0].a)
        a = xp.concatenate([t.a for t in terms])
        b = xp.concatenate([t.b for t in terms])
        return a.T @ b  # sum_t a_t.T b_t as one GEMM with K = sum of the batches


class ScatterAddGrad(DeferredGrad):
    """Rows ``values`` added at ``ids`` into zeros of ``shape``: an embedding's gradient."""

    __slots__ = ("shape", "ids", "values")

    def __init__(self, shape: tuple[int, ...], ids: Any, values: Any) -> None:
        self.shape = shape
        self.ids = ids
        self.values = values

    def materialize(self) -> Any:
        return ScatterAddGrad.combine([self])

    @classmethod
    def combine(cls, terms: Sequence[ScatterAddGrad]) -> Any:
        first = terms[0]
        xp = get_array_module(first.values)
        out = xp.zeros(first.shape, dtype=first.values.dtype)
        if len(terms) == 1:
            ids, values = first.ids, first.values
        else:
            ids = xp.concatenate([t.ids for t in terms])
            values = xp.concatenate([t.values for t in terms])
        xp.add.at(out, ids, values)  # repeated ids accumulate
        return out
