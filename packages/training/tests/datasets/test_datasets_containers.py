"""TupleDataset, DictDataset, SubDataset and splits, TransformDataset, ConcatenatedDataset."""

import pickle

import numpy
import pytest

from kusari import datasets
from kusari.dataset import DatasetMixin
from kusari.dataset._batch import take_columns


def test_tuple_dataset_indexing():
    x, t = numpy.arange(12).reshape(4, 3), numpy.array([5, 6, 7, 8], numpy.int32)
    d = datasets.TupleDataset(x, t)
    assert len(d) == 4
    a, b = d[2]
    numpy.testing.assert_array_equal(a, [6, 7, 8])
    assert b == 7 and b.dtype == numpy.int32
    assert numpy.shares_memory(a, x)  # like Chainer: examples are views of the arrays
    assert [int(e[1]) for e in d[1:3]] == [6, 7]
    assert [int(e[1]) for e in d[[3, 0]]] == [8, 5]
    assert [int(e[1]) for e in d[numpy.array([1, 1])]] == [6, 6]
    assert [int(e[1]) for e in d[numpy.array([True, False, False, True])]] == [5, 8]
    assert int(d[numpy.int64(-1)][1]) == 8


def test_tuple_dataset_mixed_sources():
    d = datasets.TupleDataset([10, 20, 30], numpy.array([1, 2, 3]))
    assert d[1] == (20, 2)
    assert d[[0, 2]] == [(10, 1), (30, 3)]
    assert take_columns(d, numpy.array([0])) is None  # a list field: no fast path


def test_tuple_dataset_errors_and_pickle():
    with pytest.raises(ValueError, match="TupleDataset: expected at least one dataset"):
        datasets.TupleDataset()
    with pytest.raises(
        ValueError, match="expected every dataset to have length 3 .* got length 2 for dataset 1"
    ):
        datasets.TupleDataset([1, 2, 3], [1, 2])
    d = pickle.loads(pickle.dumps(datasets.TupleDataset(numpy.arange(3), numpy.arange(3) * 2)))
    assert d[2] == (2, 4) and take_columns(d, numpy.array([2, 1]))[1].tolist() == [4, 2]


def test_dict_dataset():
    d = datasets.DictDataset(x=numpy.arange(6).reshape(3, 2), t=[7, 8, 9])
    assert len(d) == 3 and d[1]["t"] == 8 and d[1]["x"].tolist() == [2, 3]
    assert [e["t"] for e in d[::2]] == [7, 9]
    assert [e["t"] for e in d[numpy.array([2, 0])]] == [9, 7]
    with pytest.raises(
        ValueError,
        match="DictDataset: expected every dataset to have length 3 .* got length 1 for 'y'",
    ):
        datasets.DictDataset(x=[1, 2, 3], y=[1])
    arrays = datasets.DictDataset(a=numpy.arange(4), b=numpy.arange(4) * 3)
    assert take_columns(arrays, numpy.array([3, 1]))["b"].tolist() == [9, 3]
    assert pickle.loads(pickle.dumps(arrays))[3] == {"a": 3, "b": 9}


def test_sub_dataset():
    base = list("abcdef")
    d = datasets.SubDataset(base, 1, 4)
    assert len(d) == 3 and d[0] == "b" and d[-1] == "d" and d[1:] == ["c", "d"]
    with pytest.raises(IndexError):
        d[3]
    with pytest.raises(IndexError):
        d[-4]
    p = datasets.SubDataset(base, 2, 5, order=[5, 4, 3, 2, 1, 0])
    assert list(p) == ["d", "c", "b"]
    with pytest.raises(
        ValueError,
        match="SubDataset: expected 0 <= start <= finish <= len.dataset. = 6, "
        "got start=2, finish=7",
    ):
        datasets.SubDataset(base, 2, 7)
    with pytest.raises(
        ValueError, match="expected order of the base dataset's length 6, got length 2"
    ):
        datasets.SubDataset(base, 0, 1, order=[1, 0])
    arrays = datasets.TupleDataset(numpy.arange(6) * 10, numpy.arange(6))
    sub = datasets.SubDataset(arrays, 1, 5, order=numpy.array([5, 4, 3, 2, 1, 0]))
    cols = take_columns(sub, numpy.array([0, 3]))
    assert cols[0].tolist() == [40, 10] and [int(v) for v in sub[0]] == [40, 4]


def test_split_dataset_and_random():
    a, b = datasets.split_dataset(list(range(5)), 2)
    assert list(a) == [0, 1] and list(b) == [2, 3, 4]
    a, b = datasets.split_dataset(list(range(5)), 5)
    assert len(b) == 0
    with pytest.raises(ValueError, match="split_at 6 exceeds the dataset size 5"):
        datasets.split_dataset(list(range(5)), 6)
    with pytest.raises(ValueError, match="non-negative split_at, got -1"):
        datasets.split_dataset(list(range(5)), -1)
    with pytest.raises(TypeError, match="split_dataset: expected an int split_at, got float"):
        datasets.split_dataset(list(range(5)), 2.5)
    a, b = datasets.split_dataset_random(list(range(10)), 4, seed=3)
    order = numpy.random.RandomState(3).permutation(10)
    assert list(a) == order[:4].tolist() and list(b) == order[4:].tolist()
    parts = datasets.split_dataset_n_random(list(range(9)), 3, seed=1)
    assert sorted(sum((list(p) for p in parts), [])) == list(range(9))


def test_cross_validation_matches_chainer_rotation():
    # Chainer: fold k tests on the tail of the order rotated right by the earlier folds'
    # test sizes; sizes [3, 3, 4] are used largest-index-first.
    splits = datasets.get_cross_validation_datasets(list(range(10)), 3)
    got = [(list(tr), list(te)) for tr, te in splits]
    assert got == [
        ([0, 1, 2, 3, 4, 5], [6, 7, 8, 9]),
        ([6, 7, 8, 9, 0, 1, 2], [3, 4, 5]),
        ([3, 4, 5, 6, 7, 8, 9], [0, 1, 2]),
    ]
    order = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    splits = datasets.get_cross_validation_datasets(list(range(10)), 2, order=order)
    assert [list(te) for _, te in splits] == [[4, 3, 2, 1, 0], [9, 8, 7, 6, 5]]
    rnd = datasets.get_cross_validation_datasets_random(list(range(7)), 3, seed=0)
    assert sorted(sum((list(te) for _, te in rnd), [])) == list(range(7))
    with pytest.raises(ValueError, match="positive n_fold"):
        datasets.get_cross_validation_datasets([1], 0)


def test_transform_and_concatenated():
    t = datasets.TransformDataset(
        datasets.TupleDataset(numpy.arange(3), numpy.arange(3)), lambda e: (e[0] * 2, e[1])
    )
    assert len(t) == 3 and t[2] == (4, 2) and [e[0] for e in t[numpy.array([0, 1])]] == [0, 2]
    with pytest.raises(TypeError, match="TransformDataset: expected a callable transform, got int"):
        datasets.TransformDataset([1], 3)
    c = datasets.ConcatenatedDataset([1, 2], [], [3])
    assert (
        len(c) == 3 and [c[i] for i in range(3)] == [1, 2, 3] and c[-1] == 3 and c[0:3] == [1, 2, 3]
    )
    with pytest.raises(IndexError, match="ConcatenatedDataset: index 3 out of range for length 3"):
        c[3]


def test_dataset_mixin():
    class Squares(DatasetMixin):
        def __len__(self):
            return 4

        def get_example(self, i):
            return i * i

    d = Squares()
    assert d[3] == 9 and d[1:] == [1, 4, 9] and d[::-2] == [9, 1] and d[[2, 0]] == [4, 0]
    assert d[numpy.array([1, 3])] == [1, 9] and d[numpy.array(2)] == 4
    assert d[numpy.array([True, False, True, False])] == [0, 4]
    with pytest.raises(NotImplementedError, match="Bare must implement __len__"):
        len(type("Bare", (DatasetMixin,), {})())
