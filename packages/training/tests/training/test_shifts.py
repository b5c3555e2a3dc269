"""Hyperparameter shifts: the value after each call, targets, resume."""

from __future__ import annotations

import pytest

from kusari import serializers
from kusari.training import extensions as E


def run_shift(make_trainer, shift, calls=6, attr="lr"):
    """The optimizer's ``attr`` before training and after each of ``calls`` iterations."""
    trainer = make_trainer((calls, "iteration"))
    optimizer = trainer.updater.get_optimizer("main")
    seen = []
    trainer.extend(shift, trigger=(1, "iteration"))
    trainer.extend(lambda t: seen.append(getattr(optimizer, attr)), name="spy", priority=-10)
    trainer.extend(
        lambda t: seen.append(getattr(optimizer, attr)),
        name="start",
        trigger=(10**6, "iteration"),
        call_before_training=True,
    )
    trainer.run()
    return seen


@pytest.mark.parametrize(
    ("shift", "expected"),
    [
        (E.ExponentialShift("lr", 0.5, init=1.0), [1, 0.5, 0.25, 0.125, 0.0625]),
        (E.ExponentialShift("lr", 0.5, init=1.0, target=0.2), [1, 0.5, 0.25, 0.2, 0.2]),
        (E.ExponentialShift("lr", 2.0, init=1.0, target=5.0), [1, 2, 4, 5, 5]),
        (E.ExponentialShift("lr", 0.5), [0.1, 0.05, 0.025, 0.0125, 0.00625]),  # init from lr
        (E.LinearShift("lr", (1.0, 0.0), (1, 3)), [1, 1, 0.5, 0, 0]),
        (E.MultistepShift("lr", 0.1, [2, 4], init=1.0), [1, 1, 0.1, 0.1, 0.01]),
        (E.PolynomialShift("lr", 2, max_count=4, init=1.0), [1, 0.5625, 0.25, 0.0625, 0]),
        (
            E.PolynomialShift("lr", 2, max_count=4, init=1.0, target=0.1),
            [1, 0.5625, 0.25, 0.1, 0.1],
        ),
        (E.StepShift("lr", 0.5, 2, init=1.0), [1, 1, 0.5, 0.5, 0.25]),
        (E.StepShift("lr", 0.5, 1, init=1.0, target=0.3), [1, 0.5, 0.3, 0.3, 0.3]),
        (E.InverseShift("lr", 1.0, 1.0, init=1.0), [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]),
        (E.InverseShift("lr", 1.0, 1.0, init=1.0, target=0.3), [1, 0.5, 1 / 3, 0.3, 0.3]),
        (E.WarmupShift("lr", 0.0, 4, init=1.0), [0, 0.25, 0.5, 0.75, 1.0]),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, list) else "",
)
def test_shift_values(make_trainer, shift, expected):
    assert run_shift(make_trainer, shift, calls=4) == pytest.approx(expected)


def test_shift_other_attribute_and_optimizer(make_trainer):
    assert run_shift(make_trainer, E.ExponentialShift("alpha", 10.0), 2, attr="alpha") == (
        pytest.approx([0.001, 0.01, 0.1])
    )
    other = type("Other", (), {"lr": 3.0})()
    run_shift(make_trainer, E.StepShift("lr", 0.5, 1, optimizer=other), 2)
    assert other.lr == 0.75


def test_shift_resumes_its_schedule(make_trainer):
    shift = E.ExponentialShift("lr", 0.5, init=1.0)
    run_shift(make_trainer, shift, calls=3)
    s = serializers.DictionarySerializer()
    s.save(shift)
    resumed = E.ExponentialShift("lr", 0.5, init=1.0)
    serializers.NpzDeserializer(s.target).load(resumed)
    values = run_shift(make_trainer, resumed, calls=2)
    assert values == pytest.approx([0.125, 0.0625, 0.03125])  # initialize restores 0.125


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: E.ExponentialShift("lr", -1), "ExponentialShift: rate"),
        (lambda: E.LinearShift("lr", (1, 0), (5, 5)), "LinearShift: time_range"),
        (lambda: E.StepShift("lr", 0.5, 0), "StepShift: step"),
        (lambda: E.PolynomialShift("lr", 1, 0), "PolynomialShift: max_count"),
        (lambda: E.WarmupShift("lr", 0, 0), "WarmupShift: warmup_iter"),
        (lambda: E.InverseShift("lr", -1, 1), "InverseShift: gamma"),
    ],
)
def test_shift_argument_errors(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()
