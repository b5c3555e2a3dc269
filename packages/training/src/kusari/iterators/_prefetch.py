"""Keeping batches in flight ahead of what the user has received.

Used by the thread and process iterators. Work is submitted for the batches that follow
the visible state, but never past a batch that needs the order sampler (the one that
ends a shuffled epoch): that batch is planned only when it is requested. So the sampler
and its random generator are used exactly when :class:`SerialIterator` would use them,
the iterators yield the same batches as ``SerialIterator`` for the same seed, and a
snapshot's random state always matches its position.

The owning iterator provides ``_submit(indices) -> handle``, ``_collect(handle) ->
batch`` and ``_discard(handles)``; it is passed to each call rather than stored, so no
reference cycle keeps an iterator (and its worker processes) alive.
"""

from __future__ import annotations

import collections
from typing import Any

import numpy

from kusari.iterators._base import EpochIterator, EpochState, advance

__all__ = ["Prefetcher"]


def _advance(it: EpochIterator, state: EpochState) -> tuple[EpochState, numpy.ndarray | None]:
    return advance(
        state, it.batch_size, it.repeat, it.order_sampler, len(it.dataset), type(it).__name__
    )


class Prefetcher:
    """Up to ``depth`` submitted batches, each with the iterator state after it."""

    __slots__ = ("_depth", "_pending")

    def __init__(self, depth: int) -> None:
        self._depth = depth
        self._pending: collections.deque[tuple[Any, EpochState]] = collections.deque()

    def next_batch(self, it: Any) -> list:
        """Return the next batch of ``it`` and advance its visible state."""
        it._previous_epoch_detail = it.epoch_detail
        if not self._pending:
            state, indices = _advance(it, it._state)
            if indices is None:
                raise StopIteration
            self._pending.append((it._submit(indices), state))
        handle, state = self._pending.popleft()
        try:
            batch = it._collect(handle)
        except BaseException:
            self.clear(it)
            raise
        it._state = state
        self.fill(it)
        return batch

    def fill(self, it: Any) -> None:
        """Submit the batches after the last planned one, up to ``depth``."""
        state = self._pending[-1][1] if self._pending else it._state
        while len(self._pending) < self._depth:
            if state.order is not None and state.current_position + it.batch_size >= len(
                state.order
            ):
                break  # the next batch calls the order sampler: plan it when asked
            state, indices = _advance(it, state)
            if indices is None:
                break
            self._pending.append((it._submit(indices), state))

    def clear(self, it: Any) -> None:
        """Drop every batch in flight (after a reset, a loaded snapshot or an error)."""
        handles = [handle for handle, _ in self._pending]
        self._pending.clear()
        if handles:
            it._discard(handles)
