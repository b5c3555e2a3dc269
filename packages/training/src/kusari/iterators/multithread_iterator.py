"""``MultithreadIterator``: examples loaded by a pool of threads, one batch ahead."""

from __future__ import annotations

import concurrent.futures
import operator
from typing import Any

import numpy

from kusari.dataset._batch import fetch_batch, take_columns
from kusari.iterators._base import EpochIterator
from kusari.iterators._prefetch import Prefetcher

__all__ = ["MultithreadIterator"]


class MultithreadIterator(EpochIterator):
    """Dataset iterator loading examples with ``n_threads`` threads.

    Useful when reading an example waits on I/O (images from disk) or on code that
    releases the GIL. While the caller works on one batch, the next is being loaded. The
    batches, epochs and serialized state are those of :class:`SerialIterator` with the
    same arguments and random seed.

    Args:
        dataset: The dataset.
        batch_size: Examples per batch.
        repeat: Loop over the dataset forever.
        shuffle: As in :class:`SerialIterator`.
        n_threads: Worker threads.
        order_sampler: As in :class:`SerialIterator`.

    Example:
        >>> with MultithreadIterator(list(range(4)), 3, shuffle=False, n_threads=2) as it:
        ...     next(it), next(it)
        ([0, 1, 2], [3, 0, 1])
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        repeat: bool = True,
        shuffle: bool | None = None,
        n_threads: int = 1,
        order_sampler: Any = None,
    ) -> None:
        try:
            n_threads = operator.index(n_threads)
        except TypeError:
            raise TypeError(
                f"MultithreadIterator: expected an int n_threads, got {type(n_threads).__name__}"
            ) from None
        if n_threads <= 0:
            raise ValueError(f"MultithreadIterator: expected a positive n_threads, got {n_threads}")
        self.n_threads = n_threads
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._prefetcher = Prefetcher(1)
        super().__init__(dataset, batch_size, repeat, shuffle, order_sampler)

    def __next__(self) -> list:
        return self._prefetcher.next_batch(self)

    next = __next__

    def _submit(self, indices: numpy.ndarray) -> list[concurrent.futures.Future]:
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                self.n_threads, thread_name_prefix="kusari-iterator"
            )
        dataset = self.dataset
        if take_columns(dataset, indices[:0]) is not None:  # array-backed: one vectorised read
            return [self._pool.submit(fetch_batch, dataset, indices)]
        chunks = numpy.array_split(indices, min(self.n_threads, len(indices)))
        return [self._pool.submit(_read, dataset, chunk.tolist()) for chunk in chunks]

    @staticmethod
    def _collect(futures: list[concurrent.futures.Future]) -> list:
        if len(futures) == 1:
            return futures[0].result()
        batch: list = []
        for future in futures:
            batch.extend(future.result())
        return batch

    @staticmethod
    def _discard(handles: list[list[concurrent.futures.Future]]) -> None:
        for futures in handles:
            for future in futures:
                future.cancel()  # running ones finish in the background and are ignored

    def _state_replaced(self) -> None:
        self._prefetcher.clear(self)

    def finalize(self) -> None:
        """Stop the worker threads (a later ``next()`` starts new ones)."""
        self._prefetcher.clear(self)
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __copy__(self) -> MultithreadIterator:
        other = MultithreadIterator.__new__(MultithreadIterator)
        other.__dict__.update(self.__dict__)
        other._pool = None
        other._prefetcher = Prefetcher(1)
        return other


def _read(dataset: Any, indices: list[int]) -> list:
    return [dataset[i] for i in indices]
