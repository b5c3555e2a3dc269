import copy
import gc
import weakref

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Parameter, Variable


def test_properties_and_aliases():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    v = Variable(a, name="v")
    assert v.array is a and v.data is a
    assert v.shape == (2, 3) and v.dtype == np.float32 and v.ndim == 2 and v.size == 6
    assert len(v) == 2 and v.name == "v" and v.creator is None and v.requires_grad
    np.testing.assert_array_equal(v.T.array, a.T)
    np.testing.assert_array_equal(v.reshape(3, 2).array, a.reshape(3, 2))
    np.testing.assert_array_equal(v.reshape((6,)).array, a.ravel())
    np.testing.assert_array_equal(v.transpose(1, 0).array, a.T)
    np.testing.assert_array_equal(v[1, 1:].array, a[1, 1:])
    assert v.xp is np
    assert v.device == kusari.get_device("@numpy")


def test_rejects_non_arrays_clearly():
    with pytest.raises(TypeError, match="Variable: expected an array"):
        Variable([1, 2, 3])
    with pytest.raises(TypeError, match="numpy.asarray"):
        Variable(1.0)


def test_grad_setter_checks_shape_and_dtype():
    v = Variable(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"expected shape \(2, 3\), got \(3,\)"):
        v.grad = np.zeros(3, np.float32)
    with pytest.raises(TypeError, match="expected dtype float32, got float64"):
        v.grad = np.zeros((2, 3))
    v.grad = np.ones((2, 3), np.float32)
    assert isinstance(v.grad_var, Variable)
    v.cleargrad()
    assert v.grad is None


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_operators_with_scalars_and_arrays(op, side):
    import operator

    f = {
        "add": operator.add,
        "sub": operator.sub,
        "mul": operator.mul,
        "div": operator.truediv,
        "pow": operator.pow,
    }[op]
    a = np.array([1.5, 2.0, 3.0], np.float32)
    c = np.array([2.0, 0.5, 1.25], np.float32)
    v = Variable(a)
    for other in (2.0, 3, np.float32(1.5), c):
        got = f(v, other) if side == "left" else f(other, v)
        want = f(a, other) if side == "left" else f(other, a)
        assert isinstance(got, Variable)
        np.testing.assert_allclose(got.array, want, rtol=1e-6)
        assert got.dtype == np.float32


def test_unary_and_matmul_operators():
    a = np.array([[-1.0, 2.0], [3.0, -4.0]], np.float32)
    v = Variable(a)
    np.testing.assert_array_equal((-v).array, -a)
    np.testing.assert_array_equal((+v).array, a)
    np.testing.assert_array_equal(abs(v).array, abs(a))
    np.testing.assert_array_equal((v @ v).array, a @ a)
    np.testing.assert_array_equal((a @ v).array, a @ a)
    np.testing.assert_array_equal((v // 2).array, a // 2)


def test_dtype_mismatch_is_a_clear_error():
    v = Variable(np.ones(2, np.float32))
    with pytest.raises(TypeError, match="Add: both operands must have the same dtype"):
        v + Variable(np.ones(2))


def test_comparison_and_truth_raise():
    v = Variable(np.ones(2, np.float32))
    with pytest.raises(NotImplementedError, match="compare the arrays"):
        v < v  # noqa: B015
    with pytest.raises(TypeError, match="truth value"):
        bool(v)


def test_repr_and_str():
    v = Variable(np.array([1.0, 2.0], np.float32))
    assert repr(v) == "variable([1., 2.])"
    w = Variable(np.array([1.0], np.float32), name="W")
    assert repr(w).startswith("variable W(")
    assert str(v) == "variable([1. 2.])"


def test_non_scalar_backward_without_grad_is_an_error():
    v = Variable(np.ones((2, 2), np.float32))
    y = v * 2
    with pytest.raises(ValueError, match=r"shape \(2, 2\), not a scalar"):
        y.backward()


def test_shape_one_output_is_treated_as_scalar():
    v = Variable(np.array([3.0], np.float32))
    y = v * v
    y.backward()
    np.testing.assert_array_equal(y.grad, [1.0])
    np.testing.assert_array_equal(v.grad, [6.0])


def test_zerograd_warns_and_fills_zeros():
    v = Variable(np.ones(3, np.float32))
    with pytest.warns(DeprecationWarning):
        v.zerograd()
    np.testing.assert_array_equal(v.grad, np.zeros(3))


def test_addgrad():
    a = Variable(np.ones(2, np.float32))
    b = Variable(np.ones(2, np.float32))
    b.grad = np.array([1.0, 2.0], np.float32)
    a.addgrad(b)
    a.addgrad(b)
    np.testing.assert_array_equal(a.grad, [2.0, 4.0])


def test_unchain_and_unchain_backward():
    x = Variable(np.ones(2, np.float32))
    h = x * 2
    y = h * 3
    h.unchain()
    assert h.creator is None
    y.grad = np.ones(2, np.float32)
    y.backward()
    assert x.grad is None
    np.testing.assert_array_equal(h.grad, [3.0, 3.0])
    z = (x * 2) * 3
    z.unchain_backward()
    assert z.creator is None


def test_to_device_numpy_and_to_gpu_without_backend():
    v = Variable(np.ones(2, np.float32))
    v.grad = np.ones(2, np.float32)
    assert v.to_cpu() is v
    assert v.to_device("@numpy") is v
    with pytest.raises((ImportError, RuntimeError), match="kusari-backend-cuda|CUDA"):
        v.to_gpu(0)


def test_parameter_lazy_initialization():
    from kusari import initializers

    p = Parameter(initializers.Constant(3.0))
    assert p.array is None and not p.is_initialized
    p.initialize((2, 3))
    np.testing.assert_array_equal(p.array, np.full((2, 3), 3.0, np.float32))
    q = Parameter(np.zeros(3, np.float32), name="b")
    assert q.name == "b" and q.shape == (3,)
    r = Parameter(2, (2,))
    np.testing.assert_array_equal(r.array, [2.0, 2.0])
    nan = Parameter(shape=(2,))
    assert np.isnan(nan.array).all()


def test_parameter_deepcopy_keeps_data_and_grad():
    p = Parameter(np.arange(3, dtype=np.float32), name="W")
    p.grad = np.ones(3, np.float32)
    q = copy.deepcopy(p)
    assert q.array is not p.array
    np.testing.assert_array_equal(q.array, p.array)
    np.testing.assert_array_equal(q.grad, p.grad)
    assert q.name == "W"


def test_as_variable_and_as_array():
    a = np.ones(2, np.float32)
    v = kusari.as_variable(a)
    assert not v.requires_grad and v.array is a
    assert kusari.as_variable(v) is v
    assert kusari.as_array(v) is a and kusari.as_array(a) is a


def test_intermediate_arrays_are_freed():
    """The graph keeps nodes, not arrays: an unretained intermediate dies with its Variable."""
    x = Variable(np.ones((100,), np.float32))
    h = x * 2  # MulConstant retains nothing
    h2 = h + 1  # AddConstant retains nothing
    ref = weakref.ref(h.array)
    y = F.sum_to(h2, (1,))
    del h, h2
    gc.collect()
    assert ref() is None
    y.backward()
    np.testing.assert_array_equal(x.grad, np.full(100, 2.0))


def test_retained_inputs_survive_until_graph_dies():
    x = Variable(np.ones((4,), np.float32))
    h = x + 1
    y = h * h  # Mul retains its inputs
    ref = weakref.ref(h.array)
    del h
    gc.collect()
    assert ref() is not None  # needed by backward
    del y
    gc.collect()
    assert ref() is None


def test_variable_dies_when_unreferenced():
    x = Variable(np.ones(2, np.float32))
    y = x * 2
    r = weakref.ref(y)
    del y
    gc.collect()
    assert r() is None
