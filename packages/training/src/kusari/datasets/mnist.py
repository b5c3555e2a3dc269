"""MNIST: 70,000 handwritten digits, 28x28 grey pixels, labels 0-9."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.datasets._mnist_family import IdxSource, get_mnist_like

__all__ = ["get_mnist"]

# SHA-256 of the official files, as published by many projects (torchvision, TFDS);
# their sizes are 9,912,422 / 28,881 / 1,648,877 / 4,542 bytes.
_SOURCE = IdxSource(
    caller="get_mnist",
    directory="mnist",
    base_urls=(
        # A mirror first: the original site often refuses scripted downloads.
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    checksums={
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            None,
        ),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            None,
        ),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            None,
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            None,
        ),
    },
)


def get_mnist(
    withlabel: bool = True,
    ndim: int = 1,
    scale: float = 1.0,
    dtype: Any = None,
    label_dtype: Any = numpy.int32,
    rgb_format: bool = False,
) -> tuple[Any, Any]:
    """Return the MNIST training set (60,000) and test set (10,000).

    Files are downloaded once into ``<dataset root>/mnist`` and converted to a ``.npz``
    cache. Pixels are scaled from 0-255 to ``[0, scale]``.

    Args:
        withlabel: Return :class:`TupleDataset` of ``(image, label)``; else image arrays.
        ndim: Image shape: 1 → ``(784,)``, 2 → ``(28, 28)``, 3 → ``(1, 28, 28)``.
        scale: Pixel value for white.
        dtype: Image dtype; ``kusari.config.dtype`` (float32) when None.
        label_dtype: Label dtype.
        rgb_format: With ``ndim=3``, repeat the channel to get ``(3, 28, 28)``.

    Returns:
        ``(train, test)``.

    Example:
        >>> train, test = get_mnist()  # doctest: +SKIP
        >>> train[0][0].shape, train[0][1].dtype  # doctest: +SKIP
        ((784,), dtype('int32'))
    """
    return get_mnist_like(_SOURCE, withlabel, ndim, scale, dtype, label_dtype, rgb_format)
