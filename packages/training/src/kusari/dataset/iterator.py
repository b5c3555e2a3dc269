"""``Iterator``: the protocol every dataset iterator follows."""

from __future__ import annotations

from typing import Any

__all__ = ["Iterator"]


class Iterator:
    """Base class of dataset iterators.

    An iterator returns minibatches (lists of examples) from ``next()``; iterators used by
    the trainer also expose ``epoch``, ``epoch_detail``, ``previous_epoch_detail``,
    ``is_new_epoch`` and ``serialize``. ``with`` blocks call :meth:`finalize` on exit.

    Example:
        >>> class Once(Iterator):
        ...     def __init__(self):
        ...         self.done = False
        ...
        ...     def __next__(self):
        ...         if self.done:
        ...             raise StopIteration
        ...         self.done = True
        ...         return [1, 2]
        >>> with Once() as it:
        ...     list(it)
        [[1, 2]]
    """

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        """Return the next minibatch; raise ``StopIteration`` at the end."""
        raise NotImplementedError(f"{type(self).__name__} must implement __next__")

    def next(self) -> Any:
        """Alias of ``__next__`` kept for Chainer code."""
        return self.__next__()

    def finalize(self) -> None:
        """Release resources (worker threads or processes). Does nothing by default."""

    def __enter__(self) -> Iterator:
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        self.finalize()

    def serialize(self, serializer: Any) -> None:
        """Save or load the iterator state through ``serializer``. Nothing by default."""
