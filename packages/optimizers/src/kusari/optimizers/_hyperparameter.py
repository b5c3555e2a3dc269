"""Hyperparameters that fall back to a parent, and properties that alias them."""

from __future__ import annotations

from typing import Any

__all__ = ["Hyperparameter", "HyperparameterProxy"]


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

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails, i.e. for entries this object lacks.
        # Walking the parents' dicts directly is several times cheaper than recursive
        # getattr, and update rules read a handful of entries per parameter per step.
        if name.startswith("__"):
            raise AttributeError(name)  # copy/pickle protocol probes
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
