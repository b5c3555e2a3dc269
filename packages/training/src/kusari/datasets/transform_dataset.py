"""``TransformDataset``: apply a function to each example when it is read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kusari.dataset.dataset_mixin import DatasetMixin

__all__ = ["TransformDataset"]


class TransformDataset(DatasetMixin):
    """Dataset whose example ``i`` is ``transform(dataset[i])``, computed on access.

    Args:
        dataset: The base dataset.
        transform: A function of one example (data augmentation, preprocessing, ...).

    Example:
        >>> d = TransformDataset([1, 2, 3], lambda x: x * 10)
        >>> len(d), d[2], d[:2]
        (3, 30, [10, 20])
    """

    def __init__(self, dataset: Any, transform: Callable[[Any], Any]) -> None:
        if not callable(transform):
            raise TypeError(
                f"TransformDataset: expected a callable transform, got {type(transform).__name__}"
            )
        self._dataset = dataset
        self._transform = transform

    def __len__(self) -> int:
        return len(self._dataset)

    def get_example(self, i: int) -> Any:
        return self._transform(self._dataset[i])
