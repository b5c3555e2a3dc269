"""get_svhn on level-5 MAT files, get_ptb_words on PTB text, and the format readers."""

import dataclasses
import gzip
import hashlib

import numpy
import pytest

from kusari import datasets
from kusari.dataset import DownloadError
from kusari.datasets import ptb, svhn
from kusari.datasets._idx import read_idx
from kusari.datasets._matfile import read_mat


def svhn_arrays(n, seed):
    rng = numpy.random.RandomState(seed)
    x = rng.randint(0, 256, size=(32, 32, 3, n)).astype(numpy.uint8)
    y = rng.randint(1, 11, size=(n, 1)).astype(numpy.float64)
    y[0, 0] = 10
    return x, y


@pytest.fixture
def svhn_files(formats, web, monkeypatch, tmp_path):
    arrays = {}
    remotes = {}
    for split, n in (("train", 6), ("test", 4), ("extra", 3)):
        x, y = svhn_arrays(n, len(split))
        path = tmp_path / f"{split}.mat"
        # y is a double array stored as uint8, as MATLAB does to save space.
        formats.write_mat(str(path), {"X": x, "y": y}, compress=split != "test", stored={"y": "u1"})
        blob = path.read_bytes()
        remote = dataclasses.replace(svhn._REMOTES[split], md5=hashlib.md5(blob).hexdigest())
        web.files[remote.urls[0]] = blob
        remotes[split] = remote
        arrays[split] = (x, y)
    monkeypatch.setattr(svhn, "_REMOTES", remotes)
    return arrays


def test_get_svhn(dataset_root, svhn_files):
    train, test = datasets.get_svhn()
    assert (len(train), len(test)) == (6, 4)
    x, t = train[2]
    assert x.shape == (3, 32, 32) and x.dtype == numpy.float32 and t.dtype == numpy.int32
    raw_x, raw_y = svhn_files["train"]
    numpy.testing.assert_array_equal(
        x, raw_x[:, :, :, 2].transpose(2, 0, 1) * numpy.float32(1 / 255)
    )
    expected = raw_y.reshape(-1).astype(numpy.int32)
    expected[expected == 10] = 0
    assert [int(train[i][1]) for i in range(6)] == expected.tolist() and int(train[0][1]) == 0


def test_get_svhn_options(dataset_root, svhn_files):
    train, test, extra = datasets.get_svhn(
        withlabel=False, scale=2.0, dtype=numpy.float64, add_extra=True
    )
    assert (
        train.shape == (6, 3, 32, 32)
        and extra.shape == (3, 3, 32, 32)
        and train.dtype == numpy.float64
    )
    assert train.max() <= 2.0 and train.flags.c_contiguous
    labelled = datasets.get_svhn(label_dtype=numpy.int64)[0]
    assert labelled[0][1].dtype == numpy.int64


def test_read_mat_matches_layout_and_types(formats, tmp_path):
    a = numpy.arange(24, dtype=numpy.float64).reshape(2, 3, 4)
    b = numpy.array([[1, -2], [3, 4]], dtype=numpy.int16)
    for compress in (True, False):
        path = str(tmp_path / f"m{compress}.mat")
        formats.write_mat(path, {"a": a, "b": b}, compress=compress, stored={"a": "u1"})
        got = read_mat(path)
        numpy.testing.assert_array_equal(got["a"], a)
        assert got["a"].dtype == numpy.float64 and got["b"].dtype == numpy.int16
        numpy.testing.assert_array_equal(got["b"], b)
        assert list(read_mat(path, ["b"])) == ["b"]


def test_read_mat_rejects_bad_files(formats, tmp_path):
    path = tmp_path / "x.mat"
    path.write_bytes(b"MATLAB 7.3 MAT-file, Platform: GLNXA64".ljust(200, b" "))
    with pytest.raises(ValueError, match="v7.3"):
        read_mat(str(path))
    formats.write_mat(str(path), {"a": numpy.ones((4, 4))}, compress=False)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ValueError, match="truncated"):
        read_mat(str(path))


PTB = {
    "train": " the cat sat \n a dog \n\n the end \n",
    "valid": " a cat \n",
    "test": " the dog sat \n",
}


@pytest.fixture
def ptb_files(web):
    for split, text in PTB.items():
        web.files[ptb._REMOTES[split].urls[0]] = text.encode()
    return web


def test_get_ptb_words_vocabulary_and_ids(dataset_root, ptb_files):
    vocab = datasets.get_ptb_words_vocabulary()
    assert list(vocab) == ["the", "cat", "sat", "<eos>", "a", "dog", "end"]
    assert list(vocab.values()) == list(range(7))
    train, valid, test = datasets.get_ptb_words()
    words = ["the", "cat", "sat", "<eos>", "a", "dog", "<eos>", "<eos>", "the", "end", "<eos>"]
    assert train.dtype == numpy.int32 and train.tolist() == [vocab[w] for w in words]
    assert valid.tolist() == [vocab[w] for w in ["a", "cat", "<eos>"]]
    assert test.tolist() == [vocab[w] for w in ["the", "dog", "sat", "<eos>"]]
    # no known checksum: the first download's SHA-256 is recorded next to the file
    sidecar = (dataset_root / "ptb" / "ptb.train.txt.sha256").read_text().split()[0]
    assert sidecar == hashlib.sha256(PTB["train"].encode()).hexdigest()


def test_ptb_raw_file_changed_after_download_is_refetched(dataset_root, ptb_files):
    datasets.get_ptb_words()
    for name in ("vocab.npz", "train.npz", "valid.npz", "test.npz"):
        (dataset_root / "ptb" / name).unlink()
    (dataset_root / "ptb" / "ptb.train.txt").write_text(" the cat \n")  # damaged copy
    with pytest.warns(UserWarning, match="SHA-256"):
        vocab = datasets.get_ptb_words_vocabulary()
    assert len(vocab) == 7


def test_ptb_unknown_word_is_an_error(dataset_root, web):
    for split, text in {**PTB, "test": " zebra \n"}.items():
        web.files[ptb._REMOTES[split].urls[0]] = text.encode()
    with pytest.raises(ValueError, match="word 'zebra' of ptb.test.txt is not in the vocabulary"):
        datasets.get_ptb_words()


def test_ptb_offline(dataset_root, web):
    with pytest.raises(DownloadError, match="ptb.train.txt"):
        datasets.get_ptb_words()


def test_read_idx_types_and_errors(formats, tmp_path):
    for dtype in ("u1", "i1", ">i2", ">i4", ">f4", ">f8"):
        a = (numpy.arange(24) - 5).astype(dtype).reshape(2, 3, 4)
        p = tmp_path / "a.idx"
        p.write_bytes(formats.idx_bytes(a))
        got = read_idx(str(p))
        numpy.testing.assert_array_equal(got, a)
        assert got.dtype.isnative
    blob = formats.idx_bytes(numpy.zeros((3, 2), numpy.uint8))
    cases = {
        b"\x01" + blob[1:]: "not an IDX file",
        blob[:2] + b"\x07" + blob[3:]: "unknown IDX element type",
        blob[:-1]: "truncated",
        blob + b"\0": "truncated",
    }
    for bad, message in cases.items():
        p.write_bytes(bad)
        with pytest.raises(ValueError, match=message):
            read_idx(str(p))
    p.write_bytes(gzip.compress(blob)[:-6])
    with pytest.raises((EOFError, OSError)):
        read_idx(str(p))
