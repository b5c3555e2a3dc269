"""get_mnist and its siblings, fed by IDX files in the real format through a fake web."""

import dataclasses
import gzip
import hashlib
import os
import warnings

import numpy
import pytest

from kusari import datasets
from kusari.dataset import DownloadError
from kusari.datasets import fashion_mnist, kuzushiji_mnist, mnist

FILES = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]


@pytest.fixture
def mnist_files(formats, tmp_path, web, monkeypatch):
    """Small IDX files served at the first MNIST mirror, with their checksums known."""
    arrays = formats.write_mnist_dir(str(tmp_path / "src"), n_train=12, n_test=5)
    blobs = {name: (tmp_path / "src" / name).read_bytes() for name in FILES}
    base = mnist._SOURCE.base_urls[0]
    for name, blob in blobs.items():
        web.files[base + name] = blob
    sums = {name: (hashlib.sha256(b).hexdigest(), None) for name, b in blobs.items()}
    monkeypatch.setattr(mnist, "_SOURCE", dataclasses.replace(mnist._SOURCE, checksums=sums))
    return arrays


def test_get_mnist_default_shapes_dtypes_and_scaling(dataset_root, mnist_files):
    train, test = datasets.get_mnist()
    assert isinstance(train, datasets.TupleDataset) and (len(train), len(test)) == (12, 5)
    x, t = train[0]
    assert x.shape == (784,) and x.dtype == numpy.float32 and t.dtype == numpy.int32
    expected = mnist_files["train-images-idx3-ubyte.gz"].reshape(12, 784).astype(
        numpy.float32
    ) * numpy.float32(1 / 255)
    got = numpy.stack([train[i][0] for i in range(12)])
    numpy.testing.assert_array_equal(got, expected)
    assert got.min() == 0.0 and got.max() == 1.0
    assert [int(test[i][1]) for i in range(5)] == mnist_files["t10k-labels-idx1-ubyte.gz"].tolist()
    assert os.path.isfile(dataset_root / "mnist" / "train.npz")


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [
        ({"ndim": 1}, (784,)),
        ({"ndim": 2}, (28, 28)),
        ({"ndim": 3}, (1, 28, 28)),
        ({"ndim": 3, "rgb_format": True}, (3, 28, 28)),
    ],
)
def test_get_mnist_ndim(dataset_root, mnist_files, kwargs, shape):
    train, _ = datasets.get_mnist(**kwargs)
    x = train[3][0]
    assert x.shape == shape
    pixels = mnist_files["train-images-idx3-ubyte.gz"][3].astype(numpy.float32) / 255
    numpy.testing.assert_allclose(x.reshape(-1, 784)[-1], pixels.reshape(784), rtol=1e-6)
    if kwargs.get("rgb_format"):
        numpy.testing.assert_array_equal(x[0], x[2])


def test_get_mnist_options(dataset_root, mnist_files):
    images, _ = datasets.get_mnist(withlabel=False, scale=3.0, dtype=numpy.float64)
    assert (
        isinstance(images, numpy.ndarray)
        and images.shape == (12, 784)
        and images.dtype == numpy.float64
    )
    assert images.max() == pytest.approx(3.0)
    train, _ = datasets.get_mnist(label_dtype=numpy.int64, dtype=numpy.float16)
    assert train[0][1].dtype == numpy.int64 and train[0][0].dtype == numpy.float16
    with pytest.raises(ValueError, match="get_mnist: expected ndim 1, 2 or 3, got 4"):
        datasets.get_mnist(ndim=4)


def test_second_call_uses_npz_cache_without_network(dataset_root, mnist_files, web):
    first = datasets.get_mnist()[0]
    n = len(web.requests)
    assert n == 4
    second = datasets.get_mnist()[0]
    assert len(web.requests) == n
    numpy.testing.assert_array_equal(first[5][0], second[5][0])


def test_corrupt_npz_cache_is_rebuilt(dataset_root, mnist_files, web):
    datasets.get_mnist()
    path = dataset_root / "mnist" / "train.npz"
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) // 2])  # truncated
    with pytest.warns(UserWarning, match="corrupt"):
        train, _ = datasets.get_mnist()
    assert len(train) == 12 and len(web.requests) == 4  # the raw files were still good
    assert path.read_bytes() == blob


def test_corrupt_raw_file_is_fetched_again(dataset_root, mnist_files, web):
    datasets.get_mnist()
    (dataset_root / "mnist" / "train.npz").unlink()
    raw = dataset_root / "mnist" / "train-images-idx3-ubyte.gz"
    raw.write_bytes(raw.read_bytes()[:-10])
    with pytest.warns(UserWarning, match="corrupt"):
        train, _ = datasets.get_mnist()
    assert len(train) == 12
    assert web.requests.count(mnist._SOURCE.base_urls[0] + FILES[0]) == 2


def test_real_checksums_reject_other_content(formats, dataset_root, web, tmp_path):
    # The shipped SHA-256 values are the official files': small test files never match.
    formats.write_mnist_dir(str(tmp_path / "src"))
    for base in mnist._SOURCE.base_urls:
        for name in FILES:
            web.files[base + name] = (tmp_path / "src" / name).read_bytes()
    with pytest.raises(DownloadError) as info:
        datasets.get_mnist()
    message = str(info.value)
    assert "SHA-256" in message and "get_mnist" in message
    for base in mnist._SOURCE.base_urls:
        assert base + "train-images-idx3-ubyte.gz" in message
    assert os.path.join(str(dataset_root), "mnist", "train-images-idx3-ubyte.gz") in message
    assert not list((dataset_root / "mnist").glob("*.gz"))  # nothing unverified was kept


def test_offline_error_names_url_and_manual_location(dataset_root, web):
    with pytest.raises(
        DownloadError, match="could not download train-images-idx3-ubyte.gz"
    ) as info:
        datasets.get_kuzushiji_mnist()
    message = str(info.value)
    assert "http://codh.rois.ac.jp/kmnist/dataset/kmnist/train-images-idx3-ubyte.gz" in message
    assert (
        "save it as "
        + os.path.join(str(dataset_root), "kuzushiji-mnist", "train-images-idx3-ubyte.gz")
        in message
    )


def test_manually_placed_files_are_used(formats, dataset_root, web, monkeypatch):
    arrays = formats.write_mnist_dir(str(dataset_root / "kuzushiji-mnist"), n_train=7, n_test=3)
    src = kuzushiji_mnist._SOURCE
    sums = {
        n: (None, hashlib.md5((dataset_root / "kuzushiji-mnist" / n).read_bytes()).hexdigest())
        for n in FILES
    }
    monkeypatch.setattr(kuzushiji_mnist, "_SOURCE", dataclasses.replace(src, checksums=sums))
    train, test = datasets.get_kuzushiji_mnist(ndim=2)
    assert web.requests == []
    assert train[6][0].shape == (28, 28) and int(train[6][1]) == arrays[FILES[1]][6]
    assert len(test) == 3
    assert datasets.get_kuzushiji_mnist_labels()[0] == ("o", "\u304a")


def test_local_copy_is_preferred_and_bad_local_copy_is_skipped(
    formats, dataset_root, web, tmp_path, monkeypatch
):
    local = tmp_path / "usr-share-fashion"
    arrays = formats.write_mnist_dir(str(local), n_train=9, n_test=4)
    src = dataclasses.replace(fashion_mnist._SOURCE, local_dirs=(str(local),))
    monkeypatch.setattr(fashion_mnist, "_SOURCE", src)
    train, test = datasets.get_fashion_mnist()
    assert web.requests == [] and (len(train), len(test)) == (9, 4)
    assert not (dataset_root / "fashion-mnist" / "train-images-idx3-ubyte.gz").exists()
    assert datasets.get_fashion_mnist_labels()[0] == "T-shirt/top"

    # A damaged local copy is not used: the download is tried instead.
    (dataset_root / "fashion-mnist" / "train.npz").unlink()
    (local / FILES[0]).write_bytes(b"\x1f\x8b garbage")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DownloadError, match="train-images-idx3-ubyte.gz"):
            datasets.get_fashion_mnist()
    assert arrays  # silence unused


def test_labels_and_images_count_mismatch_is_an_error(
    formats, dataset_root, web, tmp_path, monkeypatch
):
    d = str(tmp_path / "src")
    formats.write_mnist_dir(d, n_train=6)
    with gzip.open(os.path.join(d, FILES[1]), "wb") as f:
        f.write(formats.idx_bytes(numpy.zeros(5, numpy.uint8)))
    monkeypatch.setattr(
        mnist, "_SOURCE", dataclasses.replace(mnist._SOURCE, checksums={}, local_dirs=(d,))
    )
    with pytest.raises(
        ValueError, match="has 6 images but train-labels-idx1-ubyte.gz has 5 labels"
    ):
        datasets.get_mnist()


def test_seed_tutorial_import_form(dataset_root, mnist_files):
    from kusari.datasets import mnist as mnist_module

    train, test = mnist_module.get_mnist(withlabel=True, ndim=1)
    x, t = train[10]
    assert x.reshape(28, 28).shape == (28, 28) and 0 <= int(t) < 10


DEBIAN = "/usr/share/datasets/fashion-mnist"


@pytest.mark.skipif(
    not os.path.isdir(DEBIAN), reason="Debian package dataset-fashion-mnist not installed"
)
def test_debian_fashion_mnist(dataset_root, web):
    train, test = datasets.get_fashion_mnist()
    assert web.requests == []
    assert (len(train), len(test)) == (60000, 10000)
    labels = train._datasets[1]
    assert labels.dtype == numpy.int32 and labels.min() == 0 and labels.max() == 9
    assert numpy.bincount(labels).tolist() == [6000] * 10
    images = train._datasets[0]
    assert images.shape == (60000, 784) and images.dtype == numpy.float32
    assert images.min() == 0.0 and images.max() == 1.0
