"""Loss scaling for float16 training: the part of Optimizer that manages the scale."""

from __future__ import annotations

import math
import warnings

from kusari.optimizers._arrays import array_module

__all__ = ["LossScaling"]


class LossScaling:
    """Static or dynamic loss scaling (mixed into :class:`~kusari.optimizers.Optimizer`).

    The optimizer passes the scale to ``loss.backward(loss_scale=...)`` in
    ``update(lossfun)``; update rules divide the gradients by it. With dynamic scaling a
    step whose gradients overflow is skipped and the scale halved; otherwise it grows.
    The host class provides ``_named_params()`` and ``t``.
    """

    _loss_scale: float | None = None
    _loss_scale_max = 65504.0  # the largest finite float16
    _loss_scaling_is_dynamic = False
    _loss_scaling_multiplier = 2.0
    _loss_scaling_isnan = False
    _loss_scaling_isnan_ever = False

    def loss_scaling(self, interval: int = 1000, scale: float | None = None) -> None:
        """Scale the loss before backward (float16 training); gradients are unscaled.

        Args:
            interval: With dynamic scaling, the number of overflow-free steps over which
                the scale doubles once an overflow has been seen (until the first
                overflow it doubles every step; each overflow halves it and skips that
                update). The scale stays within [1, 65504].
            scale: A fixed scale; None selects dynamic scaling starting from 1.
        """
        where = f"{type(self).__name__}.loss_scaling"
        if scale is None:
            if interval < 1:
                raise ValueError(f"{where}: interval must be >= 1, got {interval}")
            self._loss_scaling_is_dynamic = True
            self._loss_scale = 1.0
            self._loss_scaling_multiplier = math.pow(2.0, 1.0 / interval)
            self._loss_scaling_isnan_ever = False
        else:
            if not scale > 0:
                raise ValueError(f"{where}: scale must be a positive number, got {scale}")
            self._loss_scaling_is_dynamic = False
            self._loss_scale = scale

    def set_loss_scale(self, loss_scale: float) -> None:
        """Use a fixed loss scale (Chainer's older spelling of ``loss_scaling(scale=...)``)."""
        self.loss_scaling(scale=loss_scale)

    def check_nan_in_grads(self) -> None:
        """With dynamic loss scaling, note whether any gradient is not finite."""
        self._loss_scaling_isnan = False
        if not self._loss_scaling_is_dynamic:
            return
        bad = []
        for path, param in self._named_params():
            grad = param.grad
            if grad is not None and not bool(array_module(grad).isfinite(grad).all()):
                bad.append(path)
        if bad:
            self._loss_scaling_isnan = True
            self._loss_scaling_isnan_ever = True
            warnings.warn(
                f"{type(self).__name__}: non-finite gradients in {', '.join(map(repr, bad))} "
                f"(update {self.t + 1}, loss scale {self._loss_scale}); the update is skipped "
                "and the loss scale halved",
                stacklevel=3,
            )

    def is_safe_to_update(self) -> bool:
        """False when dynamic loss scaling found a non-finite gradient this step."""
        return not self._loss_scaling_isnan

    def update_loss_scale(self) -> None:
        """Adjust the dynamic loss scale after a step."""
        if not self._loss_scaling_is_dynamic:
            return
        if self._loss_scaling_isnan:
            multiplier = 0.5
        elif self._loss_scaling_isnan_ever:
            multiplier = self._loss_scaling_multiplier
        else:
            multiplier = 2.0
        scale = self._loss_scale if self._loss_scale is not None else 1.0
        self._loss_scale = max(1.0, min(self._loss_scale_max, scale * multiplier))
