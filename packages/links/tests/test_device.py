"""to_device with the test-only '@fake' backend plugin (arrays of their own type)."""

from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.links as L


@pytest.fixture
def fake():
    try:
        dev = kusari.get_device("@fake")
    except (ValueError, RuntimeError) as exc:
        pytest.skip(f"the kusari-fake-backend test plugin is not installed: {exc}")
    from kusari_fake_backend import FakeArray

    return dev, FakeArray


def _model():
    return kusari.Chain(l1=L.Linear(3, 2), lazy=L.Linear(None, 2), bn=L.BatchNormalization(2))


def test_to_device_moves_parameters_and_persistents(fake):
    dev, FakeArray = fake
    model = _model()
    assert model.to_device(dev) is model
    assert model.device == dev and model.l1.device == dev and model.xp is np
    assert type(model.l1.W.array) is FakeArray and type(model.l1.b.array) is FakeArray
    assert type(model.bn.avg_mean) is FakeArray and type(model.bn.gamma.array) is FakeArray
    assert model.bn.N == 0  # scalars stay as they are
    y = model.l1(dev.send(np.ones((1, 3), np.float32)))
    assert type(y.array) is FakeArray
    model.to_cpu()
    assert type(model.l1.W.array) is np.ndarray and type(model.bn.avg_var) is np.ndarray
    assert model.device == kusari.get_device("@numpy")


def test_links_registered_later_follow_the_device(fake):
    dev, FakeArray = fake
    model = _model().to_device(dev)
    with model.init_scope():
        model.extra = L.Linear(2, 2)
    assert type(model.extra.W.array) is FakeArray
    seq = kusari.ChainList().to_device(dev)
    seq.append(L.Linear(2, 2))
    assert type(seq[0].W.array) is FakeArray
    link = L.Linear(2, 2).to_device(dev)
    with link.init_scope():
        link.c = kusari.Parameter(np.zeros(2, np.float32))
    assert type(link.c.array) is FakeArray


def test_gradients_and_state_move_too(fake):
    dev, FakeArray = fake
    rnn = L.LSTM(3, 2)
    rnn(np.ones((1, 3), np.float32))
    rnn.upward.W.grad = np.ones_like(rnn.upward.W.array)
    rnn.to_device(dev)
    assert type(rnn.upward.W.grad) is FakeArray
    assert type(rnn.h.array) is FakeArray and type(rnn.c.array) is FakeArray


def test_lazy_parameters_are_created_on_the_device(fake):
    dev, FakeArray = fake
    model = _model().to_device(dev)
    model.lazy(dev.send(np.ones((1, 5), np.float32)))
    assert type(model.lazy.W.array) is FakeArray
