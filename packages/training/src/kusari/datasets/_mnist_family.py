"""What MNIST, Fashion-MNIST and Kuzushiji-MNIST share: IDX files, cache, preprocessing."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import numpy

from kusari.dataset.download import cache_or_load_file, get_dataset_directory
from kusari.datasets._fetch import Remote, load_remote, npz_loader, resolve_dtype, save_npz
from kusari.datasets._idx import read_idx
from kusari.datasets.tuple_dataset import TupleDataset

__all__ = ["IdxSource", "get_mnist_like", "SPLIT_FILES"]

SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_LOAD = npz_loader({"x": (numpy.uint8, 2), "y": (numpy.uint8, 1)})


@dataclasses.dataclass(frozen=True)
class IdxSource:
    """Where one MNIST-like data set comes from.

    Attributes:
        caller: Public function name for messages.
        directory: Cache directory name under the data set root.
        base_urls: Mirrors holding the four files, tried in order.
        checksums: ``{file name: (sha256, md5)}``; None where not known.
        local_dirs: Directories that may already hold the four files.
    """

    caller: str
    directory: str
    base_urls: tuple[str, ...]
    checksums: dict[str, tuple[str | None, str | None]]
    local_dirs: tuple[str, ...] = ()

    def remote(self, filename: str) -> Remote:
        sha256, md5 = self.checksums.get(filename, (None, None))
        return Remote(filename, tuple(base + filename for base in self.base_urls), sha256, md5)


def _parse_images(path: str) -> numpy.ndarray:
    images = read_idx(path)
    if images.dtype != numpy.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"{path}: expected uint8 images of 28x28, got {images.dtype} {images.shape}"
        )
    return images.reshape(len(images), 784)


def _parse_labels(path: str) -> numpy.ndarray:
    labels = read_idx(path)
    if labels.dtype != numpy.uint8 or labels.ndim != 1:
        raise ValueError(
            f"{path}: expected a 1-d uint8 label array, got {labels.dtype} {labels.shape}"
        )
    return labels


def _retrieve(source: IdxSource, split: str) -> dict[str, numpy.ndarray]:
    directory = get_dataset_directory(source.directory)
    images_file, labels_file = SPLIT_FILES[split]

    def create(path: str) -> dict[str, numpy.ndarray]:
        kw: dict[str, Any] = {"caller": source.caller, "local_dirs": source.local_dirs}
        x = load_remote(source.remote(images_file), directory, _parse_images, **kw)
        y = load_remote(source.remote(labels_file), directory, _parse_labels, **kw)
        if len(x) != len(y):
            raise ValueError(
                f"{source.caller}: {images_file} has {len(x)} images but "
                f"{labels_file} has {len(y)} labels"
            )
        save_npz(path, x=x, y=y)
        return {"x": x, "y": y}

    return cache_or_load_file(os.path.join(directory, f"{split}.npz"), create, _LOAD)


def _preprocess(
    raw: dict[str, numpy.ndarray],
    withlabel: bool,
    ndim: int,
    scale: float,
    image_dtype: numpy.dtype,
    label_dtype: Any,
    rgb_format: bool,
) -> Any:
    images = raw["x"]
    if ndim == 2:
        images = images.reshape(-1, 28, 28)
    elif ndim == 3:
        images = images.reshape(-1, 1, 28, 28)
        if rgb_format:
            images = numpy.broadcast_to(images, (len(images), 3, 28, 28))
    images = images.astype(image_dtype)
    images *= scale / 255.0  # in place, in image_dtype: the same rounding as Chainer
    if not withlabel:
        return images
    return TupleDataset(images, raw["y"].astype(label_dtype))


def get_mnist_like(
    source: IdxSource,
    withlabel: bool,
    ndim: int,
    scale: float,
    dtype: Any,
    label_dtype: Any,
    rgb_format: bool,
) -> tuple[Any, Any]:
    """The body of ``get_mnist`` and its siblings (arguments as documented there)."""
    if ndim not in (1, 2, 3):
        raise ValueError(f"{source.caller}: expected ndim 1, 2 or 3, got {ndim!r}")
    image_dtype = resolve_dtype(dtype)
    return tuple(
        _preprocess(
            _retrieve(source, split), withlabel, ndim, scale, image_dtype, label_dtype, rgb_format
        )
        for split in ("train", "test")
    )
