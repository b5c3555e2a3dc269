"""Elementwise math: log1p … cosh, erf, clip, maximum/minimum, rounding, fmod, bias/scale…"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(4)

UNARY = [  # name, kusari, torch, input sampler
    ("log1p", F.log1p, torch.log1p, lambda s: rng.uniform(-0.5, 2, s)),
    ("expm1", F.expm1, torch.expm1, lambda s: rng.uniform(-2, 2, s)),
    ("sqrt", F.sqrt, torch.sqrt, lambda s: rng.uniform(0.5, 3, s)),
    ("rsqrt", F.rsqrt, torch.rsqrt, lambda s: rng.uniform(0.5, 3, s)),
    ("square", F.square, torch.square, lambda s: rng.uniform(-2, 2, s)),
    ("sin", F.sin, torch.sin, lambda s: rng.uniform(-3, 3, s)),
    ("cos", F.cos, torch.cos, lambda s: rng.uniform(-3, 3, s)),
    ("tan", F.tan, torch.tan, lambda s: rng.uniform(-1.2, 1.2, s)),
    ("arcsin", F.arcsin, torch.arcsin, lambda s: rng.uniform(-0.9, 0.9, s)),
    ("arccos", F.arccos, torch.arccos, lambda s: rng.uniform(-0.9, 0.9, s)),
    ("arctan", F.arctan, torch.arctan, lambda s: rng.uniform(-3, 3, s)),
    ("sinh", F.sinh, torch.sinh, lambda s: rng.uniform(-2, 2, s)),
    ("cosh", F.cosh, torch.cosh, lambda s: rng.uniform(-2, 2, s)),
    ("erf", F.erf, torch.erf, lambda s: rng.uniform(-3, 3, s)),
    ("erfc", F.erfc, torch.erfc, lambda s: rng.uniform(-3, 3, s)),
]
IDS = [u[0] for u in UNARY]


@pytest.mark.parametrize("name,fn,tfn,sample", UNARY, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_oracle(name, fn, tfn, sample, dtype):
    check_oracle(fn, tfn, [sample((3, 4)).astype(dtype)])


@pytest.mark.parametrize("name,fn,tfn,sample", UNARY, ids=IDS)
def test_unary_grads(name, fn, tfn, sample):
    x = sample((2, 3))
    gy, ggx = rng.standard_normal((2, 2, 3))
    check_backward(fn, x, gy)
    check_double_backward(fn, x, gy, ggx)


@pytest.mark.parametrize("name,fn,tfn,sample", UNARY, ids=IDS)
def test_unary_float16_and_int(name, fn, tfn, sample):
    assert fn(sample((3,)).astype(np.float16)).dtype == np.float16
    with pytest.raises(TypeError, match=name):
        fn(np.arange(1, 4))


@pytest.mark.parametrize("lo,hi", [(-1.0, 1.0), (None, 0.5), (-0.5, None)])
def test_clip(lo, hi):
    x = rng.uniform(-2, 2, (3, 4))
    for k in (lo, hi):  # keep away from the kinks
        if k is not None:
            x[np.abs(x - k) < 0.05] += 0.2
    check_oracle(
        lambda x: F.clip(x, lo, hi), lambda x: torch.clamp(x, lo, hi), [x.astype(np.float32)]
    )
    gy, ggx = rng.standard_normal((2, 3, 4))
    check_backward(lambda x: F.clip(x, lo, hi), x, gy)
    check_double_backward(lambda x: F.clip(x, lo, hi), x, gy, ggx)


def test_clip_errors_and_boundary_gradient():
    with pytest.raises(ValueError, match="clip"):
        F.clip(np.ones(2, np.float32), 1.0, -1.0)
    with pytest.raises(ValueError, match="clip"):
        F.clip(np.ones(2, np.float32), None, None)
    with pytest.raises(TypeError, match="clip"):
        F.clip(np.ones(2, np.int32), 0, 1)
    x = Variable(np.array([-1.0, 0.0, 1.0, 2.0]))
    y = F.clip(x, -1.0, 1.0)
    y.grad = np.ones(4)
    y.backward()
    np.testing.assert_array_equal(x.grad, [1, 1, 1, 0])  # torch.clamp passes at the bounds


@st.composite
def broadcast_pair(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    other = tuple(1 if draw(st.booleans()) else d for d in shape)
    return shape, other[draw(st.integers(0, len(other) - 1)) :]


@settings(max_examples=20, deadline=None)
@given(broadcast_pair(), st.sampled_from([(F.maximum, torch.maximum), (F.minimum, torch.minimum)]))
def test_maximum_minimum_broadcast(shapes, fns):
    # Distinct values avoid ties (torch splits tied gradients; Chainer gives them to x1).
    vals = rng.permutation(100)[: int(np.prod(shapes[0]) + np.prod(shapes[1]))] / 10.0
    a = vals[: int(np.prod(shapes[0]))].reshape(shapes[0])
    b = vals[int(np.prod(shapes[0])) :].reshape(shapes[1])
    check_oracle(fns[0], fns[1], [a, b])


def test_maximum_grads_ties_and_errors():
    a, b = rng.standard_normal((2, 3, 4))
    gy, gga, ggb = rng.standard_normal((3, 3, 4))
    check_backward(F.maximum, (a, b), gy)
    check_double_backward(F.minimum, (a, b), gy, (gga, ggb))
    x1, x2 = Variable(np.array([1.0, 2.0])), Variable(np.array([1.0, 3.0]))
    y = F.maximum(x1, x2)
    y.grad = np.ones(2)
    y.backward()
    np.testing.assert_array_equal(x1.grad, [1, 0])
    np.testing.assert_array_equal(x2.grad, [0, 1])
    with pytest.raises(TypeError, match="maximum"):
        F.maximum(np.ones(2, np.float32), np.ones(2))
    with pytest.raises(ValueError, match="minimum"):
        F.minimum(np.ones(2), np.ones(3))


@pytest.mark.parametrize("fn", [F.sign, F.floor, F.ceil])
def test_rounding_is_constant(fn):
    x = np.array([-1.5, -0.0, 0.3, 2.7], np.float32)
    y = fn(Variable(x))
    np.testing.assert_array_equal(y.array, getattr(np, fn.__name__)(x))
    assert y.dtype == np.float32 and y.creator is None and not y.requires_grad
    with pytest.raises(TypeError, match=fn.__name__):
        fn(np.arange(3))


def test_fmod():
    x = rng.uniform(-5, 5, (3, 4))
    d = rng.uniform(0.7, 2, (3, 4))
    check_oracle(F.fmod, torch.fmod, [x, d])
    gy, ggx, ggd = rng.standard_normal((3, 3, 4))
    check_backward(F.fmod, (x, d), gy)
    check_double_backward(F.fmod, (x, d), gy, (ggx, ggd))
    with pytest.raises(TypeError, match="fmod"):
        F.fmod(x, d.astype(np.float32))


def test_linear_interpolate():
    p, x, y = rng.uniform(0, 1, (3, 2, 3))
    check_oracle(F.linear_interpolate, lambda p, x, y: p * x + (1 - p) * y, [p, x, y])
    gz, ggp, ggx, ggy = rng.standard_normal((4, 2, 3))
    check_backward(F.linear_interpolate, (p, x, y), gz)
    check_double_backward(F.linear_interpolate, (p, x, y), gz, (ggp, ggx, ggy))
    with pytest.raises(ValueError, match="linear_interpolate"):
        F.linear_interpolate(p, x, y[:1])


def test_squared_difference_and_batch_l2():
    a, b = rng.standard_normal((2, 3, 4)).astype(np.float32)
    check_oracle(F.squared_difference, lambda a, b: (a - b) ** 2, [a, b])
    x = rng.standard_normal((3, 2, 2))
    check_oracle(F.batch_l2_norm_squared, lambda x: (x**2).reshape(3, -1).sum(1), [x])
    gy = rng.standard_normal(3)
    check_backward(F.batch_l2_norm_squared, x, gy)
    check_double_backward(F.batch_l2_norm_squared, x, gy, rng.standard_normal(x.shape))
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    check_double_backward(
        F.squared_difference,
        (a64, b64),
        rng.standard_normal(a.shape),
        tuple(rng.standard_normal((2,) + a.shape)),
    )
    with pytest.raises(ValueError, match="squared_difference"):
        F.squared_difference(a, b[:1])
    with pytest.raises(ValueError, match="batch_l2_norm_squared"):
        F.batch_l2_norm_squared(np.ones((), np.float32))


@pytest.mark.parametrize("axis,yshape", [(1, (3,)), (1, (3, 4)), (2, (4,)), (0, (2, 3))])
def test_bias_and_scale(axis, yshape):
    x = rng.standard_normal((2, 3, 4))
    y = rng.standard_normal(yshape)
    shape = (1,) * axis + yshape + (1,) * (3 - axis - len(yshape))
    check_oracle(lambda x, y: F.bias(x, y, axis), lambda x, y: x + y.reshape(shape), [x, y])
    check_oracle(lambda x, y: F.scale(x, y, axis), lambda x, y: x * y.reshape(shape), [x, y])
    gz = rng.standard_normal(x.shape)
    check_double_backward(
        lambda x, y: F.scale(x, y, axis),
        (x, y),
        gz,
        (rng.standard_normal(x.shape), rng.standard_normal(yshape)),
    )


def test_bias_scale_errors():
    x = np.ones((2, 3, 4), np.float32)
    with pytest.raises(ValueError, match="bias"):
        F.bias(x, np.ones(4, np.float32))
    with pytest.raises(TypeError, match="scale"):
        F.scale(x, np.ones(3))


def test_identity():
    a, b = rng.standard_normal((2, 3))
    va, vb = Variable(a), Variable(b)
    ya, yb = F.identity(va, vb)
    assert ya is not va and ya.array is a
    z = ya * 2.0 + yb
    z.grad = np.ones(3)
    z.backward()
    np.testing.assert_array_equal(va.grad, [2, 2, 2])
    np.testing.assert_array_equal(vb.grad, [1, 1, 1])
    assert isinstance(F.identity(a), Variable)
    with pytest.raises(TypeError, match="identity"):
        F.identity()


def test_fix_and_arctan2():
    x = np.array([-1.5, -0.5, 0.5, 2.7], np.float32)
    y = F.fix(Variable(x))
    np.testing.assert_array_equal(y.array, np.fix(x))
    assert y.creator is None
    a = rng.uniform(-2, 2, (3, 4))
    b = rng.uniform(0.3, 2, (3, 4)) * rng.choice([-1, 1], (3, 4))
    check_oracle(F.arctan2, torch.arctan2, [a, b])
    check_oracle(F.arctan2, torch.arctan2, [a.astype(np.float32), b[:1].astype(np.float32)])
    gy, gga, ggb = rng.standard_normal((3, 3, 4))
    check_backward(F.arctan2, (a, b), gy)
    check_double_backward(F.arctan2, (a, b), gy, (gga, ggb))
    with pytest.raises(TypeError, match="arctan2"):
        F.arctan2(a, b.astype(np.float32))
