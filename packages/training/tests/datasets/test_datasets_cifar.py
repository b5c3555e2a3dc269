"""get_cifar10/100 on tar.gz archives of pickled batches, and the safe unpickler."""

import dataclasses
import hashlib
import io
import os
import pathlib
import pickle
import tarfile

import numpy
import pytest

from kusari import datasets
from kusari.datasets import cifar
from kusari.datasets._safe_pickle import safe_load


def serve(formats, web, monkeypatch, tmp_path, n_classes, python2=True):
    path = str(tmp_path / f"c{n_classes}.tar.gz")
    raw = formats.write_cifar_tar(path, n_classes, n_per_batch=3, python2=python2)
    blob = pathlib.Path(path).read_bytes()
    attr = "_CIFAR10" if n_classes == 10 else "_CIFAR100"
    remote = dataclasses.replace(getattr(cifar, attr), sha256=hashlib.sha256(blob).hexdigest())
    monkeypatch.setattr(cifar, attr, remote)
    web.files[remote.urls[0]] = blob
    return raw


@pytest.mark.parametrize("python2", [True, False])
def test_get_cifar10(formats, dataset_root, web, monkeypatch, tmp_path, python2):
    raw = serve(formats, web, monkeypatch, tmp_path, 10, python2)
    train, test = datasets.get_cifar10()
    assert (len(train), len(test)) == (15, 3)
    x, t = train[4]
    assert x.shape == (3, 32, 32) and x.dtype == numpy.float32 and t.dtype == numpy.int32
    numpy.testing.assert_array_equal(
        x, raw["train_x"][4].reshape(3, 32, 32).astype(numpy.float32) * numpy.float32(1 / 255)
    )
    assert [int(train[i][1]) for i in range(15)] == raw["train_y"].tolist()
    assert [int(test[i][1]) for i in range(3)] == raw["test_y"].tolist()


def test_get_cifar10_options_and_cache(formats, dataset_root, web, monkeypatch, tmp_path):
    raw = serve(formats, web, monkeypatch, tmp_path, 10)
    images, test_images = datasets.get_cifar10(
        withlabel=False, ndim=1, scale=2.0, dtype=numpy.float64
    )
    assert (
        images.shape == (15, 3072)
        and images.dtype == numpy.float64
        and test_images.shape == (3, 3072)
    )
    numpy.testing.assert_allclose(images, raw["train_x"] * (2.0 / 255))
    assert len(web.requests) == 1
    datasets.get_cifar10()
    assert len(web.requests) == 1  # the .npz cache
    with pytest.raises(ValueError, match="get_cifar10: expected ndim 1 or 3, got 2"):
        datasets.get_cifar10(ndim=2)


def test_get_cifar100_uses_fine_labels(formats, dataset_root, web, monkeypatch, tmp_path):
    raw = serve(formats, web, monkeypatch, tmp_path, 100)
    train, test = datasets.get_cifar100()
    assert (len(train), len(test)) == (3, 3)
    assert [int(train[i][1]) for i in range(3)] == raw["train_y"].tolist()
    assert max(int(test[i][1]) for i in range(3)) < 100


def test_archive_with_code_in_pickle_is_refused(dataset_root, web, monkeypatch, tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        blob = pickle.dumps({"data": Evil(), "labels": []}, protocol=2)
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    data = path.read_bytes()
    remote = dataclasses.replace(cifar._CIFAR10, sha256=hashlib.sha256(data).hexdigest())
    monkeypatch.setattr(cifar, "_CIFAR10", remote)
    web.files[remote.urls[0]] = data
    with pytest.raises(ValueError, match="refusing to load global posix.system"):
        datasets.get_cifar10()
    assert not (tmp_path / "pwned").exists()


def test_safe_load_reads_python2_batches(formats):
    data = numpy.arange(2 * 3072, dtype=numpy.uint8).reshape(2, 3072)
    batch = safe_load(formats.py2_pickle_batch(data, [3, 7]))
    assert batch["labels"] == [3, 7] and batch["batch_label"] == "testing batch 1 of 1"
    numpy.testing.assert_array_equal(batch["data"], data)
    assert batch["data"].flags.writeable


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_safe_load_round_trips_numeric_arrays(protocol):
    value = {
        "a": numpy.arange(6, dtype=">f4").reshape(2, 3),
        "b": numpy.asfortranarray(numpy.eye(2, dtype=numpy.int16)),
        "c": [1, "x", (2.5,)],
    }
    got = safe_load(pickle.dumps(value, protocol=protocol))
    numpy.testing.assert_array_equal(got["a"], value["a"])
    numpy.testing.assert_array_equal(got["b"], value["b"])
    assert got["c"] == [1, "x", (2.5,)]


@pytest.mark.parametrize(
    "value",
    [
        numpy.array([None, 1], dtype=object),
        numpy.zeros(2, dtype=[("a", "f4")]),
        {"f": numpy.load},
        eval,
    ],
)
def test_safe_load_refuses_everything_else(value):
    with pytest.raises(pickle.UnpicklingError, match="safe_load"):
        safe_load(pickle.dumps(value, protocol=2))


def test_safe_load_refuses_lying_array_sizes(formats):
    blob = formats.py2_pickle_batch(numpy.zeros((1, 3072), numpy.uint8), [0], rows=2)
    with pytest.raises(
        pickle.UnpicklingError,
        match="array data has 3072 bytes, shape .2, 3072. of uint8 needs 6144",
    ):
        safe_load(blob)
