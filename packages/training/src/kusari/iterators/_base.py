"""Epoch bookkeeping shared by every iterator: the state machine and its serialization.

A state is ``(current_position, epoch, is_new_epoch, order)``. One step takes the next
``batch_size`` indices; when it reaches the end of the epoch it takes the rest of the
epoch, asks the order sampler for the next order and, when repeating, fills the batch
from the start of the next epoch (so one batch can span two epochs, as in Chainer).
"""

from __future__ import annotations

import contextlib
import operator
from typing import Any, NamedTuple

import numpy

from kusari.dataset.iterator import Iterator
from kusari.iterators.order_samplers import ShuffleOrderSampler

__all__ = ["EpochState", "EpochIterator", "advance"]


class EpochState(NamedTuple):
    current_position: int
    epoch: int
    is_new_epoch: bool
    order: numpy.ndarray | None


def _span(order: numpy.ndarray | None, start: int, stop: int) -> numpy.ndarray:
    if order is None:
        return numpy.arange(start, stop, dtype=numpy.intp)
    return order[start:stop]


def advance(
    state: EpochState,
    batch_size: int,
    repeat: bool,
    order_sampler: Any,
    dataset_len: int,
    name: str,
) -> tuple[EpochState, numpy.ndarray | None]:
    """Return the state after one batch and the batch's indices (None: iteration over)."""
    position, epoch, _, order = state
    if not repeat and epoch > 0:
        return state, None
    n = dataset_len if order is None else len(order)
    if n == 0:
        raise ValueError(f"{name}: cannot draw a batch from an empty dataset")
    end = position + batch_size if repeat else min(position + batch_size, n)
    pieces = []
    is_new_epoch = False
    while end >= n:
        pieces.append(_span(order, position, n))
        if order is not None:
            new_order = order_sampler(order, position)
            if len(new_order) != len(order):
                raise ValueError(
                    f"{name}: the order sampler returned an order of length {len(new_order)}, "
                    f"expected {len(order)}"
                )
            order = numpy.asarray(new_order)
        position, end = 0, (end - n if repeat else 0)
        epoch += 1
        is_new_epoch = True
    pieces.append(_span(order, position, end))
    indices = pieces[0] if len(pieces) == 1 else numpy.concatenate(pieces)
    return EpochState(end, epoch, is_new_epoch, order), indices


class EpochIterator(Iterator):
    """Base of kusari's iterators: arguments, epoch properties, reset and serialize.

    Subclasses implement ``__next__`` with :meth:`_next_indices` and may override
    :meth:`_state_replaced` to drop work prepared for the old state.
    """

    def __init__(
        self, dataset: Any, batch_size: int, repeat: bool, shuffle: bool | None, order_sampler: Any
    ) -> None:
        name = type(self).__name__
        try:
            batch_size = operator.index(batch_size)
        except TypeError:
            raise TypeError(
                f"{name}: expected an int batch_size, got {type(batch_size).__name__}"
            ) from None
        if batch_size <= 0:
            raise ValueError(f"{name}: expected a positive batch_size, got {batch_size}")
        if shuffle is not None:
            if order_sampler is not None:
                raise ValueError(
                    f"{name}: got both shuffle={shuffle!r} and an order_sampler; help: pass "
                    "shuffle=None to use the order sampler"
                )
            order_sampler = ShuffleOrderSampler() if shuffle else None
        elif order_sampler is None:
            order_sampler = ShuffleOrderSampler()
        elif not callable(order_sampler):
            raise TypeError(
                f"{name}: expected a callable order_sampler, got {type(order_sampler).__name__}"
            )
        self.dataset = dataset
        self.batch_size = batch_size
        self._repeat = bool(repeat)
        self._shuffle = shuffle
        self.order_sampler = order_sampler
        self.reset()

    # --- the state machine ---------------------------------------------------------

    def _next_indices(self) -> numpy.ndarray:
        """Advance the visible state by one batch and return its indices."""
        self._previous_epoch_detail = self.epoch_detail
        state, indices = advance(
            self._state,
            self.batch_size,
            self._repeat,
            self.order_sampler,
            len(self.dataset),
            type(self).__name__,
        )
        if indices is None:
            raise StopIteration
        self._state = state
        return indices

    def _state_replaced(self) -> None:
        """Hook: the state was reset or loaded."""

    def reset(self) -> None:
        """Go back to the start of the first epoch (a new order is drawn)."""
        order = (
            self.order_sampler(numpy.arange(len(self.dataset)), 0) if self.order_sampler else None
        )
        self._state = EpochState(0, 0, False, None if order is None else numpy.asarray(order))
        self._previous_epoch_detail = -1.0  # -1 stands for None: serializers cannot hold None
        self._state_replaced()

    # --- epoch properties ----------------------------------------------------------

    @property
    def current_position(self) -> int:
        """Index (in the epoch's order) of the next example."""
        return self._state.current_position

    @property
    def epoch(self) -> int:
        """Number of completed epochs."""
        return self._state.epoch

    @property
    def is_new_epoch(self) -> bool:
        """True when the last batch completed an epoch."""
        return self._state.is_new_epoch

    @property
    def _epoch_size(self) -> int:
        order = self._state.order
        return len(self.dataset) if order is None else len(order)

    @property
    def epoch_detail(self) -> float:
        """Epochs done, with the fraction of the current one (``epoch + position / n``)."""
        size = self._epoch_size
        return self.epoch + self.current_position / size if size else float(self.epoch)

    @property
    def previous_epoch_detail(self) -> float | None:
        """``epoch_detail`` before the last batch; None before the first."""
        if self._previous_epoch_detail < 0:
            return None
        return self._previous_epoch_detail

    @property
    def repeat(self) -> bool:
        """Whether iteration goes on past the first epoch."""
        return self._repeat

    # --- serialization ---------------------------------------------------------------

    def serialize(self, serializer: Any) -> None:
        """Save or load the position, epoch, order and the order sampler's random state.

        Keys: ``current_position``, ``epoch``, ``is_new_epoch``, ``order`` (when
        shuffling), ``previous_epoch_detail`` and ``order_sampler/random_state``. Chainer
        snapshots (without the last key, or with ``_order``) load too.
        """
        old = self._state
        position = int(serializer("current_position", old.current_position))
        epoch = int(serializer("epoch", old.epoch))
        is_new_epoch = bool(serializer("is_new_epoch", old.is_new_epoch))
        order = old.order
        if order is not None:
            buffer = order.copy()  # some deserializers copy into the array they are given
            try:
                loaded = serializer("order", buffer)
            except KeyError:
                loaded = serializer("_order", buffer)
            order = numpy.asarray(buffer if loaded is None else loaded)
        self._state = EpochState(position, epoch, is_new_epoch, order)
        try:
            self._previous_epoch_detail = float(
                serializer("previous_epoch_detail", self._previous_epoch_detail)
            )
        except KeyError:
            # Snapshot from an old Chainer: guess it from the position, as Chainer does.
            guess = epoch + (position - self.batch_size) / self._epoch_size
            self._previous_epoch_detail = max(guess, 0.0) if self.epoch_detail > 0 else -1.0
        sampler_changed = self._serialize_sampler(serializer)
        changed = sampler_changed or (position, epoch, is_new_epoch) != old[:3]
        if not changed and order is not None:
            changed = old.order is None or not numpy.array_equal(order, old.order)
        if changed:
            self._state_replaced()

    def _serialize_sampler(self, serializer: Any) -> bool:
        sampler = self.order_sampler
        if sampler is None or not hasattr(sampler, "serialize"):
            return False
        try:
            child = serializer["order_sampler"]
        except (TypeError, KeyError, AttributeError):
            return False  # a flat serializer: nowhere to put the sampler state
        if isinstance(sampler, ShuffleOrderSampler):
            before = sampler.get_state()
            try:
                sampler.serialize(child)
            except KeyError:
                return False  # snapshot made without the sampler state (e.g. by Chainer)
            return not numpy.array_equal(before, sampler.get_state())
        with contextlib.suppress(KeyError):  # snapshot without the sampler state
            sampler.serialize(child)
        return False
