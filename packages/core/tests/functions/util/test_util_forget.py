"""F.forget: same values and gradients as calling the function directly, less graph."""

import gc
import weakref

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable

rng = np.random.default_rng(7)


def _f(a, b):
    return F.exp(a * b) + a, a - b


def test_values_and_gradients_match_direct_call():
    a, b = rng.standard_normal(4), rng.standard_normal(4)
    ga, gb = rng.standard_normal(4), rng.standard_normal(4)
    res = []
    for use_forget in (False, True):
        av, bv = Variable(a), Variable(b)
        y1, y2 = F.forget(_f, av, bv) if use_forget else _f(av, bv)
        kusari.backward([y1, y2], [ga, gb])
        res.append((y1.array, y2.array, av.grad, bv.grad))
    for x, y in zip(*res):
        np.testing.assert_allclose(x, y, rtol=1e-14)


def test_single_output_and_array_inputs():
    x = rng.standard_normal(3)
    y = F.forget(lambda v: v * 3.0, x)
    assert isinstance(y, Variable)
    y.grad = np.ones(3)
    y.backward()
    np.testing.assert_allclose(y.array, x * 3)


def test_intermediates_are_not_kept():
    seen = []

    def f(x):
        h = x * 2.0
        seen.append(weakref.ref(h))
        return F.exp(h)

    xv = Variable(rng.standard_normal(3))
    y = F.forget(f, xv)
    gc.collect()
    assert seen[0]() is None  # the intermediate Variable is gone after forward
    assert y.creator.__class__.__name__ == "Forget"


def test_recomputation_sees_in_recomputing_flag():
    flags = []

    def f(x):
        flags.append(kusari.config.in_recomputing)
        return x * 1.0

    y = F.forget(f, Variable(np.ones(2)))
    y.grad = np.ones(2)
    y.backward()
    assert flags == [False, True]
    assert kusari.config.in_recomputing is False


def test_unused_output_gradient():
    av, bv = Variable(rng.standard_normal(2)), Variable(rng.standard_normal(2))
    y1, _ = F.forget(_f, av, bv)
    y1.grad = np.ones(2)
    y1.backward()
    np.testing.assert_allclose(bv.grad, np.exp(av.array * bv.array) * av.array)


def test_errors():
    with pytest.raises(TypeError, match="forget: func must be callable"):
        F.forget(3, np.ones(2))
    with pytest.raises(RuntimeError, match="forget: func must return a Variable or a tuple"):
        F.forget(lambda x: x.array, np.ones(2))
    with pytest.raises(RuntimeError, match="element 1 of its tuple is ndarray"):
        F.forget(lambda x: (x * 1.0, x.array), np.ones(2))
    xv = Variable(np.ones(2))
    y = F.forget(lambda x: x * x, xv)
    with pytest.raises(RuntimeError, match="forget: double backpropagation"):
        kusari.grad([y], [xv], [Variable(np.ones(2))], enable_double_backprop=True)


def test_float32_dtype_kept():
    y = F.forget(lambda x: x * 2.0, np.ones(2, np.float32))
    assert y.dtype == np.float32
