"""CIFAR-10 and CIFAR-100: 60,000 32x32 colour images in 10 or 100 classes."""

from __future__ import annotations

import os
import pickle
import tarfile
from typing import Any

import numpy

from kusari.dataset.download import cache_or_load_file, get_dataset_directory
from kusari.datasets._fetch import Remote, load_remote, npz_loader, resolve_dtype, save_npz
from kusari.datasets._safe_pickle import safe_load
from kusari.datasets.tuple_dataset import TupleDataset

__all__ = ["get_cifar10", "get_cifar100"]

# SHA-256 of the official archives (widely published: Keras, torchvision); sizes
# 170,498,071 and 169,001,437 bytes.
_CIFAR10 = Remote(
    "cifar-10-python.tar.gz",
    ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
    sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
)
_CIFAR100 = Remote(
    "cifar-100-python.tar.gz",
    ("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",),
    sha256="85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
)
_LOAD = npz_loader(
    {k: (numpy.uint8, n) for k, n in (("train_x", 2), ("train_y", 1), ("test_x", 2), ("test_y", 1))}
)


def _read_batch(
    archive: tarfile.TarFile, name: str, label_key: str, path: str
) -> tuple[numpy.ndarray, numpy.ndarray]:
    try:
        member = archive.extractfile(name)
    except KeyError:
        raise ValueError(f"{path}: archive has no member {name}") from None
    if member is None:
        raise ValueError(f"{path}: {name} is not a regular file")
    try:
        batch = safe_load(member)
    except pickle.UnpicklingError as e:
        raise ValueError(f"{path}: cannot read {name}: {e}") from e
    if not isinstance(batch, dict) or "data" not in batch or label_key not in batch:
        raise ValueError(f"{path}: {name} lacks 'data' or {label_key!r}")
    data = batch["data"]
    labels = numpy.asarray(batch[label_key])
    if (
        not isinstance(data, numpy.ndarray)
        or data.dtype != numpy.uint8
        or data.ndim != 2
        or data.shape[1] != 3072
    ):
        raise ValueError(f"{path}: {name} 'data' is not a uint8 array of rows of 3072 bytes")
    if (
        labels.shape != (len(data),)
        or labels.size
        and not (labels.min() >= 0 and labels.max() < 256)
    ):
        raise ValueError(f"{path}: {name} has {labels.shape} labels for {len(data)} images")
    return data, labels.astype(numpy.uint8)


def _parse_archive(path: str, n_classes: int) -> dict[str, numpy.ndarray]:
    if n_classes == 10:
        folder, label_key = "cifar-10-batches-py", "labels"
        train_names = [f"{folder}/data_batch_{i}" for i in range(1, 6)]
        test_name = f"{folder}/test_batch"
    else:
        folder, label_key = "cifar-100-python", "fine_labels"
        train_names, test_name = [f"{folder}/train"], f"{folder}/test"
    try:
        # Members are only read into memory (never extracted), so paths cannot escape.
        with tarfile.open(path, "r:gz") as archive:
            train = [_read_batch(archive, name, label_key, path) for name in train_names]
            test_x, test_y = _read_batch(archive, test_name, label_key, path)
    except tarfile.TarError as e:
        raise ValueError(f"{path}: damaged archive ({e})") from e
    return {
        "train_x": numpy.concatenate([x for x, _ in train]),
        "train_y": numpy.concatenate([y for _, y in train]),
        "test_x": test_x,
        "test_y": test_y,
    }


def _retrieve(n_classes: int, caller: str) -> dict[str, numpy.ndarray]:
    directory = get_dataset_directory("cifar")
    remote = _CIFAR10 if n_classes == 10 else _CIFAR100

    def create(path: str) -> dict[str, numpy.ndarray]:
        raw = load_remote(remote, directory, lambda p: _parse_archive(p, n_classes), caller=caller)
        save_npz(path, **raw)
        return raw

    return cache_or_load_file(os.path.join(directory, f"cifar-{n_classes}.npz"), create, _LOAD)


def _preprocess(
    images: numpy.ndarray,
    labels: numpy.ndarray,
    withlabel: bool,
    ndim: int,
    scale: float,
    dtype: Any,
) -> Any:
    images = images.reshape(-1, 3072) if ndim == 1 else images.reshape(-1, 3, 32, 32)
    images = images.astype(dtype)
    images *= scale / 255.0
    if not withlabel:
        return images
    return TupleDataset(images, labels.astype(numpy.int32))


def _get_cifar(
    n_classes: int, withlabel: bool, ndim: int, scale: float, dtype: Any, caller: str
) -> tuple[Any, Any]:
    if ndim not in (1, 3):
        raise ValueError(f"{caller}: expected ndim 1 or 3, got {ndim!r}")
    dtype = resolve_dtype(dtype)
    raw = _retrieve(n_classes, caller)
    train = _preprocess(raw["train_x"], raw["train_y"], withlabel, ndim, scale, dtype)
    test = _preprocess(raw["test_x"], raw["test_y"], withlabel, ndim, scale, dtype)
    return train, test


def get_cifar10(
    withlabel: bool = True, ndim: int = 3, scale: float = 1.0, dtype: Any = None
) -> tuple[Any, Any]:
    """Return the CIFAR-10 training set (50,000) and test set (10,000).

    Downloads the official "python version" archive once into ``<dataset root>/cifar``
    (its pickled batches are read without executing pickle code) and caches a ``.npz``.

    Args:
        withlabel: Return :class:`TupleDataset` of ``(image, label)``; else image arrays.
        ndim: 3 → images of shape ``(3, 32, 32)``; 1 → ``(3072,)``.
        scale: Pixel values are scaled to ``[0, scale]``.
        dtype: Image dtype; ``kusari.config.dtype`` (float32) when None.

    Returns:
        ``(train, test)``; labels are int32.

    Example:
        >>> train, test = get_cifar10()  # doctest: +SKIP
        >>> train[0][0].shape  # doctest: +SKIP
        (3, 32, 32)
    """
    return _get_cifar(10, withlabel, ndim, scale, dtype, "get_cifar10")


def get_cifar100(
    withlabel: bool = True, ndim: int = 3, scale: float = 1.0, dtype: Any = None
) -> tuple[Any, Any]:
    """Return the CIFAR-100 training set (50,000) and test set (10,000), fine labels.

    Arguments and results are those of :func:`get_cifar10`.

    Example:
        >>> train, test = get_cifar100(ndim=1)  # doctest: +SKIP
        >>> train[0][0].shape  # doctest: +SKIP
        (3072,)
    """
    return _get_cifar(100, withlabel, ndim, scale, dtype, "get_cifar100")
