"""Hyperparameters that fall back to a parent, and properties that alias them."""

from __future__ import annotations

import types
from typing import Any

__all__ = ["Hyperparameter", "HyperparameterProxy", "GENERATION", "resolve"]

#: Bumped by every change to any Hyperparameter; a resolved snapshot taken at the same
#: generation is still exact. One counter for all keeps the check to one comparison.
GENERATION = [0]


class Hyperparameter:
    """A set of named hyperparameters whose missing entries come from a parent.

    An optimizer holds one Hyperparameter; the update rule of every parameter holds a
    child whose parent is the optimizer's, so ``optimizer.lr = 0.1`` reaches every rule
    while ``rule.hyperparam.lr = 0.5`` overrides one parameter only.

    Args:
        parent: The Hyperparameter (or any object with attributes) consulted for entries
            this one does not set.

    Example:
        >>> base = Hyperparameter()
        >>> base.lr = 0.1
        >>> child = Hyperparameter(base)
        >>> child.lr
        0.1
        >>> child.lr = 0.5
        >>> (child.lr, base.lr)
        (0.5, 0.1)
    """

    def __init__(self, parent: Any = None) -> None:
        self._parent = parent

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        GENERATION[0] += 1

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)
        GENERATION[0] += 1

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails, i.e. for entries this object lacks.
        parent = self.__dict__.get("_parent")
        while parent is not None:
            if type(parent) is not Hyperparameter:
                return getattr(parent, name)
            entries = parent.__dict__
            if name in entries:
                return entries[name]
            parent = entries.get("_parent")
        known = ", ".join(sorted(self.get_dict())) or "none"
        raise AttributeError(
            f"Hyperparameter has no entry {name!r} (entries set here or in a parent: {known})"
        )

    @property
    def parent(self) -> Any:
        """The parent hyperparameter, or None."""
        return self._parent

    def get_dict(self) -> dict[str, Any]:
        """All entries visible from this object, the parent's overridden by its own.

        Returns:
            A new dict of name → value.
        """
        parent = self.__dict__.get("_parent")
        if parent is None:
            entries: dict[str, Any] = {}
        elif hasattr(parent, "get_dict"):
            entries = parent.get_dict()
        else:
            entries = dict(vars(parent))
        entries.update((k, v) for k, v in self.__dict__.items() if k != "_parent")
        return entries

    def __repr__(self) -> str:
        entries = self.get_dict()
        return "Hyperparameter(" + ", ".join(f"{k}={entries[k]!r}" for k in sorted(entries)) + ")"


class _Snapshot(types.SimpleNamespace):
    """Plain attributes of a resolved Hyperparameter (fast to read on the hot path)."""

    def __getattr__(self, name: str) -> Any:
        known = ", ".join(sorted(vars(self))) or "none"
        raise AttributeError(f"Hyperparameter has no entry {name!r} (entries: {known})")


def resolve(hp: Any) -> Any:
    """A read-only view of ``hp`` with every inherited entry copied in, or ``hp`` itself.

    Update rules read several entries per parameter per step; through the parent chain
    each read costs a ``__getattr__`` call, on a snapshot a plain attribute lookup. The
    caller keeps the snapshot while :data:`GENERATION` is unchanged. When an ancestor is
    not a Hyperparameter its changes cannot be tracked and ``hp`` is returned as is.
    """
    node = hp
    while isinstance(node, Hyperparameter):
        node = node.__dict__.get("_parent")
    if node is not None:
        return hp
    return _Snapshot(**hp.get_dict())


class HyperparameterProxy:
    """A property that reads and writes one entry of ``obj.hyperparam``.

    Optimizers declare one per hyperparameter, so ``optimizer.lr`` and
    ``optimizer.lr = 0.1`` work as attributes.

    Args:
        attr_name: The entry's name.

    Example:
        >>> class Opt:
        ...     lr = HyperparameterProxy("lr")
        ...
        ...     def __init__(self):
        ...         self.hyperparam = Hyperparameter()
        >>> opt = Opt()
        >>> opt.lr = 0.25
        >>> opt.hyperparam.lr
        0.25
    """

    def __init__(self, attr_name: str) -> None:
        self._attr_name = attr_name
        self.__doc__ = f"Alias to ``self.hyperparam.{attr_name}``."

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        return getattr(obj.hyperparam, self._attr_name)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj.hyperparam, self._attr_name, value)
