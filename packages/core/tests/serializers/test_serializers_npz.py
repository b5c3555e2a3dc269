"""NPZ round trips, Chainer's key layout, path=/ignore_names/strict and error messages."""

from __future__ import annotations

import io
import pathlib
import zipfile

import numpy as np
import pytest

import kusari
from kusari import serializers
from kusari.serializers import DictionarySerializer, NpzDeserializer, load_npz, save_npz


@pytest.mark.parametrize("compression", [True, False])
def test_round_trip(tmp_path, tree, compression):
    path = tmp_path / "model.npz"
    src = tree.trained()
    save_npz(str(path), src, compression=compression)
    dst = tree.Model(seed=9)
    load_npz(str(path), dst)
    tree.assert_same(src, dst)
    with zipfile.ZipFile(path) as z:
        methods = {i.compress_type for i in z.infolist()}
    assert methods == {zipfile.ZIP_DEFLATED if compression else zipfile.ZIP_STORED}


def test_layout_is_chainers_and_plain_numpy_reads_it(tmp_path, tree):
    path = tmp_path / "model.npz"
    src = tree.trained()
    save_npz(path, src)
    with np.load(path, allow_pickle=False) as f:
        assert set(f.files) == tree.CHAINER_KEYS
        np.testing.assert_array_equal(f["predictor/l1/W"], src.predictor.l1.W)
        assert f["t"].shape == () and f["t"].dtype == np.int64 and f["t"] == 42
        assert f["lr"].dtype == np.float64 and f["done"].dtype == np.bool_
        assert f["label"][()] == "trained é"


def test_none_round_trips_without_pickle(tmp_path, tree):
    path = tmp_path / "m.npz"
    src = tree.Model()  # order is None
    save_npz(path, src)
    with np.load(path, allow_pickle=False) as f:
        marker = f["order"]
    assert marker.shape == () and marker.dtype.names == ("kusari_none",)
    dst = tree.Model()
    dst.order = np.arange(3)
    load_npz(path, dst)
    assert dst.order is None


def test_loads_file_written_by_plain_numpy_savez_with_chainer_layout(tmp_path, tree):
    src = tree.trained()
    arrays = {
        "predictor/l1/W": src.predictor.l1.W,
        "predictor/l1/b": src.predictor.l1.b,
        "predictor/l2/W": src.predictor.l2.W,
        "predictor/l2/b": src.predictor.l2.b,
        "t": np.asarray(42),
        "lr": np.asarray(0.025),
        "done": np.asarray(True),
        "label": np.asarray("trained é"),
        "order": np.array([2, 0, 1]),
        "history": np.array([5, 6, 7]),
    }
    path = tmp_path / "chainer.npz"
    np.savez(path, **arrays)
    dst = tree.Model(seed=5)
    load_npz(path, dst)
    tree.assert_same(src, dst)


def test_path_prefix_loads_model_out_of_snapshot(tmp_path, tree):
    path = tmp_path / "snapshot_iter_100"
    src = tree.trained()
    snap = tree.Snapshot(src)
    snap.iteration = 100
    save_npz(path, snap)
    with np.load(path) as f:
        assert "updater/model:main/predictor/l1/W" in f.files and "iteration" in f.files
    for prefix in ("updater/model:main/", "updater/model:main", "/updater/model:main/"):
        dst = tree.Model(seed=3)
        load_npz(path, dst, path=prefix)
        tree.assert_same(src, dst)
    restored = tree.Snapshot(tree.Model(seed=4))
    load_npz(path, restored)
    assert restored.iteration == 100
    tree.assert_same(src, restored.model)


def test_missing_key_strict_names_key_and_file(tmp_path, tree):
    path = tmp_path / "partial.npz"
    np.savez(path, **{"predictor/l1/W": np.zeros((3, 4), np.float32)})
    with pytest.raises(KeyError, match=r"'predictor/l1/b' not found in '.*partial\.npz'"):
        load_npz(path, tree.Model())


def test_missing_key_non_strict_skips(tmp_path, tree):
    path = tmp_path / "partial.npz"
    np.savez(path, **{"predictor/l1/W": np.ones((3, 4), np.float32), "t": np.asarray(7)})
    dst = tree.Model(seed=2)
    before = dst.predictor.l2.W.copy()
    load_npz(path, dst, strict=False)
    np.testing.assert_array_equal(dst.predictor.l1.W, 1)
    np.testing.assert_array_equal(dst.predictor.l2.W, before)
    assert dst.t == 7 and dst.label == "mlp" and dst.order is None


@pytest.mark.parametrize(
    "ignore",
    [
        ["predictor/l1/W", "t"],
        lambda key: key in ("predictor/l1/W", "t"),
        ("predictor/l1/W", lambda key: key == "t"),
    ],
)
def test_ignore_names(tmp_path, tree, ignore):
    path = tmp_path / "m.npz"
    save_npz(path, tree.trained())
    dst = tree.Model(seed=2)
    kept = dst.predictor.l1.W.copy()
    load_npz(path, dst, ignore_names=ignore)
    np.testing.assert_array_equal(dst.predictor.l1.W, kept)
    assert dst.t == 0 and dst.lr == 0.025


def test_ignore_names_match_full_key_with_path_and_skip_missing(tmp_path, tree):
    path = tmp_path / "snap.npz"
    save_npz(path, tree.Snapshot(tree.trained()))
    dst = tree.Model(seed=2)
    kept = dst.predictor.l2.b.copy()
    load_npz(path, dst, path="updater/model:main", ignore_names="updater/model:main/predictor/l2/b")
    np.testing.assert_array_equal(dst.predictor.l2.b, kept)
    # an ignored key may be missing even when strict
    np.savez(path, t=np.asarray(1))
    load_npz(path, tree.Model(), ignore_names=lambda key: key != "t")


def test_bad_ignore_names():
    with pytest.raises(TypeError, match="NpzDeserializer: ignore_names must be a name, a callable"):
        NpzDeserializer({}, ignore_names=[3])


def test_shape_mismatch_names_key_and_shapes(tmp_path, tree):
    path = tmp_path / "m.npz"
    save_npz(path, tree.trained())
    dst = tree.Model()
    dst.predictor.l1.W = np.zeros((4, 3), np.float32)
    with pytest.raises(
        ValueError,
        match=r"cannot load 'predictor/l1/W' from '.*m\.npz': the target has shape \(4, 3\) and "
        r"dtype float32, the file holds shape \(3, 4\) and dtype float32",
    ):
        load_npz(path, dst)


def test_dtype_kind_mismatch_is_refused_but_same_kind_converts():
    d = NpzDeserializer({"x/a": np.full(2, 1.5), "x/b": np.ones(2, np.int64)})["x"]
    f32 = np.zeros(2, np.float32)
    d("a", f32)  # float64 -> float32 is what Chainer's copyto does too
    np.testing.assert_array_equal(f32, [1.5, 1.5])
    with pytest.raises(
        ValueError,
        match=r"cannot load 'x/a' from <dict>: the target has shape \(2,\) and dtype int32, "
        r"the file holds shape \(2,\) and dtype float64",
    ):
        d("a", np.zeros(2, np.int32))
    f64 = np.zeros(2)
    d("b", f64)  # ints into floats are fine
    np.testing.assert_array_equal(f64, 1)


def test_scalar_type_checks():
    d = NpzDeserializer({"f": np.asarray(2.5), "i": np.asarray(3), "s": np.asarray("hi")})
    assert d("i", 0.0) == 3.0 and type(d("i", 0.0)) is float
    assert d("i", np.int32(0)) == 3 and type(d("i", np.int32(0))) is np.int32
    assert d("s", "") == "hi"
    assert NpzDeserializer({"b": np.asarray("é".encode())})("b", "") == "é"
    with pytest.raises(
        TypeError, match=r"cannot load 'f' from <dict> into a int: the file holds shape"
    ):
        d("f", 0)
    with pytest.raises(TypeError, match="cannot load 's' from <dict> into a float"):
        d("s", 1.0)
    with pytest.raises(TypeError, match=r"cannot load 'i' into a dict; expected an array"):
        d("i", {})


def test_value_none_returns_stored_array():
    d = NpzDeserializer({"a": np.arange(3)})
    np.testing.assert_array_equal(d("a", None), [0, 1, 2])


def test_variables_and_lazy_parameters():
    w = kusari.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
    s = DictionarySerializer()
    s["l"]("W", w)
    s["l"]("u", kusari.Parameter())  # uninitialized: stored as None
    assert s.target["l/W"] is w.array
    d = NpzDeserializer(s.target)
    p = kusari.Parameter()
    assert d["l"]("W", p) is p
    assert p.array.shape == (2, 3) and p.array.dtype == np.float32
    np.testing.assert_array_equal(p.array, w.array)
    v = kusari.Variable(np.zeros((2, 3), np.float32))
    d["l"]("W", v)
    np.testing.assert_array_equal(v.array, w.array)
    assert d["l"]("u", kusari.Parameter()) is None


def test_child_paths_strip_slashes():
    s = DictionarySerializer()
    s["/a/"]["b"]("/c", 1)
    s("d", 2)
    assert set(s.target) == {"a/b/c", "d"}


def test_serializer_type_errors():
    s = DictionarySerializer()
    with pytest.raises(TypeError, match=r"cannot serialize 'k': expected an array, .* got dict"):
        s("k", {})
    with pytest.raises(TypeError, match=r"cannot serialize 'k': its value makes an object array"):
        s("k", [1, "a", None])
    with pytest.raises(TypeError, match="key must be a str, got int"):
        s(3, 1)
    with pytest.raises(TypeError, match="expected an object with a serialize"):
        s.save(object())


def test_file_objects_and_reserved_key_names(tree):
    class Odd:
        def serialize(self, s):
            s("file", np.ones(2))
            s("allow_pickle", np.zeros(1))

    buf = io.BytesIO()
    save_npz(buf, Odd())
    buf.seek(0)
    with np.load(buf) as f:
        assert set(f.files) == {"file", "allow_pickle"}
    buf = io.BytesIO()
    save_npz(buf, tree.trained())
    buf.seek(0)
    dst = tree.Model()
    load_npz(buf, dst)
    tree.assert_same(tree.trained(), dst)


def test_path_like_and_bytes_paths(tmp_path, tree):
    for path in (pathlib.Path(tmp_path / "a.npz"), str(tmp_path / "b.npz").encode()):
        save_npz(path, tree.trained())
        dst = tree.Model()
        load_npz(path, dst)
        tree.assert_same(tree.trained(), dst)
    assert not (tmp_path / "a.npz.npz").exists()


def test_public_names():
    assert set(serializers.__all__) >= {
        "Serializer",
        "Deserializer",
        "DictionarySerializer",
        "NpzDeserializer",
        "save_npz",
        "load_npz",
        "HDF5Serializer",
        "HDF5Deserializer",
        "save_hdf5",
        "load_hdf5",
    }
    assert isinstance(NpzDeserializer({}), serializers.Deserializer)
    assert isinstance(DictionarySerializer(), serializers.Serializer)
