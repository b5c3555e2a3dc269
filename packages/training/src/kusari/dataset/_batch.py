"""Building a minibatch list fast when the dataset is made of whole arrays.

``[dataset[i] for i in indices]`` costs one Python call per example. When a dataset is a
``TupleDataset``/``DictDataset`` of NumPy arrays (or a plain array, or a ``SubDataset`` of
those), one fancy-indexing call per field gives the same examples. The result is still a
plain list of examples (the same objects types Chainer would give: row views and NumPy
scalars), but it also remembers the stacked fields so :func:`concat_examples` can hand
them out without stacking again.

Datasets opt in by defining ``_kusari_take(indices)`` returning a tuple of arrays, a dict
of arrays, a single array, or None when they cannot (e.g. a field is a Python list).
"""

from __future__ import annotations

from typing import Any

import numpy

__all__ = ["ColumnarBatch", "fetch_batch", "take_columns"]


def take_columns(dataset: Any, indices: numpy.ndarray) -> Any:
    """Return the fields of ``dataset[indices]`` stacked, or None when not possible."""
    if type(dataset) is numpy.ndarray:
        return dataset[indices]
    take = getattr(dataset, "_kusari_take", None)
    if take is None:
        return None
    return take(indices)


def _mutator(name: str) -> Any:
    base = getattr(list, name)

    def method(self: ColumnarBatch, *args: Any, **kwargs: Any) -> Any:
        self._columns = None  # the list changed: the stacked copy no longer matches
        return base(self, *args, **kwargs)

    method.__name__ = name
    return method


class ColumnarBatch(list):
    """A list of examples that also holds them stacked per field (``_columns``).

    Any change to the list drops the stacked copy; :func:`concat_examples` takes it at
    most once (then falls back to stacking), so two conversions never share arrays.
    """

    __slots__ = ("_columns",)

    def __init__(self, examples: Any, columns: Any) -> None:
        super().__init__(examples)
        self._columns = columns

    def pop_columns(self) -> Any:
        """Return the stacked fields once; None afterwards or after the list changed."""
        columns = self._columns
        self._columns = None
        return columns

    def __reduce__(self) -> Any:
        return (list, (list(self),))  # pickles (and copies) as a plain list


# Every list method that changes the content invalidates the stacked copy.
for _name in (
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "sort",
    "reverse",
):
    setattr(ColumnarBatch, _name, _mutator(_name))
del _name


def _rows(columns: Any) -> Any:
    if isinstance(columns, numpy.ndarray):
        return list(columns)
    if isinstance(columns, tuple):
        return list(zip(*columns))
    keys = list(columns)
    return [dict(zip(keys, values)) for values in zip(*columns.values())]


def fetch_batch(dataset: Any, indices: numpy.ndarray) -> list:
    """Return ``[dataset[i] for i in indices]``, using fancy indexing when possible.

    Example:
        >>> import numpy as np
        >>> batch = fetch_batch(np.arange(6).reshape(3, 2), np.array([2, 0]))
        >>> [b.tolist() for b in batch]
        [[4, 5], [0, 1]]
    """
    columns = take_columns(dataset, indices)
    if columns is None:
        return [dataset[i] for i in indices.tolist()]
    return ColumnarBatch(_rows(columns), columns)
