"""Order samplers: they choose the order of examples for each epoch."""

from __future__ import annotations

import json
from typing import Any

import numpy

__all__ = ["OrderSampler", "ShuffleOrderSampler"]

_GENERATOR_STATE_BYTES = 8192  # fixed size, so deserializers can copy into it in place


class OrderSampler:
    """Base class of order samplers.

    ``sampler(current_order, current_position)`` returns the order (a permutation of
    ``range(len(current_order))``) of the next epoch. Iterators call it at each epoch end
    and once at reset.
    """

    def __call__(self, current_order: numpy.ndarray, current_position: int) -> numpy.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")


class ShuffleOrderSampler(OrderSampler):
    """Sampler giving a fresh random permutation each epoch.

    Its random state is saved by :meth:`serialize` (and so by the iterators), so a resumed
    run draws the same permutations. With ``random_state=None`` it draws from NumPy's
    global generator (``numpy.random.seed`` controls it, as in Chainer), and restoring a
    snapshot restores that global generator's state.

    Args:
        random_state: A ``numpy.random.RandomState`` or ``numpy.random.Generator``, or
            None for NumPy's global ``RandomState``.

    Example:
        >>> import numpy as np
        >>> s = ShuffleOrderSampler(np.random.RandomState(0))
        >>> sorted(s(np.arange(5), 0).tolist())
        [0, 1, 2, 3, 4]
    """

    def __init__(self, random_state: Any = None) -> None:
        if random_state is None:
            random_state = numpy.random.random.__self__  # the global RandomState
        if not isinstance(random_state, (numpy.random.RandomState, numpy.random.Generator)):
            raise TypeError(
                "ShuffleOrderSampler: expected a numpy.random.RandomState or Generator, "
                f"got {type(random_state).__name__}"
            )
        self._random = random_state

    def __call__(self, current_order: numpy.ndarray, current_position: int) -> numpy.ndarray:
        return self._random.permutation(len(current_order))

    def get_state(self) -> numpy.ndarray:
        """Return the random state as a fixed-size numeric array (serializer friendly)."""
        rng = self._random
        if isinstance(rng, numpy.random.RandomState):
            _, keys, pos, has_gauss, gauss = rng.get_state(legacy=True)
            state = numpy.empty(628, numpy.uint32)
            state[:624] = keys
            state[624], state[625] = pos, has_gauss
            state[626:].view(numpy.float64)[0] = gauss
            return state
        text = json.dumps(rng.bit_generator.state, default=_jsonable).encode("ascii")
        if len(text) > _GENERATOR_STATE_BYTES - 4:
            raise ValueError(
                f"ShuffleOrderSampler: generator state of {len(text)} bytes is too large to save"
            )
        state = numpy.zeros(_GENERATOR_STATE_BYTES, numpy.uint8)
        state[:4] = numpy.frombuffer(len(text).to_bytes(4, "little"), numpy.uint8)
        state[4 : 4 + len(text)] = numpy.frombuffer(text, numpy.uint8)
        return state

    def set_state(self, state: Any) -> None:
        """Restore a state returned by :meth:`get_state`."""
        state = numpy.asarray(state)
        rng = self._random
        if isinstance(rng, numpy.random.RandomState):
            if state.shape != (628,):
                raise ValueError(
                    "ShuffleOrderSampler: expected a saved state of shape (628,), "
                    f"got {state.shape}"
                )
            state = state.astype(numpy.uint32)
            gauss = float(state[626:].view(numpy.float64)[0])
            rng.set_state(("MT19937", state[:624], int(state[624]), int(state[625]), gauss))
            return
        if state.shape != (_GENERATOR_STATE_BYTES,):
            raise ValueError(
                "ShuffleOrderSampler: expected a saved state of shape "
                f"({_GENERATOR_STATE_BYTES},), got {state.shape}"
            )
        raw = state.astype(numpy.uint8).tobytes()
        n = int.from_bytes(raw[:4], "little")
        rng.bit_generator.state = _from_json(json.loads(raw[4 : 4 + n].decode("ascii")))

    def serialize(self, serializer: Any) -> None:
        """Save or restore the random state under the key ``random_state``."""
        current = self.get_state()
        stored = numpy.asarray(serializer("random_state", current.copy()))
        if not numpy.array_equal(stored, current):  # loading a different state
            self.set_state(stored)


def _jsonable(value: Any) -> Any:
    if isinstance(value, numpy.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, numpy.integer):
        return int(value)
    raise TypeError(f"cannot save {type(value).__name__} in a generator state")


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return numpy.array(value["__ndarray__"], dtype=value["dtype"])
        return {k: _from_json(v) for k, v in value.items()}
    return value
