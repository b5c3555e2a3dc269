"""``TupleDataset``: zip several equally long datasets into one of tuples."""

from __future__ import annotations

from typing import Any

import numpy

__all__ = ["TupleDataset"]


def _take(dataset: Any, index: Any) -> Any:
    if isinstance(index, slice) or isinstance(dataset, numpy.ndarray):
        return dataset[index]
    try:
        return dataset[index]
    except TypeError:  # e.g. a Python list indexed by a list: take items one by one
        return [dataset[i] for i in numpy.asarray(index).tolist()]


class TupleDataset:
    """Dataset of tuples: example ``i`` is ``(datasets[0][i], datasets[1][i], ...)``.

    Args:
        *datasets: Datasets (arrays, lists, other datasets) of one common length.

    Example:
        >>> import numpy as np
        >>> d = TupleDataset(np.arange(3), np.array([10, 20, 30]))
        >>> len(d), d[1]
        (3, (np.int64(1), np.int64(20)))
        >>> d[1:]
        [(np.int64(1), np.int64(20)), (np.int64(2), np.int64(30))]
    """

    __slots__ = ("_datasets", "_length", "_arrays_only")

    def __init__(self, *datasets: Any) -> None:
        if not datasets:
            raise ValueError("TupleDataset: expected at least one dataset, got none")
        length = len(datasets[0])
        for i, dataset in enumerate(datasets):
            if len(dataset) != length:
                raise ValueError(
                    f"TupleDataset: expected every dataset to have length {length} "
                    f"(the length of dataset 0), got length {len(dataset)} for dataset {i}"
                )
        self._datasets = datasets
        self._length = length
        self._arrays_only = all(type(d) is numpy.ndarray for d in datasets)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (slice, list)) or (isinstance(index, numpy.ndarray) and index.ndim):
            if isinstance(index, numpy.ndarray) and index.dtype == numpy.bool_:
                index = numpy.flatnonzero(index)
            batches = [_take(d, index) for d in self._datasets]
            return list(zip(*batches))
        return tuple([d[index] for d in self._datasets])

    def __len__(self) -> int:
        return self._length

    def _kusari_take(self, indices: numpy.ndarray) -> tuple[numpy.ndarray, ...] | None:
        """Fields of ``self[indices]`` stacked (see ``kusari.dataset._batch``)."""
        if not self._arrays_only:
            return None
        return tuple([d[indices] for d in self._datasets])

    def __getstate__(self) -> tuple:
        return (self._datasets,)

    def __setstate__(self, state: tuple) -> None:
        self.__init__(*state[0])
