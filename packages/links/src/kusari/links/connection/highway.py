"""``Highway``: a gated mix of a transformed input and the input itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kusari.functions as F
from kusari.links._chain import Chain
from kusari.links.connection.linear import Linear

__all__ = ["Highway"]


class Highway(Chain):
    """Highway layer (Srivastava et al., 2015): ``y = H(x) * T(x) + x * (1 - T(x))``.

    ``H(x) = activate(plain(x))`` and ``T(x) = sigmoid(transform(x))``, with two
    square :class:`Linear` children ``plain`` and ``transform``.

    Args:
        in_out_size: Input and output size.
        nobias: No biases in the two linear maps.
        activate: Activation of the plain path (default ``F.relu``).
        init_Wh: Initializer of ``plain.W``.
        init_Wt: Initializer of ``transform.W``.
        init_bh: Initializer of ``plain.b`` (default 0).
        init_bt: Initializer of ``transform.b`` (default -1: carry the input at first).

    Example:
        >>> import numpy as np, kusari.links as L
        >>> L.Highway(4)(np.ones((2, 4), np.float32)).shape
        (2, 4)
    """

    def __init__(
        self,
        in_out_size: int,
        nobias: bool = False,
        activate: Callable[[Any], Any] | None = None,
        init_Wh: Any = None,
        init_Wt: Any = None,
        init_bh: Any = None,
        init_bt: Any = -1,
    ) -> None:
        super().__init__()
        self.activate = F.relu if activate is None else activate
        with self.init_scope():
            self.plain = Linear(
                in_out_size, in_out_size, nobias=nobias, initialW=init_Wh, initial_bias=init_bh
            )
            self.transform = Linear(
                in_out_size, in_out_size, nobias=nobias, initialW=init_Wt, initial_bias=init_bt
            )

    def forward(self, x: Any) -> Any:
        """Apply the highway layer to ``x`` of shape (N, in_out_size)."""
        h = self.activate(self.plain(x))
        t = F.sigmoid(self.transform(x))
        return h * t + x * (1 - t)
