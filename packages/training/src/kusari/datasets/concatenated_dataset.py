"""``ConcatenatedDataset``: several datasets read one after another as one."""

from __future__ import annotations

import bisect
import itertools
from typing import Any

from kusari.dataset.dataset_mixin import DatasetMixin

__all__ = ["ConcatenatedDataset"]


class ConcatenatedDataset(DatasetMixin):
    """Dataset made of ``datasets[0]``'s examples, then ``datasets[1]``'s, and so on.

    Lengths are read at each access, so base datasets may grow.

    Args:
        *datasets: Datasets supporting ``len`` and integer indexing.

    Example:
        >>> d = ConcatenatedDataset([1, 2], [3, 4, 5])
        >>> len(d), d[2], d[-1]
        (5, 3, 5)
    """

    def __init__(self, *datasets: Any) -> None:
        self._datasets = datasets

    def __len__(self) -> int:
        return sum(len(d) for d in self._datasets)

    def get_example(self, i: int) -> Any:
        ends = list(itertools.accumulate(len(d) for d in self._datasets))
        total = ends[-1] if ends else 0
        if i < 0:
            i += total  # Chainer raises here; Python's negative indexing is kinder
        if not 0 <= i < total:
            raise IndexError(f"ConcatenatedDataset: index {i} out of range for length {total}")
        k = bisect.bisect_right(ends, i)
        start = ends[k - 1] if k else 0
        return self._datasets[k][i - start]
