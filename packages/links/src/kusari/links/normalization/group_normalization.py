"""``GroupNormalization``: normalize groups of channels within each sample."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.links._link import Link
from kusari.links._util import check_size, fail_in
from kusari.variable import Parameter

__all__ = ["GroupNormalization"]


class GroupNormalization(Link):
    """Group normalization (Wu & He, 2018) of (N, C, ...) input.

    Args:
        groups: Number of channel groups; must divide the channel count.
        size: Number of channels; None infers it from the first input.
        eps: Added to the variance.
        initial_gamma: Initializer of the per-channel scale (default 1).
        initial_beta: Initializer of the per-channel shift (default 0).

    Example:
        >>> import numpy as np, kusari.links as L
        >>> gn = L.GroupNormalization(2)
        >>> gn(np.ones((1, 4, 3, 3), np.float32)).shape
        (1, 4, 3, 3)
    """

    def __init__(
        self,
        groups: int,
        size: int | None = None,
        eps: float = 1e-5,
        initial_gamma: Any = None,
        initial_beta: Any = None,
    ) -> None:
        super().__init__()
        self.groups = check_size(groups, "groups", "GroupNormalization", allow_none=False)
        self.eps = eps
        with self.init_scope():
            self.gamma = Parameter(
                initializers.get_initializer(1 if initial_gamma is None else initial_gamma)
            )
            self.beta = Parameter(
                initializers.get_initializer(0 if initial_beta is None else initial_beta)
            )
        size = check_size(size, "size", "GroupNormalization")
        if size is not None:
            self._initialize_params(size)

    def _initialize_params(self, size: int) -> None:
        if size % self.groups:
            raise ValueError(
                f"GroupNormalization: the channel count {size} must be a multiple of "
                f"groups={self.groups}"
            )
        self.gamma.initialize((size,))
        self.beta.initialize((size,))

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "groups", self.groups
        yield "size", None if self.gamma.array is None else self.gamma.shape[0]
        yield "eps", self.eps

    def forward(self, x: Any) -> Any:
        """Normalize ``x`` of shape (N, C, ...)."""
        if self.gamma._data is None:
            if x.ndim < 2:
                raise ValueError(
                    f"{self._repr_head()}: expected input of shape (N, C, ...); got shape "
                    f"{tuple(x.shape)}"
                )
            self._initialize_params(x.shape[1])
        try:
            return F.group_normalization(x, self.groups, self.gamma, self.beta, self.eps)
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)
