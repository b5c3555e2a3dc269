"""Trainer: extension registration and order, the loop, errors, elapsed time, snapshots."""

from __future__ import annotations

import random

import numpy
import pytest

from kusari import serializers, training
from kusari.training import Extension, make_extension


class Recorder(Extension):
    """Appends ``(name, event, iteration)`` to a shared list."""

    def __init__(self, calls: list, tag: str, priority: int = 100, trigger=(1, "iteration")):
        self.calls = calls
        self.tag = tag
        self.priority = priority
        self.trigger = trigger

    def __call__(self, trainer):
        self.calls.append((self.tag, "call", trainer.updater.iteration))

    def initialize(self, trainer):
        self.calls.append((self.tag, "initialize", trainer.updater.iteration))

    def on_error(self, trainer, exc, tb):
        self.calls.append((self.tag, "on_error", type(exc).__name__))

    def finalize(self):
        self.calls.append((self.tag, "finalize", None))


def test_stop_trigger_and_iteration_count(make_trainer):
    trainer = make_trainer((2, "epoch"), n=10, batch_size=2)
    trainer.run()
    assert trainer.updater.iteration == 10 and trainer.updater.epoch == 2
    trainer = make_trainer((7, "iteration"))
    trainer.run()
    assert trainer.updater.iteration == 7


def test_extensions_run_by_priority_then_registration_order(make_trainer):
    calls: list = []
    trainer = make_trainer((2, "iteration"))
    trainer.extend(Recorder(calls, "reader"))
    trainer.extend(Recorder(calls, "writer", priority=training.PRIORITY_WRITER))
    trainer.extend(Recorder(calls, "reader2"))
    trainer.extend(Recorder(calls, "editor", priority=training.PRIORITY_EDITOR))
    trainer.run()
    per_iteration = [tag for tag, event, it in calls if event == "call" and it == 1]
    assert per_iteration == ["writer", "editor", "reader", "reader2"]
    assert [c[0] for c in calls if c[1] == "initialize"] == per_iteration
    assert [c[0] for c in calls if c[1] == "finalize"] == per_iteration


def test_extend_defaults_names_and_overrides(make_trainer):
    trainer = make_trainer((4, "iteration"))
    calls: list = []

    @make_extension(trigger=(2, "iteration"), priority=training.PRIORITY_WRITER)
    def every_other(trainer):
        calls.append(trainer.updater.iteration)

    trainer.extend(every_other)
    trainer.extend(every_other, name="again", trigger=(4, "iteration"))
    first, second = Recorder([], "x"), Recorder([], "x")
    trainer.extend(first)
    trainer.extend(second)
    assert (first.name, second.name) == ("Recorder", "Recorder_1")
    assert trainer.get_extension("Recorder_1") is second
    trainer.run()
    assert calls == [2, 4, 4]
    with pytest.raises(ValueError, match="no extension named 'nope'"):
        trainer.get_extension("nope")
    with pytest.raises(ValueError, match="reserved"):
        trainer.extend(Recorder([], "x"), name="training")
    with pytest.raises(TypeError, match="callable"):
        trainer.extend(42)


def test_call_before_training(make_trainer):
    calls: list = []
    trainer = make_trainer((2, "iteration"))
    trainer.extend(Recorder(calls, "a", trigger=(10, "iteration")), call_before_training=True)
    trainer.run()
    assert [c for c in calls if c[1] == "call"] == [("a", "call", 0)]


def test_on_error_then_finalize_in_priority_order_and_reraise(make_trainer, capsys):
    calls: list = []
    trainer = make_trainer((10, "iteration"))

    @make_extension(trigger=(3, "iteration"), priority=250)
    def boom(trainer):
        raise ZeroDivisionError("boom at 3")

    trainer.extend(Recorder(calls, "low", priority=50))
    trainer.extend(boom)
    trainer.extend(Recorder(calls, "high", priority=300))
    with pytest.raises(ZeroDivisionError, match="boom at 3"):
        trainer.run()
    tail = [c for c in calls if c[1] in ("on_error", "finalize")]
    assert tail == [
        ("high", "on_error", "ZeroDivisionError"),
        ("low", "on_error", "ZeroDivisionError"),
        ("high", "finalize", None),
        ("low", "finalize", None),
    ]
    # "high" ran at iteration 3 before boom; "low" did not
    assert ("high", "call", 3) in calls and ("low", "call", 3) not in calls
    assert "ZeroDivisionError: boom at 3" in capsys.readouterr().err


def test_failing_on_error_handler_does_not_hide_the_error(make_trainer, capsys):
    trainer = make_trainer((3, "iteration"))

    class BadHandler(Extension):
        def __call__(self, trainer):
            raise KeyError("original")

        def on_error(self, trainer, exc, tb):
            raise RuntimeError("handler failed")

    trainer.extend(BadHandler())
    with pytest.raises(KeyError, match="original"):
        trainer.run()
    assert "on_error of extension 'BadHandler' failed" in capsys.readouterr().err


def test_finalize_accepts_trainer_argument(make_trainer):
    seen = []

    class NewStyle(Extension):
        def __call__(self, trainer):
            pass

        def finalize(self, trainer):
            seen.append(trainer)

    trainer = make_trainer((1, "iteration"))
    trainer.extend(NewStyle())
    trainer.run()
    assert seen == [trainer]


def test_run_twice_and_elapsed_time(make_trainer):
    trainer = make_trainer((1, "iteration"))
    with pytest.raises(RuntimeError, match="not started"):
        _ = trainer.elapsed_time
    assert trainer.is_before_training
    trainer.run()
    elapsed = trainer.elapsed_time
    assert elapsed > 0 and trainer.elapsed_time == elapsed  # frozen after the run
    with pytest.raises(RuntimeError, match="already finished"):
        trainer.run()


def test_observation_holds_reports_of_the_iteration(make_trainer):
    trainer = make_trainer((3, "iteration"), n=10, batch_size=2)
    seen = []
    trainer.extend(lambda t: seen.append(dict(t.observation)), name="spy")
    trainer.run()
    assert [float(o["main/loss"]) for o in seen] == [0.5, 2.5, 4.5]


def test_updater_type_checked():
    with pytest.raises(TypeError, match="expected an updater"):
        training.Trainer(object(), (1, "epoch"))


def test_serialize_round_trip_restores_state_and_global_rngs(make_trainer, tmp_path):
    trainer = make_trainer((3, "iteration"))
    log = training.extensions.LogReport(trigger=(1, "iteration"))
    trainer.extend(log)
    trainer.run()
    numpy.random.seed(123)
    random.seed(7)
    path = tmp_path / "snap.npz"
    serializers.save_npz(path, trainer)
    expected_np, expected_py = numpy.random.random_sample(5), random.random()

    resumed = make_trainer((6, "iteration"), out=tmp_path / "resumed")
    log2 = training.extensions.LogReport(trigger=(1, "iteration"))
    resumed.extend(log2)
    numpy.random.seed(999)
    random.seed(1)
    serializers.load_npz(path, resumed)
    assert numpy.array_equal(numpy.random.random_sample(5), expected_np)
    assert random.random() == expected_py
    assert resumed.updater.iteration == 3
    assert resumed.updater.get_iterator("main").current_position == 6
    assert [e["iteration"] for e in log2.log] == [1, 2, 3]
    with numpy.load(path) as npz:
        assert float(npz["_snapshot_elapsed_time"]) == pytest.approx(trainer.elapsed_time)
    resumed.run()
    assert [e["main/loss"] for e in log2.log] == [0.5, 2.5, 4.5, 6.5, 8.5, 0.5]
    assert resumed.elapsed_time >= trainer.elapsed_time


def test_snapshot_without_kusari_only_keys_loads(make_trainer, tmp_path):
    """A snapshot lacking the keys old Chainer versions did not write still loads."""

    def build(out):
        trainer = make_trainer((3, "iteration"), out=out)
        trainer.extend(training.extensions.LogReport(trigger=(1, "iteration")))
        trainer.extend(training.extensions.PlotReport(["main/loss"]))
        trainer.extend(training.extensions.ExponentialShift("lr", 0.5))
        return trainer

    trainer = build(tmp_path / "a")
    trainer.run()
    s = serializers.DictionarySerializer()
    s.save(trainer)
    dropped = (
        "random_state/",
        "_snapshot_elapsed_time",
        "previous_iteration",
        "previous_epoch_detail",
        "/_init",
        "PlotReport/_trigger",
        "PlotReport/_summary",
    )
    target = {k: v for k, v in s.target.items() if not any(d in k for d in dropped)}
    assert len(target) < len(s.target)
    state = numpy.random.get_state()[1].copy()
    resumed = build(tmp_path / "b")
    serializers.NpzDeserializer(target).load(resumed)
    assert resumed.updater.iteration == 3
    assert numpy.array_equal(numpy.random.get_state()[1], state)  # generators untouched


def test_early_stopping_ends_a_real_run(make_trainer):
    # main/loss has the same mean (4.5) every epoch: no improvement after the first
    stop = training.triggers.EarlyStoppingTrigger(
        monitor="main/loss", patience=2, max_trigger=(50, "epoch")
    )
    trainer = make_trainer(stop)
    trainer.extend(training.extensions.LogReport())
    trainer.run()
    assert trainer.updater.epoch == 3
    assert [e["epoch"] for e in trainer.get_extension("LogReport").log] == [1, 2, 3]
