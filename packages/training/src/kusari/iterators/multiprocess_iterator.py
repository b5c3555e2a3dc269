"""``MultiprocessIterator``: examples loaded by worker processes, batches prefetched."""

from __future__ import annotations

import concurrent.futures
import math
import multiprocessing
import operator
import os
import sys
import time
import warnings
import weakref
from typing import Any

import numpy

from kusari.iterators import _workers
from kusari.iterators._base import EpochIterator
from kusari.iterators._prefetch import Prefetcher

__all__ = ["MultiprocessIterator"]


_SHUTDOWN_GRACE = 5.0  # seconds workers get to finish their chunk before termination


def _shutdown(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop a pool: cancel queued work, let workers exit, terminate any that hang."""
    # Private, but stable since 3.x: the live dict of workers (the manager thread adds
    # late-spawned ones to the same dict) and the manager thread itself, which the first
    # shutdown() call forgets, so a second shutdown(wait=True) would not wait for it.
    processes = getattr(pool, "_processes", None) or {}
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + _SHUTDOWN_GRACE
    for process in list(processes.values()):
        process.join(max(0.0, deadline - time.monotonic()))
    for process in list(processes.values()):
        if process.is_alive():
            process.terminate()  # a dataset stuck forever: do not leave it behind
            process.join(1.0)
    if manager is not None:
        manager.join(_SHUTDOWN_GRACE + 1.0)
    for process in list(processes.values()):  # spawned while we were shutting down
        process.join(1.0)
        if process.is_alive():
            process.terminate()
            process.join(1.0)


class MultiprocessIterator(EpochIterator):
    """Dataset iterator loading examples in worker processes.

    Workers get the dataset once (inherited with ``fork``, pickled with ``spawn``). Each
    batch is split into chunks read in parallel; up to ``n_prefetch`` batches are loaded
    ahead. Batches, epochs and the serialized state are those of :class:`SerialIterator`
    with the same arguments and seed. A worker that dies raises an error instead of
    hanging; :meth:`finalize` (or leaving a ``with`` block, or garbage collection) stops
    the workers, terminating any stuck in the dataset.

    Args:
        dataset: A picklable dataset.
        batch_size: Examples per batch.
        repeat: Loop over the dataset forever.
        shuffle: As in :class:`SerialIterator`.
        n_processes: Worker processes; the number of CPUs by default.
        n_prefetch: Batches loaded ahead (at least 1).
        shared_mem: Bytes of shared memory per example for returning arrays (copied
            once instead of pickled); None sends results through pipes. Examples whose
            arrays do not fit are sent through pipes, with a warning.
        order_sampler: As in :class:`SerialIterator`.
        dataset_timeout: Seconds after which waiting for a batch warns with
            :class:`MultiprocessIterator.TimeoutWarning` (then keeps waiting); None: never.
        maxtasksperchild: Replace each worker after this many chunks (Python 3.11+,
            not with ``fork``).
        mp_context: ``'fork'``, ``'spawn'``, ``'forkserver'``, a multiprocessing context,
            or None for the platform default.

    Example:
        >>> import numpy as np
        >>> with MultiprocessIterator(np.arange(6), 4, shuffle=False, n_processes=2) as it:
        ...     [b.tolist() for b in next(it)]
        [0, 1, 2, 3]
    """

    class TimeoutWarning(RuntimeWarning):
        """Loading a batch took longer than ``dataset_timeout`` seconds."""

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        repeat: bool = True,
        shuffle: bool | None = None,
        n_processes: int | None = None,
        n_prefetch: int = 1,
        shared_mem: int | None = None,
        order_sampler: Any = None,
        dataset_timeout: float | None = 30.0,
        maxtasksperchild: int | None = None,
        *,
        mp_context: Any = None,
    ) -> None:
        name = "MultiprocessIterator"
        self.n_processes = _positive(n_processes or os.cpu_count() or 1, name, "n_processes")
        self.n_prefetch = max(_positive(n_prefetch, name, "n_prefetch"), 1)
        self.shared_mem = None if shared_mem is None else _positive(shared_mem, name, "shared_mem")
        self.dataset_timeout = dataset_timeout
        self.maxtasksperchild = maxtasksperchild
        if isinstance(mp_context, str) or mp_context is None:
            mp_context = multiprocessing.get_context(mp_context)
        self._context = mp_context
        if maxtasksperchild is not None:
            if sys.version_info < (3, 11):
                raise ValueError(f"{name}: maxtasksperchild needs Python 3.11 or later")
            if mp_context.get_start_method() == "fork":
                raise ValueError(
                    f"{name}: maxtasksperchild cannot be used with the 'fork' start method"
                )
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._pool_finalizer: weakref.finalize | None = None
        self._memory: Any = None
        self._next_slot = 0
        self._prefetcher = Prefetcher(self.n_prefetch)
        super().__init__(dataset, batch_size, repeat, shuffle, order_sampler)

    def __next__(self) -> list:
        return self._prefetcher.next_batch(self)

    next = __next__

    # --- workers -------------------------------------------------------------------

    def _start(self) -> concurrent.futures.ProcessPoolExecutor:
        from multiprocessing import sharedctypes

        if self.shared_mem is not None:
            # One region per batch in flight; each example gets shared_mem bytes.
            self._memory = sharedctypes.RawArray(
                "b", self.n_prefetch * self.batch_size * self.shared_mem
            )
        kwargs: dict[str, Any] = {}
        if self.maxtasksperchild is not None:
            kwargs["max_tasks_per_child"] = self.maxtasksperchild
        pool = concurrent.futures.ProcessPoolExecutor(
            self.n_processes,
            mp_context=self._context,
            initializer=_workers.setup,
            initargs=(self.dataset, self._memory, self.shared_mem or 0),
            **kwargs,
        )
        self._pool = pool
        self._pool_finalizer = weakref.finalize(self, _shutdown, pool)
        return pool

    def _submit(self, indices: numpy.ndarray) -> tuple[int, list[concurrent.futures.Future]]:
        pool = self._pool or self._start()
        slot = self._next_slot
        self._next_slot = (slot + 1) % self.n_prefetch
        base = slot * self.batch_size
        n_chunks = min(len(indices), self.n_processes * 2)  # two per worker evens out slow examples
        size = math.ceil(len(indices) / n_chunks)
        futures = [
            pool.submit(_workers.fetch, indices[i : i + size].tolist(), base + i)
            for i in range(0, len(indices), size)
        ]
        return slot, futures

    def _collect(self, handle: tuple[int, list[concurrent.futures.Future]]) -> list:
        from concurrent.futures.process import BrokenProcessPool

        _, futures = handle
        timeout = self.dataset_timeout
        try:
            done, waiting = concurrent.futures.wait(futures, timeout=timeout)
            if waiting:
                warnings.warn(
                    f"MultiprocessIterator: loading a batch has taken more than {timeout} seconds; "
                    "still waiting (is the dataset stuck or very slow?)",
                    MultiprocessIterator.TimeoutWarning,
                    stacklevel=4,
                )
            batch: list = []
            overflow = 0
            for future in futures:
                examples, needed = future.result()
                overflow = max(overflow, needed)
                batch.extend(_workers.unpack(examples, self._memory))
        except BrokenProcessPool as e:
            self._close_pool()
            raise RuntimeError(
                "MultiprocessIterator: a worker process died while loading a batch (killed, "
                "out of memory, or crashed in the dataset); the workers were restarted for "
                "the next call"
            ) from e
        if overflow:
            warnings.warn(
                f"MultiprocessIterator: shared_mem={self.shared_mem} bytes is too small for an "
                f"example of {overflow} bytes; those arrays were sent through pipes. help: pass "
                f"shared_mem={overflow} or more",
                UserWarning,
                stacklevel=4,
            )
        return batch

    def _discard(self, handles: list[tuple[int, list[concurrent.futures.Future]]]) -> None:
        futures = [f for _, fs in handles for f in fs]
        for future in futures:
            future.cancel()
        if self._memory is not None:
            # Running chunks still write into shared memory: let them finish before the
            # regions are handed out again.
            concurrent.futures.wait(futures)
        self._next_slot = 0

    def _state_replaced(self) -> None:
        self._prefetcher.clear(self)

    def _close_pool(self) -> None:
        finalizer, self._pool_finalizer = self._pool_finalizer, None
        self._pool = None
        self._memory = None
        self._next_slot = 0
        if finalizer is not None:
            finalizer()  # runs _shutdown once

    def finalize(self) -> None:
        """Stop the worker processes (a later ``next()`` starts new ones)."""
        self._close_pool()  # first: then dropping the batches in flight waits for nothing
        self._prefetcher.clear(self)

    def __copy__(self) -> MultiprocessIterator:
        other = MultiprocessIterator.__new__(MultiprocessIterator)
        other.__dict__.update(self.__dict__)
        other._pool = other._pool_finalizer = other._memory = None
        other._next_slot = 0
        other._prefetcher = Prefetcher(other.n_prefetch)
        return other


def _positive(value: Any, name: str, what: str) -> int:
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name}: expected an int {what}, got {type(value).__name__}") from None
    if value <= 0:
        raise ValueError(f"{name}: expected a positive {what}, got {value}")
    return value
