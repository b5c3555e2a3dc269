"""Evaluator: mean of per-batch metrics, train mode off, no graph, subclassing."""

from __future__ import annotations

import numpy
import pytest

import kusari
from kusari.iterators import SerialIterator
from kusari.training import extensions


def _hand_metrics(model, x, t, batch_size):
    losses, accs = [], []
    W, b = model.predictor.W.array, model.predictor.b.array
    for i in range(0, len(x), batch_size):
        xb, tb = x[i : i + batch_size], t[i : i + batch_size]
        logits = (xb @ W.T + b).astype(numpy.float64)
        logp = (
            logits
            - numpy.log(numpy.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True))
            - logits.max(1, keepdims=True)
        )
        losses.append(-logp[numpy.arange(len(tb)), tb].mean())
        accs.append((logits.argmax(1) == tb).mean())
    return numpy.mean(losses), numpy.mean(accs)


def test_evaluator_reports_batch_means_under_validation(classifier_setup, make_trainer):
    model, _, data = classifier_setup
    x = numpy.stack([data[i][0] for i in range(len(data))])
    t = numpy.array([data[i][1] for i in range(len(data))])
    evaluator = extensions.Evaluator(SerialIterator(data, 6, repeat=False, shuffle=False), model)
    trainer = make_trainer((2, "epoch"))
    trainer.extend(evaluator)
    trainer.extend(extensions.LogReport())
    trainer.run()
    loss, acc = _hand_metrics(model, x, t, 6)  # batches of 6, 6, 6, 2: unweighted mean
    log = trainer.get_extension("LogReport").log
    assert evaluator.name == "validation"
    for entry in log:
        assert entry["validation/main/loss"] == pytest.approx(loss, rel=1e-5)
        assert entry["validation/main/accuracy"] == pytest.approx(acc, rel=1e-6)


def test_evaluate_runs_in_test_mode_without_graph(classifier_setup):
    model, _, data = classifier_setup
    seen = []

    def eval_func(x, t):
        seen.append((kusari.config.train, kusari.config.enable_backprop))
        loss = model(x, t)
        assert loss.creator is None  # no graph was built
        return loss

    ev = extensions.Evaluator(
        SerialIterator(data, 10, repeat=False, shuffle=False), model, eval_func=eval_func, device=-1
    )
    reporter = kusari.Reporter()
    observation = {}
    with reporter.scope(observation):
        result = ev()
    assert seen == [(False, False), (False, False)]
    assert set(result) == {"main/loss", "main/accuracy"}  # unnamed: no 'validation/' prefix
    assert observation == result
    assert kusari.config.train is True and kusari.config.enable_backprop is True
    # A second sweep gives the same numbers: the iterator is reset each time.
    assert ev.evaluate() == pytest.approx(ev.evaluate())


def test_tutorial_test_mode_evaluator_subclass(classifier_setup, make_trainer):
    model, _, data = classifier_setup
    calls = []

    class TestModeEvaluator(extensions.Evaluator):
        def evaluate(self):
            model = self.get_target("main")
            model.train = False
            ret = super().evaluate()
            calls.append(model.train)
            model.train = True
            return ret

    trainer = make_trainer((1, "epoch"))
    trainer.extend(TestModeEvaluator(SerialIterator(data, 7, False, False), model, device=-1))
    trainer.extend(extensions.LogReport())
    trainer.run()
    assert calls == [False]
    assert "validation/main/accuracy" in trainer.get_extension("LogReport").log[0]


def test_evaluator_hooks_dicts_and_warnings(classifier_setup):
    model, _, data = classifier_setup
    hooked = []
    with pytest.warns(UserWarning, match="repeat=True"):
        extensions.Evaluator(SerialIterator(data, 5), model)
    ev = extensions.Evaluator(
        {"main": SerialIterator(data, 5, False, False)}, {"main": model}, eval_hook=hooked.append
    )
    ev.evaluate()
    assert hooked == [ev] and ev.get_all_targets() == {"main": model}
    with pytest.raises(ValueError, match="'main' entry"):
        extensions.Evaluator({"test": SerialIterator(data, 5, False, False)}, model)
    with pytest.raises(ValueError, match="Evaluator: bad device"):
        extensions.Evaluator(SerialIterator(data, 5, False, False), model, device="@nope")
