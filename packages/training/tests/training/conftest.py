"""Shared helpers for the training tests: a scripted updater and a trainer factory.

The scripted updater walks a real SerialIterator over ``range(n)`` without shuffling
and reports ``main/loss`` = the batch mean, so every logged value can be computed by
hand.
"""

from __future__ import annotations

from typing import Any

import numpy
import pytest

import kusari
from kusari.iterators import SerialIterator
from kusari.training import Trainer, Updater


class DummyOptimizer:
    """The optimizer interface the trainer touches, with an ``lr`` to shift."""

    target = None

    def __init__(self, lr: float = 0.1) -> None:
        self.lr = lr
        self.alpha = 0.001
        self.epochs = 0

    def update(self, *args: Any, **kwargs: Any) -> None:
        pass

    def new_epoch(self, auto: bool = False) -> None:
        self.epochs += 1

    def serialize(self, serializer: Any) -> None:
        self.lr = float(serializer("lr", self.lr))


class ScriptedUpdater(Updater):
    """Reports ``main/loss`` = mean of the batch (examples are 0..n-1, in order)."""

    def __init__(self, n: int = 10, batch_size: int = 2) -> None:
        super().__init__(
            SerialIterator(list(range(n)), batch_size, shuffle=False), DummyOptimizer()
        )

    def update_core(self) -> None:
        batch = self.get_iterator("main").next()
        kusari.report({"main/loss": numpy.float32(numpy.mean(batch))})


@pytest.fixture
def make_trainer(tmp_path):
    """``make_trainer(stop, n=10, batch_size=2)`` → a Trainer writing into tmp_path."""

    def make(
        stop: Any = (2, "epoch"), n: int = 10, batch_size: int = 2, out: Any = None
    ) -> Trainer:
        return Trainer(ScriptedUpdater(n, batch_size), stop, out=str(out or tmp_path / "result"))

    return make


@pytest.fixture
def classifier_setup():
    """A real tiny model: Classifier(Linear(4, 3)) with SGD, data and its iterators."""
    L = pytest.importorskip("kusari.links", reason="needs kusari.links (kusari-links)")
    optimizers = pytest.importorskip("kusari.optimizers", reason="needs kusari-optimizers")
    from kusari.datasets import TupleDataset

    rs = numpy.random.RandomState(0)
    x = rs.randn(20, 4).astype(numpy.float32)
    t = rs.randint(0, 3, size=20).astype(numpy.int32)
    numpy.random.seed(0)
    model = L.Classifier(L.Linear(4, 3))
    optimizer = optimizers.SGD(lr=0.1)
    optimizer.setup(model)
    return model, optimizer, TupleDataset(x, t)
