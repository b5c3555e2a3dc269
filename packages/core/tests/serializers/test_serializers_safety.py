"""Atomic writes and pickle-free loading."""

from __future__ import annotations

import io
import os
import pickle
import stat
import zipfile

import numpy as np
import numpy.lib.format as npy_format
import pytest

from kusari.serializers import NpzDeserializer, load_npz, npz, save_npz

EXECUTED = []


def _record_execution():
    EXECUTED.append(True)
    return "pwned"


class Payload:
    """Unpickling this runs _record_execution: the test fails if that ever happens."""

    def __reduce__(self):
        return (_record_execution, ())


def _npz_with_member(path, key, npy_bytes, extra=None):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(key + ".npy", npy_bytes)
        for k, v in (extra or {}).items():
            buf = io.BytesIO()
            np.save(buf, v)
            z.writestr(k + ".npy", buf.getvalue())


def _npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def test_object_array_is_refused_without_executing(tmp_path, tree):
    evil = np.empty((), dtype=object)
    evil[()] = Payload()
    path = tmp_path / "evil.npz"
    _npz_with_member(path, "t", _npy_bytes(evil))
    EXECUTED.clear()
    with pytest.raises(ValueError, match=r"refusing 't' in '.*evil\.npz': it holds pickled Python"):
        load_npz(path, tree.Model(), ignore_names=lambda k: k != "t")
    with pytest.raises(ValueError, match="kusari never unpickles"):
        load_npz(path, tree.Model(), ignore_names=lambda k: k != "t", allow_pickle=True)
    assert EXECUTED == []


def test_object_array_holding_a_list_of_none_is_not_taken_for_none(tmp_path):
    arr = np.empty(1, dtype=object)  # shape (1,), not Chainer's 0-d None
    path = tmp_path / "x.npz"
    _npz_with_member(path, "a", _npy_bytes(arr))
    with np.load(path, allow_pickle=False) as f, pytest.raises(ValueError, match="refusing 'a'"):
        NpzDeserializer(f)("a", None)


def test_in_memory_object_arrays():
    d = NpzDeserializer({"n": np.asarray(None), "o": np.asarray([1, "a"], dtype=object)})
    assert d("n", np.zeros(2)) is None  # Chainer's DictionarySerializer None
    with pytest.raises(ValueError, match="refusing 'o' in <dict>: it is an object array"):
        d("o", None)


def test_chainers_pickled_none_is_recognized_byte_for_byte(tmp_path, tree):
    # What numpy.savez writes for None under NumPy 2 (protocol 4) ...
    path = tmp_path / "numpy2.npz"
    _npz_with_member(path, "order", _npy_bytes(np.asarray(None)))
    m = tree.Model()
    m.order = np.arange(2)
    load_npz(path, m, ignore_names=lambda k: k != "order")
    assert m.order is None
    # ... and under NumPy 1.x, Chainer's era (protocol 3, module numpy.core).
    legacy = pickle.dumps(np.asarray(None), protocol=3).replace(
        b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n"
    )
    header = io.BytesIO()
    npy_format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": ()})
    path = tmp_path / "numpy1.npz"
    _npz_with_member(path, "order", header.getvalue() + legacy)
    m.order = np.arange(2)
    load_npz(path, m, ignore_names=lambda k: k != "order")
    assert m.order is None


def test_pickle_file_and_single_npy_are_refused(tmp_path, tree):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(Payload()))
    EXECUTED.clear()
    with pytest.raises(ValueError, match=r"load_npz: '.*model\.pkl' is not an NPZ archive"):
        load_npz(path, tree.Model())
    assert EXECUTED == []
    path = tmp_path / "single.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match="holds a single .npy array, not an NPZ archive"):
        load_npz(path, tree.Model())


def _boom_midway(real):
    def write(fileobj, arrays, compression):
        fileobj.write(b"PK\x03\x04 partial garbage")
        raise OSError("disk full")

    return write


def _listing(directory):
    return sorted(os.listdir(directory))


def test_failed_save_leaves_old_file_and_no_temp(tmp_path, tree, monkeypatch):
    path = tmp_path / "model.npz"
    save_npz(path, tree.trained())
    before = path.read_bytes()
    monkeypatch.setattr(npz, "_write_npz", _boom_midway(npz._write_npz))
    with pytest.raises(OSError, match="disk full"):
        save_npz(path, tree.Model())
    assert path.read_bytes() == before
    assert _listing(tmp_path) == ["model.npz"]
    dst = tree.Model()
    load_npz(path, dst)
    tree.assert_same(tree.trained(), dst)


def test_failed_save_of_new_file_leaves_nothing(tmp_path, tree, monkeypatch):
    monkeypatch.setattr(npz, "_write_npz", _boom_midway(npz._write_npz))
    with pytest.raises(OSError, match="disk full"):
        save_npz(tmp_path / "new.npz", tree.Model())
    assert _listing(tmp_path) == []


def test_failed_rename_or_serialize_leaves_old_file(tmp_path, tree, monkeypatch):
    path = tmp_path / "model.npz"
    save_npz(path, tree.trained())
    before = path.read_bytes()

    class Broken:
        def serialize(self, s):
            s("a", np.ones(2))
            raise RuntimeError("serialize failed")

    with pytest.raises(RuntimeError, match="serialize failed"):
        save_npz(path, Broken())

    def no_replace(src, dst):
        raise PermissionError("rename refused")

    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(PermissionError, match="rename refused"):
        save_npz(path, tree.Model())
    assert path.read_bytes() == before
    assert _listing(tmp_path) == ["model.npz"]


def test_save_fsyncs_before_replacing(tmp_path, tree, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1]
    )
    save_npz(tmp_path / "m.npz", tree.Model())
    assert events.index("fsync") < events.index("replace")


def test_new_file_mode_follows_umask_and_existing_mode_is_kept(tmp_path, tree):
    old = os.umask(0o022)
    try:
        path = tmp_path / "m.npz"
        save_npz(path, tree.Model())
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
        os.chmod(path, 0o600)
        save_npz(path, tree.Model())
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        os.umask(old)


def test_missing_directory_is_reported(tmp_path, tree):
    with pytest.raises(FileNotFoundError, match=r"save_npz: the directory '.*nowhere' of"):
        save_npz(tmp_path / "nowhere" / "m.npz", tree.Model())


def test_open_file_object_is_written_directly(tmp_path, tree):
    path = tmp_path / "direct.npz"
    with open(path, "wb") as f:
        save_npz(f, tree.trained())
    assert _listing(tmp_path) == ["direct.npz"]
    with open(path, "rb") as f:
        dst = tree.Model()
        load_npz(f, dst)
    tree.assert_same(tree.trained(), dst)
