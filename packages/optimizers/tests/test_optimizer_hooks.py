"""Optimizer hooks: each checked numerically, hook timing and registration."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import optimizer_hooks, optimizers


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _torch_params(target):
    import torch

    return {k: torch.tensor(v, requires_grad=True) for k, v in target.arrays().items()}


def _set_torch_grads(tparams, g):
    import torch

    for k, tp in tparams.items():
        tp.grad = torch.from_numpy(g[k].copy())


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_weight_decay_equals_torch_sgd_weight_decay(momentum, make_target, grads, torch):
    target = make_target(np.float64)
    opt = (
        optimizers.MomentumSGD(lr=0.05, momentum=momentum) if momentum else optimizers.SGD(lr=0.05)
    ).setup(target)
    opt.add_hook(optimizer_hooks.WeightDecay(0.01))
    tparams = _torch_params(target)
    topt = torch.optim.SGD(list(tparams.values()), lr=0.05, momentum=momentum, weight_decay=0.01)
    for g in grads(np.float64, 20):
        target.set_grads(g)
        _set_torch_grads(tparams, g)
        opt.update()
        topt.step()
        for k, tp in tparams.items():
            np.testing.assert_allclose(target.p[k].array, tp.detach().numpy(), rtol=1e-12)


def test_lasso_adds_rate_times_sign(make_target, grads):
    target = make_target(np.float64)
    opt = optimizers.SGD(lr=0.1).setup(target)
    opt.add_hook(optimizer_hooks.Lasso(0.3))
    before, g = target.arrays(), grads(np.float64, 1)[0]
    target.set_grads(g)
    opt.update()
    for k, p in before.items():
        np.testing.assert_allclose(target.p[k].array, p - 0.1 * (g[k] + 0.3 * np.sign(p)))


@pytest.mark.parametrize("threshold", [0.5, 1e3])
def test_gradient_clipping_equals_torch_clip_grad_norm(threshold, make_target, grads, torch):
    target = make_target(np.float64)
    opt = optimizers.SGD(lr=1.0).setup(target)
    opt.add_hook(optimizer_hooks.GradientClipping(threshold))
    tparams = _torch_params(target)
    g = grads(np.float64, 1)[0]
    target.set_grads(g)
    _set_torch_grads(tparams, g)
    opt.update()
    # torch divides by (norm + 1e-6): equal up to that
    torch.nn.utils.clip_grad_norm_(list(tparams.values()), threshold)
    for k, tp in tparams.items():
        np.testing.assert_allclose(
            target.p[k].array, (tp - tp.grad).detach().numpy(), rtol=1e-6, atol=1e-7
        )
    if threshold > 1e2:  # not clipped: exactly plain SGD
        for k, tp in tparams.items():
            np.testing.assert_array_equal(target.p[k].array, tp.detach().numpy() - g[k])


def test_gradient_clipping_norm_is_over_all_parameters(fake_target_class):
    target = fake_target_class({"a": np.zeros(1), "b": np.zeros(1)})
    opt = optimizers.SGD(lr=1.0).setup(target)
    opt.add_hook(optimizer_hooks.GradientClipping(1.0))
    target.set_grads({"a": np.array([3.0]), "b": np.array([4.0])})
    opt.update()
    np.testing.assert_allclose([target.p["a"].array[0], target.p["b"].array[0]], [-0.6, -0.8])


def test_gradient_hard_clipping(make_target, grads, torch):
    target = make_target(np.float64)
    opt = optimizers.SGD(lr=1.0).setup(target)
    opt.add_hook(optimizer_hooks.GradientHardClipping(-0.2, 0.5))
    before, g = target.arrays(), grads(np.float64, 1)[0]
    target.set_grads(g)
    opt.update()
    for k, p in before.items():
        np.testing.assert_allclose(target.p[k].array, p - np.clip(g[k], -0.2, 0.5))
    # the symmetric case is torch's clip_grad_value_
    tparams = _torch_params(target)
    _set_torch_grads(tparams, g)
    torch.nn.utils.clip_grad_value_(list(tparams.values()), 0.3)
    hook = optimizer_hooks.GradientHardClipping(-0.3, 0.3)
    for k, param in target.p.items():
        param.grad = g[k].copy()
        hook(param.update_rule, param)
        np.testing.assert_array_equal(param.grad, tparams[k].grad.numpy())
    with pytest.raises(ValueError, match="lower_bound <= upper_bound.*2.0.*1.0"):
        optimizer_hooks.GradientHardClipping(2.0, 1.0)


def test_gradient_noise_uses_the_annealed_variance(make_target, grads):
    target = make_target(np.float64)
    opt = optimizers.SGD(lr=1.0).setup(target)
    opt.add_hook(optimizer_hooks.GradientNoise(eta=0.3))
    g = grads(np.float64, 2)
    target.set_grads(g[0])
    opt.update()
    before = target.arrays()
    target.set_grads(g[1])
    np.random.seed(7)
    opt.update()
    np.random.seed(7)
    std = math.sqrt(0.3 / (1 + 1) ** 0.55)  # each rule has made one update before
    for k, p in before.items():  # parameters are visited in namedparams order
        noise = np.random.normal(0, std, p.shape)
        np.testing.assert_allclose(target.p[k].array, p - (g[1][k] + noise), rtol=1e-12)


def test_gradient_noise_custom_function_receives_the_rule(make_target):
    target = make_target()
    calls = []

    def noise(xp, shape, dtype, hook, rule):
        calls.append((xp, shape, dtype, hook, rule))
        return xp.ones(shape, dtype)

    hook = optimizer_hooks.GradientNoise(eta=1.0, noise_func=noise)
    opt = optimizers.SGD(lr=1.0).setup(target)
    opt.add_hook(hook)
    before = target.arrays()
    target.set_grads({k: np.zeros_like(v) for k, v in before.items()})
    opt.update()
    assert [c[1] for c in calls] == [p.shape for p in target.params()]
    assert all(c[0] is np and c[2] == np.float32 and c[3] is hook for c in calls)
    assert [c[4] for c in calls] == [p.update_rule for p in target.params()]
    for k, p in before.items():
        np.testing.assert_array_equal(target.p[k].array, p - 1)
    with pytest.raises(TypeError, match="noise_func must be callable"):
        optimizer_hooks.GradientNoise(1.0, noise_func=3)


def test_gradient_lars(fake_target_class):
    target = fake_target_class({"big": np.array([3.0, 4.0]), "small": np.array([0.001, 0.0])})
    opt = optimizers.SGD(lr=1.0).setup(target)
    opt.add_hook(optimizer_hooks.GradientLARS(threshold=0.01, weight_decay=0.1, eps=1e-9))
    g = {"big": np.array([0.6, 0.8]), "small": np.array([1.0, 2.0])}
    target.set_grads(g)
    opt.update()
    rate = 5.0 / (1e-9 + 1.0 + 0.1 * 5.0)  # |w| = 5, |g| = 1
    np.testing.assert_allclose(
        target.p["big"].array, [3.0, 4.0] - rate * (g["big"] + 0.1 * np.array([3.0, 4.0]))
    )
    # |w| = 0.001 <= threshold: weight decay only, no rescaling
    np.testing.assert_allclose(
        target.p["small"].array, [0.001, 0.0] - (g["small"] + 0.1 * np.array([0.001, 0.0]))
    )


def test_hooks_scale_with_the_loss_scale(make_target):
    # Optimizer-level hooks see gradients still multiplied by the loss scale; the
    # result must equal the unscaled run.
    hooks = [
        optimizer_hooks.WeightDecay(0.1),
        optimizer_hooks.Lasso(0.05),
        optimizer_hooks.GradientHardClipping(-0.5, 0.5),
        optimizer_hooks.GradientClipping(2.0),
        optimizer_hooks.GradientLARS(0.01, 0.01),
    ]
    results = []
    for scale in (None, 1024.0):
        target = make_target(np.float64)
        opt = optimizers.SGD(lr=0.1).setup(target)
        if scale is not None:
            opt.loss_scaling(scale=scale)
        for hook in hooks:
            opt.add_hook(hook)
        for _ in range(2):
            opt.update(
                lambda t=target: sum(
                    (F.sum(p * p * 0.7) for p in t.params()), start=0.0 * F.sum(t.p["l1/b"])
                )
            )
        results.append(target.arrays())
    for k in results[0]:
        np.testing.assert_allclose(results[1][k], results[0][k], rtol=1e-12)


# -- timing and registration ---------------------------------------------------------------
class Recorder:
    def __init__(self, log, label, timing=None, per_param=False):
        self.log, self.name = log, label
        if timing is not None:
            self.timing = timing
        self.call_for_each_param = per_param

    def __call__(self, *args):
        if self.call_for_each_param:
            rule, param = args
            self.log.append((self.name, param.name, float(param.array.ravel()[0]), rule))
        else:
            (opt,) = args
            self.log.append((self.name, float(opt.target.p["w"].array[0]), opt.t))


def test_hook_timing_pre_post_and_auto(fake_target_class):
    target = fake_target_class({"w": np.array([1.0])})
    opt = optimizers.SGD(lr=0.5).setup(target)
    log = []
    opt.add_hook(Recorder(log, "post-attr", timing="post"))
    opt.add_hook(Recorder(log, "pre-attr", timing="pre"))
    opt.add_hook(Recorder(log, "forced-post", timing="pre"), timing="post")
    opt.add_hook(Recorder(log, "per-param", timing="pre", per_param=True))
    with pytest.warns(UserWarning, match="no timing attribute"):
        opt.add_hook(Recorder(log, "no-attr"))
    target.p["w"].grad = np.array([1.0])
    opt.update()
    rule = target.p["w"].update_rule
    assert log == [
        ("pre-attr", 1.0, 0),
        ("per-param", "w", 1.0, rule),
        ("no-attr", 1.0, 0),
        ("post-attr", 0.5, 1),
        ("forced-post", 0.5, 1),
    ]


def test_add_and_remove_hook_errors(make_target):
    opt = optimizers.SGD()
    with pytest.raises(RuntimeError, match="call setup"):
        opt.add_hook(optimizer_hooks.WeightDecay(0.1))
    opt.setup(make_target())
    opt.add_hook(optimizer_hooks.WeightDecay(0.1))
    with pytest.raises(KeyError, match="'WeightDecay' already exists"):
        opt.add_hook(optimizer_hooks.WeightDecay(0.2))
    opt.add_hook(optimizer_hooks.WeightDecay(0.2), name="wd2")
    with pytest.raises(TypeError, match="expected a callable hook, got int"):
        opt.add_hook(3)
    with pytest.raises(ValueError, match="timing must be 'pre', 'post' or 'auto', got 'later'"):
        opt.add_hook(optimizer_hooks.Lasso(0.1), timing="later")
    with pytest.raises(ValueError, match="timing must be 'pre' or 'post'"):
        opt.call_hooks("auto")

    def my_hook(optimizer):
        pass

    my_hook.timing = "post"
    opt.add_hook(my_hook)  # named after the function
    assert list(opt._post_update_hooks) == ["my_hook"]
    opt.remove_hook("my_hook")
    opt.remove_hook("wd2")
    with pytest.raises(KeyError, match="no hook named 'wd2'"):
        opt.remove_hook("wd2")
    assert list(opt._pre_update_hooks) == ["WeightDecay"]
    opt.setup(make_target())  # setup starts over, as in Chainer
    assert not opt._pre_update_hooks


def test_per_param_hooks_skip_parameters_without_gradient(make_target):
    target = make_target()
    opt = optimizers.SGD().setup(target)
    log = []
    opt.add_hook(Recorder(log, "h", timing="pre", per_param=True))
    target.p["l1/b"].grad = np.ones(4, np.float32)
    opt.update()
    assert [entry[1] for entry in log] == ["b"]


def test_update_rule_hooks(make_target):
    target = make_target(np.float64)
    opt = optimizers.SGD(lr=1.0).setup(target)
    rule = target.p["l1/b"].update_rule
    log = []

    def pre(r, param):
        log.append(("pre", r is rule, param.array.copy()))
        param.grad *= 2

    def post(r, param):
        log.append(("post", r is rule, param.array.copy()))

    rule.add_hook(pre)
    rule.add_hook(post, timing="post")
    with pytest.raises(ValueError, match="'pre' already exists"):
        rule.add_hook(pre)
    with pytest.raises(TypeError, match="callable"):
        rule.add_hook("pre")
    before = target.arrays()["l1/b"]
    target.p["l1/b"].grad = np.ones(4)
    opt.update()
    assert [(w, same) for w, same, _ in log] == [("pre", True), ("post", True)]
    np.testing.assert_array_equal(log[0][2], before)
    np.testing.assert_array_equal(log[1][2], before - 2)
    rule.remove_hook("pre")
    rule.remove_hook("post")
    with pytest.raises(KeyError, match="no hook named 'post'"):
        rule.remove_hook("post")
    target.p["l1/b"].grad = np.ones(4)
    opt.update()
    np.testing.assert_array_equal(target.p["l1/b"].array, before - 3)


def test_weight_decay_as_update_rule_hook(make_target):
    # On a single rule, only that parameter is decayed.
    target = make_target(np.float64)
    opt = optimizers.SGD(lr=0.1).setup(target)
    target.p["l1/W"].update_rule.add_hook(optimizer_hooks.WeightDecay(0.5))
    before = target.arrays()
    target.set_grads({k: np.zeros_like(v) for k, v in before.items()})
    opt.update()
    np.testing.assert_allclose(target.p["l1/W"].array, before["l1/W"] * 0.95)
    np.testing.assert_array_equal(target.p["l1/b"].array, before["l1/b"])


def test_hooks_work_on_a_target_only_known_through_namedparams():
    class Target:
        def __init__(self):
            self.w = kusari.Parameter(np.array([3.0, 4.0]))

        def namedparams(self):
            yield "/w", self.w

    class Foreign:  # an optimizer that is not ours: the hook falls back to namedparams
        target = Target()

    Foreign.target.w.grad = np.array([3.0, 4.0])
    optimizer_hooks.GradientClipping(1.0)(Foreign())
    np.testing.assert_allclose(Foreign.target.w.grad, [0.6, 0.8])
