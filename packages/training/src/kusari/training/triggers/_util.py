"""``get_trigger``: turn Chainer's trigger forms into a callable trigger."""

from __future__ import annotations

from typing import Any

from kusari.training.triggers.interval_trigger import IntervalTrigger

__all__ = ["get_trigger", "never_fire_trigger"]


def never_fire_trigger(trainer: Any) -> bool:
    """A trigger that never fires (the stop trigger of ``Trainer(updater, None)``)."""
    return False


def get_trigger(trigger: Any) -> Any:
    """Return a trigger object for ``trigger``.

    Args:
        trigger: None (never fires), a callable ``trigger(trainer) -> bool`` (returned as
            is), or a ``(period, unit)`` tuple (an :class:`IntervalTrigger`).

    Example:
        >>> get_trigger((10, "iteration"))
        IntervalTrigger(10, 'iteration')
    """
    if trigger is None:
        return never_fire_trigger
    if callable(trigger):
        return trigger
    if isinstance(trigger, (tuple, list)) and len(trigger) == 2:
        return IntervalTrigger(*trigger)
    raise TypeError(
        "get_trigger: expected None, a callable trigger or a (period, 'epoch'|'iteration') "
        f"tuple, got {type(trigger).__name__} {trigger!r}"
    )
