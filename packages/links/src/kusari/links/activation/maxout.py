"""``Maxout``: the maximum over ``pool_size`` linear pieces per unit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy

import kusari.functions as F
from kusari.links._chain import Chain
from kusari.links._util import check_size
from kusari.links.connection.linear import Linear

__all__ = ["Maxout"]


class Maxout(Chain):
    """Maxout layer (Goodfellow et al., 2013): ``y_j = max_k (W_jk x + b_jk)``.

    A child :class:`Linear` named ``linear`` computes the ``out_size * pool_size``
    pieces (row ``j * pool_size + k`` is piece ``k`` of unit ``j``); ``F.maxout`` takes
    the maximum over each unit's pieces.

    Args:
        in_size: Input size (None: inferred at the first call).
        out_size: Number of units.
        pool_size: Pieces per unit.
        initialW: Initializer of the weight; an array must have shape
            ``(in_size, out_size, pool_size)`` (Chainer's layout).
        initial_bias: Initializer of the bias (default 0); an array must have shape
            ``(out_size, pool_size)``; None means no bias.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> L.Maxout(3, 2, 4)(np.ones((5, 3), np.float32)).shape
        (5, 2)
    """

    def __init__(
        self,
        in_size: int | None,
        out_size: int,
        pool_size: int,
        initialW: Any = None,
        initial_bias: Any = 0,
    ) -> None:
        super().__init__()
        self.out_size = check_size(out_size, "out_size", "Maxout", allow_none=False)
        self.pool_size = check_size(pool_size, "pool_size", "Maxout", allow_none=False)
        n = self.out_size * self.pool_size
        if isinstance(initialW, numpy.ndarray):
            if in_size is None or initialW.shape != (in_size, out_size, pool_size):
                raise ValueError(
                    f"Maxout: initialW must have shape (in_size, out_size, pool_size) = "
                    f"({in_size}, {out_size}, {pool_size}); got {initialW.shape}"
                )
            initialW = initialW.transpose(1, 2, 0).reshape(n, in_size)
        if isinstance(initial_bias, numpy.ndarray):
            if initial_bias.shape != (out_size, pool_size):
                raise ValueError(
                    f"Maxout: initial_bias must have shape (out_size, pool_size) = "
                    f"({out_size}, {pool_size}); got {initial_bias.shape}"
                )
            initial_bias = initial_bias.reshape(n)
        with self.init_scope():
            self.linear = Linear(
                in_size,
                n,
                nobias=initial_bias is None,
                initialW=initialW,
                initial_bias=initial_bias,
            )

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "in_size", self.linear.in_size
        yield "out_size", self.out_size
        yield "pool_size", self.pool_size

    def forward(self, x: Any) -> Any:
        """Apply the layer to ``x`` of shape (N, in_size...)."""
        return F.maxout(self.linear(x), self.pool_size)
