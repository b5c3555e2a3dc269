"""The Optimizer/GradientMethod interface: setup, both update forms, t, epoch, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import optimizers


def _loss(target, x):
    # sum over parameters of sum(x * p**2): gradient 2 * x * p
    total = None
    for param in target.params():
        term = F.sum(param * param * x)
        total = term if total is None else total + term
    return total


def test_setup_returns_the_optimizer_and_link_keyword_does_the_same(make_target):
    a, b = make_target(), make_target()
    opt = optimizers.SGD(lr=0.1)
    assert opt.setup(a) is opt and opt.target is a
    opt2 = optimizers.Adam(alpha=0.01, link=b)
    assert opt2.target is b and opt2.t == 0 and opt2.epoch == 0
    for param in b.params():
        assert isinstance(param.update_rule, optimizers.AdamRule)
        assert param.update_rule.hyperparam.parent is opt2.hyperparam


def test_setup_rejects_objects_without_namedparams():
    with pytest.raises(TypeError, match=r"SGD\.setup: expected a Link .*namedparams.*got int"):
        optimizers.SGD().setup(3)


def test_setup_rejects_non_parameters_with_their_path():
    class Bad:
        def namedparams(self):
            yield "/l1/W", np.zeros(3)

    with pytest.raises(TypeError, match=r"'/l1/W' is a ndarray"):
        optimizers.SGD().setup(Bad())


def test_update_before_setup_says_so():
    with pytest.raises(RuntimeError, match="call setup"):
        optimizers.SGD().update()


def test_update_after_manual_backward(make_target):
    target = make_target(np.float64)
    before = target.arrays()
    opt = optimizers.SGD(lr=0.1).setup(target)
    _loss(target, 3.0).backward()
    opt.update()
    for path, p in before.items():
        np.testing.assert_allclose(target.p[path].array, p - 0.1 * 6.0 * p)
    assert opt.t == 1


def test_update_with_lossfun_clears_grads_runs_backward_and_updates(make_target):
    target = make_target(np.float64)
    before = target.arrays()
    for param in target.params():  # stale gradients must not leak into the step
        param.grad = np.full_like(param.array, 100.0)
    opt = optimizers.SGD(lr=0.1).setup(target)
    seen = {}

    def lossfun(t, x, *, scale):
        seen["args"] = (t is target, x, scale)
        return _loss(t, x) * scale

    opt.update(lossfun, target, 2.0, scale=0.5)
    assert seen["args"] == (True, 2.0, 0.5)
    assert target.cleargrads_calls == 1
    for path, p in before.items():
        np.testing.assert_allclose(target.p[path].array, p - 0.1 * 2.0 * p)


def test_update_with_lossfun_clears_each_param_when_target_has_no_cleargrads(make_target):
    class Minimal:
        def __init__(self, inner):
            self.inner = inner

        def namedparams(self):
            return self.inner.namedparams()

    inner = make_target(np.float64)
    before = inner.arrays()
    for param in inner.params():
        param.grad = np.full_like(param.array, 100.0)
    opt = optimizers.SGD(lr=0.1).setup(Minimal(inner))
    opt.update(lambda: _loss(inner, 1.0))
    for path, p in before.items():
        np.testing.assert_allclose(inner.p[path].array, p - 0.2 * p)


def test_update_rejects_a_lossfun_that_returns_no_variable(make_target):
    opt = optimizers.SGD().setup(make_target())
    with pytest.raises(TypeError, match=r"SGD\.update: lossfun must return .*got float"):
        opt.update(lambda: 1.0)


def test_parameter_without_grad_is_skipped(make_target, grads):
    target = make_target()
    opt = optimizers.MomentumSGD(lr=0.1).setup(target)
    before = target.arrays()
    g = grads(np.float32, 1)[0]
    target.p["l1/W"].grad = g["l1/W"]
    opt.update()
    skipped = target.p["l1/b"]
    np.testing.assert_array_equal(skipped.array, before["l1/b"])
    assert skipped.update_rule.t == 0 and skipped.update_rule.state is None
    assert target.p["l1/W"].update_rule.t == 1 and opt.t == 1
    assert not np.array_equal(target.p["l1/W"].array, before["l1/W"])


def test_reallocate_cleared_grads_gives_chainers_zero_gradient_behaviour(make_target):
    target = make_target(np.float64)
    opt = optimizers.MomentumSGD(lr=0.1, momentum=0.5).setup(target)
    target.set_grads({k: np.ones_like(v) for k, v in target.arrays().items()})
    opt.update()
    target.cleargrads()
    after_one = target.arrays()
    opt.reallocate_cleared_grads()
    opt.update()  # zero gradient: the velocity still moves the parameter
    for path, p in after_one.items():
        np.testing.assert_allclose(target.p[path].array, p - 0.05)


def _set_raw_grad(param, grad):
    # Bypass Variable.grad's checks, as a buggy backward would.
    param.node.grad_var = kusari.Variable(grad)


def test_gradient_of_wrong_shape_names_the_parameter_path(make_target):
    target = make_target()
    opt = optimizers.SGD().setup(target)
    _set_raw_grad(target.p["l1/b"], np.zeros(5, np.float32))
    with pytest.raises(
        ValueError, match=r"SGD\.update: .*'l1/b' has shape \(5,\), expected \(4,\)"
    ):
        opt.update()


def test_gradient_of_wrong_dtype_names_the_parameter_path(make_target):
    target = make_target()
    opt = optimizers.Adam().setup(target)
    _set_raw_grad(target.p["l2/W"], np.zeros((2, 3, 2), np.float64))
    with pytest.raises(
        TypeError, match=r"Adam\.update: .*'l2/W' has dtype float64, expected float32"
    ):
        opt.update()


def test_gradient_on_another_device_names_the_parameter_path(make_target):
    fake = pytest.importorskip("kusari_fake_backend")
    target = make_target()
    opt = optimizers.SGD().setup(target)
    _set_raw_grad(target.p["l1/W"], np.zeros((4, 3), np.float32).view(fake.FakeArray))
    with pytest.raises(TypeError, match=r"'l1/W' lives on another device.*@numpy.*@fake"):
        opt.update()


def test_update_rule_checks_gradients_when_called_directly():
    param = kusari.Parameter(np.zeros(3, np.float32), name="W")
    _set_raw_grad(param, np.zeros(2, np.float32))
    param.update_rule = optimizers.SGDRule()
    with pytest.raises(ValueError, match=r"SGDRule\.update: .*'W' has shape \(2,\)"):
        param.update()


def test_t_epoch_and_new_epoch(make_target):
    opt = optimizers.SGD().setup(make_target())
    for _ in range(3):
        opt.update()  # no gradients: nothing moves, but steps are counted
    assert opt.t == 3
    opt.new_epoch()
    assert opt.epoch == 1
    with pytest.raises(RuntimeError, match="use_auto_new_epoch"):
        opt.new_epoch(auto=True)
    opt.use_auto_new_epoch = True
    opt.new_epoch(auto=True)
    assert opt.epoch == 2
    with pytest.raises(RuntimeError, match="already calls new_epoch"):
        opt.new_epoch()
    opt.setup(make_target())
    assert (opt.t, opt.epoch) == (0, 0)


def test_shared_parameter_is_updated_once(fake_target_class):
    target = fake_target_class({"a": np.ones(2, np.float32)})
    shared = target.p["a"]
    target.namedparams = lambda: iter([("/a", shared), ("/b/a", shared)])
    opt = optimizers.SGD(lr=0.5).setup(target)
    shared.grad = np.ones(2, np.float32)
    opt.update()
    np.testing.assert_array_equal(shared.array, [0.5, 0.5])


def test_lazily_initialized_parameter_gets_state_when_first_used(fake_target_class):
    target = fake_target_class({})
    lazy = kusari.Parameter(kusari.initializers.Constant(1.0))
    target.p["w"] = lazy
    opt = optimizers.Adam(alpha=0.1).setup(target)
    opt.update()  # not initialized, no gradient: skipped
    lazy.initialize((2, 2))
    lazy.grad = np.ones((2, 2), np.float32)
    opt.update()
    assert lazy.update_rule.state["m"].shape == (2, 2)
    np.testing.assert_allclose(lazy.array, 1.0 - 0.1, rtol=1e-5)


def test_abstract_methods_say_what_to_implement(make_target):
    with pytest.raises(NotImplementedError, match="Optimizer.update"):
        optimizers.Optimizer().setup(make_target()).update()
    with pytest.raises(NotImplementedError, match="create_update_rule"):
        optimizers.GradientMethod().setup(make_target())


def test_use_cleargrads_is_deprecated_and_switches_to_zerograds(make_target):
    target = make_target(np.float64)
    opt = optimizers.MomentumSGD(lr=0.1, momentum=0.5).setup(target)
    with pytest.warns(DeprecationWarning, match="use_cleargrads"):
        opt.use_cleargrads(False)
    # A lossfun that touches only one parameter: the others get zero gradients and
    # still move by their velocity, as with Chainer's zerograds.
    target.set_grads({k: np.ones_like(v) for k, v in target.arrays().items()})
    opt.update()
    before = target.arrays()
    opt.update(lambda: F.sum(target.p["l1/b"] * 0.0))
    np.testing.assert_allclose(target.p["l1/W"].array, before["l1/W"] - 0.05)


def test_old_module_spelling_resolves():
    import kusari.optimizer as old

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert old.GradientMethod is optimizers.GradientMethod
        assert old.Optimizer is kusari.Optimizer
        assert old.UpdateRule is kusari.UpdateRule
        assert old.Hyperparameter is optimizers.Hyperparameter
        assert old.HyperparameterProxy is optimizers.HyperparameterProxy
    from kusari import optimizer_hooks

    for name in (
        "WeightDecay",
        "Lasso",
        "GradientClipping",
        "GradientHardClipping",
        "GradientNoise",
        "GradientLARS",
    ):
        with pytest.warns(DeprecationWarning, match=f"optimizer_hooks.{name}"):
            assert getattr(old, name) is getattr(optimizer_hooks, name)


def test_every_exported_name_exists_and_is_documented():
    from kusari import optimizer_hooks

    for module in (optimizers, optimizer_hooks):
        for name in module.__all__:
            obj = getattr(module, name)
            if name != "__version__":
                assert (obj.__doc__ or "").strip(), f"{module.__name__}.{name} has no docstring"


def test_gradient_on_an_uninitialized_parameter_is_reported(fake_target_class):
    target = fake_target_class({})
    lazy = target.p["w"] = kusari.Parameter(kusari.initializers.Zero())
    opt = optimizers.SGD().setup(target)
    _set_raw_grad(lazy, np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="'w' has a gradient but no array"):
        opt.update()
