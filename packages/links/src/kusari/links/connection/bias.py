"""``Bias``: add a learnable (or given) bias broadcast along axes."""

from __future__ import annotations

from typing import Any

import kusari.functions as F
from kusari.links._link import Link
from kusari.links._util import fail_in
from kusari.variable import Parameter

__all__ = ["Bias"]


class Bias(Link):
    """Add a bias to ``x``, broadcast from ``axis`` on (``F.bias``).

    Args:
        axis: The first axis of ``x`` the bias covers.
        shape: Shape of the learnable bias ``b`` (initialized to 0); None means the bias
            is passed as the second argument of each call.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> layer = L.Bias(shape=(3,))
        >>> layer.b.array += 1
        >>> layer(np.zeros((2, 3, 4), np.float32)).array[0, :, 0]
        array([1., 1., 1.], dtype=float32)
    """

    b: Parameter | None = None

    def __init__(self, axis: int = 1, shape: Any = None) -> None:
        super().__init__()
        self.axis = axis
        if shape is not None:
            with self.init_scope():
                self.b = Parameter(0, (shape,) if isinstance(shape, int) else tuple(shape))

    def forward(self, *xs: Any) -> Any:
        """``forward(x)`` with the learned bias, or ``forward(x, b)``."""
        if len(xs) == 2:
            x, b = xs
        elif len(xs) == 1 and self.b is not None:
            x, b = xs[0], self.b
        else:
            raise TypeError(
                f"Bias.forward: expected (x) with a learned bias (shape given) or (x, b); got "
                f"{len(xs)} inputs{' and no learned bias' if self.b is None else ''}"
            )
        try:
            return F.bias(x, b, self.axis)
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)
