"""``LayerNormalization``: normalize each sample over its features."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.links._link import Link
from kusari.links._util import check_size, fail_in
from kusari.variable import Parameter

__all__ = ["LayerNormalization"]


class LayerNormalization(Link):
    """Layer normalization (Ba et al., 2016) of (N, size) input.

    Args:
        size: Number of features; None infers it from the first input.
        eps: Added to the variance.
        initial_gamma: Initializer of the scale (default 1).
        initial_beta: Initializer of the shift (default 0).

    Example:
        >>> import numpy as np, kusari.links as L
        >>> ln = L.LayerNormalization()
        >>> y = ln(np.arange(6, dtype=np.float32).reshape(2, 3))
        >>> np.round(y.array, 3)
        array([[-1.225,  0.   ,  1.225],
               [-1.225,  0.   ,  1.225]], dtype=float32)
    """

    def __init__(
        self,
        size: int | None = None,
        eps: float = 1e-6,
        initial_gamma: Any = None,
        initial_beta: Any = None,
    ) -> None:
        super().__init__()
        self.eps = eps
        with self.init_scope():
            self.gamma = Parameter(
                initializers.get_initializer(1 if initial_gamma is None else initial_gamma)
            )
            self.beta = Parameter(
                initializers.get_initializer(0 if initial_beta is None else initial_beta)
            )
        size = check_size(size, "size", "LayerNormalization")
        if size is not None:
            self._initialize_params(size)

    def _initialize_params(self, size: int) -> None:
        self.gamma.initialize((size,))
        self.beta.initialize((size,))

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "size", None if self.gamma.array is None else self.gamma.shape[0]
        yield "eps", self.eps

    def forward(self, x: Any) -> Any:
        """Normalize each row of ``x`` (shape (N, size))."""
        if self.gamma._data is None:
            if x.ndim < 2:
                raise ValueError(
                    f"{self._repr_head()}: expected input of shape (N, size); got shape "
                    f"{tuple(x.shape)}"
                )
            self._initialize_params(x.shape[1])
        try:
            return F.layer_normalization(x, self.gamma, self.beta, self.eps)
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)
