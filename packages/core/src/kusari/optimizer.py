"""Chainer's ``chainer.optimizer`` module, served by kusari-optimizers.

``Optimizer``, ``GradientMethod``, ``UpdateRule`` and ``Hyperparameter`` come from
:mod:`kusari.optimizers`; the hooks Chainer also exposed here (``WeightDecay``, …) come
from :mod:`kusari.optimizer_hooks` with a DeprecationWarning.
"""

import warnings
from typing import Any

from kusari._lazy import require

_optimizers = require("kusari.optimizers", "kusari-optimizers", "kusari.optimizer")


def __getattr__(name: str) -> Any:
    if hasattr(_optimizers, name):
        return getattr(_optimizers, name)
    hooks = require("kusari.optimizer_hooks", "kusari-optimizers", f"kusari.optimizer.{name}")
    if hasattr(hooks, name):
        warnings.warn(
            f"kusari.optimizer.{name} is deprecated; use kusari.optimizer_hooks.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(hooks, name)
    raise AttributeError(f"module 'kusari.optimizer' has no attribute {name!r}")
