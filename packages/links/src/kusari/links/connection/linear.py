"""``Linear``: the fully connected layer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.links._link import Link
from kusari.links._util import check_size, fail_in, size_of
from kusari.variable import Parameter

__all__ = ["Linear"]


class Linear(Link):
    """Fully connected layer ``y = x W^T + b``.

    Args:
        in_size: Input features; None infers it from the first input (axes after the
            batch axes are flattened). ``Linear(out_size)`` alone also means lazy input.
        out_size: Output features.
        nobias: No bias parameter (``self.b`` is None).
        initialW: Weight initializer, scalar or array (default: LeCunNormal).
        initial_bias: Bias initializer, scalar or array (default: 0).

    Attributes:
        W: Weight of shape ``(out_size, in_size)``, uninitialized until ``in_size`` is known.
        b: Bias of shape ``(out_size,)`` (initialized at once), or None.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> layer = L.Linear(None, 2)
        >>> layer.b.shape, layer.W.array is None
        ((2,), True)
        >>> layer(np.ones((5, 3, 2), np.float32)).shape, layer.W.shape
        ((5, 2), (2, 6))
    """

    def __init__(
        self,
        in_size: int | None,
        out_size: int | None = None,
        nobias: bool = False,
        initialW: Any = None,
        initial_bias: Any = None,
    ) -> None:
        super().__init__()
        if out_size is None:
            in_size, out_size = None, in_size
        self.in_size = check_size(in_size, "in_size", "Linear")
        self.out_size = check_size(out_size, "out_size", "Linear", allow_none=False)
        with self.init_scope():
            self.W = Parameter(initializers.get_initializer(initialW))
            if in_size is not None:
                self._initialize_params(in_size)
            if nobias:
                self.b = None
            else:
                bias = initializers.get_initializer(0 if initial_bias is None else initial_bias)
                self.b = Parameter(bias, (self.out_size,))

    def _initialize_params(self, in_size: int) -> None:
        self.in_size = in_size
        self.W.initialize((self.out_size, in_size))

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "in_size", self.in_size
        yield "out_size", self.out_size
        yield "nobias", self.b is None

    def forward(self, x: Any, n_batch_axes: int = 1) -> Any:
        """Apply the layer to ``x`` of shape (batch..., features...)."""
        if self.W._data is None:
            if x.ndim <= n_batch_axes:
                raise ValueError(
                    f"{self._repr_head()}: the input needs axes after its {n_batch_axes} batch "
                    f"axes to infer in_size; got shape {tuple(x.shape)}"
                )
            self._initialize_params(size_of(x.shape[n_batch_axes:]))
        try:
            return F.linear(x, self.W, self.b, n_batch_axes=n_batch_axes)
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)
