"""``StandardUpdater``: one batch, one loss, one optimizer step per iteration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kusari.dataset.convert import _call_converter, concat_examples
from kusari.training.updater import Updater

__all__ = ["StandardUpdater"]


def _resolve_device(owner: str, device: Any) -> Any:
    """Chainer's device forms (``-1``, ``0``, ``'@numpy'``, ``'@cupy:0'``) → a Device."""
    if device is None:
        return None
    from kusari.backend import get_device

    try:
        return get_device(device)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise type(exc)(f"{owner}: bad device {device!r}: {exc}") from None


class StandardUpdater(Updater):
    """The default updater: ``optimizer.update(loss_func, *converter(batch, device))``.

    Each :meth:`update` takes a batch from the ``'main'`` iterator, converts it into
    arrays on ``device``, lets the ``'main'`` optimizer compute the loss (with
    ``loss_func``, or its target link) and update the parameters, and tells the
    optimizer when an epoch ends. Override :meth:`update_core` for other schemes.

    Args:
        iterator: The training iterator, or a dict with a ``'main'`` entry.
        optimizer: The optimizer, or a dict with a ``'main'`` entry.
        converter: Turns a batch (list of examples) into arrays on a device.
        device: Where the model and the batches go: None (leave them), ``-1`` or
            ``'@numpy'`` (CPU), ``n`` or ``'@cupy:n'`` (GPU ``n``), or a Device.
        loss_func: Called with the converted arrays to give the loss; the optimizer's
            target when None.
        loss_scale: Multiply the loss by this before backward (float16 training).
        auto_new_epoch: Call ``optimizer.new_epoch(auto=True)`` at each epoch end.
        input_device: Where batches go when it differs from ``device`` (keyword only).

    Example:
        >>> from kusari import training  # doctest: +SKIP
        >>> updater = training.StandardUpdater(train_iter, optimizer, device=-1)  # doctest: +SKIP
    """

    def __init__(
        self,
        iterator: Any,
        optimizer: Any,
        converter: Callable[..., Any] = concat_examples,
        device: Any = None,
        loss_func: Callable[..., Any] | None = None,
        loss_scale: float | None = None,
        auto_new_epoch: bool = True,
        **kwargs: Any,
    ) -> None:
        input_device = kwargs.pop("input_device", None)
        if kwargs:
            raise TypeError(f"StandardUpdater: unexpected keyword arguments {sorted(kwargs)}")
        super().__init__(iterator, optimizer)
        if not callable(converter):
            raise TypeError(
                f"StandardUpdater: converter must be callable, got {type(converter).__name__}"
            )
        self._device = _resolve_device("StandardUpdater", device)
        self._input_device = (
            self._device
            if input_device is None
            else _resolve_device("StandardUpdater", input_device)
        )
        if self._device is not None:
            for opt in self._optimizers.values():
                target = getattr(opt, "target", None)
                if target is not None and hasattr(target, "to_device"):
                    target.to_device(self._device)
        self.converter = converter
        self.loss_func = loss_func
        self.loss_scale = loss_scale
        if loss_scale is not None:
            for opt in self._optimizers.values():
                opt.set_loss_scale(loss_scale)
        self.auto_new_epoch = auto_new_epoch
        if auto_new_epoch:
            for opt in self._optimizers.values():
                opt.use_auto_new_epoch = True

    @property
    def device(self) -> Any:
        """The device of the model (a Device, or None)."""
        return self._device

    @property
    def input_device(self) -> Any:
        """The device batches are sent to (a Device, or None)."""
        return self._input_device

    def update_core(self) -> None:
        """Fetch, convert, compute the loss and update: one iteration."""
        iterator = self._iterators["main"]
        optimizer = self._optimizers["main"]
        batch = iterator.next()
        in_arrays = _call_converter(self.converter, batch, self._input_device)
        loss_func = self.loss_func or optimizer.target
        if isinstance(in_arrays, tuple):
            optimizer.update(loss_func, *in_arrays)
        elif isinstance(in_arrays, dict):
            optimizer.update(loss_func, **in_arrays)
        else:
            optimizer.update(loss_func, in_arrays)
        if self.auto_new_epoch and iterator.is_new_epoch:
            optimizer.new_epoch(auto=True)
