"""Datasets and data set downloaders (Chainer's ``chainer.datasets``).

Example:
    >>> import numpy as np
    >>> from kusari import datasets
    >>> d = datasets.TupleDataset(np.arange(4), np.arange(4) * 2)
    >>> train, valid = datasets.split_dataset(d, 3)
    >>> len(train), valid[0]
    (3, (np.int64(3), np.int64(6)))
"""

from kusari.datasets import (
    cifar,
    concatenated_dataset,
    dict_dataset,
    fashion_mnist,
    kuzushiji_mnist,
    mnist,
    ptb,
    sub_dataset,
    svhn,
    transform_dataset,
    tuple_dataset,
)
from kusari.datasets.cifar import get_cifar10, get_cifar100
from kusari.datasets.concatenated_dataset import ConcatenatedDataset
from kusari.datasets.dict_dataset import DictDataset
from kusari.datasets.fashion_mnist import get_fashion_mnist, get_fashion_mnist_labels
from kusari.datasets.kuzushiji_mnist import get_kuzushiji_mnist, get_kuzushiji_mnist_labels
from kusari.datasets.mnist import get_mnist
from kusari.datasets.ptb import get_ptb_words, get_ptb_words_vocabulary
from kusari.datasets.sub_dataset import (
    SubDataset,
    get_cross_validation_datasets,
    get_cross_validation_datasets_random,
    split_dataset,
    split_dataset_n,
    split_dataset_n_random,
    split_dataset_random,
)
from kusari.datasets.svhn import get_svhn
from kusari.datasets.transform_dataset import TransformDataset
from kusari.datasets.tuple_dataset import TupleDataset

__all__ = [
    "ConcatenatedDataset",
    "DictDataset",
    "SubDataset",
    "TransformDataset",
    "TupleDataset",
    "cifar",
    "concatenated_dataset",
    "dict_dataset",
    "fashion_mnist",
    "get_cifar10",
    "get_cifar100",
    "get_cross_validation_datasets",
    "get_cross_validation_datasets_random",
    "get_fashion_mnist",
    "get_fashion_mnist_labels",
    "get_kuzushiji_mnist",
    "get_kuzushiji_mnist_labels",
    "get_mnist",
    "get_ptb_words",
    "get_ptb_words_vocabulary",
    "get_svhn",
    "kuzushiji_mnist",
    "mnist",
    "ptb",
    "split_dataset",
    "split_dataset_n",
    "split_dataset_n_random",
    "split_dataset_random",
    "sub_dataset",
    "svhn",
    "transform_dataset",
    "tuple_dataset",
]
