"""``Updater``: the part of the training loop that performs one update per iteration.

The base class keeps the iterators, the optimizers and the iteration count, exposes the
main iterator's epoch bookkeeping, and serializes all of it with Chainer's key layout
(``iterator:main``, ``optimizer:main``, ``model:main``, ``iteration``). Subclasses
implement :meth:`Updater.update_core`; :class:`~kusari.training.StandardUpdater` is the
usual one.

Chainer's ``chainer.training.updater`` module also exported ``StandardUpdater``; it is
available here under the same name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# StandardUpdater is served lazily by __getattr__ below (it imports this module).
__all__ = ["Updater", "StandardUpdater"]  # noqa: F822


def _as_dict(owner: str, what: str, value: Any, check: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        if "main" not in value:
            raise ValueError(
                f"{owner}: a dict of {what}s must have a 'main' entry, got keys {sorted(value)}"
            )
        items = dict(value)
    else:
        items = {"main": value}
    for name, item in items.items():
        if not hasattr(item, check):
            raise TypeError(
                f"{owner}: {what} {name!r} must have a {check}() method, got {type(item).__name__}"
            )
    return items


class Updater:
    """Base of updaters: owns iterators and optimizers, counts iterations.

    Args:
        iterator: The training iterator, or a dict of them with a ``'main'`` entry.
        optimizer: The optimizer (set up with its target), or a dict with ``'main'``.

    Attributes:
        iteration: Number of updates done.

    Example:
        >>> from kusari.iterators import SerialIterator
        >>> class Counting(Updater):
        ...     def update_core(self):
        ...         self.get_iterator("main").next()
        >>> class Opt:
        ...     target = None
        ...
        ...     def update(self):
        ...         pass
        >>> u = Counting(SerialIterator([1, 2, 3, 4], 2, shuffle=False), Opt())
        >>> u.update()
        >>> u.update()
        >>> u.iteration, u.epoch, u.is_new_epoch
        (2, 1, True)
    """

    def __init__(self, iterator: Any = None, optimizer: Any = None) -> None:
        owner = type(self).__name__
        self._iterators: dict[str, Any] = (
            {} if iterator is None else _as_dict(owner, "iterator", iterator, "__next__")
        )
        self._optimizers: dict[str, Any] = (
            {} if optimizer is None else _as_dict(owner, "optimizer", optimizer, "update")
        )
        self.iteration = 0

    # --- the update -------------------------------------------------------------------

    def update(self) -> None:
        """Run one update and count it."""
        self.update_core()
        self.iteration += 1

    def update_core(self) -> None:
        """Perform one update (fetch a batch, compute the loss, step the optimizer)."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_core()")

    # --- access -----------------------------------------------------------------------

    def get_iterator(self, name: str) -> Any:
        """The iterator registered as ``name`` (``'main'`` for a single one)."""
        try:
            return self._iterators[name]
        except KeyError:
            raise KeyError(
                f"{type(self).__name__}.get_iterator: no iterator {name!r}; have "
                f"{sorted(self._iterators)}"
            ) from None

    def get_all_iterators(self) -> dict[str, Any]:
        """A new dict of every iterator by name."""
        return dict(self._iterators)

    def get_optimizer(self, name: str) -> Any:
        """The optimizer registered as ``name`` (``'main'`` for a single one)."""
        try:
            return self._optimizers[name]
        except KeyError:
            raise KeyError(
                f"{type(self).__name__}.get_optimizer: no optimizer {name!r}; have "
                f"{sorted(self._optimizers)}"
            ) from None

    def get_all_optimizers(self) -> dict[str, Any]:
        """A new dict of every optimizer by name."""
        return dict(self._optimizers)

    # --- epoch bookkeeping (of the main iterator) ------------------------------------

    @property
    def epoch(self) -> int:
        """Completed epochs of the main iterator."""
        return self._iterators["main"].epoch

    @property
    def epoch_detail(self) -> float:
        """Fractional epochs of the main iterator."""
        return self._iterators["main"].epoch_detail

    @property
    def previous_epoch_detail(self) -> float | None:
        """``epoch_detail`` before the last update (None before the first)."""
        return getattr(self._iterators["main"], "previous_epoch_detail", None)

    @property
    def is_new_epoch(self) -> bool:
        """Whether the last update completed an epoch."""
        return self._iterators["main"].is_new_epoch

    # --- life cycle -------------------------------------------------------------------

    def connect_trainer(self, trainer: Any) -> None:
        """Called by the Trainer that owns this updater."""

    def finalize(self) -> None:
        """Release the iterators' resources (worker threads or processes)."""
        for iterator in self._iterators.values():
            finalize = getattr(iterator, "finalize", None)
            if finalize is not None:
                finalize()

    def serialize(self, serializer: Any) -> None:
        """Save or load iterators, optimizers, their targets and the iteration count."""
        for name, iterator in self._iterators.items():
            if hasattr(iterator, "serialize"):
                iterator.serialize(serializer["iterator:" + name])
        for name, optimizer in self._optimizers.items():
            optimizer.serialize(serializer["optimizer:" + name])
            target = getattr(optimizer, "target", None)
            if target is not None:
                target.serialize(serializer["model:" + name])
        self.iteration = int(serializer("iteration", self.iteration))


def __getattr__(name: str) -> Any:
    if name == "StandardUpdater":  # Chainer's chainer.training.updater.StandardUpdater
        from kusari.training.updaters.standard_updater import StandardUpdater

        return StandardUpdater
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
