"""Optimizer hooks (``kusari.optimizer_hooks``, from kusari-optimizers).

A hook modifies gradients (or anything else) around each update:
``optimizer.add_hook(WeightDecay(1e-4))``. Hooks with ``call_for_each_param = True`` are
called as ``hook(update_rule, param)`` for every parameter that has a gradient, others as
``hook(optimizer)``; ``timing`` says whether they run before (``'pre'``) or after
(``'post'``) the update. All hooks here run before it.

Example:
    >>> import numpy as np, kusari
    >>> from kusari import optimizers, optimizer_hooks
    >>> class Target:
    ...     def __init__(self):
    ...         self.w = kusari.Parameter(np.array([2.0], np.float32))
    ...
    ...     def namedparams(self):
    ...         yield "/w", self.w
    >>> target = Target()
    >>> opt = optimizers.SGD(lr=0.5).setup(target)
    >>> opt.add_hook(optimizer_hooks.WeightDecay(0.5))
    >>> target.w.grad = np.array([1.0], np.float32)
    >>> opt.update()
    >>> target.w.array  # 2 - 0.5 * (1 + 0.5 * 2)
    array([1.], dtype=float32)
"""

try:
    import kusari._version  # noqa: F401  (kusari-core owns the kusari package)
except ImportError as _exc:  # pragma: no cover - exercised by the packaging test
    raise ImportError(
        "kusari-optimizers needs kusari-core, which is not installed: pip install kusari-core"
    ) from _exc

from kusari.optimizer_hooks import (
    gradient_clipping,
    gradient_hard_clipping,
    gradient_lars,
    gradient_noise,
    lasso,
    weight_decay,
)
from kusari.optimizer_hooks.gradient_clipping import GradientClipping
from kusari.optimizer_hooks.gradient_hard_clipping import GradientHardClipping
from kusari.optimizer_hooks.gradient_lars import GradientLARS
from kusari.optimizer_hooks.gradient_noise import (
    GradientNoise,
    exponential_decay_noise,
)
from kusari.optimizer_hooks.lasso import Lasso
from kusari.optimizer_hooks.weight_decay import WeightDecay

__all__ = [
    "WeightDecay",
    "Lasso",
    "GradientClipping",
    "GradientHardClipping",
    "GradientNoise",
    "GradientLARS",
    "exponential_decay_noise",
    "weight_decay",
    "lasso",
    "gradient_clipping",
    "gradient_hard_clipping",
    "gradient_noise",
    "gradient_lars",
]
