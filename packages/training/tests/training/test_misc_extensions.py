"""MicroAverage, FailOnNonNumber, ParameterStatistics, VariableStatisticsPlot,
observe_value/observe_lr, dump_graph and unchain_variables."""

from __future__ import annotations

import os

import numpy
import pytest

import kusari
from kusari import serializers
from kusari.iterators import SerialIterator
from kusari.training import StandardUpdater, Trainer, extensions


def classifier_trainer(classifier_setup, tmp_path, stop=(2, "iteration"), batch=5):
    model, optimizer, data = classifier_setup
    updater = StandardUpdater(SerialIterator(data, batch, shuffle=False), optimizer)
    return model, Trainer(updater, stop, out=str(tmp_path / "out"))


def test_micro_average(make_trainer):
    trainer = make_trainer((2, "epoch"))
    counts = iter([(1, 2), (2, 2), (0, 2), (2, 2), (2, 2)] * 2)

    def counter(t):
        correct, total = next(counts)
        t.observation.update({"main/correct": numpy.float32(correct), "main/total": total})

    trainer.extend(counter, name="counter", priority=300)
    trainer.extend(extensions.MicroAverage("main/correct", "main/total", "main/accuracy"))
    trainer.extend(extensions.LogReport())
    trainer.run()
    log = trainer.get_extension("LogReport").log
    assert [e["main/accuracy"] for e in log] == [0.7, 0.7]  # 7 of 10 each epoch
    s = serializers.DictionarySerializer()
    s.save(trainer.get_extension("MicroAverage"))
    assert set(s.target) >= {"_numerator", "_denominator"}


def test_fail_on_nonnumber(classifier_setup, tmp_path):
    model, trainer = classifier_trainer(classifier_setup, tmp_path, stop=(5, "iteration"))
    trainer.extend(extensions.FailOnNonNumber())

    def poison(t):
        if t.updater.iteration == 3:
            model.predictor.W.array[0, 0] = numpy.nan

    trainer.extend(poison, name="poison", priority=300)
    with pytest.raises(RuntimeError, match="parameter '/predictor/W' of optimizer 'main'.*NaN"):
        trainer.run(show_loop_exception_msg=False)
    assert trainer.updater.iteration == 3


def test_fail_on_nonnumber_passes_finite_training(classifier_setup, tmp_path):
    _, trainer = classifier_trainer(classifier_setup, tmp_path, stop=(3, "iteration"))
    trainer.extend(extensions.FailOnNonNumber(check_grad=False))
    trainer.run()


def test_parameter_statistics_values(classifier_setup, tmp_path):
    model, trainer = classifier_trainer(classifier_setup, tmp_path, stop=(1, "iteration"))
    stats = extensions.ParameterStatistics(model, prefix="stats", trigger=(1, "iteration"))
    trainer.extend(stats)
    trainer.extend(extensions.LogReport(trigger=(1, "iteration")))
    trainer.run()
    entry = trainer.get_extension("LogReport").log[0]
    W, gW = model.predictor.W.array, model.predictor.W.grad
    assert entry["stats/predictor/W/data/mean"] == pytest.approx(float(W.mean()), rel=1e-6)
    assert entry["stats/predictor/W/data/std"] == pytest.approx(float(W.std()), rel=1e-6)
    assert entry["stats/predictor/W/grad/max"] == pytest.approx(float(gW.max()), rel=1e-6)
    assert entry["stats/predictor/b/data/zeros"] == 0
    p = numpy.percentile(W.ravel(), (0.13, 2.28, 15.87, 50, 84.13, 97.72, 99.87))
    assert [entry[f"stats/predictor/W/data/percentile/{i}"] for i in range(7)] == pytest.approx(p)
    stats.register_statistics("absmax", lambda x: abs(x).max())
    assert stats.compute()["stats/predictor/W/data/absmax"] == pytest.approx(abs(W).max())
    only = extensions.ParameterStatistics(model, {"sum": numpy.sum}, report_grads=False)
    assert set(only.compute()) == {"predictor/W/data/sum", "predictor/b/data/sum"}


def test_variable_statistics_plot(classifier_setup, tmp_path):
    pytest.importorskip("matplotlib")
    model, trainer = classifier_trainer(classifier_setup, tmp_path, stop=(3, "iteration"))
    state = numpy.random.get_state()
    plot = extensions.VariableStatisticsPlot(model, trigger=(1, "iteration"), max_sample_size=5)
    trainer.extend(plot)
    trainer.run()
    with open(os.path.join(trainer.out, "statistics.png"), "rb") as f:
        assert f.read(4) == b"\x89PNG"
    data_stats = numpy.asarray(plot._stats["data"])
    assert data_stats.shape == (3, 2 + 9)
    # percentiles are ordered and the global generator was not touched
    assert numpy.all(numpy.diff(data_stats[:, 2:], axis=1) >= 0)
    assert numpy.array_equal(numpy.random.get_state()[1], state[1])
    with pytest.raises(ValueError, match="both False"):
        extensions.VariableStatisticsPlot(model, report_data=False, report_grad=False)


def test_observe_value_and_lr(make_trainer):
    trainer = make_trainer((2, "epoch"))
    trainer.extend(extensions.observe_lr())
    trainer.extend(extensions.observe_value("twice", lambda t: 2 * t.updater.iteration))
    trainer.extend(extensions.LogReport())
    trainer.run()
    log = trainer.get_extension("LogReport").log
    assert [(e["lr"], e["twice"]) for e in log] == [(0.1, 10.0), (0.1, 20.0)]


def test_dump_graph_writes_dot_once_and_restores_config(classifier_setup, tmp_path):
    model, trainer = classifier_trainer(classifier_setup, tmp_path, stop=(3, "iteration"))
    keep = []
    trainer.extend(
        lambda t: keep.append(kusari.config.keep_graph_on_report), name="spy", priority=400
    )
    trainer.extend(extensions.dump_graph("main/loss"))
    trainer.run()
    with open(os.path.join(trainer.out, "cg.dot")) as f:
        dot = f.read()
    assert dot.startswith("digraph graphname{") and "->" in dot
    assert "LinearFunction" in dot or "Linear" in dot
    assert keep == [True, False, False]
    assert kusari.config.keep_graph_on_report is False


def test_dump_graph_errors(make_trainer):
    trainer = make_trainer((1, "iteration"))
    trainer.extend(extensions.dump_graph("main/loss", filename="g.dot"))
    with pytest.raises(TypeError, match="'main/loss' must be a Variable"):
        trainer.run(show_loop_exception_msg=False)
    assert kusari.config.keep_graph_on_report is False
    trainer = make_trainer((1, "iteration"))
    trainer.extend(extensions.dump_graph("nope"))
    with pytest.raises(KeyError, match="'nope' was not reported"):
        trainer.run(show_loop_exception_msg=False)


def test_unchain_variables(classifier_setup, tmp_path):
    model, trainer = classifier_trainer(classifier_setup, tmp_path, stop=(1, "iteration"))
    trainer.extend(extensions.dump_graph("main/loss"))  # keeps the graph on the report
    seen = {}
    trainer.extend(
        lambda t: seen.setdefault("before", t.observation["main/loss"].creator),
        name="before",
        priority=0,
    )
    trainer.extend(extensions.unchain_variables())
    trainer.run()
    assert seen["before"] is not None
    assert trainer.observation["main/loss"].creator is None
