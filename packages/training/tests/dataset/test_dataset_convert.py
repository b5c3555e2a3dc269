"""concat_examples, to_device, converter/Converter and the columnar fast path."""

import numpy
import pytest
import torch

from kusari.dataset import Converter, concat_examples, convert, converter, to_device
from kusari.dataset._batch import ColumnarBatch, fetch_batch
from kusari.datasets import DictDataset, TupleDataset


class FakeDevice:
    """Records what it is sent; arrays come back wrapped so the transfer is visible."""

    def __init__(self, spec):
        self.spec = spec
        self.sent = []

    def send(self, x):
        self.sent.append(x)
        return ("on", self.spec, x)


def test_concat_tuples_matches_torch_stack():
    rng = numpy.random.RandomState(0)
    batch = [(rng.rand(3, 2).astype(numpy.float32), numpy.int32(i)) for i in range(4)]
    x, t = concat_examples(batch)
    expected = torch.stack([torch.from_numpy(e[0]) for e in batch]).numpy()
    numpy.testing.assert_array_equal(x, expected)
    assert x.dtype == numpy.float32 and t.dtype == numpy.int32 and t.tolist() == [0, 1, 2, 3]


def test_concat_arrays_scalars_lists_and_dicts():
    out = concat_examples([numpy.array([1, 2]), numpy.array([3, 4])])
    assert out.tolist() == [[1, 2], [3, 4]]
    assert concat_examples([1, 2, 3]).tolist() == [1, 2, 3]
    assert concat_examples([1.5, 2]).dtype == numpy.float64
    assert concat_examples([[1, 2], [3, 4]]).shape == (2, 2)
    d = concat_examples([{"x": numpy.zeros(2), "t": 1}, {"x": numpy.ones(2), "t": 0}])
    assert set(d) == {"x", "t"} and d["x"].shape == (2, 2) and d["t"].tolist() == [1, 0]


def test_padding():
    batch = [
        (numpy.array([1, 2]), numpy.array([[1]])),
        (numpy.array([3]), numpy.array([[2, 2], [2, 2]])),
    ]
    x, y = concat_examples(batch, padding=-1)
    assert x.tolist() == [[1, 2], [3, -1]]
    assert y.tolist() == [[[1, -1], [-1, -1]], [[2, 2], [2, 2]]]
    x, y = concat_examples(batch, padding=(0, 9))
    assert x.tolist() == [[1, 2], [3, 0]] and y[0].tolist() == [[1, 9], [9, 9]]
    d = concat_examples(
        [{"a": [1], "b": [1, 2]}, {"a": [2, 3], "b": [3]}], padding={"a": 0, "b": 5}
    )
    assert d["a"].tolist() == [[1, 0], [2, 3]] and d["b"].tolist() == [[1, 2], [3, 5]]
    torch_padded = torch.nn.utils.rnn.pad_sequence(
        [torch.tensor([1, 2]), torch.tensor([3])], batch_first=True, padding_value=-1
    )
    numpy.testing.assert_array_equal(
        concat_examples([numpy.array([1, 2]), numpy.array([3])], padding=-1), torch_padded.numpy()
    )


def test_errors_name_the_function():
    with pytest.raises(ValueError, match="concat_examples: expected a non-empty batch"):
        concat_examples([])
    with pytest.raises(
        ValueError,
        match=r"concat_examples: expected examples of one field to share a shape, "
        r"got shapes \(2,\), \(3,\); help: pass padding",
    ):
        concat_examples([numpy.zeros(2), numpy.zeros(3)])
    with pytest.raises(ValueError, match="expected 2 padding values .one per field., got 3"):
        concat_examples([(1, 2)], padding=(0, 0, 0))
    with pytest.raises(ValueError, match="same number of dimensions"):
        concat_examples([numpy.zeros(2), numpy.zeros((1, 2))], padding=0)


def test_to_device_forms(monkeypatch):
    a = numpy.arange(3)
    assert to_device(None, a) is a and to_device(-1, a) is a and to_device("@numpy", a) is a
    made = []
    monkeypatch.setattr(
        convert, "_lookup_device", lambda spec: made.append(spec) or FakeDevice(spec)
    )
    assert to_device(0, a) == ("on", 0, a)
    assert to_device("@cupy:1", (a, a))[1] == "@cupy:1"
    assert made == [0, "@cupy:1"]
    device = FakeDevice("obj")
    assert to_device(device, a)[2] is a  # device objects are used directly


def test_concat_sends_each_field(monkeypatch):
    monkeypatch.setattr(convert, "_lookup_device", FakeDevice)
    x, t = concat_examples([(numpy.zeros(2), 1)], device=3)
    assert x[:2] == ("on", 3) and t[2].tolist() == [1]


def test_real_numpy_device_from_core():
    kusari = pytest.importorskip("kusari")
    device = kusari.get_device("@numpy")
    x, t = concat_examples([(numpy.ones(2, numpy.float32), 0)], device)
    assert type(x) is numpy.ndarray and x.shape == (1, 2)
    assert to_device(-1, [numpy.ones(1)])[0].tolist() == [1.0]


def test_converter_decorator_and_base():
    @converter()
    def firsts(batch, device=None):
        """Doc."""
        return [b[0] for b in batch], device

    assert (
        isinstance(firsts, Converter) and firsts.__doc__ == "Doc." and firsts.__name__ == "firsts"
    )
    assert firsts([(1, 2)], "d") == ([1], "d")

    @converter
    def bare(batch, device=None):
        return len(batch)

    assert isinstance(bare, Converter) and bare([1, 2]) == 2
    assert isinstance(concat_examples, Converter)
    with pytest.raises(NotImplementedError):
        Converter()([], None)


def test_call_converter_styles():
    kusari = pytest.importorskip("kusari")
    cpu = kusari.get_device("@numpy")
    seen = []

    def old_style(batch, device=None):
        seen.append(device)
        return batch

    convert._call_converter(old_style, [1], cpu)
    convert._call_converter(old_style, [1], None)
    assert seen == [-1, None]
    new = converter()(lambda batch, device: device)
    assert convert._call_converter(new, [1], cpu) is cpu


def test_fast_path_gives_the_same_arrays_as_stacking():
    rng = numpy.random.RandomState(1)
    x = rng.rand(10, 4).astype(numpy.float32)
    t = rng.randint(0, 5, 10).astype(numpy.int32)
    idx = numpy.array([7, 2, 2, 9])
    fast = fetch_batch(TupleDataset(x, t), idx)
    slow = [TupleDataset(x, t)[int(i)] for i in idx]
    assert type(fast) is ColumnarBatch and len(fast) == 4
    for (a, b), (c, d) in zip(fast, slow):
        numpy.testing.assert_array_equal(a, c)
        assert b == d and type(b) is type(d)
    fx, ft = concat_examples(fast)
    sx, st = concat_examples(slow)
    numpy.testing.assert_array_equal(fx, sx)
    numpy.testing.assert_array_equal(ft, st)
    assert fx.dtype == sx.dtype and ft.dtype == st.dtype
    # a second conversion never shares arrays with the first
    gx, _ = concat_examples(fast)
    assert not numpy.shares_memory(gx, fx)
    numpy.testing.assert_array_equal(gx, fx)


def test_fast_path_dropped_when_batch_changes():
    x = numpy.arange(8).reshape(4, 2)
    batch = fetch_batch(TupleDataset(x, numpy.arange(4)), numpy.array([0, 1]))
    batch[0] = (numpy.array([50, 60]), 9)  # user augmentation replacing an example
    bx, bt = concat_examples(batch)
    assert bx.tolist() == [[50, 60], [2, 3]] and bt.tolist() == [9, 1]
    batch = fetch_batch(TupleDataset(x, numpy.arange(4)), numpy.array([0, 1]))
    batch.append((numpy.array([7, 7]), 7))
    assert concat_examples(batch)[1].tolist() == [0, 1, 7]


def test_fast_path_for_plain_arrays_and_dicts():
    arr = numpy.arange(6).reshape(3, 2)
    batch = fetch_batch(arr, numpy.array([2, 0]))
    assert [b.tolist() for b in batch] == [[4, 5], [0, 1]]
    assert concat_examples(batch).tolist() == [[4, 5], [0, 1]]
    d = DictDataset(a=numpy.arange(3), b=numpy.arange(3) * 2)
    batch = fetch_batch(d, numpy.array([1, 2]))
    assert batch == [{"a": 1, "b": 2}, {"a": 2, "b": 4}]
    assert concat_examples(batch)["b"].tolist() == [2, 4]
    import pickle

    assert type(pickle.loads(pickle.dumps(batch))) is list
