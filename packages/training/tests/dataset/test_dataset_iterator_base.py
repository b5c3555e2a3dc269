"""The Iterator protocol base class."""

import pytest

from kusari.dataset import Iterator


class Countdown(Iterator):
    def __init__(self, n):
        self.n = n
        self.finalized = 0

    def __next__(self):
        if self.n == 0:
            raise StopIteration
        self.n -= 1
        return [self.n]

    def finalize(self):
        self.finalized += 1


def test_iterator_protocol_and_context_manager():
    with Countdown(3) as it:
        assert it.next() == [2]
        assert list(it) == [[1], [0]]
    assert it.finalized == 1
    with pytest.raises(ZeroDivisionError), Countdown(1) as it2:
        raise ZeroDivisionError
    assert it2.finalized == 1
    assert Iterator().serialize(None) is None and Iterator().finalize() is None
    with pytest.raises(NotImplementedError, match="Iterator must implement __next__"):
        next(Iterator())
