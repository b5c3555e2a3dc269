"""``Extension``: something the Trainer calls by trigger and priority, and ``make_extension``.

An extension is any callable ``ext(trainer)``; these attributes (all optional) tell the
trainer how to run it: ``trigger`` (when; default every iteration), ``priority`` (order
within an iteration; higher runs first), ``name``/``default_name``, and the hooks
``initialize(trainer)``, ``on_error(trainer, exc, tb)``, ``finalize()`` and
``serialize(serializer)``.

Example:
    >>> from kusari import training
    >>> @training.make_extension(trigger=(1, "epoch"))
    ... def hello(trainer):
    ...     print("epoch done")
    >>> hello.trigger, hello.default_name
    ((1, 'epoch'), 'hello')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "Extension",
    "make_extension",
    "PRIORITY_WRITER",
    "PRIORITY_EDITOR",
    "PRIORITY_READER",
]

#: Extensions that write to the observation (Evaluator, observe_value) run first,
PRIORITY_WRITER = 300
#: then those that edit it (MicroAverage),
PRIORITY_EDITOR = 200
#: then those that only read it (LogReport, PrintReport, PlotReport).
PRIORITY_READER = 100


class Extension:
    """Base class of trainer extensions.

    Subclasses override :meth:`__call__` and, as needed, the hooks below. Class
    attributes ``trigger`` and ``priority`` are the defaults ``Trainer.extend`` uses.

    Example:
        >>> class CountIterations(Extension):
        ...     trigger = 10, "iteration"
        ...
        ...     def __init__(self):
        ...         self.calls = 0
        ...
        ...     def __call__(self, trainer):
        ...         self.calls += 1
        >>> CountIterations().default_name
        'CountIterations'
    """

    trigger: Any = (1, "iteration")
    priority: int = PRIORITY_READER
    name: str | None = None

    @property
    def default_name(self) -> str:
        """The name used when none is given to ``extend``: the class name."""
        return type(self).__name__

    def __call__(self, trainer: Any) -> None:
        """Run the extension; called when its trigger fires."""
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(trainer)")

    def initialize(self, trainer: Any) -> None:
        """Called once by ``Trainer.run`` before the first iteration (also on resume)."""

    def on_error(self, trainer: Any, exc: BaseException, tb: Any) -> None:
        """Called when the training loop raises, before ``finalize``."""

    def finalize(self) -> None:
        """Called once when the training loop ends, normally or by an error."""

    def serialize(self, serializer: Any) -> None:
        """Save or load the extension's state (part of a trainer snapshot)."""


def make_extension(
    trigger: Any = None,
    default_name: str | None = None,
    priority: int | None = None,
    finalizer: Callable[..., Any] | None = None,
    initializer: Callable[[Any], Any] | None = None,
    on_error: Callable[[Any, BaseException, Any], Any] | None = None,
    **kwargs: Any,
) -> Callable[[Any], Any]:
    """Decorator turning a function ``f(trainer)`` into an extension.

    Args:
        trigger: Default trigger (``(1, 'iteration')`` when None).
        default_name: Default name (the function's ``__name__`` when None).
        priority: Default priority (:data:`PRIORITY_READER` when None).
        finalizer: Called when training ends.
        initializer: Called with the trainer before training starts.
        on_error: Called with ``(trainer, exc, tb)`` when training fails.

    Returns:
        A decorator setting those attributes on the function.

    Example:
        >>> @make_extension(trigger=(2, "epoch"), priority=PRIORITY_WRITER)
        ... def mark(trainer):
        ...     pass
        >>> mark.trigger, mark.priority
        ((2, 'epoch'), 300)
    """
    if kwargs:
        raise TypeError(
            f"make_extension: unexpected keyword arguments {sorted(kwargs)}; expected trigger, "
            "default_name, priority, finalizer, initializer, on_error"
        )
    if trigger is None:
        trigger = Extension.trigger
    if priority is None:
        priority = Extension.priority

    def decorator(ext: Any) -> Any:
        ext.trigger = trigger
        ext.default_name = default_name or getattr(ext, "__name__", type(ext).__name__)
        ext.priority = priority
        ext.finalize = finalizer
        ext.initialize = initializer
        ext.on_error = on_error
        return ext

    return decorator
