"""``kusari.functions`` (imported as ``F``): differentiable operations on Variables.

Functions are grouped by category in subpackages (``activation``, ``array``,
``connection``, ``evaluation``, ``loss``, ``math``, ``noise``, ``normalization``,
``pooling``, ``rnn``, ``util``); each category's ``__all__`` is re-exported here.

Example:
    >>> import numpy as np
    >>> import kusari.functions as F
    >>> F.exp(np.zeros(2, np.float32)).array
    array([1., 1.], dtype=float32)
"""

from kusari.functions import (
    activation,
    array,
    connection,
    evaluation,
    loss,
    math,
    noise,
    normalization,
    pooling,
    rnn,
    util,
)
from kusari.functions.activation import *  # noqa: F403
from kusari.functions.array import *  # noqa: F403
from kusari.functions.connection import *  # noqa: F403
from kusari.functions.evaluation import *  # noqa: F403
from kusari.functions.loss import *  # noqa: F403
from kusari.functions.math import *  # noqa: F403
from kusari.functions.noise import *  # noqa: F403
from kusari.functions.normalization import *  # noqa: F403
from kusari.functions.pooling import *  # noqa: F403
from kusari.functions.rnn import *  # noqa: F403
from kusari.functions.util import *  # noqa: F403

__all__ = sorted(
    {
        *activation.__all__,
        *array.__all__,
        *connection.__all__,
        *evaluation.__all__,
        *loss.__all__,
        *math.__all__,
        *noise.__all__,
        *normalization.__all__,
        *pooling.__all__,
        *rnn.__all__,
        *util.__all__,
    }
)


# Chainer v1 put parameterized layers in chainer.functions (``F.Linear(3, 2)``); they are
# links now. These names resolve to kusari.links with a DeprecationWarning.
_V1_LINKS = (
    "BatchNormalization",
    "BinaryHierarchicalSoftmax",
    "Bias",
    "Bilinear",
    "Convolution2D",
    "Deconvolution2D",
    "DilatedConvolution2D",
    "EmbedID",
    "GRU",
    "Highway",
    "Inception",
    "LSTM",
    "Linear",
    "Maxout",
    "NegativeSampling",
    "PReLU",
    "Parameter",
    "Scale",
)


def __getattr__(name: str):
    if name in _V1_LINKS:
        import warnings

        from kusari._lazy import require

        links = require("kusari.links", "kusari-links", f"kusari.functions.{name}")
        if not hasattr(links, name):
            raise AttributeError(f"module 'kusari.functions' has no attribute {name!r}")
        warnings.warn(
            f"kusari.functions.{name} is Chainer v1's spelling; use kusari.links.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(links, name)
    raise AttributeError(f"module 'kusari.functions' has no attribute {name!r}")
