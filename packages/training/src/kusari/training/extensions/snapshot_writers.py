"""Snapshot writers: how ``snapshot`` puts a file on disk (now, or in the background).

A writer is called as ``writer(filename, outdir, target)``. Every writer produces the file
atomically (a temporary file beside it, fsync, rename, through core's
``kusari.serializers`` helper), so a crash at any moment leaves either the previous
complete file or the new complete one, never half a snapshot under the final name.

The background writers first copy the target's state into memory (a consistent
snapshot of this very iteration) and only then write the file while training goes on.

Example:
    >>> from kusari.training.extensions import snapshot, snapshot_writers
    >>> ext = snapshot(writer=snapshot_writers.ThreadWriter())
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from typing import Any

import numpy

from kusari.serializers import DictionarySerializer, save_hdf5, save_npz
from kusari.serializers._atomic import write_atomically

__all__ = [
    "Writer",
    "SimpleWriter",
    "StandardWriter",
    "ThreadWriter",
    "ProcessWriter",
    "QueueWriter",
    "ThreadQueueWriter",
    "ProcessQueueWriter",
]

# save functions that already write atomically: no second temporary file needed
_ATOMIC_SAVEFUNS = (save_npz, save_hdf5)


class _Frozen:
    """A target's state copied into memory; saving it writes the same keys as the target."""

    def __init__(self, target: Any) -> None:
        serializer = DictionarySerializer()
        serializer.save(target)
        # copies: the live arrays change as training goes on
        self.arrays = {k: numpy.array(v, copy=True) for k, v in serializer.target.items()}

    def serialize(self, serializer: Any) -> None:
        for key, value in self.arrays.items():
            serializer(key, value)


def _save(savefun: Callable[..., Any], path: str, target: Any, kwargs: dict[str, Any]) -> None:
    if savefun in _ATOMIC_SAVEFUNS:
        savefun(path, target, **kwargs)
    else:
        write_atomically("snapshot", path, lambda tmp: savefun(tmp, target, **kwargs))


class Writer:
    """Base of writers: ``writer(filename, outdir, target)`` saves ``target``.

    Subclasses call :meth:`save`. ``post_save`` (set by the snapshot extension) runs
    after each file is complete, e.g. to delete old snapshots.
    """

    def __init__(self, savefun: Callable[..., Any] = save_npz, **kwds: Any) -> None:
        if not callable(savefun):
            raise TypeError(f"{type(self).__name__}: savefun must be callable, got {savefun!r}")
        self._savefun = savefun
        self._kwds = kwds
        self.post_save: Callable[[str], Any] | None = None

    def __call__(self, filename: str, outdir: str, target: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")

    def save(
        self, filename: str, outdir: str, target: Any, savefun: Any = None, **kwds: Any
    ) -> None:
        """Write ``target`` to ``outdir/filename`` atomically, then run ``post_save``."""
        path = os.path.join(outdir, filename)
        _save(savefun or self._savefun, path, target, {**self._kwds, **kwds})
        if self.post_save is not None:
            self.post_save(path)

    def finalize(self) -> None:
        """Wait for pending writes and release workers."""


class SimpleWriter(Writer):
    """Write in the calling thread (the default).

    Args:
        savefun: ``savefun(path, target, **kwds)``; ``kusari.serializers.save_npz`` by
            default.
        kwds: Passed to ``savefun``.

    Example:
        >>> w = SimpleWriter()
    """

    def __call__(self, filename: str, outdir: str, target: Any) -> None:
        self.save(filename, outdir, target)


class StandardWriter(Writer):
    """Write each snapshot in a new worker; the next call first waits for the previous."""

    def __init__(self, savefun: Callable[..., Any] = save_npz, **kwds: Any) -> None:
        super().__init__(savefun, **kwds)
        self._worker: Any = None

    def create_worker(self, filename: str, outdir: str, target: Any) -> Any:
        """Return an unstarted worker (thread or process) that saves ``target``."""
        raise NotImplementedError

    def __call__(self, filename: str, outdir: str, target: Any) -> None:
        self.finalize()
        self._worker = self.create_worker(filename, outdir, _Frozen(target))
        self._worker.start()

    def finalize(self) -> None:
        if self._worker is not None:
            self._worker.join()
            failed = getattr(self._worker, "exitcode", 0)
            self._worker = None
            if failed:
                raise RuntimeError(
                    f"{type(self).__name__}: the writer process exited with {failed}"
                )


class ThreadWriter(StandardWriter):
    """Write each snapshot in a background thread.

    Example:
        >>> w = ThreadWriter()
    """

    def create_worker(self, filename: str, outdir: str, target: Any) -> Any:
        return threading.Thread(target=self.save, args=(filename, outdir, target), daemon=True)


class ProcessWriter(StandardWriter):
    """Write each snapshot in a forked process (POSIX ``fork``); ``post_save`` runs there too.

    Example:
        >>> w = ProcessWriter()
    """

    def create_worker(self, filename: str, outdir: str, target: Any) -> Any:
        import multiprocessing  # only the process writers need it

        try:
            ctx = multiprocessing.get_context("fork")
        except ValueError:
            raise RuntimeError("ProcessWriter needs the 'fork' start method (POSIX)") from None
        return ctx.Process(target=self.save, args=(filename, outdir, target), daemon=True)


class QueueWriter(Writer):
    """Queue snapshots to one long-lived consumer that writes them in order."""

    def __init__(self, savefun: Callable[..., Any] = save_npz, **kwds: Any) -> None:
        super().__init__(savefun, **kwds)
        self._queue: Any = None
        self._consumer: Any = None

    def create_queue(self) -> Any:
        raise NotImplementedError

    def create_consumer(self, q: Any) -> Any:
        raise NotImplementedError

    def consume(self, q: Any) -> None:
        """The consumer's loop: write each queued snapshot until ``None`` arrives."""
        while True:
            task = q.get()
            if task is None:
                return
            self.save(*task)

    def __call__(self, filename: str, outdir: str, target: Any) -> None:
        if self._consumer is None:
            self._queue = self.create_queue()
            self._consumer = self.create_consumer(self._queue)
            self._consumer.start()
        self._queue.put((filename, outdir, _Frozen(target)))

    def finalize(self) -> None:
        if self._consumer is not None:
            self._queue.put(None)
            self._consumer.join()
            self._consumer = None
            self._queue = None


class ThreadQueueWriter(QueueWriter):
    """A :class:`QueueWriter` whose consumer is a thread.

    Example:
        >>> w = ThreadQueueWriter()
    """

    def create_queue(self) -> Any:
        return queue.Queue()

    def create_consumer(self, q: Any) -> Any:
        return threading.Thread(target=self.consume, args=(q,), daemon=True)


class ProcessQueueWriter(QueueWriter):
    """A :class:`QueueWriter` whose consumer is a forked process.

    Example:
        >>> w = ProcessQueueWriter()
    """

    def _ctx(self) -> Any:
        import multiprocessing  # only the process writers need it

        return multiprocessing.get_context("fork")

    def create_queue(self) -> Any:
        return self._ctx().Queue()

    def create_consumer(self, q: Any) -> Any:
        return self._ctx().Process(target=self.consume, args=(q,), daemon=True)
