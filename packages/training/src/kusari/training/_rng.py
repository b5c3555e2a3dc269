"""Saving and restoring the global random generators without pickle.

Dropout, initializers and shuffling order samplers draw from NumPy's global
``RandomState`` (and data augmentation often from Python's ``random``), so an exact
resume needs their states in the snapshot. Both are Mersenne Twister states: stored as
plain integer and float arrays, never as pickled objects.
"""

from __future__ import annotations

import random
from typing import Any

import numpy

from kusari.serializers import Serializer

__all__ = ["serialize_global_rng"]


def _numpy_state() -> dict[str, numpy.ndarray]:
    name, keys, pos, has_gauss, gauss = numpy.random.get_state(legacy=True)
    return {
        "keys": numpy.asarray(keys, numpy.uint32),
        "pos": numpy.asarray(pos, numpy.int64),
        "has_gauss": numpy.asarray(has_gauss, numpy.int64),
        "cached_gaussian": numpy.asarray(gauss, numpy.float64),
    }


def _python_state() -> dict[str, numpy.ndarray]:
    version, internal, gauss_next = random.getstate()
    return {
        "version": numpy.asarray(version, numpy.int64),
        "internal": numpy.asarray(internal, numpy.int64),  # 624 words and the position
        "has_gauss": numpy.asarray(gauss_next is not None, numpy.int64),
        "gauss_next": numpy.asarray(0.0 if gauss_next is None else gauss_next, numpy.float64),
    }


def _load(serializer: Any, current: dict[str, numpy.ndarray]) -> dict[str, numpy.ndarray] | None:
    loaded = {}
    try:
        for key, value in current.items():
            loaded[key] = numpy.asarray(serializer(key, value.copy()))
    except KeyError:
        return None  # a snapshot without this state (e.g. written by Chainer): keep ours
    return loaded


def serialize_global_rng(serializer: Any) -> None:
    """Save or load NumPy's and Python's global random states under ``serializer``.

    Keys: ``numpy/{keys,pos,has_gauss,cached_gaussian}`` and
    ``python/{version,internal,has_gauss,gauss_next}``. A snapshot lacking them loads
    without touching the generators.
    """
    np_ser, py_ser = serializer["numpy"], serializer["python"]
    if isinstance(serializer, Serializer):
        for key, value in _numpy_state().items():
            np_ser(key, value)
        for key, value in _python_state().items():
            py_ser(key, value)
        return
    state = _load(np_ser, _numpy_state())
    if state is not None:
        numpy.random.set_state(
            (
                "MT19937",
                state["keys"].astype(numpy.uint32),
                int(state["pos"]),
                int(state["has_gauss"]),
                float(state["cached_gaussian"]),
            )
        )
    state = _load(py_ser, _python_state())
    if state is not None:
        gauss = float(state["gauss_next"]) if int(state["has_gauss"]) else None
        internal = tuple(int(v) for v in state["internal"])
        random.setstate((int(state["version"]), internal, gauss))
