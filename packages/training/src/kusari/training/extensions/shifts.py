"""Hyperparameter schedules: extensions that shift an optimizer attribute (``lr``, ...).

Each call advances the schedule by one step (the extension's trigger decides how often:
``trainer.extend(ExponentialShift('lr', 0.5), trigger=(1, 'epoch'))``). The current value
and step count are saved in snapshots, and ``initialize`` puts the value back on the
optimizer when training resumes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from kusari.training import extension

__all__ = [
    "ExponentialShift",
    "InverseShift",
    "LinearShift",
    "MultistepShift",
    "PolynomialShift",
    "StepShift",
    "WarmupShift",
]


def _clamp(value: float, target: float | None, growing: bool) -> float:
    """Stop at ``target``: ratios, not min/max, so negative values work too."""
    if target is None:
        return value
    if growing:
        return target if value / target > 1 else value
    return target if value / target < 1 else value


class _Shift(extension.Extension):
    """Shared parts: the optimizer lookup, the step count and the saved value."""

    def __init__(self, attr: str, optimizer: Any, init: float | None = None) -> None:
        if not isinstance(attr, str):
            raise TypeError(f"{type(self).__name__}: attr must be a str, got {type(attr).__name__}")
        self._attr = attr
        self._optimizer = optimizer
        self._init = init
        self._t = 0
        self._last_value: float | None = None

    def _get_optimizer(self, trainer: Any) -> Any:
        return self._optimizer or trainer.updater.get_optimizer("main")

    def _update_value(self, optimizer: Any, value: float) -> None:
        setattr(optimizer, self._attr, value)
        self._last_value = value

    def _start_value(self) -> float:
        return self._init

    def initialize(self, trainer: Any) -> None:
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = getattr(optimizer, self._attr)
        start = self._last_value if self._last_value is not None else self._start_value()
        self._update_value(optimizer, start)

    def __call__(self, trainer: Any) -> None:
        self._t += 1
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = getattr(optimizer, self._attr)
        self._update_value(optimizer, self._compute(self._t))

    def _compute(self, t: int) -> float:
        raise NotImplementedError

    def serialize(self, serializer: Any) -> None:
        self._t = int(serializer("_t", self._t))
        last = serializer("_last_value", self._last_value)
        self._last_value = None if last is None else float(last)
        # The start value too: optimizers that save their hyperparameters would otherwise
        # hand the shifted value to initialize() as the new start.
        try:
            init = serializer("_init", self._init)
        except KeyError:  # a Chainer snapshot
            return
        self._init = None if init is None else float(init)


class ExponentialShift(_Shift):
    """``value = init * rate ** t``, stopping at ``target``.

    Args:
        attr: The optimizer attribute (``'lr'``, ``'alpha'``, ...).
        rate: The factor per call.
        init: Start value (the attribute's current value when None).
        target: Limit the value reaches and keeps.
        optimizer: The optimizer (the ``'main'`` one when None).

    Example:
        >>> trainer.extend(ExponentialShift("lr", 0.5), trigger=(1, "epoch"))  # doctest: +SKIP
    """

    def __init__(
        self,
        attr: str,
        rate: float,
        init: float | None = None,
        target: float | None = None,
        optimizer: Any = None,
    ) -> None:
        super().__init__(attr, optimizer, init)
        if rate < 0:
            raise ValueError(f"ExponentialShift: rate must be non-negative, got {rate}")
        self._rate = rate
        self._target = target

    def _compute(self, t: int) -> float:
        return _clamp(self._init * self._rate**t, self._target, self._rate > 1)


class InverseShift(_Shift):
    """``value = init * (1 + gamma * t) ** -power``, stopping at ``target``.

    Example:
        >>> ext = InverseShift("lr", gamma=0.1, power=0.75)
    """

    def __init__(
        self,
        attr: str,
        gamma: float,
        power: float,
        init: float | None = None,
        target: float | None = None,
        optimizer: Any = None,
    ) -> None:
        super().__init__(attr, optimizer, init)
        if gamma < 0:
            raise ValueError(f"InverseShift: gamma must be non-negative, got {gamma}")
        self._gamma = gamma
        self._power = power
        self._target = target

    def _compute(self, t: int) -> float:
        value = self._init * (1 + self._gamma * t) ** (-self._power)
        return _clamp(value, self._target, self._power < 0)


class LinearShift(_Shift):
    """Move linearly from ``value_range[0]`` to ``value_range[1]`` between two steps.

    Before ``time_range[0]`` calls the value is the first, after ``time_range[1]`` the
    second.

    Example:
        >>> ext = LinearShift("lr", (0.1, 0.01), (100, 1000))
    """

    def __init__(
        self,
        attr: str,
        value_range: Sequence[float],
        time_range: Sequence[int],
        optimizer: Any = None,
    ) -> None:
        super().__init__(attr, optimizer, None)
        if len(value_range) != 2 or len(time_range) != 2:
            raise ValueError("LinearShift: value_range and time_range must be (start, end) pairs")
        if time_range[1] <= time_range[0]:
            raise ValueError(f"LinearShift: time_range must increase, got {tuple(time_range)}")
        self._value_range = tuple(value_range)
        self._time_range = tuple(time_range)

    def initialize(self, trainer: Any) -> None:
        optimizer = self._get_optimizer(trainer)
        value = self._last_value if self._last_value is not None else self._compute(self._t)
        self._update_value(optimizer, value)

    def _compute(self, t: int) -> float:
        (t1, t2), (v1, v2) = self._time_range, self._value_range
        if t <= t1:
            return v1
        if t >= t2:
            return v2
        return v1 + (t - t1) / (t2 - t1) * (v2 - v1)


class MultistepShift(_Shift):
    """Multiply ``init`` by ``gamma`` once more at each step listed in ``step_value``.

    Example:
        >>> ext = MultistepShift("lr", 0.1, [100, 200], init=0.1)
    """

    def __init__(
        self,
        attr: str,
        gamma: float,
        step_value: Sequence[int],
        init: float | None,
        optimizer: Any = None,
    ) -> None:
        super().__init__(attr, optimizer, init)
        self._gamma = gamma
        self._step_value = sorted(step_value)

    def _compute(self, t: int) -> float:
        steps = sum(1 for s in self._step_value if t >= s)
        return self._init * self._gamma**steps


class PolynomialShift(_Shift):
    """``value = init * (1 - t / max_count) ** rate``, stopping at ``target``.

    Args:
        max_count: The number of calls after which the value is 0.

    Example:
        >>> ext = PolynomialShift("lr", 0.9, max_count=1000)
    """

    def __init__(
        self,
        attr: str,
        rate: float,
        max_count: int,
        init: float | None = None,
        target: float | None = None,
        optimizer: Any = None,
    ) -> None:
        super().__init__(attr, optimizer, init)
        if max_count <= 0:
            raise ValueError(f"PolynomialShift: max_count must be positive, got {max_count}")
        self._rate = rate
        self._max_count = max_count
        self._target = target

    def _compute(self, t: int) -> float:
        decay = max(1 - t / self._max_count, 0)
        value = self._init * decay**self._rate
        if self._target is not None and value == 0:
            return self._target  # the decay reached zero: the floor is the target
        return _clamp(value, self._target, self._rate < 0)


class StepShift(_Shift):
    """``value = init * gamma ** floor(t / step)``, stopping at ``target``.

    Example:
        >>> ext = StepShift("lr", 0.5, step=100)
    """

    def __init__(
        self,
        attr: str,
        gamma: float,
        step: int,
        init: float | None = None,
        target: float | None = None,
        optimizer: Any = None,
    ) -> None:
        super().__init__(attr, optimizer, init)
        if step <= 0:
            raise ValueError(f"StepShift: step must be positive, got {step}")
        self._gamma = gamma
        self._step = step
        self._target = target

    def _compute(self, t: int) -> float:
        value = self._init * self._gamma ** math.floor(t / self._step)
        return _clamp(value, self._target, self._gamma > 1)


class WarmupShift(_Shift):
    """Raise the value linearly from ``warmup_start`` to ``init`` over ``warmup_iter`` calls.

    Example:
        >>> ext = WarmupShift("lr", 0.001, 1000, init=0.1)
    """

    def __init__(
        self,
        attr: str,
        warmup_start: float,
        warmup_iter: int,
        init: float | None = None,
        optimizer: Any = None,
    ) -> None:
        super().__init__(attr, optimizer, init)
        if warmup_iter <= 0:
            raise ValueError(f"WarmupShift: warmup_iter must be positive, got {warmup_iter}")
        self._warmup_start = warmup_start
        self._warmup_iter = warmup_iter

    def _start_value(self) -> float:
        return self._warmup_start

    def _compute(self, t: int) -> float:
        if t >= self._warmup_iter:
            return self._init
        return self._warmup_start + (self._init - self._warmup_start) * t / self._warmup_iter
