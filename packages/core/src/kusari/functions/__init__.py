"""``kusari.functions`` (imported as ``F``): differentiable operations on Variables.

Example:
    >>> import numpy as np
    >>> import kusari.functions as F
    >>> F.relu(np.array([-1.0, 2.0], np.float32)).array
    array([0., 2.], dtype=float32)
"""

from kusari.functions.array.broadcast import broadcast, broadcast_to, sum_to
from kusari.functions.array.get_item import get_item
from kusari.functions.array.reshape import reshape
from kusari.functions.array.transpose import transpose
from kusari.functions.math.basic_math import absolute, add
from kusari.functions.math.exponential import exp, log, log2, log10
from kusari.functions.math.matmul import batch_matmul, matmul

__all__ = [
    "absolute", "add", "batch_matmul", "broadcast", "broadcast_to", "exp", "get_item", "log",
    "log2", "log10", "matmul", "reshape", "sum_to", "transpose",
]
