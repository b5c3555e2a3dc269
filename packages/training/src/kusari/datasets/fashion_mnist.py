"""Fashion-MNIST: 70,000 28x28 grey pictures of clothing in 10 classes."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.datasets._mnist_family import IdxSource, get_mnist_like

__all__ = ["get_fashion_mnist", "get_fashion_mnist_labels"]

_LABELS = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]

# SHA-256 of the official files (zalandoresearch/fashion-mnist README and TFDS); sizes
# 26,421,880 / 29,515 / 4,422,102 / 5,148 bytes. Debian's dataset-fashion-mnist package
# (0.0~git20200523.55506a9-1) installs recompressed copies with the same four names in
# /usr/share/datasets/fashion-mnist/ (SHA-256 b0564c3e…, 0ae29f65…, cc1d090a…, 8d3605d1…);
# those are checked by parsing, not by checksum.
_SOURCE = IdxSource(
    caller="get_fashion_mnist",
    directory="fashion-mnist",
    base_urls=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    checksums={
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            None,
        ),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            None,
        ),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            None,
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            None,
        ),
    },
    local_dirs=("/usr/share/datasets/fashion-mnist",),
)


def get_fashion_mnist_labels() -> list[str]:
    """Return the 10 class names, indexed by label.

    Example:
        >>> get_fashion_mnist_labels()[9]
        'Ankle boot'
    """
    return list(_LABELS)


def get_fashion_mnist(
    withlabel: bool = True,
    ndim: int = 1,
    scale: float = 1.0,
    dtype: Any = None,
    label_dtype: Any = numpy.int32,
    rgb_format: bool = False,
) -> tuple[Any, Any]:
    """Return the Fashion-MNIST training set (60,000) and test set (10,000).

    Uses Debian's ``dataset-fashion-mnist`` files in ``/usr/share/datasets/fashion-mnist``
    when installed, else downloads into ``<dataset root>/fashion-mnist``. Arguments and
    results are those of :func:`get_mnist`.

    Example:
        >>> train, test = get_fashion_mnist(ndim=3)  # doctest: +SKIP
        >>> train[0][0].shape  # doctest: +SKIP
        (1, 28, 28)
    """
    return get_mnist_like(_SOURCE, withlabel, ndim, scale, dtype, label_dtype, rgb_format)
