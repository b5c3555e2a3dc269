"""Optimizers with Chainer's interface (``kusari.optimizers``, from kusari-optimizers).

A target is anything whose ``namedparams()`` yields ``(path, Parameter)`` pairs, usually
a :class:`kusari.links.Chain`. ``optimizer.setup(target)`` gives each parameter an
:class:`UpdateRule`; ``optimizer.update()`` applies the gradients already computed, and
``optimizer.update(lossfun, *args)`` clears them, runs ``lossfun(*args).backward()`` and
applies them.

Example:
    >>> import numpy as np, kusari
    >>> from kusari import optimizers
    >>> class Target:
    ...     def __init__(self):
    ...         self.w = kusari.Parameter(np.array([1.0, -1.0], np.float32))
    ...
    ...     def namedparams(self):
    ...         yield "/w", self.w
    >>> target = Target()
    >>> opt = optimizers.MomentumSGD(lr=0.1, momentum=0.5).setup(target)
    >>> for _ in range(2):
    ...     target.w.grad = np.array([1.0, 1.0], np.float32)
    ...     opt.update()
    >>> target.w.array
    array([ 0.75, -1.25], dtype=float32)
"""

try:
    import kusari._version  # noqa: F401  (kusari-core owns the kusari package)
except ImportError as _exc:  # pragma: no cover - exercised by the packaging test
    raise ImportError(
        "kusari-optimizers needs kusari-core, which is not installed: pip install kusari-core"
    ) from _exc

from kusari.optimizers import (
    ada_delta,
    ada_grad,
    adam,
    corrected_momentum_sgd,
    lamb,
    lars,
    momentum_sgd,
    msvag,
    nesterov_ag,
    rmsprop,
    rmsprop_graves,
    sgd,
    smorms3,
)
from kusari.optimizers._hyperparameter import Hyperparameter, HyperparameterProxy
from kusari.optimizers._optimizer import GradientMethod, Optimizer
from kusari.optimizers._update_rule import UpdateRule
from kusari.optimizers._version import __version__
from kusari.optimizers.ada_delta import AdaDelta, AdaDeltaRule
from kusari.optimizers.ada_grad import AdaGrad, AdaGradRule
from kusari.optimizers.adam import AdaBound, Adam, AdamRule, AdamW, AMSBound, AMSGrad
from kusari.optimizers.corrected_momentum_sgd import (
    CorrectedMomentumSGD,
    CorrectedMomentumSGDRule,
)
from kusari.optimizers.lamb import LAMB, LAMBRule
from kusari.optimizers.lars import LARS, LARSRule
from kusari.optimizers.momentum_sgd import MomentumSGD, MomentumSGDRule
from kusari.optimizers.msvag import MSVAG, MSVAGRule
from kusari.optimizers.nesterov_ag import NesterovAG, NesterovAGRule
from kusari.optimizers.rmsprop import RMSprop, RMSpropRule
from kusari.optimizers.rmsprop_graves import RMSpropGraves, RMSpropGravesRule
from kusari.optimizers.sgd import SGD, SGDRule
from kusari.optimizers.smorms3 import SMORMS3, SMORMS3Rule

__all__ = [
    "__version__",
    # the machinery (also reachable as kusari.optimizer.X, Chainer's module)
    "Optimizer", "GradientMethod", "UpdateRule", "Hyperparameter", "HyperparameterProxy",
    # optimizers and their update rules
    "SGD", "SGDRule",
    "MomentumSGD", "MomentumSGDRule",
    "NesterovAG", "NesterovAGRule",
    "CorrectedMomentumSGD", "CorrectedMomentumSGDRule",
    "AdaGrad", "AdaGradRule",
    "AdaDelta", "AdaDeltaRule",
    "RMSprop", "RMSpropRule",
    "RMSpropGraves", "RMSpropGravesRule",
    "Adam", "AdamRule", "AdamW", "AMSGrad", "AdaBound", "AMSBound",
    "SMORMS3", "SMORMS3Rule",
    "MSVAG", "MSVAGRule",
    "LARS", "LARSRule",
    "LAMB", "LAMBRule",
    # modules, as in chainer.optimizers
    "sgd", "momentum_sgd", "nesterov_ag", "corrected_momentum_sgd", "ada_grad", "ada_delta",
    "rmsprop", "rmsprop_graves", "adam", "smorms3", "msvag", "lars", "lamb",
]  # fmt: skip
