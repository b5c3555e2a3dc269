"""save/load in NPZ and HDF5 with Chainer's key layout, including Chainer-written files."""

from __future__ import annotations

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import serializers


class MLP(kusari.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, 4)
            self.bn = L.BatchNormalization(4)
            self.l2 = L.Linear(4, 3)

    def forward(self, x):
        return self.l2(F.relu(self.bn(self.l1(x))))


def _trained(seed=0):
    rng = np.random.default_rng(seed)
    model = L.Classifier(MLP())
    x = rng.standard_normal((8, 5)).astype(np.float32)
    t = rng.integers(0, 3, 8).astype(np.int32)
    model(x, t)  # initializes l1.W and updates the BN statistics
    model.predictor.bn.N = 3
    return model, x


def _assert_same(a, b):
    pa, pb = dict(a.namedparams()), dict(b.namedparams())
    assert pa.keys() == pb.keys()
    for k in pa:
        np.testing.assert_array_equal(pa[k].array, pb[k].array, err_msg=k)
    for (path, la), (_, lb) in zip(a.namedlinks(), b.namedlinks()):
        for name in la._persistent:
            np.testing.assert_array_equal(
                la.__dict__[name], lb.__dict__[name], err_msg=f"{path}/{name}"
            )


EXPECTED_KEYS = {
    "predictor/l1/W",
    "predictor/l1/b",
    "predictor/l2/W",
    "predictor/l2/b",
    "predictor/bn/gamma",
    "predictor/bn/beta",
    "predictor/bn/avg_mean",
    "predictor/bn/avg_var",
    "predictor/bn/N",
}


def test_npz_layout_and_round_trip_into_lazy_model(tmp_path):
    model, x = _trained()
    path = tmp_path / "model.npz"
    serializers.save_npz(path, model)
    with np.load(path) as f:
        assert set(f.files) == EXPECTED_KEYS
        np.testing.assert_array_equal(f["predictor/bn/avg_mean"], model.predictor.bn.avg_mean)
        assert int(f["predictor/bn/N"]) == 3
    fresh = L.Classifier(MLP())
    assert fresh.predictor.l1.W.array is None
    serializers.load_npz(path, fresh)
    assert fresh.predictor.l1.W.shape == (4, 5)
    assert fresh.predictor.bn.N == 3 and isinstance(fresh.predictor.bn.N, int)
    _assert_same(model, fresh)
    with kusari.using_config("train", False):
        np.testing.assert_array_equal(fresh.predictor(x).array, model.predictor(x).array)


def test_hdf5_round_trip(tmp_path):
    pytest.importorskip("h5py")
    model, _ = _trained(1)
    path = tmp_path / "model.h5"
    serializers.save_hdf5(path, model)
    fresh = L.Classifier(MLP())
    serializers.load_hdf5(path, fresh)
    _assert_same(model, fresh)
    serializers.save_hdf5(tmp_path / "lazy.h5", L.Linear(None, 3))
    lazy = L.Linear(None, 3)
    serializers.load_hdf5(tmp_path / "lazy.h5", lazy)
    assert lazy.W.array is None


def test_uninitialized_parameters_round_trip_as_none(tmp_path):
    path = tmp_path / "lazy.npz"
    serializers.save_npz(path, L.Linear(None, 3))
    fresh = L.Linear(None, 3)
    serializers.load_npz(path, fresh)
    assert fresh.W.array is None and fresh.b.shape == (3,)


def test_chainer_written_npz_loads(tmp_path):
    # Chainer 7 writes one member per key, N as a 0-d int64 array, float32 params.
    rng = np.random.default_rng(2)
    arrays = {
        "predictor/l1/W": rng.standard_normal((4, 5)).astype(np.float32),
        "predictor/l1/b": rng.standard_normal(4).astype(np.float32),
        "predictor/bn/gamma": rng.random(4).astype(np.float32) + 0.5,
        "predictor/bn/beta": rng.standard_normal(4).astype(np.float32),
        "predictor/bn/avg_mean": rng.standard_normal(4).astype(np.float32),
        "predictor/bn/avg_var": rng.random(4).astype(np.float32) + 0.5,
        "predictor/bn/N": np.asarray(0),
        "predictor/l2/W": rng.standard_normal((3, 4)).astype(np.float32),
        "predictor/l2/b": rng.standard_normal(3).astype(np.float32),
    }
    path = tmp_path / "chainer.npz"
    np.savez(path, **arrays)
    model = L.Classifier(MLP())
    serializers.load_npz(path, model)
    x = rng.standard_normal((2, 5)).astype(np.float32)
    a = arrays
    h = x @ a["predictor/l1/W"].T + a["predictor/l1/b"]
    h = (h - a["predictor/bn/avg_mean"]) / np.sqrt(a["predictor/bn/avg_var"] + 2e-5)
    h = np.maximum(h * a["predictor/bn/gamma"] + a["predictor/bn/beta"], 0)
    expected = h @ a["predictor/l2/W"].T + a["predictor/l2/b"]
    with kusari.using_config("train", False):
        np.testing.assert_allclose(model.predictor(x).array, expected, rtol=1e-5, atol=1e-5)


def test_trainer_snapshot_prefix_and_strictness(tmp_path):
    model, _ = _trained(3)
    d = serializers.DictionarySerializer()
    model.serialize(d["updater"]["model:main"])
    path = tmp_path / "snapshot.npz"
    np.savez(path, **d.target)
    fresh = L.Classifier(MLP())
    serializers.load_npz(path, fresh.predictor, path="updater/model:main/predictor")
    _assert_same(model.predictor, fresh.predictor)
    with pytest.raises(KeyError, match="predictor/l1/W"):
        serializers.load_npz(path, L.Classifier(MLP()))


def test_chainlist_and_sequential_layouts():
    seq = L.Sequential(L.Linear(2, 3), F.relu, L.Linear(3, 1))
    d = serializers.DictionarySerializer()
    d.save(seq)
    assert set(d.target) == {"0/W", "0/b", "1/W", "1/b"}
    target = L.Sequential(L.Linear(2, 3), F.relu, L.Linear(3, 1))
    serializers.NpzDeserializer(d.target).load(target)
    np.testing.assert_array_equal(target[2].W.array, seq[2].W.array)


def test_shape_mismatch_is_reported():
    d = serializers.DictionarySerializer()
    d.save(L.Linear(3, 2))
    with pytest.raises(ValueError, match=r"'W'.*shape \(2, 4\).*shape \(2, 3\)"):
        serializers.NpzDeserializer(d.target).load(L.Linear(4, 2))
