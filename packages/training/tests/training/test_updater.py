"""StandardUpdater against a hand-written training loop, device forms, serialization."""

from __future__ import annotations

import numpy
import pytest

import kusari
from kusari import serializers
from kusari.iterators import SerialIterator
from kusari.training import StandardUpdater, Updater
from kusari.training import updater as updater_module

F = pytest.importorskip("kusari.functions")


def test_one_update_equals_manual_sgd_step(classifier_setup):
    model, optimizer, data = classifier_setup
    W0, b0 = model.predictor.W.array.copy(), model.predictor.b.array.copy()
    it = SerialIterator(data, 5, shuffle=False)
    updater = StandardUpdater(it, optimizer)
    updater.update()
    x = numpy.stack([data[i][0] for i in range(5)])
    t = numpy.array([data[i][1] for i in range(5)])
    # softmax cross entropy gradient by hand
    logits = x @ W0.T + b0
    p = numpy.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[numpy.arange(5), t] -= 1
    p /= 5
    numpy.testing.assert_allclose(model.predictor.W.array, W0 - 0.1 * p.T @ x, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(
        model.predictor.b.array, b0 - 0.1 * p.sum(0), rtol=1e-5, atol=1e-6
    )
    assert updater.iteration == 1 and updater.epoch == 0 and not updater.is_new_epoch
    assert updater.epoch_detail == 0.25 and updater.previous_epoch_detail == 0.0


def test_epoch_bookkeeping_and_auto_new_epoch(classifier_setup):
    model, optimizer, data = classifier_setup
    updater = StandardUpdater(SerialIterator(data, 8, shuffle=False), optimizer)
    assert optimizer.use_auto_new_epoch
    for _ in range(3):
        updater.update()
    assert updater.epoch == 1 and updater.is_new_epoch and optimizer.epoch == 1
    assert updater.get_optimizer("main") is optimizer
    assert updater.get_all_iterators()["main"] is updater.get_iterator("main")
    with pytest.raises(KeyError, match="no optimizer 'other'"):
        updater.get_optimizer("other")


@pytest.mark.parametrize("device", [-1, "@numpy", None])
def test_device_forms(classifier_setup, device):
    model, optimizer, data = classifier_setup
    updater = StandardUpdater(SerialIterator(data, 4), optimizer, device=device)
    updater.update()
    if device is not None:
        assert updater.device.xp is numpy and updater.input_device is updater.device
    assert isinstance(model.predictor.W.array, numpy.ndarray)


def test_bad_device_names_the_updater(classifier_setup):
    _, optimizer, data = classifier_setup
    with pytest.raises(ValueError, match="StandardUpdater: bad device '@nosuch'"):
        StandardUpdater(SerialIterator(data, 4), optimizer, device="@nosuch")
    with pytest.raises(TypeError, match="StandardUpdater: unexpected keyword"):
        StandardUpdater(SerialIterator(data, 4), optimizer, devise=-1)
    with pytest.raises(TypeError, match="converter must be callable"):
        StandardUpdater(SerialIterator(data, 4), optimizer, converter=3)


def test_loss_func_and_dict_batches(classifier_setup):
    model, optimizer, _ = classifier_setup
    seen = []

    def loss_func(x, t):
        seen.append((x.shape, t.tolist()))
        return model(x, t)

    examples = [{"x": numpy.full(4, i, numpy.float32), "t": numpy.int32(i % 3)} for i in range(6)]
    updater = StandardUpdater(
        SerialIterator(examples, 3, shuffle=False), optimizer, loss_func=loss_func
    )
    updater.update()
    assert seen == [((3, 4), [0, 1, 2])]


def test_update_core_can_be_overridden(classifier_setup):
    model, optimizer, data = classifier_setup

    class Twice(StandardUpdater):
        def update_core(self):
            super().update_core()
            super().update_core()

    updater = Twice(SerialIterator(data, 5, shuffle=False), optimizer)
    updater.update()
    assert updater.iteration == 1 and updater.get_iterator("main").current_position == 10
    assert optimizer.t == 2


def test_serialize_layout_and_round_trip(classifier_setup):
    model, optimizer, data = classifier_setup
    updater = StandardUpdater(SerialIterator(data, 6, shuffle=True), optimizer)
    for _ in range(5):
        updater.update()
    s = serializers.DictionarySerializer()
    s.save(updater)
    assert {
        "iteration",
        "model:main/predictor/W",
        "iterator:main/current_position",
        "optimizer:main/t",
    } <= set(s.target)
    order = updater.get_iterator("main")._state.order.copy()

    numpy.random.seed(5)
    L = pytest.importorskip("kusari.links")
    optimizers = pytest.importorskip("kusari.optimizers")
    model2 = L.Classifier(L.Linear(4, 3))
    opt2 = optimizers.SGD(lr=0.1)
    opt2.setup(model2)
    updater2 = StandardUpdater(SerialIterator(data, 6, shuffle=True), opt2)
    serializers.NpzDeserializer(s.target).load(updater2)
    assert updater2.iteration == 5 and opt2.t == 5
    assert numpy.array_equal(updater2.get_iterator("main")._state.order, order)
    assert numpy.array_equal(model2.predictor.W.array, model.predictor.W.array)


def test_updater_base_checks_arguments():
    with pytest.raises(TypeError, match="iterator 'main' must have a __next__"):
        Updater([1, 2], None)
    with pytest.raises(ValueError, match="'main' entry"):
        Updater({"train": SerialIterator([1], 1)}, None)
    with pytest.raises(NotImplementedError, match="update_core"):
        Updater(SerialIterator([1], 1), None).update()
    assert updater_module.StandardUpdater is StandardUpdater
    assert kusari.training.StandardUpdater is StandardUpdater
