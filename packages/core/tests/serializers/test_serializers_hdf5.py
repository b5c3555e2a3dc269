"""HDF5 round trips, Chainer's group layout, options, atomicity and the optional h5py."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import kusari
from kusari.serializers import (
    HDF5Deserializer,
    HDF5Serializer,
    Hdf5Serializer,
    hdf5,
    load_hdf5,
    save_hdf5,
)

h5py = pytest.importorskip("h5py")


def test_round_trip_and_layout(tmp_path, tree):
    path = tmp_path / "model.h5"
    src = tree.trained()
    save_hdf5(str(path), src)
    with h5py.File(path, "r") as f:
        assert isinstance(f["predictor"], h5py.Group) and isinstance(f["predictor/l1"], h5py.Group)
        w = f["predictor/l1/W"]
        assert w.dtype == np.float32 and w.compression == "gzip" and w.compression_opts == 4
        np.testing.assert_array_equal(w[()], src.predictor.l1.W)
        assert f["t"][()] == 42 and f["t"].compression is None
        assert f["label"].asstr()[()] == "trained é"
    dst = tree.Model(seed=8)
    load_hdf5(path, dst)
    tree.assert_same(src, dst)


def test_none_is_an_empty_dataset_as_in_chainer(tmp_path, tree):
    path = tmp_path / "m.h5"
    save_hdf5(path, tree.Model(), compression=None)
    with h5py.File(path, "r") as f:
        assert f["order"].shape is None
        assert f["predictor/l1/W"].compression is None
    dst = tree.Model()
    dst.order = np.arange(3)
    load_hdf5(path, dst)
    assert dst.order is None


def test_loads_file_laid_out_by_chainer(tmp_path, tree):
    src = tree.trained()
    path = tmp_path / "chainer.h5"
    with h5py.File(path, "w") as f:
        for name in ("l1", "l2"):
            g = f.require_group("predictor").require_group(name)
            g.create_dataset("W", data=getattr(src.predictor, name).W, compression=4)
            g.create_dataset("b", data=getattr(src.predictor, name).b)
        f.create_dataset("t", data=42)
        f.create_dataset("lr", data=0.025)
        f.create_dataset("done", data=True)
        f.create_dataset("label", data="trained é")
        f.create_dataset("order", data=np.array([2, 0, 1]))
        f.create_dataset("history", data=np.array([5, 6, 7]))
    dst = tree.Model(seed=3)
    load_hdf5(path, dst)
    tree.assert_same(src, dst)


def test_path_strict_and_ignore_names(tmp_path, tree):
    path = tmp_path / "snap.h5"
    src = tree.trained()
    save_hdf5(path, tree.Snapshot(src))
    dst = tree.Model(seed=2)
    load_hdf5(path, dst, path="updater/model:main")
    tree.assert_same(src, dst)
    dst = tree.Model(seed=2)
    kept = dst.predictor.l1.b.copy()
    load_hdf5(
        path, dst, path="updater/model:main/", ignore_names=["updater/model:main/predictor/l1/b"]
    )
    np.testing.assert_array_equal(dst.predictor.l1.b, kept)
    with pytest.raises(
        KeyError, match=r"HDF5Deserializer: key 'predictor/l1/W' not found in '.*snap\.h5'"
    ):
        load_hdf5(path, tree.Model())
    dst = tree.Model(seed=2)
    before = dst.predictor.l1.W.copy()
    load_hdf5(path, dst, strict=False)
    np.testing.assert_array_equal(dst.predictor.l1.W, before)


def test_mismatches(tmp_path, tree):
    path = tmp_path / "m.h5"
    save_hdf5(path, tree.trained())
    dst = tree.Model()
    dst.predictor.l2.b = np.zeros(5, np.float32)
    with pytest.raises(
        ValueError,
        match=r"HDF5Deserializer: cannot load 'predictor/l2/b' from '.*m\.h5': the target has "
        r"shape \(5,\) and dtype float32, the file holds shape \(2,\) and dtype float32",
    ):
        load_hdf5(path, dst)
    with h5py.File(path, "r") as f:
        d = HDF5Deserializer(f)
        with pytest.raises(ValueError, match="'predictor' in .* is a group, not a dataset"):
            d("predictor", None)
        with pytest.raises(TypeError, match="cannot load 'label' .* into a int"):
            d("label", 0)


def test_parameters_and_file_objects():
    buf = io.BytesIO()

    class Holder:
        def __init__(self, p):
            self.p = p

        def serialize(self, s):
            s["link"]("W", self.p)

    save_hdf5(buf, Holder(kusari.Parameter(np.arange(6.0, dtype=np.float32).reshape(3, 2))))
    lazy = kusari.Parameter()
    load_hdf5(buf, Holder(lazy))
    assert lazy.array.dtype == np.float32
    np.testing.assert_array_equal(lazy.array, np.arange(6.0).reshape(3, 2))


def test_serializer_on_a_group_and_double_write():
    with h5py.File(io.BytesIO(), "w") as f:
        s = HDF5Serializer(f.create_group("opt"))
        s["rule"]("m", np.ones(3))
        assert "opt/rule/m" in f
        with pytest.raises(ValueError, match="HDF5Serializer: 'opt/rule/m' is written twice"):
            s["rule"]("m", np.ones(3))
    assert Hdf5Serializer is HDF5Serializer


def test_failed_save_leaves_old_file_and_no_temp(tmp_path, tree, monkeypatch):
    path = tmp_path / "model.h5"
    save_hdf5(path, tree.trained())
    before = path.read_bytes()

    class Broken:
        def serialize(self, s):
            s("a", np.ones(100))
            raise RuntimeError("crash midway")

    with pytest.raises(RuntimeError, match="crash midway"):
        save_hdf5(path, Broken())
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.h5"]


def test_without_h5py(monkeypatch, tree, tmp_path):
    monkeypatch.setitem(sys.modules, "h5py", None)
    for call in (
        lambda: save_hdf5(tmp_path / "x.h5", tree.Model()),
        lambda: load_hdf5(tmp_path / "x.h5", tree.Model()),
        lambda: HDF5Serializer(None),
    ):
        with pytest.raises(ImportError, match=r'(?s)needs h5py.*pip install "kusari-core\[hdf5\]"'):
            call()
    assert not os.listdir(tmp_path)
    assert hdf5.__name__ == "kusari.serializers.hdf5"


def test_importing_serializers_does_not_import_h5py():
    code = "import sys, kusari.serializers; print('h5py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
