"""``DatasetMixin``: write ``__len__`` and ``get_example`` and get indexing by slices and lists."""

from __future__ import annotations

from typing import Any

import numpy

__all__ = ["DatasetMixin"]


class DatasetMixin:
    """Base of datasets that produce one example at a time.

    Subclasses implement :meth:`__len__` and :meth:`get_example`; ``dataset[index]``
    then accepts an int, a slice, a list of ints or an integer (or boolean) NumPy array.
    A slice or a list gives a list of examples.

    Example:
        >>> class Squares(DatasetMixin):
        ...     def __len__(self):
        ...         return 5
        ...
        ...     def get_example(self, i):
        ...         return i * i
        >>> d = Squares()
        >>> d[2], d[1:4], d[[0, 4]]
        (4, [1, 4, 9], [0, 16])
    """

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return [self.get_example(i) for i in range(start, stop, step)]
        if isinstance(index, list):
            return [self.get_example(i) for i in index]
        if isinstance(index, numpy.ndarray):
            if index.ndim == 0:
                return self.get_example(index.item())
            if index.dtype == numpy.bool_:
                index = numpy.flatnonzero(index)
            return [self.get_example(i) for i in index.tolist()]
        return self.get_example(index)

    def __len__(self) -> int:
        """Return the number of examples."""
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def get_example(self, i: int) -> Any:
        """Return the ``i``-th example."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_example")
