"""Update rules: hyperparameters (shared and per parameter), lazy state, devices."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import kusari
from kusari import optimizers
from kusari.optimizers import Hyperparameter, HyperparameterProxy

OPTIMIZERS = [
    getattr(optimizers, name)
    for name in optimizers.__all__
    if isinstance(getattr(optimizers, name), type)
    and issubclass(getattr(optimizers, name), optimizers.GradientMethod)
    and getattr(optimizers, name) is not optimizers.GradientMethod
]
STATE_KEYS = {
    "SGD": set(),
    "MomentumSGD": {"v"},
    "NesterovAG": {"v"},
    "CorrectedMomentumSGD": {"v"},
    "AdaGrad": {"h"},
    "AdaDelta": {"msg", "msdx"},
    "RMSprop": {"ms"},
    "RMSpropGraves": {"n", "g", "delta"},
    "Adam": {"m", "v"},
    "AdamW": {"m", "v"},
    "AMSGrad": {"m", "v", "vhat"},
    "AdaBound": {"m", "v"},
    "AMSBound": {"m", "v", "vhat"},
    "SMORMS3": {"mem", "g", "g2"},
    "MSVAG": {"m", "v"},
    "LARS": {"v"},
    "LAMB": {"m", "v"},
}


def test_every_optimizer_is_covered():
    assert {cls.__name__ for cls in OPTIMIZERS} == set(STATE_KEYS)


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_hyperparameters_are_attributes(cls):
    opt = cls()
    signature = inspect.signature(cls.__init__)
    names = [
        n
        for n, p in signature.parameters.items()
        if n not in ("self", "link") and p.kind is p.POSITIONAL_OR_KEYWORD
    ]
    assert names, cls
    for name in names:
        default = signature.parameters[name].default
        assert getattr(opt, name) == default, name
        assert isinstance(inspect.getattr_static(type(opt), name), HyperparameterProxy)
        new = (not default) if isinstance(default, bool) else default * 0.5 + 0.125
        setattr(opt, name, new)
        assert getattr(opt.hyperparam, name) == new and getattr(opt, name) == new


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_state_is_created_lazily_with_the_parameters_shape_and_dtype(
    cls, dtype, make_target, grads
):
    target = make_target(dtype)
    opt = cls().setup(target)
    assert all(p.update_rule.state is None for p in target.params())
    target.set_grads(grads(dtype, 1)[0])
    opt.update()
    for param in target.params():
        state = param.update_rule.state
        assert set(state) == STATE_KEYS[cls.__name__]
        for value in state.values():
            assert type(value) is np.ndarray
            assert value.shape == param.shape and value.dtype == dtype


def test_optimizer_hyperparameter_reaches_every_rule_and_rules_can_override(make_target):
    target = make_target(np.float64)
    before = target.arrays()
    opt = optimizers.SGD(lr=0.1).setup(target)
    frozen = target.p["l1/b"].update_rule
    frozen.hyperparam.lr = 0.0
    opt.lr = 0.5  # reaches every rule that does not override it
    target.set_grads({k: np.ones_like(v) for k, v in before.items()})
    opt.update()
    np.testing.assert_array_equal(target.p["l1/b"].array, before["l1/b"])
    np.testing.assert_allclose(target.p["l1/W"].array, before["l1/W"] - 0.5)
    assert frozen.hyperparam.get_dict() == {"lr": 0.0}
    assert target.p["l1/W"].update_rule.hyperparam.lr == 0.5


def test_disabled_rule_does_not_update(make_target):
    target = make_target()
    opt = optimizers.Adam().setup(target)
    before = target.arrays()
    target.p["l2/W"].update_rule.enabled = False
    target.set_grads({k: np.ones_like(v) for k, v in before.items()})
    opt.update()
    np.testing.assert_array_equal(target.p["l2/W"].array, before["l2/W"])
    assert target.p["l2/W"].update_rule.t == 0
    assert not np.array_equal(target.p["l1/W"].array, before["l1/W"])


def test_a_parameter_can_get_another_rule_after_setup(make_target):
    target = make_target(np.float64)
    opt = optimizers.SGD(lr=0.1).setup(target)
    target.p["l1/b"].update_rule = optimizers.MomentumSGDRule(lr=1.0, momentum=0.0)
    before = target.arrays()
    target.set_grads({k: np.ones_like(v) for k, v in before.items()})
    opt.update()
    np.testing.assert_allclose(target.p["l1/b"].array, before["l1/b"] - 1.0)
    np.testing.assert_allclose(target.p["l1/W"].array, before["l1/W"] - 0.1)


def test_standalone_rule_uses_the_optimizers_defaults():
    rule = optimizers.AdamRule(beta1=0.5)
    assert (rule.hyperparam.alpha, rule.hyperparam.beta1, rule.hyperparam.eps) == (0.001, 0.5, 1e-8)
    param = kusari.Parameter(np.ones(3))
    param.grad = np.ones(3)
    param.update_rule = rule
    param.update()
    # first Adam step moves by alpha * m_hat / (sqrt(v_hat) + eps/sqrt(1 - beta2)) ~ alpha
    np.testing.assert_allclose(param.array, 1 - 0.001 / (1 + 1e-8 / np.sqrt(0.001)), rtol=1e-12)


def test_hyperparameter_fallback_repr_and_errors():
    root = Hyperparameter()
    root.lr, root.momentum = 0.1, 0.9
    child = Hyperparameter(root)
    child.lr = 0.2
    grandchild = Hyperparameter(child)
    assert (grandchild.lr, grandchild.momentum) == (0.2, 0.9)
    assert grandchild.parent is child and root.parent is None
    assert grandchild.get_dict() == {"lr": 0.2, "momentum": 0.9}
    assert repr(child) == "Hyperparameter(lr=0.2, momentum=0.9)"
    with pytest.raises(AttributeError, match=r"no entry 'eps' .*lr, momentum"):
        _ = grandchild.eps
    import copy
    import pickle

    clone = pickle.loads(pickle.dumps(grandchild))
    assert clone.get_dict() == grandchild.get_dict()
    assert copy.deepcopy(grandchild).lr == 0.2


def test_adam_alpha_t_and_deprecated_lr(make_target):
    target = make_target(np.float64)
    opt = optimizers.Adam(alpha=0.01, beta1=0.9, beta2=0.99).setup(target)
    with pytest.raises(RuntimeError, match="before the first update"):
        _ = opt.alpha_t
    target.set_grads({k: np.ones_like(v) for k, v in target.arrays().items()})
    opt.update()
    expected = 0.01 * np.sqrt(1 - 0.99) / (1 - 0.9)
    assert opt.alpha_t == pytest.approx(expected)
    assert target.p["l1/W"].update_rule.alpha_t == pytest.approx(expected)
    with pytest.warns(DeprecationWarning, match="alpha_t"):
        assert opt.lr == pytest.approx(expected)


def test_eps_that_rounds_to_zero_is_refused():
    param = kusari.Parameter(np.ones(2, np.float16))
    param.grad = np.ones(2, np.float16)
    param.update_rule = optimizers.RMSpropRule(eps=1e-10)
    with pytest.raises(ValueError, match=r"RMSprop: eps=1e-10 is too small for float16"):
        param.update()
    param.update_rule = optimizers.AdamRule(eps=1e-50)  # float16 Adam computes in float32
    with pytest.raises(ValueError, match="too small for float32"):
        param.update()


def test_state_follows_the_parameter_to_another_device(make_target, grads):
    fake = pytest.importorskip("kusari_fake_backend")
    target = make_target()
    opt = optimizers.Adam().setup(target)
    target.set_grads(grads(np.float32, 1)[0])
    opt.update()
    for param in target.params():
        param.to_device("@fake")
    target.set_grads(
        {k: np.asarray(v).view(fake.FakeArray) for k, v in grads(np.float32, 1, seed=5)[0].items()}
    )
    opt.update()
    for param in target.params():
        assert type(param.array) is fake.FakeArray
        assert all(type(v) is fake.FakeArray for v in param.update_rule.state.values())


def test_state_is_created_on_the_parameters_device(make_target):
    fake = pytest.importorskip("kusari_fake_backend")
    target = make_target()
    for param in target.params():
        param.to_device("@fake")
    opt = optimizers.MomentumSGD().setup(target)
    for param in target.params():
        param.grad = np.ones(param.shape, np.float32).view(fake.FakeArray)
    opt.update()
    for param in target.params():
        assert type(param.update_rule.state["v"]) is fake.FakeArray


def test_chainer_style_rule_with_cpu_and_gpu_methods(make_target):
    class HalfStepRule(optimizers.UpdateRule):
        def init_state(self, param):
            self.state["calls"] = np.zeros(1)

        def update_core_cpu(self, param):
            self.state["calls"] += 1
            param.array[...] -= 0.5 * param.grad

    param = kusari.Parameter(np.ones(2))
    param.grad = np.ones(2)
    rule = param.update_rule = HalfStepRule()
    param.update()
    param.update()
    np.testing.assert_array_equal(param.array, [0.0, 0.0])
    assert rule.state["calls"][0] == 2 and rule.t == 2

    class Nothing(optimizers.UpdateRule):
        pass

    param.update_rule = Nothing()
    with pytest.raises(NotImplementedError, match="Nothing: override update_core"):
        param.update()


def test_resolved_hyperparameters_track_every_change():
    parent = Hyperparameter()
    parent.lr = 0.1
    rule = optimizers.SGDRule(parent)
    assert rule.resolved_hyperparam().lr == 0.1
    parent.lr = 0.2
    assert rule.resolved_hyperparam().lr == 0.2
    rule.hyperparam.lr = 0.3
    assert rule.resolved_hyperparam().lr == 0.3
    del rule.hyperparam.lr
    assert rule.resolved_hyperparam().lr == 0.2
    rule.hyperparam = Hyperparameter()
    rule.hyperparam.lr = 5.0
    assert rule.resolved_hyperparam().lr == 5.0
    with pytest.raises(AttributeError, match="no entry 'momentum'"):
        _ = rule.resolved_hyperparam().momentum

    class Plain:  # not a Hyperparameter: its changes cannot be tracked, so no snapshot
        lr = 0.7

    plain = Plain()
    rule.hyperparam = Hyperparameter(plain)
    assert rule.resolved_hyperparam().lr == 0.7
    plain.lr = 0.8
    assert rule.resolved_hyperparam().lr == 0.8
