"""Chain and ChainList: both registration styles, traversal, errors, v1 tutorial code."""

from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L


class MLP(kusari.Chain):
    """The seed tutorial's model, written in the v1 keyword style."""

    def __init__(self, n_mid_units=100, n_out=10):
        super().__init__(
            l1=L.Linear(None, n_mid_units),
            l2=L.Linear(None, n_mid_units),
            l3=L.Linear(None, n_out),
        )

    def __call__(self, x):
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


class ScopedMLP(kusari.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 3)
            self.l2 = L.Linear(3, 2)

    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))


def test_v1_keyword_constructor_and_lazy_linear():
    model = MLP()
    assert model.l1.b.shape == (100,)
    assert model.l1.W.array is None
    y = model(np.zeros((5, 784), np.float32))
    assert y.shape == (5, 10)
    assert model.l1.W.shape == (100, 784)
    assert [n for n, _ in model.namedparams()] == [
        "/l1/W",
        "/l1/b",
        "/l2/W",
        "/l2/b",
        "/l3/W",
        "/l3/b",
    ]
    assert model.l2.name == "l2"
    assert model["l3"] is model.l3


def test_init_scope_registration():
    model = ScopedMLP()
    assert [c.name for c in model.children()] == ["l1", "l2"]
    assert [p for p, _ in model.namedlinks()] == ["/", "/l1", "/l2"]
    assert [p for p, _ in model.namedlinks(skipself=True)] == ["/l1", "/l2"]
    assert list(model.links()) == [model, model.l1, model.l2]
    assert model(np.ones((2, 4), np.float32)).shape == (2, 2)


def test_nested_paths():
    outer = kusari.Chain(inner=ScopedMLP(), head=L.Linear(2, 1))
    assert [n for n, _ in outer.namedparams()] == [
        "/inner/l1/W",
        "/inner/l1/b",
        "/inner/l2/W",
        "/inner/l2/b",
        "/head/W",
        "/head/b",
    ]
    assert [n for n, _ in outer.namedlinks()] == ["/", "/inner", "/inner/l1", "/inner/l2", "/head"]


def test_chain_with_own_parameters():
    class Gated(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.gate = kusari.Parameter(np.ones(2, np.float32))
                self.fc = L.Linear(2, 2)

    assert [n for n, _ in Gated().namedparams()] == ["/gate", "/fc/W", "/fc/b"]


def test_link_outside_init_scope_stays_a_plain_attribute():
    model = ScopedMLP()
    teacher = L.Linear(4, 2)
    model.teacher = teacher  # e.g. a frozen model used for distillation
    assert model.teacher is teacher
    assert [c.name for c in model.children()] == ["l1", "l2"]


def test_registered_child_replacement_and_errors():
    model = ScopedMLP()
    new = L.Linear(4, 3)
    model.l1 = new
    assert model.l1 is new and new.name == "l1"
    with pytest.raises(TypeError, match="ScopedMLP.l1 is a registered child link"):
        model.l1 = None
    del model.l1
    assert [c.name for c in model.children()] == ["l2"]
    with pytest.raises(AttributeError, match="cannot register a new link 'l2'"):
        model.add_link("l2", L.Linear(1, 1))
    with pytest.raises(TypeError, match="expected a Link for 'x', got int"):
        model.add_link("x", 3)


def test_add_link():
    model = kusari.Chain()
    model.add_link("fc", L.Linear(2, 3))
    assert [n for n, _ in model.namedparams()] == ["/fc/W", "/fc/b"]


def test_plain_values_assigned_to_links_still_work():
    # The CIFAR tutorial sets `c.train = val` on every child of a ChainList.
    class ConvBlock(kusari.Chain):
        def __init__(self, n_ch):
            w = kusari.initializers.HeNormal()
            super().__init__(
                conv=L.Convolution2D(None, n_ch, 3, 1, 1, nobias=True, initialW=w),
                bn=L.BatchNormalization(n_ch),
            )
            self.train = True

        def __call__(self, x):
            return F.relu(self.bn(self.conv(x)))

    class DeepCNN(kusari.ChainList):
        def __init__(self, n_output):
            super().__init__(ConvBlock(4), ConvBlock(4), L.Linear(None, n_output))
            self._train = True

        @property
        def train(self):
            return self._train

        @train.setter
        def train(self, val):
            self._train = val
            for c in self.children():
                c.train = val

        def __call__(self, x):
            for f in self.children():
                x = f(x)
            return x

    model = DeepCNN(3)
    model.train = False
    assert model[0].train is False and model[2].train is False
    assert model(np.ones((2, 3, 5, 5), np.float32)).shape == (2, 3)
    assert [n for n, _ in model.namedparams()][:3] == ["/0/conv/W", "/0/bn/gamma", "/0/bn/beta"]


def test_chainlist():
    net = kusari.ChainList(L.Linear(4, 3))
    net.append(L.Linear(3, 2))
    net.add_link(L.Linear(2, 1))
    assert len(net) == 3
    assert [lk.name for lk in net] == ["0", "1", "2"]
    assert net[1].out_size == 2 and [lk.out_size for lk in net[1:]] == [2, 1]
    assert list(net.children()) == list(net)
    assert [n for n, _ in net.namedlinks(skipself=True)] == ["/0", "/1", "/2"]
    assert len(list(net.params())) == 6
    with pytest.raises(TypeError, match="ChainList.add_link: expected a Link, got function"):
        net.add_link(F.relu)
    with pytest.raises(TypeError, match="use add_link"), net.init_scope():
        net.extra = L.Linear(1, 1)


def test_chainlist_subclass_with_add_link_in_constructor():
    # The ResNet tutorial's ResBlock builds itself with add_link.
    class ResBlock(kusari.ChainList):
        def __init__(self, n):
            super().__init__()
            for _ in range(n):
                self.add_link(L.Linear(3, 3))

        def forward(self, x):
            for f in self.children():
                x = f(x)
            return x

    block = ResBlock(3)
    assert block(np.ones((1, 3), np.float32)).shape == (1, 3)
    assert [n for n, _ in block.namedparams()][-1] == "/2/b"


def test_kusari_top_level_names_are_the_links_classes():
    assert kusari.Chain is L.Chain and kusari.Link is L.Link
    assert kusari.ChainList is L.ChainList and kusari.Sequential is L.Sequential
    from kusari import link

    assert link.Chain is L.Chain
