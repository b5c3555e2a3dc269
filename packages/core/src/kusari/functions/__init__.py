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
