"""Dataset plumbing shared by every data set and iterator (Chainer's ``chainer.dataset``).

Example:
    >>> import numpy as np
    >>> from kusari.dataset import concat_examples
    >>> concat_examples([(np.ones(2), 0), (np.zeros(2), 1)])[1].tolist()
    [0, 1]
"""

try:
    import kusari._version  # noqa: F401  (uninstalling core leaves an empty namespace)
except ImportError:
    raise ImportError(
        "kusari-training needs kusari-core, which is not installed: pip install kusari-core"
    ) from None

from kusari.dataset import convert, dataset_mixin, download, iterator
from kusari.dataset.convert import Converter, concat_examples, converter, to_device
from kusari.dataset.dataset_mixin import DatasetMixin
from kusari.dataset.download import (
    DownloadError,
    cache_or_load_file,
    cached_download,
    get_dataset_directory,
    get_dataset_root,
    set_dataset_root,
)
from kusari.dataset.iterator import Iterator

__all__ = [
    "Converter",
    "DatasetMixin",
    "DownloadError",
    "Iterator",
    "cache_or_load_file",
    "cached_download",
    "concat_examples",
    "convert",
    "converter",
    "dataset_mixin",
    "download",
    "get_dataset_directory",
    "get_dataset_root",
    "iterator",
    "set_dataset_root",
    "to_device",
]
