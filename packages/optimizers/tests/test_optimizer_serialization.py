"""Saving and loading optimizer state: Chainer's key layout, exact resumption."""

from __future__ import annotations

import numpy as np
import pytest

import kusari
from kusari import optimizer_hooks, optimizers, serializers

OPTIMIZERS = [
    getattr(optimizers, name)
    for name in optimizers.__all__
    if isinstance(getattr(optimizers, name), type)
    and issubclass(getattr(optimizers, name), optimizers.GradientMethod)
    and getattr(optimizers, name) is not optimizers.GradientMethod
]
NESTED = {"predictor/l1/W": (4, 3), "predictor/l1/b": (4,), "predictor/l2/W": (2, 4)}


def _save(fmt, path, obj):
    if fmt == "hdf5":
        pytest.importorskip("h5py")
        serializers.save_hdf5(path, obj)
    else:
        serializers.save_npz(path, obj)


def _load(fmt, path, obj, **kwargs):
    (serializers.load_hdf5 if fmt == "hdf5" else serializers.load_npz)(path, obj, **kwargs)


def _train(opt, target, grad_list):
    for g in grad_list:
        target.set_grads(g)
        opt.update()


def test_key_layout_is_chainers(make_target, grads, tmp_path):
    target = make_target(shapes=NESTED)
    opt = optimizers.Adam().setup(target)
    _train(opt, target, grads(np.float32, 3, shapes=NESTED))
    opt.new_epoch()
    serializers.save_npz(tmp_path / "opt.npz", opt)
    with np.load(tmp_path / "opt.npz") as f:
        stored = {k: f[k] for k in f.files}
    expected = {"t", "epoch"} | {f"{p}/{k}" for p in NESTED for k in ("t", "m", "v")}
    assert set(stored) == expected
    assert stored["t"] == 3 and stored["epoch"] == 1 and stored["predictor/l1/W/t"] == 3
    np.testing.assert_array_equal(
        stored["predictor/l2/W/m"], target.p["predictor/l2/W"].update_rule.state["m"]
    )


@pytest.mark.parametrize("fmt", ["npz", "hdf5"])
@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_resumed_training_continues_identically(
    cls, fmt, make_target, fake_target_class, grads, tmp_path
):
    dtype = np.float32
    stream = grads(dtype, 12)
    straight = make_target(dtype)
    opt = cls().setup(straight)
    opt.add_hook(optimizer_hooks.WeightDecay(1e-3))
    _train(opt, straight, stream)

    first = make_target(dtype)
    opt1 = cls().setup(first)
    opt1.add_hook(optimizer_hooks.WeightDecay(1e-3))
    _train(opt1, first, stream[:5])
    path = tmp_path / f"opt.{fmt}"
    _save(fmt, path, opt1)

    resumed = fake_target_class(first.arrays())  # the model as a snapshot restores it
    opt2 = cls().setup(resumed)
    opt2.add_hook(optimizer_hooks.WeightDecay(1e-3))
    _load(fmt, path, opt2)
    assert opt2.t == 5
    for param in resumed.params():  # state is there before any update
        assert param.update_rule.t == 5
        assert param.update_rule.state is not None
    _train(opt2, resumed, stream[5:])
    assert opt2.t == opt.t == 12
    for k, param in resumed.p.items():
        np.testing.assert_array_equal(param.array, straight.p[k].array, err_msg=k)
        assert param.array.dtype == dtype
        for name, value in param.update_rule.state.items():
            np.testing.assert_array_equal(value, straight.p[k].update_rule.state[name])
            assert value.dtype == dtype


def test_load_into_rules_that_already_have_state(make_target, grads, tmp_path):
    target = make_target(np.float64)
    opt = optimizers.MomentumSGD().setup(target)
    _train(opt, target, grads(np.float64, 3))
    serializers.save_npz(tmp_path / "a.npz", opt)
    saved = {k: p.update_rule.state["v"].copy() for k, p in target.p.items()}
    arrays = {k: p.update_rule.state["v"] for k, p in target.p.items()}
    _train(opt, target, grads(np.float64, 2, seed=9))
    serializers.load_npz(tmp_path / "a.npz", opt)
    for k, p in target.p.items():
        assert p.update_rule.state["v"] is arrays[k]  # filled in place
        np.testing.assert_array_equal(p.update_rule.state["v"], saved[k])
    assert opt.t == 3


def test_load_before_the_parameter_is_initialized(fake_target_class, tmp_path):
    source = fake_target_class({"w": np.zeros((2, 3), np.float32)})
    opt = optimizers.Adam(alpha=0.1).setup(source)
    source.p["w"].grad = np.ones((2, 3), np.float32)
    opt.update()
    serializers.save_npz(tmp_path / "opt.npz", opt)
    expected = source.arrays()["w"]
    source.p["w"].grad = np.ones((2, 3), np.float32)
    opt.update()
    expected_after = source.arrays()["w"]

    lazy = kusari.Parameter(kusari.initializers.Zero())
    target = fake_target_class({})
    target.p["w"] = lazy
    opt2 = optimizers.Adam(alpha=0.1).setup(target)
    serializers.load_npz(tmp_path / "opt.npz", opt2)
    assert set(lazy.update_rule.state) == {"m", "v"}
    lazy.initialize((2, 3))
    lazy.array[...] = expected
    lazy.grad = np.ones((2, 3), np.float32)
    opt2.update()
    np.testing.assert_array_equal(lazy.array, expected_after)
    assert lazy.update_rule.state["m"].dtype == np.float32


def test_loaded_state_of_the_wrong_shape_is_reported(fake_target_class, tmp_path):
    source = fake_target_class({"w": np.zeros(3, np.float32)})
    opt = optimizers.MomentumSGD().setup(source)
    source.p["w"].grad = np.ones(3, np.float32)
    opt.update()
    serializers.save_npz(tmp_path / "opt.npz", opt)
    other = fake_target_class({"w": np.zeros(4, np.float32)})
    opt2 = optimizers.MomentumSGD().setup(other)
    serializers.load_npz(tmp_path / "opt.npz", opt2)
    other.p["w"].grad = np.ones(4, np.float32)
    with pytest.raises(ValueError, match=r"loaded state 'v' has shape \(3,\).*needs \(4,\)"):
        opt2.update()


def test_loaded_state_is_cast_to_the_parameters_dtype(fake_target_class, tmp_path):
    source = fake_target_class({"w": np.ones(3, np.float64)})
    opt = optimizers.MomentumSGD(lr=0.5).setup(source)
    source.p["w"].grad = np.ones(3)
    opt.update()
    serializers.save_npz(tmp_path / "opt.npz", opt)
    target = fake_target_class({"w": np.ones(3, np.float32)})
    opt2 = optimizers.MomentumSGD(lr=0.5).setup(target)
    serializers.load_npz(tmp_path / "opt.npz", opt2)
    target.p["w"].grad = np.zeros(3, np.float32)
    opt2.update()
    v = target.p["w"].update_rule.state["v"]
    assert v.dtype == np.float32
    np.testing.assert_allclose(v, -0.45)


def test_missing_state_keys(make_target, grads, tmp_path):
    target = make_target()
    opt = optimizers.SGD().setup(target)
    _train(opt, target, grads(np.float32, 1))
    serializers.save_npz(tmp_path / "sgd.npz", opt)  # no 'v' entries
    other = make_target()
    mopt = optimizers.MomentumSGD().setup(other)
    with pytest.raises(KeyError, match="l1/W/v"):
        serializers.load_npz(tmp_path / "sgd.npz", mopt)
    mopt = optimizers.MomentumSGD().setup(other)
    serializers.load_npz(tmp_path / "sgd.npz", mopt, strict=False)
    assert all(p.update_rule.state is None and p.update_rule.t == 1 for p in other.params())
    for param in other.params():  # a disabled rule tolerates missing keys even when strict
        param.update_rule.enabled = False
    serializers.load_npz(tmp_path / "sgd.npz", mopt)


def test_serialize_before_setup_says_so(tmp_path):
    with pytest.raises(RuntimeError, match="call setup"):
        serializers.save_npz(tmp_path / "x.npz", optimizers.SGD())
