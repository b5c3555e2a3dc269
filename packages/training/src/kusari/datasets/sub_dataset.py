"""``SubDataset`` and the helpers that split a dataset for validation."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy

from kusari.dataset.dataset_mixin import DatasetMixin

__all__ = [
    "SubDataset",
    "get_cross_validation_datasets",
    "get_cross_validation_datasets_random",
    "split_dataset",
    "split_dataset_n",
    "split_dataset_n_random",
    "split_dataset_random",
]


def _as_int(value: Any, func: str, name: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{func}: expected an int {name}, got {type(value).__name__}") from None


class SubDataset(DatasetMixin):
    """The examples ``start`` to ``finish`` of a base dataset, optionally permuted.

    Example ``i`` is ``dataset[order[start + i]]`` (or ``dataset[start + i]`` without
    ``order``); a negative ``i`` counts from ``finish``.

    Args:
        dataset: The base dataset.
        start: First index of the interval.
        finish: One past the last index of the interval.
        order: A permutation of ``range(len(dataset))``, or None for the identity.

    Example:
        >>> d = SubDataset([10, 11, 12, 13], 1, 3)
        >>> len(d), d[0], d[-1]
        (2, 11, 12)
    """

    def __init__(
        self, dataset: Any, start: int, finish: int, order: Sequence[int] | None = None
    ) -> None:
        start = _as_int(start, "SubDataset", "start")
        finish = _as_int(finish, "SubDataset", "finish")
        if start < 0 or finish > len(dataset) or start > finish:
            raise ValueError(
                f"SubDataset: expected 0 <= start <= finish <= len(dataset) = {len(dataset)}, "
                f"got start={start}, finish={finish}"
            )
        if order is not None and len(order) != len(dataset):
            raise ValueError(
                f"SubDataset: expected order of the base dataset's length {len(dataset)}, "
                f"got length {len(order)}"
            )
        self._dataset = dataset
        self._start = start
        self._finish = finish
        self._size = finish - start
        self._order = order
        self._order_array = None if order is None else numpy.asarray(order)

    def __len__(self) -> int:
        return self._size

    def get_example(self, i: int) -> Any:
        if i >= 0:
            if i >= self._size:
                raise IndexError(f"SubDataset: index {i} out of range for length {self._size}")
            index = self._start + i
        else:
            if i < -self._size:
                raise IndexError(f"SubDataset: index {i} out of range for length {self._size}")
            index = self._finish + i
        if self._order is not None:
            index = self._order[index]
        return self._dataset[index]

    def _kusari_take(self, indices: numpy.ndarray) -> Any:
        """Fields of ``self[indices]`` stacked (see ``kusari.dataset._batch``)."""
        from kusari.dataset._batch import take_columns

        base = indices + self._start
        if self._order_array is not None:
            base = self._order_array[base]
        return take_columns(self._dataset, base)


def split_dataset(
    dataset: Any, split_at: int, order: Sequence[int] | None = None
) -> tuple[SubDataset, SubDataset]:
    """Split a dataset in two at ``split_at`` (after permuting by ``order``, if given).

    Returns:
        ``(first, second)``: the examples ``order[:split_at]`` and ``order[split_at:]``.

    Example:
        >>> a, b = split_dataset(list("abcde"), 2)
        >>> list(a), list(b)
        (['a', 'b'], ['c', 'd', 'e'])
    """
    split_at = _as_int(split_at, "split_dataset", "split_at")
    n = len(dataset)
    if split_at < 0:
        raise ValueError(f"split_dataset: expected a non-negative split_at, got {split_at}")
    if split_at > n:
        raise ValueError(f"split_dataset: split_at {split_at} exceeds the dataset size {n}")
    return SubDataset(dataset, 0, split_at, order), SubDataset(dataset, split_at, n, order)


def split_dataset_random(
    dataset: Any, first_size: int, seed: int | None = None
) -> tuple[SubDataset, SubDataset]:
    """Split a dataset in two at random; ``seed`` makes the split reproducible.

    The permutation is ``numpy.random.RandomState(seed).permutation(len(dataset))``, so a
    seed gives the same split as Chainer.

    Example:
        >>> a, b = split_dataset_random(list(range(10)), 3, seed=0)
        >>> len(a), len(b), sorted(list(a) + list(b)) == list(range(10))
        (3, 7, True)
    """
    order = numpy.random.RandomState(seed).permutation(len(dataset))
    return split_dataset(dataset, first_size, order)


def split_dataset_n(dataset: Any, n: int, order: Sequence[int] | None = None) -> list[SubDataset]:
    """Split a dataset into ``n`` parts of ``len(dataset) // n`` examples (rest dropped).

    Example:
        >>> [list(p) for p in split_dataset_n(list(range(7)), 3)]
        [[0, 1], [2, 3], [4, 5]]
    """
    n = _as_int(n, "split_dataset_n", "n")
    if n <= 0:
        raise ValueError(f"split_dataset_n: expected a positive n, got {n}")
    size = len(dataset) // n
    return [SubDataset(dataset, size * i, size * (i + 1), order) for i in range(n)]


def split_dataset_n_random(dataset: Any, n: int, seed: int | None = None) -> list[SubDataset]:
    """Like :func:`split_dataset_n` after a random permutation seeded by ``seed``."""
    order = numpy.random.RandomState(seed).permutation(len(dataset))
    return split_dataset_n(dataset, n, order)


def get_cross_validation_datasets(
    dataset: Any, n_fold: int, order: Sequence[int] | None = None
) -> list[tuple[SubDataset, SubDataset]]:
    """Make ``n_fold`` (train, test) splits for cross validation.

    The test parts do not overlap, cover the dataset, and differ in size by at most one.
    The splits are the ones Chainer makes for the same ``order``.

    Example:
        >>> splits = get_cross_validation_datasets(list(range(5)), 2)
        >>> [(list(tr), list(te)) for tr, te in splits]
        [([0, 1], [2, 3, 4]), ([2, 3, 4], [0, 1])]
    """
    n_fold = _as_int(n_fold, "get_cross_validation_datasets", "n_fold")
    if n_fold <= 0:
        raise ValueError(f"get_cross_validation_datasets: expected a positive n_fold, got {n_fold}")
    n = len(dataset)
    order = numpy.arange(n) if order is None else numpy.array(order)
    borders = [n * i // n_fold for i in range(n_fold + 1)]
    test_sizes = [borders[i + 1] - borders[i] for i in range(n_fold)]
    splits = []
    shift = 0
    # Fold k tests on the last test_size examples of the order rotated right by the sizes
    # of the folds before it (largest folds last, as in Chainer).
    for test_size in reversed(test_sizes):
        splits.append(split_dataset(dataset, n - test_size, numpy.roll(order, shift)))
        shift += test_size
    return splits


def get_cross_validation_datasets_random(
    dataset: Any, n_fold: int, seed: int | None = None
) -> list[tuple[SubDataset, SubDataset]]:
    """Like :func:`get_cross_validation_datasets` with a random order seeded by ``seed``."""
    order = numpy.random.RandomState(seed).permutation(len(dataset))
    return get_cross_validation_datasets(dataset, n_fold, order)
