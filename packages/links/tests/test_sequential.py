"""Sequential: links and callables in order, list operations, Chainer's file layout."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L


def test_links_and_functions_in_order():
    l1, l2 = L.Linear(3, 4), L.Linear(4, 2)
    net = L.Sequential(l1, F.relu, l2)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(net(x).array, l2(F.relu(l1(x))).array)
    assert [n for n, _ in net.namedparams()] == ["/0/W", "/0/b", "/1/W", "/1/b"]
    assert len(net) == 3 and net[1] is F.relu
    assert list(net) == [l1, F.relu, l2]
    assert F.relu in net


def test_partial_and_lambda_layers():
    net = L.Sequential(partial(F.max_pooling_2d, ksize=2), lambda h: h * 2)
    assert net(np.ones((1, 1, 4, 4), np.float32)).array.max() == 2


def test_tuple_outputs_become_arguments():
    net = L.Sequential(lambda x: (x, x + 1), lambda a, b: a * b)
    np.testing.assert_array_equal(net(np.array([2.0], np.float32)), [6.0])


def test_list_operations_renumber_links():
    a, b, c = L.Linear(2, 2), L.Linear(2, 2), L.Linear(2, 2)
    net = L.Sequential(a, F.relu)
    net.append(b)
    net.insert(0, c)
    assert [lk.name for lk in net.children()] == ["0", "1", "2"]
    assert list(net.children()) == [c, a, b]
    assert net.pop(0) is c and a.name == "0"
    net.remove(F.relu)
    assert list(net) == [a, b]
    net[1] = F.tanh
    assert len(list(net.params())) == 2
    del net[0]
    assert list(net) == [F.tanh] and list(net.children()) == []
    net.extend([a, F.sigmoid])
    assert net.index(a) == 1 and net.count(F.sigmoid) == 1
    assert net.count_by_layer_type("Linear") == 1
    net.remove_by_layer_type("sigmoid")
    assert list(net) == [F.tanh, a]
    net.clear()
    assert len(net) == 0


def test_slicing_concatenation_and_flatten():
    a, b = L.Linear(2, 2), L.Linear(2, 2)
    net = L.Sequential(a, F.relu, b)
    head = net[:2]
    assert isinstance(head, L.Sequential) and list(head) == [a, F.relu]
    both = L.Sequential(a) + L.Sequential(F.relu, b)
    assert list(both) == [a, F.relu, b]
    nested = L.Sequential(L.Sequential(a, F.relu), b)
    assert list(nested.flatten()) == [a, F.relu, b]
    net += L.Sequential(F.tanh)
    assert net[-1] is F.tanh


def test_empty_sequential_and_bad_layers():
    with pytest.raises(RuntimeError, match="has no layers"):
        L.Sequential()(np.ones(1, np.float32))
    with pytest.raises(TypeError, match="a layer must be a Link or a callable, got int"):
        L.Sequential(3)


def test_repr_lists_functions():
    text = repr(L.Sequential(L.Linear(2, 2), F.relu))
    assert text.splitlines() == [
        "kusari.links._sequential.Sequential(",
        "  (0): Linear(in_size=2, out_size=2, nobias=False),",
        "  (1): <function relu>,",
        ")",
    ]


def test_copy_keeps_functions_and_copies_links():
    net = L.Sequential(L.Linear(2, 2), F.relu, L.Linear(2, 1))
    for mode in ("share", "copy", "init"):
        other = net.copy(mode)
        assert other[1] is F.relu
        assert other[0] is not net[0] and list(other.children()) == [other[0], other[2]]
        assert other(np.ones((1, 2), np.float32)).shape == (1, 1)


def test_tutorial_lenet_style_sequential_model():
    model = L.Sequential(
        L.Convolution2D(1, 6, 5, 1),
        F.sigmoid,
        partial(F.max_pooling_2d, ksize=2, stride=2),
        L.Linear(None, 10),
    )
    with kusari.using_config("train", False):
        assert model(np.zeros((2, 1, 12, 12), np.float32)).shape == (2, 10)
