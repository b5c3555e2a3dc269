"""``DictDataset``: combine equally long datasets into one of dicts."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.datasets.tuple_dataset import _take

__all__ = ["DictDataset"]


class DictDataset:
    """Dataset of dicts: example ``i`` is ``{key: datasets[key][i], ...}``.

    Args:
        **datasets: Datasets of one common length, by key.

    Example:
        >>> import numpy as np
        >>> d = DictDataset(x=np.arange(3), t=np.array([5, 6, 7]))
        >>> sorted(d[2].items())
        [('t', np.int64(7)), ('x', np.int64(2))]
    """

    __slots__ = ("_datasets", "_length", "_arrays_only")

    def __init__(self, **datasets: Any) -> None:
        if not datasets:
            raise ValueError("DictDataset: expected at least one dataset, got none")
        length = None
        for key, dataset in datasets.items():
            if length is None:
                length, first = len(dataset), key
            elif len(dataset) != length:
                raise ValueError(
                    f"DictDataset: expected every dataset to have length {length} (the "
                    f"length of {first!r}), got length {len(dataset)} for {key!r}"
                )
        self._datasets = datasets
        self._length = length
        self._arrays_only = all(type(d) is numpy.ndarray for d in datasets.values())

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (slice, list)) or (isinstance(index, numpy.ndarray) and index.ndim):
            if isinstance(index, numpy.ndarray) and index.dtype == numpy.bool_:
                index = numpy.flatnonzero(index)
            batches = {k: _take(d, index) for k, d in self._datasets.items()}
            keys = list(batches)
            return [dict(zip(keys, values)) for values in zip(*batches.values())]
        return {k: d[index] for k, d in self._datasets.items()}

    def __len__(self) -> int:
        return self._length

    def _kusari_take(self, indices: numpy.ndarray) -> dict[str, numpy.ndarray] | None:
        """Fields of ``self[indices]`` stacked (see ``kusari.dataset._batch``)."""
        if not self._arrays_only:
            return None
        return {k: d[indices] for k, d in self._datasets.items()}

    def __getstate__(self) -> tuple:
        return (self._datasets,)

    def __setstate__(self, state: tuple) -> None:
        self.__init__(**state[0])
