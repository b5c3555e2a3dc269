"""``Trainer``: runs an updater until a stop trigger fires, calling extensions on the way."""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import time
from typing import Any

from kusari.reporter import Reporter
from kusari.serializers import Serializer
from kusari.training import extension as extension_module
from kusari.training._rng import serialize_global_rng
from kusari.training.triggers._util import get_trigger

__all__ = ["Trainer"]


class _Entry:
    __slots__ = ("extension", "trigger", "priority", "call_before_training")

    def __init__(self, extension: Any, trigger: Any, priority: int, before: bool) -> None:
        self.extension = extension
        self.trigger = trigger
        self.priority = priority
        self.call_before_training = before


def _call_finalize(finalize: Any, trainer: Trainer) -> None:
    """Call ``finalize()`` or, for extensions written that way, ``finalize(trainer)``."""
    try:
        params = [
            p
            for p in inspect.signature(finalize).parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    if params:
        finalize(trainer)
    else:
        finalize()


class Trainer:
    """The training loop: updates, extensions, reporting, snapshots and resume.

    Each iteration runs ``updater.update()`` and then every extension whose trigger
    fires, by decreasing priority, all inside a reporter scope collecting
    :attr:`observation`. ``run`` stops when ``stop_trigger`` fires. When the loop raises,
    every extension's ``on_error(trainer, exc, tb)`` runs; ``finalize`` always runs.

    Args:
        updater: The updater (e.g. :class:`~kusari.training.StandardUpdater`).
        stop_trigger: When to stop: ``(n, 'epoch')``, ``(n, 'iteration')``, a trigger
            object, or None to run until interrupted.
        out: Directory for logs, plots and snapshots (created by ``run``).
        extensions: Extensions to add with their default settings.

    Attributes:
        updater: The updater.
        stop_trigger: The stop trigger object.
        out: The output directory.
        observation: What was reported during the current iteration.
        reporter: The reporter; the optimizers' targets are its observers (``'main'``).

    Example:
        >>> trainer = training.Trainer(updater, (10, "epoch"), out="result")  # doctest: +SKIP
        >>> trainer.extend(extensions.LogReport())  # doctest: +SKIP
        >>> trainer.run()  # doctest: +SKIP
    """

    def __init__(
        self,
        updater: Any,
        stop_trigger: Any = None,
        out: str | os.PathLike[str] = "result",
        extensions: list[Any] | None = None,
    ) -> None:
        if not hasattr(updater, "update"):
            raise TypeError(
                f"Trainer: expected an updater (with update()), got {type(updater).__name__}"
            )
        self.updater = updater
        self.stop_trigger = get_trigger(stop_trigger)
        self.observation: dict[str, Any] = {}
        self.out = os.fspath(out)
        reporter = Reporter()
        for name, optimizer in updater.get_all_optimizers().items():
            target = getattr(optimizer, "target", None)
            if target is None:
                continue
            reporter.add_observer(name, target)
            namedlinks = getattr(target, "namedlinks", None)
            if namedlinks is not None:
                reporter.add_observers(name, namedlinks(skipself=True))
        self.reporter = reporter
        self._extensions: dict[str, _Entry] = {}
        self._done = False
        self._start_at: float | None = None
        self._snapshot_elapsed_time = 0.0
        self._final_elapsed_time: float | None = None
        updater.connect_trainer(self)
        for ext in extensions or ():
            self.extend(ext)

    # --- extensions -----------------------------------------------------------------

    def extend(
        self,
        extension: Any,
        name: str | None = None,
        trigger: Any = None,
        priority: int | None = None,
        *,
        call_before_training: bool = False,
        **kwargs: Any,
    ) -> None:
        """Register an extension.

        Args:
            extension: A callable ``ext(trainer)``, usually an :class:`Extension`.
            name: Its name (default: ``ext.name``, ``ext.default_name`` or ``__name__``);
                a taken name gets a suffix ``_1``, ``_2``, ...
            trigger: When it runs (default: ``ext.trigger``, else every iteration).
            priority: Order within an iteration, higher first (default: ``ext.priority``,
                else :data:`PRIORITY_READER`).
            call_before_training: Also call it once before the first iteration.
        """
        if "invoke_before_training" in kwargs:  # Chainer 1's spelling
            call_before_training = bool(kwargs.pop("invoke_before_training"))
        if kwargs:
            raise TypeError(f"Trainer.extend: unexpected keyword arguments {sorted(kwargs)}")
        if not callable(extension):
            raise TypeError(
                f"Trainer.extend: an extension must be callable as ext(trainer), got "
                f"{type(extension).__name__}"
            )
        if name is None:
            name = (
                getattr(extension, "name", None)
                or getattr(extension, "default_name", None)
                or getattr(extension, "__name__", None)
            )
            if name is None:
                raise TypeError(
                    f"Trainer.extend: cannot name the {type(extension).__name__} extension; "
                    "pass name=..."
                )
        if name == "training":
            raise ValueError("Trainer.extend: the name 'training' is reserved")
        trigger = get_trigger(
            getattr(extension, "trigger", (1, "iteration")) if trigger is None else trigger
        )
        if priority is None:
            priority = getattr(extension, "priority", extension_module.PRIORITY_READER)
        unique, ordinal = name, 0
        while unique in self._extensions:
            ordinal += 1
            unique = f"{name}_{ordinal}"
        # a bound method cannot take the attribute: the trainer still knows it by name
        with contextlib.suppress(AttributeError):
            extension.name = unique
        self._extensions[unique] = _Entry(extension, trigger, priority, call_before_training)

    def get_extension(self, name: str) -> Any:
        """The extension registered as ``name``."""
        try:
            return self._extensions[name].extension
        except KeyError:
            raise ValueError(
                f"Trainer.get_extension: no extension named {name!r}; have "
                f"{sorted(self._extensions)}"
            ) from None

    # --- time -----------------------------------------------------------------------

    @property
    def is_before_training(self) -> bool:
        """True until the first update."""
        return self.updater.iteration == 0

    @property
    def elapsed_time(self) -> float:
        """Seconds of training so far, including the time before a resumed snapshot."""
        if self._done:
            return self._final_elapsed_time
        if self._start_at is None:
            raise RuntimeError("Trainer.elapsed_time: training has not started (call run())")
        return time.perf_counter() - self._start_at + self._snapshot_elapsed_time

    # --- the loop -------------------------------------------------------------------

    def _ordered(self) -> list[tuple[str, _Entry]]:
        # sorted() is stable: equal priorities keep the order of extend() calls
        return sorted(self._extensions.items(), key=lambda item: item[1].priority, reverse=True)

    def run(self, show_loop_exception_msg: bool = True) -> None:
        """Train until the stop trigger fires.

        Args:
            show_loop_exception_msg: Print a line to stderr when the loop fails, before
                the ``on_error`` and ``finalize`` hooks run.
        """
        if self._done:
            raise RuntimeError("Trainer.run: this trainer has already finished; make a new one")
        os.makedirs(self.out, exist_ok=True)
        ordered = self._ordered()
        self._start_at = time.perf_counter()
        # Extensions that restore a snapshot (snapshot(autoload=True)) go first, so the
        # others initialize from the restored state (e.g. a shifted learning rate).
        init_order = [e for _, e in ordered if getattr(e.extension, "autoload", False)]
        init_order += [e for _, e in ordered if e not in init_order]
        for entry in init_order:
            initialize = getattr(entry.extension, "initialize", None)
            if initialize is not None and not getattr(entry.trigger, "finished", False):
                initialize(self)

        reporter = self.reporter
        update = self.updater.update
        stop_trigger = self.stop_trigger
        pairs = [(entry.trigger, entry.extension) for _, entry in ordered]
        try:
            if any(entry.call_before_training for _, entry in ordered):
                self.observation = {}
                with reporter.scope(self.observation):
                    for _, entry in ordered:
                        if entry.call_before_training:
                            entry.extension(self)
            while not stop_trigger(self):
                self.observation = observation = {}
                with reporter.scope(observation):
                    update()
                    for trigger, ext in pairs:
                        if trigger(self):
                            ext(self)
        except Exception as exc:
            tb = sys.exc_info()[2]
            if show_loop_exception_msg:
                print(
                    f"Trainer: the training loop raised {type(exc).__name__}: {exc}\n"
                    "Running on_error and finalize of the extensions before re-raising.",
                    file=sys.stderr,
                )
            for name, entry in ordered:
                handler = getattr(entry.extension, "on_error", None)
                if handler is None:
                    continue
                try:
                    handler(self, exc, tb)
                except Exception as handler_exc:  # the original error matters more
                    print(
                        f"Trainer: on_error of extension {name!r} failed: "
                        f"{type(handler_exc).__name__}: {handler_exc}",
                        file=sys.stderr,
                    )
            raise
        finally:
            for _, entry in ordered:
                finalize = getattr(entry.extension, "finalize", None)
                if finalize is not None:
                    _call_finalize(finalize, self)
            self.updater.finalize()
        self._final_elapsed_time = self.elapsed_time
        self._done = True

    # --- snapshots ------------------------------------------------------------------

    def serialize(self, serializer: Any) -> None:
        """Save or load the whole training state.

        Keys: ``updater/`` (iterators with their order and shuffling state, optimizers,
        models, iteration), ``stop_trigger/``, ``extensions/<name>/``,
        ``extension_triggers/<name>/``, ``_snapshot_elapsed_time`` and
        ``random_state/`` (NumPy's and Python's global generators).
        """
        saving = isinstance(serializer, Serializer)
        self.updater.serialize(serializer["updater"])
        if hasattr(self.stop_trigger, "serialize"):
            self.stop_trigger.serialize(serializer["stop_trigger"])
        ext_ser = serializer["extensions"]
        trig_ser = serializer["extension_triggers"]
        for name, entry in self._extensions.items():
            if hasattr(entry.extension, "serialize"):
                entry.extension.serialize(ext_ser[name])
            if hasattr(entry.trigger, "serialize"):
                entry.trigger.serialize(trig_ser[name])
        if saving:
            started = self._start_at is not None
            elapsed = self.elapsed_time if started else self._snapshot_elapsed_time
            serializer("_snapshot_elapsed_time", elapsed)
        else:
            # a snapshot from a Chainer version without the key keeps the current value
            with contextlib.suppress(KeyError):
                self._snapshot_elapsed_time = float(
                    serializer("_snapshot_elapsed_time", self._snapshot_elapsed_time)
                )
            if self._start_at is not None:
                self._start_at = time.perf_counter()  # loaded at run start: count from now
        serialize_global_rng(serializer["random_state"])
