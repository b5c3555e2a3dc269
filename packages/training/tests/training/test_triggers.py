"""Triggers against a stand-in updater whose position is set by hand."""

from __future__ import annotations

import types

import numpy
import pytest

from kusari import serializers
from kusari.training import triggers
from kusari.training.triggers import (
    EarlyStoppingTrigger,
    IntervalTrigger,
    ManualScheduleTrigger,
    MaxValueTrigger,
    MinValueTrigger,
    OnceTrigger,
    TimeTrigger,
    get_trigger,
)


class FakeUpdater:
    """An updater that advances ``iteration`` by one with ``per_epoch`` iterations/epoch."""

    def __init__(self, per_epoch: int) -> None:
        self.per_epoch = per_epoch
        self.iteration = 0
        self.previous_epoch_detail = None

    @property
    def epoch_detail(self) -> float:
        return self.iteration / self.per_epoch

    @property
    def epoch(self) -> int:
        return self.iteration // self.per_epoch

    def step(self) -> None:
        self.previous_epoch_detail = self.epoch_detail
        self.iteration += 1


def fake_trainer(per_epoch: int = 4):
    return types.SimpleNamespace(updater=FakeUpdater(per_epoch), observation={}, elapsed_time=0.0)


def fired_at(trigger, trainer, iterations: int, observations=None) -> list[int]:
    fired = []
    for i in range(iterations):
        trainer.updater.step()
        trainer.observation = observations[i] if observations else {}
        if trigger(trainer):
            fired.append(trainer.updater.iteration)
    return fired


def roundtrip(obj, new):
    s = serializers.DictionarySerializer()
    s.save(obj)
    serializers.NpzDeserializer(s.target).load(new)
    return new


def test_interval_iteration():
    assert fired_at(IntervalTrigger(3, "iteration"), fake_trainer(), 10) == [3, 6, 9]


def test_interval_epoch_whole_and_fractional():
    assert fired_at(IntervalTrigger(1, "epoch"), fake_trainer(4), 12) == [4, 8, 12]
    assert fired_at(IntervalTrigger(0.5, "epoch"), fake_trainer(4), 8) == [2, 4, 6, 8]
    # 3 iterations per epoch with a 2-epoch period: fires when epoch_detail crosses 2, 4
    assert fired_at(IntervalTrigger(2, "epoch"), fake_trainer(3), 12) == [6, 12]


def test_interval_does_not_fire_before_the_first_update():
    trainer = fake_trainer()
    assert IntervalTrigger(1, "iteration")(trainer) is False
    assert IntervalTrigger(1, "epoch")(trainer) is False


def test_interval_serialize_resumes_mid_interval():
    trainer = fake_trainer(4)
    t = IntervalTrigger(1, "epoch")
    assert fired_at(t, trainer, 6) == [4]
    t2 = roundtrip(t, IntervalTrigger(1, "epoch"))
    assert fired_at(t2, trainer, 6) == [8, 12]


def test_interval_training_length_and_may_fire():
    t = IntervalTrigger(5, "epoch")
    assert t.get_training_length() == (5, "epoch")
    assert t.may_fire(10, 2) and not t.may_fire(9, 2)


@pytest.mark.parametrize(
    ("args", "error"),
    [((0, "iteration"), ValueError), ((1, "epochs"), ValueError), ((1.5, "iteration"), TypeError)],
)
def test_interval_rejects_bad_arguments(args, error):
    with pytest.raises(error, match="IntervalTrigger"):
        IntervalTrigger(*args)


def test_get_trigger_forms():
    assert get_trigger(None)(None) is False
    assert isinstance(get_trigger((2, "iteration")), IntervalTrigger)

    def f(trainer):
        return True

    assert get_trigger(f) is f
    with pytest.raises(TypeError, match="get_trigger: expected"):
        get_trigger(5)
    assert triggers.get_trigger is get_trigger


def test_manual_schedule_iteration_and_epoch():
    t = ManualScheduleTrigger([2, 5], "iteration")
    trainer = fake_trainer()
    assert fired_at(t, trainer, 4) == [2] and not t.finished
    assert fired_at(t, trainer, 4) == [5] and t.finished
    assert fired_at(ManualScheduleTrigger([0.5, 2], "epoch"), fake_trainer(4), 12) == [2, 8]
    assert ManualScheduleTrigger(3, "epoch").get_training_length() == (3, "epoch")


def test_manual_schedule_serialize():
    t = ManualScheduleTrigger([2, 5], "iteration")
    trainer = fake_trainer()
    fired_at(t, trainer, 3)
    t2 = roundtrip(t, ManualScheduleTrigger([2, 5], "iteration"))
    assert fired_at(t2, trainer, 5) == [5]


def test_min_max_value_triggers():
    values = [5, 3, 4, 4, 1, 1, 9, 9]  # two iterations per epoch: means 4, 4, 1, 9
    obs = [{"v": numpy.float32(v)} for v in values]
    assert fired_at(MinValueTrigger("v", (1, "epoch")), fake_trainer(2), 8, obs) == [2, 6]
    t = MaxValueTrigger("v", (1, "epoch"))
    assert fired_at(t, fake_trainer(2), 8, obs) == [2, 8]
    assert t.best_value == 9.0


def test_best_value_trigger_serialize():
    obs = [{"v": numpy.float32(v)} for v in [3, 3, 2, 2, 5, 5]]
    t = MinValueTrigger("v", (1, "epoch"))
    trainer = fake_trainer(2)
    assert fired_at(t, trainer, 3, obs[:3]) == [2]
    t2 = roundtrip(t, MinValueTrigger("v", (1, "epoch")))
    assert t2.best_value == 3.0
    assert fired_at(t2, trainer, 3, obs[3:]) == [4]


def test_early_stopping_stops_after_patience():
    losses = [1.0, 0.5, 0.6, 0.7, 0.4, 0.8, 0.9, 0.95, 1.0]  # one iteration per epoch
    obs = [{"main/loss": numpy.float32(v)} for v in losses]
    t = EarlyStoppingTrigger(monitor="main/loss", patience=3, max_trigger=(100, "epoch"))
    assert fired_at(t, fake_trainer(1), 9, obs)[0] == 8  # 0.4 at epoch 5, then 3 worse
    assert t.best == pytest.approx(0.4)


def test_early_stopping_auto_mode_and_max_trigger():
    t = EarlyStoppingTrigger(monitor="validation/main/accuracy", patients=2)
    assert t.mode == "max" and t.patience == 2 and t.patients == 2
    obs = [{"main/loss": numpy.float32(1.0 / (i + 1))} for i in range(10)]
    t = EarlyStoppingTrigger(max_trigger=(4, "iteration"))
    assert fired_at(t, fake_trainer(1), 10, obs)[0] == 4
    assert t.get_training_length() == (4, "iteration")
    with pytest.raises(ValueError, match="mode"):
        EarlyStoppingTrigger(mode="up")


def test_once_trigger():
    t = OnceTrigger()
    assert [t(None) for _ in range(3)] == [True, False, False]
    t2 = roundtrip(t, OnceTrigger())
    assert t2(None) is False
    t3 = roundtrip(t, OnceTrigger(call_on_resume=True))
    assert [t3(None), t3(None)] == [True, False]


def test_time_trigger():
    trainer = fake_trainer()
    t = TimeTrigger(10)
    fired = []
    for now in [1, 9.9, 10, 12, 19, 21, 45]:
        trainer.elapsed_time = now
        fired.append(t(trainer))
    assert fired == [False, False, True, False, False, True, True]
    t2 = roundtrip(t, TimeTrigger(10))
    # deadlines move by one period per firing: 45 used the one at 30, so 40 is next
    trainer.elapsed_time = 46
    assert [t2(trainer), t2(trainer)] == [True, False]
    with pytest.raises(ValueError, match="TimeTrigger"):
        TimeTrigger(0)
