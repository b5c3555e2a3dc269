"""Link: registration, traversal, gradients, update switches, devices, repr, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import kusari
import kusari.links as L
from kusari import initializers


class Affine(kusari.Link):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.W = kusari.Parameter(np.arange(6, dtype=np.float32).reshape(2, 3))
            self.b = kusari.Parameter(initializers.Zero(), (2,))
            self.lazy = kusari.Parameter(initializers.One())

    def forward(self, x):
        return kusari.functions.linear(x, self.W, self.b)


class Rule:
    """Stands for an optimizer's UpdateRule: only ``enabled`` matters here."""

    def __init__(self):
        self.enabled = True


def test_init_scope_registers_parameters_in_order():
    link = Affine()
    assert [name for name, _ in link.namedparams()] == ["/W", "/b", "/lazy"]
    assert [p.name for p in link.params()] == ["W", "b", "lazy"]
    assert [p.name for p in link.params(include_uninit=False)] == ["W", "b"]
    assert not link.within_init_scope


def test_call_delegates_to_forward():
    y = Affine()(np.ones((1, 3), np.float32))
    np.testing.assert_array_equal(y.array, [[3.0, 12.0]])


def test_missing_forward_names_the_class():
    with pytest.raises(NotImplementedError, match="Link: forward is not implemented"):
        kusari.Link()(1)


def test_plain_attributes_are_not_registered():
    link = Affine()
    with link.init_scope():
        link.scale = 3.0
        link.v = kusari.Variable(np.zeros(1, np.float32))
    assert [n for n, _ in link.namedparams()] == ["/W", "/b", "/lazy"]
    assert link.scale == 3.0


def test_parameter_outside_init_scope_is_an_error():
    link = Affine()
    with pytest.raises(ValueError, match=r"Affine: cannot assign the Parameter 'W2' outside"):
        link.W2 = kusari.Parameter(np.zeros(2, np.float32))
    assert "W2" not in link.__dict__


def test_registered_parameter_can_be_replaced_outside_init_scope():
    link = Affine()
    new = kusari.Parameter(np.ones((2, 3), np.float32))
    link.W = new
    assert dict(link.namedparams())["/W"] is new and new.name == "W"


def test_non_parameter_on_a_parameter_name_is_a_type_error():
    link = Affine()
    with pytest.raises(
        TypeError,
        match=r"Affine.W is a registered parameter; expected a "
        r"kusari.Parameter, got ndarray",
    ):
        link.W = np.zeros((2, 3), np.float32)


def test_init_scope_before_super_init_is_explained():
    class Forgetful(kusari.Link):
        def __init__(self):
            with self.init_scope():
                self.W = kusari.Parameter(np.zeros(1, np.float32))

    with pytest.raises(RuntimeError, match=r"call super\(\).__init__\(\)"):
        Forgetful()


def test_attributes_set_before_super_init_work():
    class Early(kusari.Chain):
        def __init__(self):
            self.n_units = 3
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(2, self.n_units)

    assert Early().l1.out_size == 3


def test_delattr_unregisters():
    link = Affine()
    del link.b
    assert [n for n, _ in link.namedparams()] == ["/W", "/lazy"]
    link.add_persistent("b", 1)
    assert link.b == 1


def test_add_param_v1_forms():
    link = kusari.Link(x=(2, 3), y=((4,), np.float64))
    assert link.x.shape == (2, 3) and link.x.dtype == np.float32
    assert np.isnan(link.x.array).all()
    assert link.y.dtype == np.float64
    link.add_param("z", (2,), initializer=initializers.Constant(5.0))
    np.testing.assert_array_equal(link.z.array, [5.0, 5.0])
    link.add_param("w")
    assert link.w.array is None
    with pytest.raises(AttributeError, match="cannot register a new parameter 'z'"):
        link.add_param("z", (1,))


def test_persistents():
    link = kusari.Link()
    link.add_persistent("count", 0)
    link.stats = np.zeros(3, np.float32)
    link.register_persistent("stats")
    assert link._persistent == ["count", "stats"]
    with pytest.raises(AttributeError, match="cannot register a new persistent value 'count'"):
        link.add_persistent("count", 1)
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        link.register_persistent("missing")


def test_register_persistent_demotes_a_parameter():
    link = Affine()
    link.register_persistent("b")
    assert [n for n, _ in link.namedparams()] == ["/W", "/lazy"]
    assert "b" in link._persistent


def test_links_and_children_of_a_plain_link():
    link = Affine()
    assert list(link.links()) == [link]
    assert list(link.links(skipself=True)) == []
    assert list(link.namedlinks()) == [("/", link)]
    assert list(link.children()) == []


def test_cleargrads_and_zerograds():
    link = Affine()
    y = link(np.ones((2, 3), np.float32))
    y.grad = np.ones((2, 2), np.float32)
    y.backward()
    np.testing.assert_array_equal(link.b.grad, [2.0, 2.0])
    link.cleargrads()
    assert link.W.grad is None and link.b.grad is None
    with pytest.warns(DeprecationWarning, match="zerograds is deprecated"):
        link.zerograds()
    np.testing.assert_array_equal(link.W.grad, np.zeros((2, 3), np.float32))
    assert link.lazy.grad is None  # uninitialized: nothing to zero


def test_zerograds_then_backward_accumulates_from_zero():
    # Chainer v1 tutorial: f.zerograds(); y.backward() gives dW = sum of x rows.
    f = L.Linear(3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        f.zerograds()
    x = kusari.Variable(np.array([[1, 2, 3], [4, 5, 6]], np.float32))
    y = f(x)
    y.grad = np.ones((2, 2), np.float32)
    y.backward()
    np.testing.assert_array_equal(f.W.grad, [[5, 7, 9], [5, 7, 9]])
    np.testing.assert_array_equal(f.b.grad, [2, 2])


def test_addgrads_and_copyparams():
    a, b = L.Linear(3, 2), L.Linear(3, 2)
    a.W.grad = np.ones((2, 3), np.float32)
    b.W.grad = np.full((2, 3), 2.0, np.float32)
    b.b.grad = np.full(2, 3.0, np.float32)
    a.addgrads(b)
    np.testing.assert_array_equal(a.W.grad, np.full((2, 3), 3.0))
    np.testing.assert_array_equal(a.b.grad, [3.0, 3.0])
    a.copyparams(b)
    np.testing.assert_array_equal(a.W.array, b.W.array)
    assert a.W.array is not b.W.array


def test_copyparams_initializes_lazy_params_and_copies_persistents():
    src, dst = L.BatchNormalization(3), L.BatchNormalization()
    src.avg_mean[...] = 7
    src.N = 4
    dst.copyparams(src)
    assert dst.gamma.shape == (3,)
    np.testing.assert_array_equal(dst.avg_mean, [7, 7, 7])
    assert dst.N == 4
    dst2 = L.BatchNormalization(3)
    dst2.copyparams(src, copy_persistent=False)
    np.testing.assert_array_equal(dst2.avg_mean, [0, 0, 0])


def test_addgrads_mismatched_structure():
    with pytest.raises(ValueError, match=r"Linear.addgrads: the source link has no parameter '/b'"):
        L.Linear(3, 2).addgrads(L.Linear(3, 2, nobias=True))


def test_count_params_warns_about_uninitialized():
    assert L.Linear(3, 2).count_params() == 8
    with pytest.warns(UserWarning, match="'/W' is not initialized"):
        assert L.Linear(None, 2).count_params() == 2


def test_update_switches():
    link = Affine()
    assert not link.update_enabled  # no optimizer yet: no update rules
    for p in link.params():
        p.update_rule = Rule()
    assert link.update_enabled
    link.disable_update()
    assert not link.update_enabled
    assert all(not p.update_rule.enabled for p in link.params())
    link.enable_update()
    assert link.update_enabled


def test_device_and_xp_on_the_host():
    link = L.Linear(3, 2)
    assert link.xp is np
    assert link.device == kusari.get_device("@numpy")
    assert link.to_device("@numpy") is link
    assert link.to_cpu() is link
    assert link.xp is np


def test_to_gpu_without_cuda_is_explained():
    from kusari.backends import cuda

    if cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises((ImportError, RuntimeError), match=r"kusari-backend-cuda|unavailable"):
        L.Linear(3, 2).to_gpu(0)


def test_repr_shows_module_path_and_tree():
    assert repr(L.Linear(3, 2)) == (
        "kusari.links.connection.linear.Linear(in_size=3, out_size=2, nobias=False)"
    )
    model = kusari.Chain(l1=L.Linear(None, 4), seq=kusari.ChainList(L.Linear(4, 2)))
    assert repr(model) == (
        "kusari.links._chain.Chain(\n"
        "  (l1): Linear(in_size=None, out_size=4, nobias=False),\n"
        "  (seq): ChainList(\n"
        "    (0): Linear(in_size=4, out_size=2, nobias=False),\n"
        "  ),\n"
        ")"
    )


def test_parameter_repr_is_named():
    # Chainer 7 prints parameters as variables with their name.
    assert repr(L.Linear(1, 1, initialW=2.0).W).startswith("variable W(")


def test_params_is_a_cheap_generator():
    model = kusari.Chain(a=L.Linear(2, 2), b=L.Linear(2, 2))
    gen = model.params()
    assert iter(gen) is gen
    assert len(list(gen)) == 4
