"""A small fake object tree with Chainer's serialize() protocol, shared by the tests."""

from __future__ import annotations

import numpy as np
import pytest


class Leaf:
    """Stands for a Linear link: W and b."""

    def __init__(self, in_size: int, out_size: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.W = rng.standard_normal((out_size, in_size)).astype(np.float32)
        self.b = rng.standard_normal(out_size).astype(np.float32)

    def serialize(self, s):
        s("W", self.W)
        s("b", self.b)


class Predictor:
    def __init__(self, seed: int) -> None:
        self.l1 = Leaf(4, 3, seed)
        self.l2 = Leaf(3, 2, seed + 1)

    def serialize(self, s):
        self.l1.serialize(s["l1"])
        self.l2.serialize(s["l2"])


class Model:
    """Stands for a Classifier holding a predictor plus assorted persistent values."""

    def __init__(self, seed: int = 0) -> None:
        self.predictor = Predictor(seed)
        self.t = 0
        self.lr = 0.1
        self.done = False
        self.label = "mlp"
        self.order = None
        self.history = np.zeros(3, np.int64)

    def serialize(self, s):
        self.predictor.serialize(s["predictor"])
        self.t = s("t", self.t)
        self.lr = s("lr", self.lr)
        self.done = s("done", self.done)
        self.label = s("label", self.label)
        self.order = s("order", self.order)
        s("history", self.history)


class Snapshot:
    """Stands for a Trainer: the model lives under 'updater/model:main/'."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.iteration = 0

    def serialize(self, s):
        self.model.serialize(s["updater"]["model:main"])
        self.iteration = s("iteration", self.iteration)


def trained(seed: int = 1) -> Model:
    m = Model(seed)
    m.t, m.lr, m.done, m.label = 42, 0.025, True, "trained é"
    m.order = np.array([2, 0, 1])
    m.history[:] = [5, 6, 7]
    return m


def assert_same(a: Model, b: Model) -> None:
    for name in ("l1", "l2"):
        for p in ("W", "b"):
            x = getattr(getattr(a.predictor, name), p)
            y = getattr(getattr(b.predictor, name), p)
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_array_equal(x, y)
    assert (a.t, a.lr, a.done, a.label) == (b.t, b.lr, b.done, b.label)
    assert type(b.t) is int and type(b.lr) is float and type(b.done) is bool
    assert type(b.label) is str
    np.testing.assert_array_equal(a.history, b.history)
    if a.order is None:
        assert b.order is None
    else:
        np.testing.assert_array_equal(a.order, b.order)


CHAINER_KEYS = {
    "predictor/l1/W",
    "predictor/l1/b",
    "predictor/l2/W",
    "predictor/l2/b",
    "t",
    "lr",
    "done",
    "label",
    "order",
    "history",
}


@pytest.fixture
def tree():
    """The fake tree's helpers as a namespace."""

    class NS:
        pass

    ns = NS()
    ns.Model, ns.Snapshot, ns.Leaf = Model, Snapshot, Leaf
    ns.trained, ns.assert_same, ns.CHAINER_KEYS = trained, assert_same, CHAINER_KEYS
    return ns
