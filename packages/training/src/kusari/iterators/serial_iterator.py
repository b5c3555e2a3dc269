"""``SerialIterator``: batches read one example after another in the calling thread."""

from __future__ import annotations

from typing import Any

from kusari.dataset._batch import fetch_batch
from kusari.iterators._base import EpochIterator

__all__ = ["SerialIterator"]


class SerialIterator(EpochIterator):
    """Dataset iterator reading examples in order or in a shuffled order.

    Each ``next()`` returns a list of ``batch_size`` examples. With ``repeat=True`` it
    never stops, and the batch that ends an epoch is completed with the first examples of
    the next one; with ``repeat=False`` the last batch may be short and ``StopIteration``
    follows it. A dataset of whole NumPy arrays (``TupleDataset``, ``DictDataset``, an
    array, or a ``SubDataset`` of them) is read with one fancy-indexing call per field.

    Args:
        dataset: The dataset.
        batch_size: Examples per batch.
        repeat: Loop over the dataset forever.
        shuffle: True to shuffle each epoch, False to keep the dataset order; None (the
            default) shuffles unless ``order_sampler`` is given.
        order_sampler: ``sampler(order, position) -> next order``; needs ``shuffle=None``.

    Example:
        >>> it = SerialIterator(list(range(5)), 2, shuffle=False)
        >>> next(it), next(it), next(it), it.epoch, it.is_new_epoch
        ([0, 1], [2, 3], [4, 0], 1, True)
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        repeat: bool = True,
        shuffle: bool | None = None,
        order_sampler: Any = None,
    ) -> None:
        super().__init__(dataset, batch_size, repeat, shuffle, order_sampler)

    def __next__(self) -> list:
        return fetch_batch(self.dataset, self._next_indices())

    next = __next__
