"""``PReLU``: a ReLU whose negative slope is learned."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari.links._link import Link
from kusari.links._util import fail_in
from kusari.variable import Parameter

__all__ = ["PReLU"]


class PReLU(Link):
    """Parametric ReLU (He et al., 2015): ``y = max(x, 0) + W * min(x, 0)``.

    Args:
        shape: Shape of the slope ``W``, matching ``x``'s axes from axis 1 on
            (``()`` shares one slope; ``(C,)`` gives one per channel).
        init: Initial slope (a scalar, array or initializer; default 0.25).

    Example:
        >>> import numpy as np, kusari.links as L
        >>> L.PReLU()(np.array([[-2.0, 3.0]], np.float32)).array
        array([[-0.5,  3. ]], dtype=float32)
    """

    def __init__(self, shape: Any = (), init: Any = 0.25) -> None:
        super().__init__()
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        with self.init_scope():
            self.W = Parameter(init, shape)

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "shape", self.W.shape

    def forward(self, x: Any) -> Any:
        """Apply the activation to ``x``."""
        try:
            return F.prelu(x, self.W)
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)
