"""``observe_value`` and ``observe_lr``: put a value into the observation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kusari.training import extension

__all__ = ["observe_value", "observe_lr"]


def observe_value(observation_key: str, target_func: Callable[[Any], Any]) -> Any:
    """Return an extension storing ``target_func(trainer)`` as ``observation[key]``.

    Default trigger: once per epoch; it runs before the readers (LogReport).

    Example:
        >>> ext = observe_value("iteration_x2", lambda t: 2 * t.updater.iteration)
        >>> ext.priority
        300
    """

    @extension.make_extension(trigger=(1, "epoch"), priority=extension.PRIORITY_WRITER)
    def observe_value(trainer: Any) -> None:
        trainer.observation[observation_key] = target_func(trainer)

    return observe_value


def observe_lr(optimizer_name: str = "main", observation_key: str = "lr") -> Any:
    """Return an extension observing the learning rate (``optimizer.lr``).

    Example:
        >>> ext = observe_lr()
        >>> ext.default_name
        'observe_value'
    """
    return observe_value(
        observation_key, lambda trainer: trainer.updater.get_optimizer(optimizer_name).lr
    )
