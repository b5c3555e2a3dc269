"""``Evaluator``: run the model over a validation iterator and report the mean metrics."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from kusari.configuration import no_backprop_mode, using_config
from kusari.dataset.convert import _call_converter, concat_examples
from kusari.reporter import DictSummary, Reporter, get_current_reporter, report, report_scope
from kusari.training import extension

__all__ = ["Evaluator"]


def _resolve_device(device: Any) -> Any:
    if device is None:
        return None
    from kusari.backend import get_device

    try:
        return get_device(device)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise type(exc)(f"Evaluator: bad device {device!r}: {exc}") from None


class Evaluator(extension.Extension):
    """Evaluate a model on a validation set; report ``validation/main/<metric>``.

    Each call sweeps the ``'main'`` iterator once (resetting it first, or iterating a
    copy of it), feeds every converted batch to ``eval_func`` (the ``'main'`` target by
    default) with ``config.train`` off and without building a graph, averages what the
    target reports over the batches, and reports the means under the extension's name
    (``validation``) plus the target's name (``main``).

    Override :meth:`evaluate` to change what happens per sweep (call
    ``super().evaluate()`` for the default loop).

    Args:
        iterator: A non-repeating iterator, or a dict with a ``'main'`` entry.
        target: The link to evaluate (it reports its metrics), or a dict of links.
        converter: Turns a batch into arrays on ``device``.
        device: Where batches go (``-1``, ``'@numpy'``, ``0``, ``'@cupy:0'``, a Device).
        eval_hook: Called as ``eval_hook(evaluator)`` before each sweep.
        eval_func: Called with the converted arrays instead of the target.

    Example:
        >>> trainer.extend(Evaluator(test_iter, model, device=-1))  # doctest: +SKIP
    """

    trigger = (1, "epoch")
    default_name = "validation"
    priority = extension.PRIORITY_WRITER
    name: str | None = None

    def __init__(
        self,
        iterator: Any,
        target: Any,
        converter: Callable[..., Any] = concat_examples,
        device: Any = None,
        eval_hook: Callable[[Evaluator], Any] | None = None,
        eval_func: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._progress_bar = bool(kwargs.pop("progress_bar", False))
        if kwargs:
            raise TypeError(f"Evaluator: unexpected keyword arguments {sorted(kwargs)}")
        iterators = dict(iterator) if isinstance(iterator, Mapping) else {"main": iterator}
        targets = dict(target) if isinstance(target, Mapping) else {"main": target}
        for what, items in (("iterator", iterators), ("target", targets)):
            if "main" not in items:
                raise ValueError(f"Evaluator: a dict of {what}s needs a 'main' entry")
        for key, it in iterators.items():
            if getattr(it, "repeat", False):
                warnings.warn(
                    f"Evaluator: iterator {key!r} repeats (repeat=True), so a sweep may never "
                    "end; help: make it with repeat=False",
                    stacklevel=2,
                )
        if not callable(converter):
            raise TypeError(
                f"Evaluator: converter must be callable, got {type(converter).__name__}"
            )
        self._iterators = iterators
        self._targets = targets
        self.converter = converter
        self.device = _resolve_device(device)
        self.eval_hook = eval_hook
        self.eval_func = eval_func

    def get_iterator(self, name: str) -> Any:
        """The iterator registered as ``name``."""
        return self._iterators[name]

    def get_all_iterators(self) -> dict[str, Any]:
        """A new dict of the iterators."""
        return dict(self._iterators)

    def get_target(self, name: str) -> Any:
        """The target link registered as ``name``."""
        return self._targets[name]

    def get_all_targets(self) -> dict[str, Any]:
        """A new dict of the targets."""
        return dict(self._targets)

    def _reporter(self, prefix: str) -> Reporter:
        reporter = Reporter()
        for name, target in self._targets.items():
            reporter.add_observer(prefix + name, target)
            namedlinks = getattr(target, "namedlinks", None)
            if namedlinks is not None:
                reporter.add_observers(prefix + name, namedlinks(skipself=True))
        return reporter

    def __call__(self, trainer: Any = None) -> dict[str, Any]:
        """Evaluate, report the results to the current reporter, and return them."""
        prefix = "" if self.name is None else self.name + "/"
        with self._reporter(prefix), using_config("train", False):
            result = self.evaluate()
        report(result)
        return result

    def evaluate(self) -> dict[str, Any]:
        """One sweep over the ``'main'`` iterator; returns the mean of each reported value."""
        try:
            get_current_reporter()
        except RuntimeError:  # called on its own: observe the targets by their names
            with self._reporter(""):
                return self.evaluate()
        iterator = self._iterators["main"]
        eval_func = self.eval_func or self._targets["main"]
        if self.eval_hook is not None:
            self.eval_hook(self)
        if hasattr(iterator, "reset"):
            iterator.reset()
            it = iterator
        else:
            it = copy.copy(iterator)
        summary = DictSummary()
        converter, device = self.converter, self.device
        pbar = _SweepProgress(it) if self._progress_bar else None
        with no_backprop_mode():
            for batch in it:
                observation: dict[str, Any] = {}
                with report_scope(observation):
                    in_arrays = _call_converter(converter, batch, device)
                    if isinstance(in_arrays, tuple):
                        eval_func(*in_arrays)
                    elif isinstance(in_arrays, dict):
                        eval_func(**in_arrays)
                    else:
                        eval_func(in_arrays)
                summary.add(observation)
                if pbar is not None:
                    pbar.update()
        if pbar is not None:
            pbar.close()
        return summary.compute_mean()

    def finalize(self) -> None:
        """Release the iterators' resources."""
        for iterator in self._iterators.values():
            finalize = getattr(iterator, "finalize", None)
            if finalize is not None:
                finalize()


class _SweepProgress:
    """A tqdm bar over one evaluation sweep (``progress_bar=True``); silent without tqdm."""

    def __init__(self, iterator: Any) -> None:
        try:
            from tqdm import tqdm
        except ImportError:
            self._bar = None
            return
        total = None
        dataset = getattr(iterator, "dataset", None)
        batch_size = getattr(iterator, "batch_size", None)
        if dataset is not None and batch_size:
            total = -(-len(dataset) // batch_size)
        self._bar = tqdm(total=total, unit="batch", desc="validation", leave=False)

    def update(self) -> None:
        if self._bar is not None:
            self._bar.update()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
