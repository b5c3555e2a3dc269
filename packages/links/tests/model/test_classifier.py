"""Classifier: loss and accuracy values, reporting, label_key, compute_accuracy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
import kusari.links as L


def _data(rng):
    x = rng.standard_normal((6, 4)).astype(np.float32)
    t = rng.integers(0, 3, 6).astype(np.int32)
    return x, t


def test_loss_and_accuracy_match_torch(rng):
    model = L.Classifier(L.Linear(4, 3))
    x, t = _data(rng)
    loss = model(x, t)
    y = model.y.array
    ref = torch.nn.functional.cross_entropy(torch.from_numpy(y), torch.from_numpy(t).long())
    np.testing.assert_allclose(loss.array, ref.numpy(), rtol=1e-5)
    assert model.loss is loss
    np.testing.assert_allclose(model.accuracy.array, (y.argmax(1) == t).mean())
    loss.backward()
    assert model.predictor.W.grad.shape == (3, 4)


def test_reports_loss_and_accuracy_under_the_observer_name(rng):
    model = L.Classifier(L.Linear(4, 3))
    reporter = kusari.Reporter()
    reporter.add_observer("main", model)
    x, t = _data(rng)
    observation = {}
    with reporter.scope(observation):
        loss = model(x, t)
    assert set(observation) == {"main/loss", "main/accuracy"}
    np.testing.assert_array_equal(observation["main/loss"].array, loss.array)


def test_compute_accuracy_switch(rng):
    model = L.Classifier(L.Linear(4, 3))
    model.compute_accuracy = False
    model(*_data(rng))
    assert model.accuracy is None


def test_custom_functions_and_label_keys(rng):
    x, t = _data(rng)
    calls = []

    def lossfun(y, t):
        calls.append(t)
        return F.softmax_cross_entropy(y, t)

    class TwoInputs(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.fc = L.Linear(8, 3)

        def forward(self, a, b):
            return self.fc(F.concat((a, b), axis=1))

    model = L.Classifier(TwoInputs(), lossfun=lossfun, accfun=lambda y, t: 1.0, label_key=0)
    model(t, x, x)
    assert calls[-1] is t and model.accuracy == 1.0
    model = L.Classifier(TwoInputs(), label_key="label")
    model(x, b=x, label=t)
    assert model.y.shape == (6, 3)


def test_label_key_errors(rng):
    x, t = _data(rng)
    with pytest.raises(ValueError, match="label_key=3 is out of range for 2 positional"):
        L.Classifier(L.Linear(4, 3), label_key=3)(x, t)
    with pytest.raises(ValueError, match="the label keyword 'label' is missing"):
        L.Classifier(L.Linear(4, 3), label_key="label")(x, t)
    with pytest.raises(TypeError, match="label_key must be an int or a str; got float"):
        L.Classifier(L.Linear(4, 3), label_key=1.5)


def test_layout_and_test_mode_evaluator_pattern(rng):
    model = L.Classifier(L.Linear(4, 3))
    assert [n for n, _ in model.namedparams()] == ["/predictor/W", "/predictor/b"]
    model.train = False  # the CIFAR tutorial's TestModeEvaluator sets a plain attribute
    assert model.train is False
