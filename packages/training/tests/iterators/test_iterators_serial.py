"""SerialIterator: Chainer's epoch semantics, ordering, resume, and the fast path."""

import copy

import numpy
import pytest

from kusari.datasets import SubDataset, TupleDataset
from kusari.iterators import OrderSampler, SerialIterator, ShuffleOrderSampler


def dataset(n=5):
    return TupleDataset(
        numpy.arange(n * 2, dtype=numpy.float32).reshape(n, 2), numpy.arange(n, dtype=numpy.int32)
    )


def test_epoch_bookkeeping_with_wraparound(tools):
    it = SerialIterator(dataset(5), 2, shuffle=False)
    assert (it.epoch, it.epoch_detail, it.previous_epoch_detail, it.is_new_epoch) == (
        0,
        0.0,
        None,
        False,
    )
    assert tools.record(it, 4) == [
        ([0, 1], 0, False, 2, 0.4, 0.0),
        ([2, 3], 0, False, 4, 0.8, 0.4),
        ([4, 0], 1, True, 1, 1.2, 0.8),  # the batch ending epoch 0 starts epoch 1
        ([1, 2], 1, False, 3, 1.6, 1.2),
    ]


def test_exact_epoch_end_and_big_batches(tools):
    it = SerialIterator(dataset(4), 2, shuffle=False)
    assert [r[:4] for r in tools.record(it, 3)] == [
        ([0, 1], 0, False, 2),
        ([2, 3], 1, True, 0),
        ([0, 1], 1, False, 2),
    ]
    it = SerialIterator(dataset(3), 7, shuffle=False)  # a batch spanning several epochs
    assert tools.record(it, 1) == [([0, 1, 2, 0, 1, 2, 0], 2, True, 1, 2 + 1 / 3, 0.0)]


def test_no_repeat_stops_with_short_last_batch(tools):
    it = SerialIterator(dataset(5), 2, repeat=False, shuffle=False)
    assert [tools.labels(b) for b in it] == [[0, 1], [2, 3], [4]]
    assert (it.epoch, it.is_new_epoch, it.current_position, it.epoch_detail) == (1, True, 0, 1.0)
    with pytest.raises(StopIteration):
        next(it)
    assert it.previous_epoch_detail == 1.0
    it.reset()
    assert [tools.labels(b) for b in it] == [[0, 1], [2, 3], [4]]


def test_shuffle_visits_each_example_once_per_epoch(tools):
    numpy.random.seed(0)
    it = SerialIterator(dataset(7), 3)
    seen = []
    for _ in range(7):
        seen += tools.labels(next(it))
    assert sorted(seen[:7]) == list(range(7)) and sorted(seen[7:14]) == list(range(7))
    numpy.random.seed(0)
    again = SerialIterator(dataset(7), 3)  # the global seed makes it reproducible
    assert sum((tools.labels(next(again)) for _ in range(7)), []) == seen


def test_order_sampler_contract(tools):
    class Reverse(OrderSampler):
        def __init__(self):
            self.calls = []

        def __call__(self, order, position):
            self.calls.append((order.tolist(), position))
            return order[::-1].copy()

    sampler = Reverse()
    it = SerialIterator(dataset(3), 2, order_sampler=sampler)
    assert [tools.labels(next(it)) for _ in range(3)] == [[2, 1], [0, 0], [1, 2]]
    assert sampler.calls == [([0, 1, 2], 0), ([2, 1, 0], 2), ([0, 1, 2], 1)]
    with pytest.raises(ValueError, match="got both shuffle=True and an order_sampler"):
        SerialIterator(dataset(), 2, shuffle=True, order_sampler=sampler)
    sizes = iter([3, 2])
    bad = SerialIterator(dataset(3), 2, order_sampler=lambda o, p: numpy.arange(next(sizes)))
    with pytest.raises(ValueError, match="order sampler returned an order of length 2, expected 3"):
        next(bad), next(bad)


def test_bad_arguments():
    with pytest.raises(ValueError, match="SerialIterator: expected a positive batch_size, got 0"):
        SerialIterator(dataset(), 0)
    with pytest.raises(TypeError, match="SerialIterator: expected an int batch_size, got float"):
        SerialIterator(dataset(), 2.0)
    with pytest.raises(ValueError, match="cannot draw a batch from an empty dataset"):
        next(SerialIterator([], 2, shuffle=False))


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("stop_after", [1, 3, 4, 6])
def test_resume_reproduces_the_remaining_batches(tools, shuffle, stop_after):
    rng = numpy.random.RandomState(5)
    kwargs = {"order_sampler": ShuffleOrderSampler(rng)} if shuffle else {"shuffle": False}
    it = SerialIterator(dataset(7), 3, **kwargs)
    tools.record(it, stop_after)
    saved = {}
    it.serialize(tools.DictSerializer(saved))
    expected = tools.record(it, 8)
    keys = {"current_position", "epoch", "is_new_epoch", "previous_epoch_detail"}
    assert keys <= set(saved) and ("order" in saved) == shuffle
    assert ("order_sampler/random_state" in saved) == shuffle

    fresh_rng = numpy.random.RandomState(99)  # a different seed: the snapshot must win
    kwargs = {"order_sampler": ShuffleOrderSampler(fresh_rng)} if shuffle else {"shuffle": False}
    resumed = SerialIterator(dataset(7), 3, **kwargs)
    resumed.serialize(tools.DictDeserializer(saved))
    assert tools.record(resumed, 8) == expected


def test_resume_with_the_global_random_state(tools):
    numpy.random.seed(1)
    it = SerialIterator(dataset(5), 2)
    tools.record(it, 2)
    saved = {}
    it.serialize(tools.DictSerializer(saved))
    expected = tools.record(it, 6)
    numpy.random.seed(12345)
    resumed = SerialIterator(dataset(5), 2)
    resumed.serialize(tools.DictDeserializer(saved))
    assert tools.record(resumed, 6) == expected


def test_chainer_snapshot_without_new_keys(tools):
    it = SerialIterator(dataset(5), 2, shuffle=False)
    tools.record(it, 3)
    saved = {}
    it.serialize(tools.DictSerializer(saved))
    del saved["previous_epoch_detail"]
    other = SerialIterator(dataset(5), 2, shuffle=False)
    other.serialize(tools.DictDeserializer(saved))
    assert (other.epoch, other.current_position, other.previous_epoch_detail) == (
        1,
        1,
        pytest.approx(0.8),
    )

    shuffled = SerialIterator(
        dataset(5), 2, order_sampler=ShuffleOrderSampler(numpy.random.RandomState(0))
    )
    saved = {}
    shuffled.serialize(tools.DictSerializer(saved))
    saved["_order"] = saved.pop("order")  # Chainer's older key
    del saved["order_sampler/random_state"]
    again = SerialIterator(
        dataset(5), 2, order_sampler=ShuffleOrderSampler(numpy.random.RandomState(1))
    )
    again.serialize(tools.DictDeserializer(saved))
    assert again._state.order.tolist() == saved["_order"].tolist()


def test_resume_through_core_npz_serializers(tools, tmp_path):
    serializers = pytest.importorskip("kusari.serializers")
    it = SerialIterator(
        dataset(6), 4, order_sampler=ShuffleOrderSampler(numpy.random.RandomState(3))
    )
    tools.record(it, 2)
    serializers.save_npz(str(tmp_path / "it.npz"), it)
    expected = tools.record(it, 5)
    resumed = SerialIterator(
        dataset(6), 4, order_sampler=ShuffleOrderSampler(numpy.random.RandomState(4))
    )
    serializers.load_npz(str(tmp_path / "it.npz"), resumed)
    assert tools.record(resumed, 5) == expected


def test_fast_path_yields_the_same_batches_as_plain_indexing():
    x = numpy.random.RandomState(0).rand(11, 3).astype(numpy.float32)
    t = numpy.arange(11, dtype=numpy.int32)
    fast_ds = SubDataset(TupleDataset(x, t), 1, 10, order=numpy.arange(11)[::-1].copy())
    slow_ds = SubDataset(TupleDataset(list(x), list(t)), 1, 10, order=numpy.arange(11)[::-1].copy())
    numpy.random.seed(3)
    fast = [next(it) for it in [SerialIterator(fast_ds, 4)] for _ in range(5)]
    numpy.random.seed(3)
    slow = [next(it) for it in [SerialIterator(slow_ds, 4)] for _ in range(5)]
    for fb, sb in zip(fast, slow):
        assert len(fb) == len(sb)
        for (fx, ft), (sx, st) in zip(fb, sb):
            numpy.testing.assert_array_equal(fx, sx)
            assert int(ft) == int(st)


def test_copy_is_independent(tools):
    it = SerialIterator(dataset(5), 2, shuffle=False)
    next(it)
    twin = copy.copy(it)
    assert tools.labels(next(twin)) == [2, 3]
    assert tools.labels(next(it)) == [2, 3]
