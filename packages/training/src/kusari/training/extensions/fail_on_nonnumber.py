"""``FailOnNonNumber``: stop training when a parameter (or its gradient) is NaN or infinite."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.training import extension

__all__ = ["FailOnNonNumber"]


class FailOnNonNumber(extension.Extension):
    """Raise a RuntimeError as soon as any parameter diverges to NaN or infinity.

    Args:
        check_grad: Check the gradients too.

    Example:
        >>> trainer.extend(FailOnNonNumber())  # doctest: +SKIP
    """

    def __init__(self, check_grad: bool = True) -> None:
        self._check_grad = check_grad

    def __call__(self, trainer: Any) -> None:
        for name, optimizer in trainer.updater.get_all_optimizers().items():
            for path, param in optimizer.target.namedparams():
                for kind in ("array", "grad") if self._check_grad else ("array",):
                    value = getattr(param, kind)
                    if value is None:
                        continue
                    if not get_array_module(value).isfinite(value).all():
                        what = "parameter" if kind == "array" else "gradient of parameter"
                        raise RuntimeError(
                            f"FailOnNonNumber: the {what} {path!r} of optimizer {name!r} "
                            "holds NaN or infinity: training diverged; help: lower the "
                            "learning rate or check the data"
                        )
