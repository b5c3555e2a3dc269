"""Variable operators (basic_math), exp/log and matmul/batch_matmul."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(3)

BINARY = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("pow", lambda a, b: a**b),
]


def positive(shape, dtype=np.float64):
    return rng.uniform(0.5, 2.0, shape).astype(dtype)


@pytest.mark.parametrize("name,op", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_oracle(name, op, dtype):
    check_oracle(op, op, [positive((3, 4), dtype), positive((3, 4), dtype)])


@st.composite
def broadcastable(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    other = tuple(1 if draw(st.booleans()) else d for d in shape)
    cut = draw(st.integers(0, len(other) - 1))  # the oracle helper mishandles 0-d inputs
    return shape, other[cut:]


@settings(max_examples=20, deadline=None)
@given(broadcastable(), st.sampled_from(BINARY))
def test_binary_broadcasting(shapes, named_op):
    _, op = named_op
    a, b = positive(shapes[0]), positive(shapes[1])
    check_oracle(op, op, [a, b])
    check_oracle(op, op, [b, a])


@pytest.mark.parametrize("name,op", BINARY, ids=[b[0] for b in BINARY])
def test_binary_grads(name, op):
    a, b = positive((2, 3)), positive((2, 3))
    gy, gga, ggb = rng.standard_normal((3, 2, 3))
    check_backward(op, (a, b), gy)
    check_double_backward(op, (a, b), gy, (gga, ggb))


SCALAR = [
    ("x+2", lambda x: x + 2.0),
    ("2+x", lambda x: 2.0 + x),
    ("x-2", lambda x: x - 2.0),
    ("2-x", lambda x: 2.0 - x),
    ("x*3", lambda x: x * 3.0),
    ("3*x", lambda x: 3.0 * x),
    ("x/4", lambda x: x / 4.0),
    ("4/x", lambda x: 4.0 / x),
    ("x**2", lambda x: x**2),
    ("x**3", lambda x: x**3.0),
    ("x**0.5", lambda x: x**0.5),
    ("2**x", lambda x: 2.0**x),
    ("-x", lambda x: -x),
    ("abs", lambda x: abs(x)),
]


@pytest.mark.parametrize("name,op", SCALAR, ids=[s[0] for s in SCALAR])
def test_scalar_ops(name, op):
    x = positive((2, 3), np.float32)
    check_oracle(op, op, [x])
    x64 = x.astype(np.float64) * rng.choice([-1, 1], x.shape) if name == "abs" else positive((2, 3))
    gy, ggx = rng.standard_normal((2, 2, 3))
    check_backward(op, x64, gy)
    check_double_backward(op, x64, gy, ggx)


@pytest.mark.parametrize("name,op", SCALAR, ids=[s[0] for s in SCALAR])
def test_scalar_ops_keep_float16(name, op):
    assert op(Variable(positive((3,), np.float16))).dtype == np.float16


def test_absolute_function_and_floordiv():
    x = np.array([-1.5, 0.0, 2.0], np.float32)
    np.testing.assert_array_equal(F.absolute(x).array, np.abs(x))
    v = Variable(np.array([7.0, -7.0]))
    np.testing.assert_array_equal((v // 2.0).array, [3.0, -4.0])
    y = v // 2.0
    y.grad = np.ones(2)
    with pytest.raises(RuntimeError, match="not differentiable"):
        y.backward()


def test_add_many_and_dtype_mismatch():
    a, b, c = (positive((2,), np.float32) for _ in range(3))
    np.testing.assert_allclose(F.add(a, b, c).array, a + b + c)
    with pytest.raises(TypeError, match="same dtype"):
        Variable(a) + Variable(a.astype(np.float64))


@pytest.mark.parametrize(
    "fn,tfn", [(F.exp, torch.exp), (F.log, torch.log), (F.log2, torch.log2), (F.log10, torch.log10)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exp_log_oracle(fn, tfn, dtype):
    check_oracle(fn, tfn, [positive((3, 4), dtype)])
    x = positive((2, 3))
    gy, ggx = rng.standard_normal((2, 2, 3))
    check_backward(fn, x, gy)
    check_double_backward(fn, x, gy, ggx)
    assert fn(positive((2,), np.float16)).dtype == np.float16


def test_exp_log_reject_integers():
    for fn, name in ((F.exp, "exp"), (F.log, "log")):
        with pytest.raises(TypeError, match=name):
            fn(np.arange(3))


@pytest.mark.parametrize(
    "sa,sb",
    [
        ((3, 4), (4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((2, 3, 4), (4, 5)),
        ((4,), (4, 5)),
        ((3, 4), (4,)),
        ((4,), (4,)),
        ((1, 3, 4), (2, 4, 2)),
    ],
)
def test_matmul_oracle_and_grads(sa, sb):
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    out_shape = np.matmul(a, b).shape or (1,)
    # Scalar results are compared as shape (1,): the oracle helper cannot pass 0-d gradients.
    check_oracle(
        lambda a, b: F.reshape(F.matmul(a, b), out_shape),
        lambda a, b: torch.matmul(a, b).reshape(out_shape),
        [a.astype(np.float32), b.astype(np.float32)],
    )
    out = np.matmul(a, b)
    gy = rng.standard_normal(out.shape) if out.ndim else None
    check_backward(F.matmul, (a, b), gy)
    if out.ndim:
        check_double_backward(
            F.matmul, (a, b), gy, (rng.standard_normal(sa), rng.standard_normal(sb))
        )


@pytest.mark.parametrize("transa", [False, True])
@pytest.mark.parametrize("transb", [False, True])
def test_matmul_transpose_flags(transa, transb):
    a = rng.standard_normal((2, 4, 3) if transa else (2, 3, 4))
    b = rng.standard_normal((2, 5, 4) if transb else (2, 4, 5))

    def ref(a, b):
        return torch.matmul(
            a.transpose(-1, -2) if transa else a, b.transpose(-1, -2) if transb else b
        )

    check_oracle(lambda a, b: F.matmul(a, b, transa, transb), ref, [a, b])
    gy = rng.standard_normal((2, 3, 5))
    check_backward(lambda a, b: F.matmul(a, b, transa, transb), (a, b), gy)
    check_double_backward(
        lambda a, b: F.matmul(a, b, transa, transb),
        (a, b),
        gy,
        (rng.standard_normal(a.shape), rng.standard_normal(b.shape)),
    )


def test_matmul_operator_and_errors():
    a = positive((2, 3), np.float32)
    b = positive((3, 2), np.float32)
    np.testing.assert_allclose((Variable(a) @ b).array, a @ b, rtol=1e-6)
    np.testing.assert_allclose((a @ Variable(b)).array, a @ b, rtol=1e-6)
    with pytest.raises(ValueError, match="matmul"):
        F.matmul(a, a)
    with pytest.raises(TypeError, match="matmul"):
        F.matmul(a, b.astype(np.float64))


def test_batch_matmul():
    a, b = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 3, 5))
    check_oracle(F.batch_matmul, torch.bmm, [a, b])
    check_backward(F.batch_matmul, (a, b), rng.standard_normal((4, 2, 5)))
    # 2-D operands are batches of column vectors (Chainer semantics).
    a2, b2 = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    y = F.batch_matmul(a2, b2, transa=True)
    np.testing.assert_allclose(y.array[:, 0, 0], (a2 * b2).sum(1))
