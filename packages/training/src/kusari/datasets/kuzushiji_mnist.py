"""Kuzushiji-MNIST: 70,000 28x28 grey images of cursive Japanese hiragana, 10 classes."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.datasets._mnist_family import IdxSource, get_mnist_like

__all__ = ["get_kuzushiji_mnist", "get_kuzushiji_mnist_labels"]

_LABELS = [
    ("o", "\u304a"),
    ("ki", "\u304d"),
    ("su", "\u3059"),
    ("tsu", "\u3064"),
    ("na", "\u306a"),
    ("ha", "\u306f"),
    ("ma", "\u307e"),
    ("ya", "\u3084"),
    ("re", "\u308c"),
    ("wo", "\u3092"),
]

# MD5 of the official files as listed by torchvision; no SHA-256 we are sure of.
_SOURCE = IdxSource(
    caller="get_kuzushiji_mnist",
    directory="kuzushiji-mnist",
    base_urls=("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",),
    checksums={
        "train-images-idx3-ubyte.gz": (None, "bdb82020997e1d708af4cf47b453dcf7"),
        "train-labels-idx1-ubyte.gz": (None, "e144d726b3acfaa3e44228e80efcd344"),
        "t10k-images-idx3-ubyte.gz": (None, "5c965bf0a639b31b8f53240b1b52f4d7"),
        "t10k-labels-idx1-ubyte.gz": (None, "7320c461ea6c1c855c0b718fb2a4b134"),
    },
)


def get_kuzushiji_mnist_labels() -> list[tuple[str, str]]:
    """Return ``(romaji, character)`` for each of the 10 labels.

    Example:
        >>> get_kuzushiji_mnist_labels()[1]
        ('ki', 'き')
    """
    return list(_LABELS)


def get_kuzushiji_mnist(
    withlabel: bool = True,
    ndim: int = 1,
    scale: float = 1.0,
    dtype: Any = None,
    label_dtype: Any = numpy.int32,
    rgb_format: bool = False,
) -> tuple[Any, Any]:
    """Return the Kuzushiji-MNIST training set (60,000) and test set (10,000).

    Downloads into ``<dataset root>/kuzushiji-mnist``; arguments and results are those of
    :func:`get_mnist`.

    Example:
        >>> train, test = get_kuzushiji_mnist(ndim=2)  # doctest: +SKIP
        >>> train[0][0].shape  # doctest: +SKIP
        (28, 28)
    """
    return get_mnist_like(_SOURCE, withlabel, ndim, scale, dtype, label_dtype, rgb_format)
