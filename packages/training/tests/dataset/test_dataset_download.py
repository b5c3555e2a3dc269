"""Data set root, cached downloads, checksum sidecars, cache_or_load_file, atomic writes."""

import hashlib
import io
import os
import pathlib

import pytest

from kusari.dataset import (
    DownloadError,
    cache_or_load_file,
    cached_download,
    download,
    get_dataset_directory,
    get_dataset_root,
    set_dataset_root,
)
from kusari.dataset._atomic import atomic_path, atomic_write


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setattr(download, "_root_override", None)
    monkeypatch.setenv("KUSARI_DATASET_ROOT", str(tmp_path / "r"))
    return tmp_path / "r"


def test_root_env_default_and_override(tmp_path, monkeypatch):
    monkeypatch.setattr(download, "_root_override", None)
    monkeypatch.delenv("KUSARI_DATASET_ROOT", raising=False)
    assert get_dataset_root() == os.path.join(os.path.expanduser("~"), ".kusari", "dataset")
    monkeypatch.setenv("KUSARI_DATASET_ROOT", str(tmp_path / "env"))
    assert get_dataset_root() == str(tmp_path / "env")
    set_dataset_root(tmp_path / "chosen")
    assert get_dataset_root() == str(tmp_path / "chosen")
    path = get_dataset_directory("a/b")
    assert os.path.isdir(path) and path == str(tmp_path / "chosen" / "a" / "b")
    assert not os.path.exists(get_dataset_directory("c", create_directory=False))


def test_cached_download_file_url_and_checksum(root, tmp_path):
    src = tmp_path / "data.bin"
    src.write_bytes(b"payload")
    url = src.as_uri()
    path = cached_download(url, sha256=hashlib.sha256(b"payload").hexdigest())
    assert pathlib.Path(path).read_bytes() == b"payload"
    assert path == os.path.join(str(root), "_dl_cache", hashlib.md5(url.encode()).hexdigest())
    src.write_bytes(b"changed")  # the cache is used, not the source
    assert pathlib.Path(cached_download(url)).read_bytes() == b"payload"


def test_cached_download_refetches_corrupt_cache(root, tmp_path):
    src = tmp_path / "data.bin"
    src.write_bytes(b"good data")
    path = cached_download(src.as_uri())  # no checksum known: sidecar recorded
    assert (
        pathlib.Path(path + ".sha256").read_text().split()[0]
        == hashlib.sha256(b"good data").hexdigest()
    )
    with open(path, "r+b") as f:
        f.write(b"BAD")
    with pytest.warns(UserWarning, match="corrupt"):
        again = cached_download(src.as_uri())
    assert pathlib.Path(again).read_bytes() == b"good data"


def test_checksum_mismatch_and_offline_errors(root, tmp_path, monkeypatch):
    src = tmp_path / "data.bin"
    src.write_bytes(b"x")
    with pytest.raises(DownloadError, match="SHA-256 .* != expected 00"):
        cached_download(src.as_uri(), sha256="00" * 32)
    assert not os.listdir(os.path.join(str(root), "_dl_cache"))  # nothing left behind
    with pytest.raises(DownloadError) as info:
        cached_download("http://example.invalid/file.tgz")
    text = str(info.value)
    assert (
        "http://example.invalid/file.tgz" in text
        and "save it as" in text
        and "cached_download again" in text
    )


def test_failed_download_keeps_previous_file(root, tmp_path, monkeypatch):
    target = tmp_path / "keep.bin"
    target.write_bytes(b"old")

    class Broken(io.BytesIO):
        def read(self, n=-1):
            data = super().read(4)
            if not data:
                raise ConnectionResetError("reset mid-transfer")
            return data

    monkeypatch.setattr(
        download, "_open_url", lambda url, timeout: Broken(b"new content that breaks")
    )
    with pytest.raises(DownloadError, match="reset mid-transfer"):
        download.fetch_file(["http://h/x"], str(target))
    assert target.read_bytes() == b"old"
    assert [n for n in os.listdir(tmp_path) if n.startswith(".")] == []  # no temporary file left


def test_cache_or_load_file_creates_loads_and_rebuilds(root, tmp_path):
    path = str(tmp_path / "cache.txt")
    calls = []

    def create(p):
        calls.append(p)
        assert os.path.basename(p) == "cache.txt" and p != path
        with open(p, "w") as f:
            f.write("42")
        return "created"

    def load(p):
        text = pathlib.Path(p).read_text()
        if text != "42":
            raise ValueError("bad content")
        return "loaded"

    assert cache_or_load_file(path, create, load) == "created"
    assert cache_or_load_file(path, create, load) == "loaded" and len(calls) == 1
    pathlib.Path(path).write_text("4")
    with pytest.warns(
        UserWarning, match="cache.txt is corrupt .ValueError: bad content.; rebuilding"
    ):
        assert cache_or_load_file(path, create, load) == "created"
    assert pathlib.Path(path).read_text() == "42" and os.listdir(tmp_path) == ["cache.txt"]


def test_cache_or_load_file_leaves_nothing_when_creator_fails(tmp_path):
    path = str(tmp_path / "c.npz")

    def create(p):
        with open(p, "wb") as f:
            f.write(b"half")
        raise RuntimeError("creator died")

    with pytest.raises(RuntimeError, match="creator died"):
        cache_or_load_file(path, create, lambda p: None)
    assert os.listdir(tmp_path) == []


def test_atomic_write_no_partial_file(tmp_path):
    path = tmp_path / "out.bin"
    with pytest.raises(RuntimeError), atomic_write(str(path)) as f:
        f.write(b"partial")
        raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(str(path)) as f:
        f.write(b"new")
        raise RuntimeError("boom")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.bin"]
    with atomic_write(str(path), "w") as f:
        f.write("text ✓")
    assert path.read_text(encoding="utf-8") == "text ✓"
    with (
        pytest.raises(ValueError, match="atomic_write: expected mode 'wb' or 'w', got 'a'"),
        atomic_write(str(path), "a"),
    ):
        pass


def test_atomic_path_requires_the_file(tmp_path):
    with (
        pytest.raises(FileNotFoundError, match="did not create"),
        atomic_path(str(tmp_path / "x.npz")),
    ):
        pass
    assert os.listdir(tmp_path) == []
