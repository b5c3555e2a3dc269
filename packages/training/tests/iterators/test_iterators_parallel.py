"""MultithreadIterator and MultiprocessIterator: same batches as SerialIterator, resume,
shared memory, timeouts, worker failures and clean shutdown."""

import copy
import multiprocessing
import os
import signal
import time

import numpy
import pytest

from kusari.datasets import TupleDataset
from kusari.iterators import (
    MultiprocessIterator,
    MultithreadIterator,
    SerialIterator,
    ShuffleOrderSampler,
)


def dataset(n=11):
    return TupleDataset(
        numpy.arange(n * 3, dtype=numpy.float32).reshape(n, 3), numpy.arange(n, dtype=numpy.int32)
    )


class ListDataset:
    """A dataset read one example at a time, slow or failing on demand (fork only: spawn
    workers could not import this test module under pytest's importlib mode)."""

    def __init__(self, n, delay=0.0, die_at=None):
        self.n, self.delay, self.die_at = n, delay, die_at

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.delay:
            time.sleep(self.delay)
        if i == self.die_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if i == -5:
            raise KeyError("bad example")
        return numpy.full(2, i, numpy.float64), numpy.int32(i)


def make(kind, ds, batch_size, **kw):
    if kind == "serial":
        return SerialIterator(ds, batch_size, **kw)
    if kind == "thread":
        return MultithreadIterator(ds, batch_size, n_threads=2, **kw)
    return MultiprocessIterator(ds, batch_size, n_processes=2, mp_context=kind, **kw)


KINDS = ["thread", "fork", "spawn"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "ds",
    [dataset(), TupleDataset(list(numpy.eye(11)), list(range(11)))],
    ids=["arrays", "examples"],  # examples: list fields, read one by one
)
def test_same_batches_as_serial(tools, kind, ds):
    numpy.random.seed(0)
    expected = tools.record(SerialIterator(ds, 4), 9)
    numpy.random.seed(0)
    with make(kind, ds, 4, **({"n_prefetch": 3} if kind != "thread" else {})) as it:
        assert tools.record(it, 9) == expected


@pytest.mark.parametrize("kind", ["thread", "fork"])
def test_no_repeat(tools, kind):
    with make(kind, dataset(5), 2, repeat=False, shuffle=False) as it:
        assert [tools.labels(b) for b in it] == [[0, 1], [2, 3], [4]]
        assert it.epoch == 1
        with pytest.raises(StopIteration):
            next(it)


@pytest.mark.parametrize("kind", ["thread", "fork"])
@pytest.mark.parametrize("stop_after", [2, 3, 5])
def test_resume_reproduces_the_remaining_batches(tools, kind, stop_after):
    kw = {"order_sampler": ShuffleOrderSampler(numpy.random.RandomState(2))}
    if kind != "thread":
        kw["n_prefetch"] = 4
    with make(kind, dataset(), 4, **kw) as it:
        tools.record(it, stop_after)
        saved = {}
        it.serialize(tools.DictSerializer(saved))
        expected = tools.record(it, 7)
    kw["order_sampler"] = ShuffleOrderSampler(numpy.random.RandomState(50))
    with make(kind, dataset(), 4, **kw) as resumed:
        next(resumed)  # prefetching already under way: loading must discard it
        resumed.serialize(tools.DictDeserializer(saved))
        assert tools.record(resumed, 7) == expected
    with SerialIterator(
        dataset(), 4, order_sampler=ShuffleOrderSampler(numpy.random.RandomState(9))
    ) as serial:
        serial.serialize(tools.DictDeserializer(saved))  # snapshots are interchangeable
        assert tools.record(serial, 7) == expected


def test_reset_discards_prefetched_batches(tools):
    with make("fork", dataset(), 3, shuffle=False, n_prefetch=3) as it:
        next(it), next(it)
        it.reset()
        assert tools.labels(next(it)) == [0, 1, 2] and it.epoch_detail == pytest.approx(3 / 11)


@pytest.mark.parametrize("kind", ["fork", "spawn"])
def test_shared_memory(kind):
    with make(kind, dataset(), 4, shuffle=False, shared_mem=64, n_prefetch=2) as it:
        batches = [next(it) for _ in range(5)]
    flat = [e for b in batches for e in b]
    for k, (x, t) in enumerate(flat):
        assert int(t) == k % 11 and x.tolist() == [
            3.0 * (k % 11),
            3.0 * (k % 11) + 1,
            3.0 * (k % 11) + 2,
        ]
        assert x.flags.writeable and x.dtype == numpy.float32


def test_shared_memory_too_small_warns_and_still_delivers(tools):
    with (
        make("fork", dataset(), 4, shuffle=False, shared_mem=4) as it,
        pytest.warns(
            UserWarning, match="shared_mem=4 bytes is too small for an example of 12 bytes"
        ),
    ):
        batch = next(it)
    assert tools.labels(batch) == [0, 1, 2, 3] and batch[3][0].tolist() == [9.0, 10.0, 11.0]


def test_timeout_warning(tools):
    slow = ListDataset(4, delay=0.4)
    with (
        make("fork", slow, 2, shuffle=False, dataset_timeout=0.05) as it,
        pytest.warns(MultiprocessIterator.TimeoutWarning, match="more than 0.05 seconds"),
    ):
        batch = next(it)
    assert tools.labels(batch) == [0, 1]


def test_dataset_errors_propagate():
    always_bad = ListDataset(8)
    with (
        make("fork", always_bad, 2, order_sampler=lambda o, p: numpy.array([-5] * 8)) as it,
        pytest.raises(KeyError, match="bad example"),
    ):
        next(it)


def test_dead_worker_raises_instead_of_hanging():
    it = make("fork", ListDataset(6, die_at=3), 2, shuffle=False, n_prefetch=2)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="a worker process died"):
        for _ in range(4):
            next(it)
    assert time.monotonic() - start < 60
    it.finalize()


def test_finalize_and_garbage_collection_leave_no_workers(tools, monkeypatch):
    from kusari.iterators import multiprocess_iterator

    monkeypatch.setattr(multiprocess_iterator, "_SHUTDOWN_GRACE", 0.5)
    before = set(multiprocessing.active_children())
    it = make("fork", dataset(), 2, n_prefetch=2)
    next(it)
    assert set(multiprocessing.active_children()) - before
    it.finalize()
    assert not set(multiprocessing.active_children()) - before
    assert tools.labels(next(it))  # a finalized iterator restarts its workers when used again
    stuck = make("fork", ListDataset(4, delay=60), 2, shuffle=False, n_prefetch=2)
    stuck._prefetcher.fill(stuck)  # workers are now sleeping inside the dataset
    assert len(set(multiprocessing.active_children()) - before) >= 2
    start = time.monotonic()
    del it, stuck  # no reference cycle: the workers are stopped right away
    assert not set(multiprocessing.active_children()) - before
    assert time.monotonic() - start < 10


def test_copy_and_threads(tools):
    with make("thread", dataset(), 5, shuffle=False) as it:
        next(it)
        twin = copy.copy(it)
        assert tools.labels(next(twin)) == [5, 6, 7, 8, 9] and tools.labels(next(it)) == [
            5,
            6,
            7,
            8,
            9,
        ]
        twin.finalize()
    with make("fork", dataset(), 5, shuffle=False) as it:
        next(it)
        twin = copy.copy(it)
        assert tools.labels(next(twin)) == [5, 6, 7, 8, 9]
        twin.finalize()


def test_argument_errors():
    with pytest.raises(
        ValueError, match="MultithreadIterator: expected a positive n_threads, got 0"
    ):
        MultithreadIterator(dataset(), 2, n_threads=0)
    with pytest.raises(
        ValueError, match="MultiprocessIterator: expected a positive n_prefetch, got 0"
    ):
        MultiprocessIterator(dataset(), 2, n_prefetch=0)
    with pytest.raises(
        ValueError, match="maxtasksperchild cannot be used with the 'fork' start method"
    ):
        MultiprocessIterator(dataset(), 2, maxtasksperchild=3, mp_context="fork")
