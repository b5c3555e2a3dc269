"""``Scale``: multiply by a learnable (or given) factor broadcast along axes."""

from __future__ import annotations

from typing import Any

import kusari.functions as F
from kusari.links._chain import Chain
from kusari.links._util import fail_in
from kusari.links.connection.bias import Bias
from kusari.variable import Parameter

__all__ = ["Scale"]


class Scale(Chain):
    """Multiply ``x`` by ``W`` broadcast from ``axis`` on (``F.scale``), then add a bias.

    Args:
        axis: The first axis of ``x`` the factor covers.
        W_shape: Shape of the learnable factor ``W`` (initialized to 1); None means the
            factor is passed as the second argument of each call.
        bias_term: Add a learnable bias (a :class:`Bias` child named ``bias``).
        bias_shape: Shape of the bias when ``W_shape`` is None.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> layer = L.Scale(W_shape=(3,), bias_term=True)
        >>> layer(np.ones((2, 3), np.float32)).array
        array([[1., 1., 1.],
               [1., 1., 1.]], dtype=float32)
    """

    W: Parameter | None = None

    def __init__(
        self, axis: int = 1, W_shape: Any = None, bias_term: bool = False, bias_shape: Any = None
    ) -> None:
        super().__init__()
        self.axis = axis
        with self.init_scope():
            if W_shape is not None:
                self.W = Parameter(1, (W_shape,) if isinstance(W_shape, int) else tuple(W_shape))
            if bias_term:
                shape = W_shape if W_shape is not None else bias_shape
                if shape is None:
                    raise ValueError("Scale: bias_term=True needs W_shape or bias_shape")
                self.bias = Bias(axis, shape)

    def forward(self, *xs: Any) -> Any:
        """``forward(x)`` with the learned factor, or ``forward(x, W)``."""
        if len(xs) == 2:
            x, w = xs
        elif len(xs) == 1 and self.W is not None:
            x, w = xs[0], self.W
        else:
            raise TypeError(
                f"Scale.forward: expected (x) with a learned factor (W_shape given) or (x, W); "
                f"got {len(xs)} inputs{' and no learned factor' if self.W is None else ''}"
            )
        try:
            y = F.scale(x, w, self.axis)
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)
        return self.bias(y) if "bias" in self._children else y
