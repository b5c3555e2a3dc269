"""Saving and loading object trees: NPZ (default) and HDF5 (``kusari.serializers``).

Links, optimizers, iterators and trainers define ``serialize(serializer)``; the
functions here walk that method with Chainer's key layout (``predictor/l1/W``), so files
written by Chainer load into kusari objects and the other way round.

Safety: a path is written atomically (temporary file, fsync, ``os.replace``), and
loading never unpickles anything. h5py is optional and imported on first HDF5 use.

Example:
    >>> import io, numpy as np
    >>> from kusari import serializers
    >>> class Model:
    ...     def __init__(self):
    ...         self.W = np.zeros((2, 2), np.float32)
    ...
    ...     def serialize(self, s):
    ...         s["l1"]("W", self.W)
    >>> buf = io.BytesIO()
    >>> m = Model()
    >>> m.W += 1
    >>> serializers.save_npz(buf, m)
    >>> _ = buf.seek(0)
    >>> m2 = Model()
    >>> serializers.load_npz(buf, m2)
    >>> float(m2.W.sum())
    4.0
"""

from __future__ import annotations

from kusari.serializers import hdf5, npz
from kusari.serializers._base import AbstractSerializer, Deserializer, Serializer
from kusari.serializers.hdf5 import (
    HDF5Deserializer,
    Hdf5Deserializer,
    HDF5Serializer,
    Hdf5Serializer,
    load_hdf5,
    save_hdf5,
)
from kusari.serializers.npz import DictionarySerializer, NpzDeserializer, load_npz, save_npz

__all__ = [
    "AbstractSerializer",
    "Serializer",
    "Deserializer",
    "DictionarySerializer",
    "NpzDeserializer",
    "save_npz",
    "load_npz",
    "HDF5Serializer",
    "HDF5Deserializer",
    "Hdf5Serializer",
    "Hdf5Deserializer",
    "save_hdf5",
    "load_hdf5",
    "npz",
    "hdf5",
]
