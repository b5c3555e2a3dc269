"""float16 training: the fp32 master copy and static/dynamic loss scaling."""

from __future__ import annotations

import numpy as np
import pytest

import kusari.functions as F
from kusari import optimizers, serializers


def _half_and_single(initial, dtype_grads):
    return (
        {k: v.astype(np.float16) for k, v in initial.items()},
        {k: v.astype(np.float16).astype(np.float32) for k, v in initial.items()},
    )


@pytest.mark.parametrize(
    "cls",
    [optimizers.SGD, optimizers.MomentumSGD, optimizers.Adam, optimizers.RMSprop, optimizers.LAMB],
    ids=lambda c: c.__name__,
)
def test_fp32_master_copy_follows_the_float32_run(cls, fake_target_class, initial, grads):
    half, single = _half_and_single(initial(np.float32), None)
    t16, t32 = fake_target_class(half), fake_target_class(single)
    opt16 = cls()
    opt16.use_fp32_update()
    opt16.setup(t16)
    opt32 = cls().setup(t32)
    for g in grads(np.float16, 15):
        t16.set_grads(g)
        t32.set_grads({k: v.astype(np.float32) for k, v in g.items()})
        opt16.update()
        opt32.update()
    for k, param in t16.p.items():
        master = param.update_rule._fp32_param
        assert param.array.dtype == np.float16 and master.array.dtype == np.float32
        np.testing.assert_allclose(master.array, t32.p[k].array, rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(param.array, master.array.astype(np.float16))
        assert master.grad is None  # released after each update
        assert all(v.dtype == np.float32 for v in param.update_rule.state.values())


def test_small_steps_survive_only_with_the_master_copy(fake_target_class):
    plain = fake_target_class({"w": np.ones(4, np.float16)})
    mixed = fake_target_class({"w": np.ones(4, np.float16)})
    opt_plain = optimizers.SGD(lr=1e-4).setup(plain)
    opt_mixed = optimizers.SGD(lr=1e-4).setup(mixed)
    opt_mixed.use_fp32_update()  # after setup: applies to the existing rules
    for _ in range(100):
        for target, opt in ((plain, opt_plain), (mixed, opt_mixed)):
            target.p["w"].grad = np.ones(4, np.float16)
            opt.update()
    np.testing.assert_array_equal(plain.p["w"].array, 1.0)  # 1e-4 < half an ulp of 1.0
    np.testing.assert_allclose(mixed.p["w"].array, 0.99, rtol=1e-3)


def test_fp32_master_copy_is_saved_and_restored(fake_target_class, grads, tmp_path):
    shapes = {"w": (3, 2)}
    init = {"w": np.linspace(-1, 1, 6, dtype=np.float16).reshape(3, 2)}
    stream = grads(np.float16, 8, shapes=shapes)

    def run(target, gs):
        opt = optimizers.Adam(alpha=1e-3)
        opt.use_fp32_update()
        opt.setup(target)
        for g in gs:
            target.set_grads(g)
            opt.update()
        return opt

    straight = fake_target_class(init)
    run(straight, stream)
    first = fake_target_class(init)
    serializers.save_npz(tmp_path / "o.npz", run(first, stream[:4]))
    with np.load(tmp_path / "o.npz") as f:
        assert f["w/fp32_param"].dtype == np.float32
    resumed = fake_target_class(first.arrays())
    opt = optimizers.Adam(alpha=1e-3)
    opt.use_fp32_update()
    opt.setup(resumed)
    serializers.load_npz(tmp_path / "o.npz", opt)
    for g in stream[4:]:
        resumed.set_grads(g)
        opt.update()
    np.testing.assert_array_equal(resumed.p["w"].array, straight.p["w"].array)
    np.testing.assert_array_equal(
        resumed.p["w"].update_rule._fp32_param.array, straight.p["w"].update_rule._fp32_param.array
    )


def _quadratic(target):
    params = list(target.params())
    loss = F.sum(params[0] * params[0])
    for p in params[1:]:
        loss = loss + F.sum(p * p)
    return loss


def test_static_loss_scaling_gives_the_unscaled_update(make_target):
    results = []
    for scale in (None, 512.0):
        target = make_target(np.float64)
        opt = optimizers.MomentumSGD(lr=0.1).setup(target)
        if scale:
            opt.loss_scaling(scale=scale)
        for _ in range(3):
            opt.update(_quadratic, target)
        results.append(target.arrays())
        if scale:
            assert opt._loss_scale == scale
            assert all(p._loss_scale is None for p in target.params())  # divided once
    for k in results[0]:
        np.testing.assert_allclose(results[1][k], results[0][k], rtol=1e-13)


def test_manual_backward_with_loss_scale_is_divided_once(make_target):
    target = make_target(np.float64)
    before = target.arrays()
    opt = optimizers.SGD(lr=0.1).setup(target)
    _quadratic(target).backward(loss_scale=8.0)
    opt.update()
    opt.update()  # the same gradients again: no second division
    for k, p in before.items():
        np.testing.assert_allclose(target.p[k].array, p - 2 * 0.1 * 2 * p)


def test_dynamic_loss_scaling(make_target):
    target = make_target(np.float64)
    opt = optimizers.SGD(lr=0.1).setup(target)
    opt.loss_scaling(interval=4)
    assert opt._loss_scale == 1.0
    for expected in (2.0, 4.0, 8.0):  # no overflow seen yet: doubles each step
        opt.update(_quadratic, target)
        assert opt._loss_scale == expected
    before = target.arrays()
    target.set_grads({k: np.full_like(v, np.inf) for k, v in before.items()})
    with pytest.warns(
        UserWarning,
        match=r"non-finite gradients in 'l1/W', 'l1/b', 'l2/W' \(update 4, loss scale 8.0\)",
    ):
        opt.update()
    for k, p in before.items():  # the overflowing step is skipped
        np.testing.assert_array_equal(target.p[k].array, p)
    assert opt._loss_scale == 4.0 and opt.t == 4 and not opt.is_safe_to_update()
    opt.update(_quadratic, target)  # after an overflow it grows by 2 ** (1 / interval)
    assert opt._loss_scale == pytest.approx(4.0 * 2**0.25)
    assert opt.is_safe_to_update()
    opt._loss_scale = 65000.0
    opt.update(_quadratic, target)
    assert opt._loss_scale == 65504.0
    with pytest.raises(ValueError, match="interval must be >= 1, got 0"):
        opt.loss_scaling(interval=0)
    with pytest.raises(ValueError, match="scale must be a positive number, got -1"):
        opt.loss_scaling(scale=-1)
    opt.set_loss_scale(16.0)
    assert opt._loss_scale == 16.0 and not opt._loss_scaling_is_dynamic
