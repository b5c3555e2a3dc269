"""The L2 norm of a whole array, kept on the array's device (private)."""

from __future__ import annotations

from typing import Any

import numpy

__all__ = ["l2_norm"]

_float16 = numpy.dtype(numpy.float16)


def l2_norm(xp: Any, array: Any) -> Any:
    """``sqrt(sum(array**2))`` as a 0-d value on ``array``'s device (float16 in float32)."""
    if array.dtype == _float16:  # squares of float16 overflow above 256
        array = array.astype(numpy.float32)
    return xp.linalg.norm(array.ravel())
