"""SVHN: Street View House Numbers, 32x32 colour digit crops, labels 0-9."""

from __future__ import annotations

import os
from typing import Any

import numpy

from kusari.dataset.download import cache_or_load_file, get_dataset_directory
from kusari.datasets._fetch import Remote, load_remote, npz_loader, resolve_dtype, save_npz
from kusari.datasets._matfile import read_mat
from kusari.datasets.tuple_dataset import TupleDataset

__all__ = ["get_svhn"]

_BASE = "http://ufldl.stanford.edu/housenumbers/"
# MD5 of the official files as listed by torchvision; no SHA-256 we are sure of.
_REMOTES = {
    "train": Remote(
        "train_32x32.mat", (_BASE + "train_32x32.mat",), md5="e26dedcc434d2e4c54c9b2d4a06d8373"
    ),
    "test": Remote(
        "test_32x32.mat", (_BASE + "test_32x32.mat",), md5="eb5a983be6a315427106f1b164d9cef3"
    ),
    "extra": Remote(
        "extra_32x32.mat", (_BASE + "extra_32x32.mat",), md5="a93ce644f1a588dc4d68dda5feec44a7"
    ),
}
_LOAD = npz_loader({"x": (numpy.uint8, 4), "y": (numpy.uint8, 1)})


def _parse(path: str) -> dict[str, numpy.ndarray]:
    found = read_mat(path, ("X", "y"))
    if "X" not in found or "y" not in found:
        raise ValueError(f"{path}: expected variables 'X' and 'y', found {sorted(found)}")
    x, y = found["X"], found["y"].reshape(-1)
    if x.ndim != 4 or x.shape[:3] != (32, 32, 3) or x.shape[3] != len(y):
        raise ValueError(f"{path}: expected X of shape (32, 32, 3, {len(y)}), got {x.shape}")
    if len(y) and not (y.min() >= 1 and y.max() <= 10):
        raise ValueError(f"{path}: labels outside 1..10")
    return {"x": x.astype(numpy.uint8), "y": y.astype(numpy.uint8)}


def _retrieve(split: str) -> dict[str, numpy.ndarray]:
    directory = get_dataset_directory("svhn")

    def create(path: str) -> dict[str, numpy.ndarray]:
        raw = load_remote(_REMOTES[split], directory, _parse, caller="get_svhn")
        save_npz(path, **raw)
        return raw

    return cache_or_load_file(os.path.join(directory, f"{split}.npz"), create, _LOAD)


def _preprocess(
    raw: dict[str, numpy.ndarray], withlabel: bool, scale: float, dtype: Any, label_dtype: Any
) -> Any:
    # X is (row, column, channel, index) as MATLAB stores it; examples are (3, 32, 32).
    images = numpy.ascontiguousarray(raw["x"].transpose(3, 2, 0, 1)).astype(dtype)
    images *= scale / 255.0
    if not withlabel:
        return images
    labels = raw["y"].astype(label_dtype)
    labels[labels == 10] = 0  # SVHN files label the digit 0 as 10
    return TupleDataset(images, labels)


def get_svhn(
    withlabel: bool = True,
    scale: float = 1.0,
    dtype: Any = None,
    label_dtype: Any = numpy.int32,
    add_extra: bool = False,
) -> tuple[Any, ...]:
    """Return the SVHN training set (73,257) and test set (26,032), and optionally extra.

    The official ``.mat`` files are downloaded once into ``<dataset root>/svhn`` and read
    by a built-in MAT reader (SciPy is not needed). Images are ``(3, 32, 32)``, scaled to
    ``[0, scale]``; the label of digit 0 is 0.

    Args:
        withlabel: Return :class:`TupleDataset` of ``(image, label)``; else image arrays.
        scale: Pixel value for full intensity.
        dtype: Image dtype; ``kusari.config.dtype`` (float32) when None.
        label_dtype: Label dtype.
        add_extra: Also return the 531,131 "extra" training examples.

    Returns:
        ``(train, test)``, or ``(train, test, extra)`` with ``add_extra``.

    Example:
        >>> train, test = get_svhn()  # doctest: +SKIP
        >>> train[0][0].shape  # doctest: +SKIP
        (3, 32, 32)
    """
    dtype = resolve_dtype(dtype)
    splits = ("train", "test", "extra") if add_extra else ("train", "test")
    return tuple(_preprocess(_retrieve(s), withlabel, scale, dtype, label_dtype) for s in splits)
