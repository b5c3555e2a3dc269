"""Dataset iterators (Chainer's ``chainer.iterators``).

Example:
    >>> from kusari import iterators
    >>> it = iterators.SerialIterator([1, 2, 3], 2, repeat=False, shuffle=False)
    >>> list(it)
    [[1, 2], [3]]
"""

from kusari.iterators.multiprocess_iterator import MultiprocessIterator
from kusari.iterators.multithread_iterator import MultithreadIterator
from kusari.iterators.order_samplers import OrderSampler, ShuffleOrderSampler
from kusari.iterators.serial_iterator import SerialIterator

__all__ = [
    "MultiprocessIterator",
    "MultithreadIterator",
    "OrderSampler",
    "SerialIterator",
    "ShuffleOrderSampler",
]
