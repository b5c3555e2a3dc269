"""Fixtures for the data set tests: a fresh root, a fake web, and builders of small files in
the real formats (IDX, CIFAR pickled batches, MATLAB level 5)."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
import tarfile
import types
import zlib

import numpy
import pytest

IDX_CODES = {
    numpy.dtype("u1"): 0x08,
    numpy.dtype("i1"): 0x09,
    numpy.dtype(">i2"): 0x0B,
    numpy.dtype(">i4"): 0x0C,
    numpy.dtype(">f4"): 0x0D,
    numpy.dtype(">f8"): 0x0E,
}


def idx_bytes(array: numpy.ndarray) -> bytes:
    """IDX encoding of ``array`` (uint8, int8, or big-endian int16/int32/float32/float64)."""
    dtype = array.dtype if array.dtype.itemsize == 1 else array.dtype.newbyteorder(">")
    header = bytes([0, 0, IDX_CODES[dtype], array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + numpy.ascontiguousarray(array, dtype=dtype).tobytes()


def write_idx_gz(path: str, array: numpy.ndarray) -> str:
    with gzip.open(path, "wb") as f:
        f.write(idx_bytes(array))
    return path


def mnist_arrays(n: int, seed: int) -> tuple[numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.RandomState(seed)
    images = rng.randint(0, 256, size=(n, 28, 28)).astype(numpy.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255  # the extremes are present
    labels = rng.randint(0, 10, size=n).astype(numpy.uint8)
    return images, labels


def write_mnist_dir(directory: str, n_train: int = 12, n_test: int = 5, seed: int = 0) -> dict:
    """Write the four IDX gz files; return ``{file name: array}``."""
    os.makedirs(directory, exist_ok=True)
    tr_x, tr_y = mnist_arrays(n_train, seed)
    te_x, te_y = mnist_arrays(n_test, seed + 1)
    arrays = {
        "train-images-idx3-ubyte.gz": tr_x,
        "train-labels-idx1-ubyte.gz": tr_y,
        "t10k-images-idx3-ubyte.gz": te_x,
        "t10k-labels-idx1-ubyte.gz": te_y,
    }
    for name, a in arrays.items():
        write_idx_gz(os.path.join(directory, name), a)
    return arrays


# --- Python 2 style pickles (what the CIFAR archives hold) ----------------------------


def _py2_str(b: bytes) -> bytes:
    if len(b) < 256:
        return b"U" + bytes([len(b)]) + b  # SHORT_BINSTRING
    return b"T" + struct.pack("<i", len(b)) + b  # BINSTRING


def _py2_int(v: int) -> bytes:
    if 0 <= v < 256:
        return b"K" + bytes([v])  # BININT1
    return b"J" + struct.pack("<i", v)  # BININT


def py2_pickle_batch(
    data: numpy.ndarray, labels: list[int], label_key: str = "labels", rows: int | None = None
) -> bytes:
    """A protocol-2 pickle shaped like one written by Python 2's cPickle for CIFAR.

    ``rows`` declares another row count than the data holds (a damaged file).
    """
    assert data.dtype == numpy.uint8 and data.ndim == 2
    out = [b"\x80\x02", b"}q\x00", b"("]  # PROTO 2, EMPTY_DICT, BINPUT, MARK
    out += [_py2_str(b"batch_label"), _py2_str(b"testing batch 1 of 1")]
    out += (
        [_py2_str(label_key.encode()), b"]", b"("] + [_py2_int(v) for v in labels] + [b"e"]
    )  # EMPTY_LIST, MARK, APPENDS
    out += [_py2_str(b"data")]
    out += [
        b"cnumpy.core.multiarray\n_reconstruct\n",
        b"cnumpy\nndarray\n",
        _py2_int(0),
        b"\x85",
        _py2_str(b"b"),
        b"\x87R",
    ]
    dtype = b"cnumpy\ndtype\n" + _py2_str(b"u1") + _py2_int(0) + _py2_int(1) + b"\x87R"
    dtype += (
        b"("
        + _py2_int(3)
        + _py2_str(b"|")
        + b"NNN"
        + b"J\xff\xff\xff\xff" * 2
        + _py2_int(0)
        + b"tb"
    )
    state = (
        b"("
        + _py2_int(1)
        + _py2_int(data.shape[0] if rows is None else rows)
        + _py2_int(data.shape[1])
        + b"\x86"
        + dtype
        + b"\x89"
    )
    state += _py2_str(data.tobytes()) + b"tb"
    out += [state]
    out += (
        [_py2_str(b"filenames"), b"]", b"("]
        + [_py2_str(f"img_{i}.png".encode()) for i in range(len(labels))]
        + [b"e"]
    )
    out += [b"u", b"."]  # SETITEMS, STOP
    return b"".join(out)


def write_cifar_tar(
    path: str, n_classes: int, n_per_batch: int = 4, seed: int = 0, python2: bool = True
) -> dict:
    """A cifar-10/100 python tar.gz; returns ``{'train_x', 'train_y', 'test_x', 'test_y'}``."""
    rng = numpy.random.RandomState(seed)
    if n_classes == 10:
        folder, key = "cifar-10-batches-py", "labels"
        names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    else:
        folder, key = "cifar-100-python", "fine_labels"
        names = ["train", "test"]
    batches = {}
    with tarfile.open(path, "w:gz") as tar:
        for name in names:
            data = rng.randint(0, 256, size=(n_per_batch, 3072)).astype(numpy.uint8)
            labels = rng.randint(0, n_classes, size=n_per_batch).tolist()
            if python2:
                blob = py2_pickle_batch(data, labels, key)
            else:
                content = {"batch_label": "b", key: labels, "data": data}
                if n_classes == 100:
                    content["coarse_labels"] = [v // 5 for v in labels]
                blob = pickle.dumps(content, protocol=2)
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
            batches[name] = (data, labels)
        meta = tarfile.TarInfo(f"{folder}/readme.html")
        meta.size = 3
        tar.addfile(meta, io.BytesIO(b"hi\n"))
    train = [batches[n] for n in names[:-1]]
    return {
        "train_x": numpy.concatenate([d for d, _ in train]),
        "train_y": numpy.concatenate([numpy.array(l, numpy.uint8) for _, l in train]),
        "test_x": batches[names[-1]][0],
        "test_y": numpy.array(batches[names[-1]][1], numpy.uint8),
    }


# --- MATLAB level 5 files (SVHN) ----------------------------------------------------

_MI = {"i1": 1, "u1": 2, "i2": 3, "u2": 4, "i4": 5, "u4": 6, "f4": 7, "f8": 9}
_MX = {"f8": 6, "f4": 7, "i1": 8, "u1": 9, "i2": 10, "u2": 11, "i4": 12, "u4": 13}


def _element(mtype: int, payload: bytes) -> bytes:
    if len(payload) <= 4 and mtype != 14:  # small data element format
        return struct.pack("<HH", mtype, len(payload)) + payload.ljust(4, b"\0")
    pad = -len(payload) % 8
    return struct.pack("<II", mtype, len(payload)) + payload + b"\0" * pad


def mat_matrix(name: str, array: numpy.ndarray, stored: str | None = None) -> bytes:
    """An miMATRIX element; ``stored`` is the on-disk type if narrower than the class."""
    cls = array.dtype.str[1:]
    stored = stored or cls
    body = _element(6, struct.pack("<II", _MX[cls], 0))
    body += _element(5, struct.pack(f"<{array.ndim}i", *array.shape))
    body += _element(1, name.encode())
    body += _element(
        _MI[stored], numpy.asarray(array, order="F").astype("<" + stored).tobytes(order="F")
    )
    return _element(14, body)


def write_mat(
    path: str, variables: dict, compress: bool = True, stored: dict | None = None
) -> None:
    header = (
        b"MATLAB 5.0 MAT-file, written by kusari tests".ljust(116, b" ")
        + b"\0" * 8
        + struct.pack("<H", 0x0100)
        + b"IM"
    )
    out = [header]
    for name, array in variables.items():
        element = mat_matrix(name, array, (stored or {}).get(name))
        if compress:
            blob = zlib.compress(element)
            element = struct.pack("<II", 15, len(blob)) + blob
        out.append(element)
    with open(path, "wb") as f:
        f.write(b"".join(out))


class FakeWeb:
    """Serves ``{url: bytes}`` in place of the network; records requested URLs."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = dict(files or {})
        self.requests: list[str] = []

    def __call__(self, url: str, timeout: float) -> io.BytesIO:
        self.requests.append(url)
        if url not in self.files:
            raise OSError(f"no route to host for {url}")
        return io.BytesIO(self.files[url])


@pytest.fixture
def formats():
    """The file builders above."""
    names = [
        "idx_bytes",
        "write_idx_gz",
        "write_mnist_dir",
        "py2_pickle_batch",
        "write_cifar_tar",
        "write_mat",
    ]
    return types.SimpleNamespace(**{name: globals()[name] for name in names})


@pytest.fixture
def dataset_root(tmp_path, monkeypatch):
    """A fresh, empty data set root."""
    from kusari.dataset import download

    root = tmp_path / "root"
    monkeypatch.setenv("KUSARI_DATASET_ROOT", str(root))
    monkeypatch.setattr(download, "_root_override", None)
    return root


@pytest.fixture
def web(monkeypatch):
    """The network replaced by an in-memory table of URLs."""
    from kusari.dataset import download

    fake = FakeWeb()
    monkeypatch.setattr(download, "_open_url", fake)
    return fake
