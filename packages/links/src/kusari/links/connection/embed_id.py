"""``EmbedID``: a learnable lookup table of word vectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.links._link import Link
from kusari.links._util import check_size, fail_in
from kusari.variable import Parameter

__all__ = ["EmbedID"]


class EmbedID(Link):
    """Embedding layer: integer ids → rows of ``W``.

    Args:
        in_size: Vocabulary size (ids run from 0 to ``in_size - 1``).
        out_size: Embedding dimension.
        initialW: Initializer of ``W`` (default: Normal(1.0), Chainer's).
        ignore_label: An id that maps to a zero vector (and gets no gradient).

    Attributes:
        W: The table, shape ``(in_size, out_size)``.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> embed = L.EmbedID(10, 3, ignore_label=-1)
        >>> y = embed(np.array([1, -1], np.int32))
        >>> y.shape, bool((y.array[1] == 0).all())
        ((2, 3), True)
    """

    ignore_label: int | None = None

    def __init__(
        self, in_size: int, out_size: int, initialW: Any = None, ignore_label: int | None = None
    ) -> None:
        super().__init__()
        self.in_size = check_size(in_size, "in_size", "EmbedID", allow_none=False)
        self.out_size = check_size(out_size, "out_size", "EmbedID", allow_none=False)
        self.ignore_label = ignore_label
        init = initializers.Normal(1.0) if initialW is None else initialW
        with self.init_scope():
            self.W = Parameter(initializers.get_initializer(init), (self.in_size, self.out_size))

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "in_size", self.in_size
        yield "out_size", self.out_size
        yield "ignore_label", self.ignore_label

    def forward(self, x: Any) -> Any:
        """Look up the rows for the ids in ``x`` (any integer array shape)."""
        try:
            return F.embed_id(x, self.W, ignore_label=self.ignore_label)
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)
