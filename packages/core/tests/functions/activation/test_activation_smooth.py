"""sigmoid, hard_sigmoid, tanh, elu, selu, gelu, softplus and swish."""

import math

import numpy as np
import pytest
import torch

import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(1)

SMOOTH = [
    ("sigmoid", F.sigmoid, torch.sigmoid),
    ("tanh", F.tanh, torch.tanh),
    ("elu", F.elu, torch.nn.functional.elu),
    ("elu_alpha", lambda x: F.elu(x, 0.5), lambda x: torch.nn.functional.elu(x, 0.5)),
    ("selu", F.selu, torch.nn.functional.selu),
    ("gelu", F.gelu, torch.nn.functional.gelu),  # torch's default is the exact erf form
    ("softplus", F.softplus, torch.nn.functional.softplus),
    (
        "softplus_beta",
        lambda x: F.softplus(x, 2.0),
        lambda x: torch.nn.functional.softplus(x, beta=2.0, threshold=1e9),
    ),
]


def away_from_zero(shape, dtype=np.float64):
    x = rng.uniform(0.1, 3.0, shape) * rng.choice([-1.0, 1.0], shape)
    return x.astype(dtype)


@pytest.mark.parametrize("name,fn,tfn", SMOOTH, ids=[s[0] for s in SMOOTH])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_oracle(name, fn, tfn, dtype):
    check_oracle(fn, tfn, [away_from_zero((3, 5), dtype)])


@pytest.mark.parametrize("name,fn,tfn", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_backward_and_double_backward(name, fn, tfn):
    x = away_from_zero((2, 3))
    gy, ggx = rng.standard_normal((2, 2, 3))
    check_backward(fn, x, gy)
    check_double_backward(fn, x, gy, ggx)


@pytest.mark.parametrize("name,fn,tfn", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_float16_and_int(name, fn, tfn):
    x = away_from_zero((4,), np.float16)
    y = fn(x)
    assert y.dtype == np.float16
    ref = tfn(torch.from_numpy(x.astype(np.float32))).numpy()
    np.testing.assert_allclose(y.array.astype(np.float32), ref, atol=1e-2, rtol=1e-2)
    with pytest.raises(TypeError, match=name.split("_")[0]):
        fn(np.arange(3, dtype=np.int32))


def test_sigmoid_and_tanh_extremes_are_finite():
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], np.float32)
    y = F.sigmoid(x).array
    np.testing.assert_allclose(y, [0, 0, 0.5, 1, 1], atol=1e-7)
    assert np.isfinite(F.softplus(x).array).all()
    np.testing.assert_allclose(F.softplus(x).array[-1], 1e4)
    np.testing.assert_allclose(F.elu(x).array[:2], [-1.0, -1.0])


def test_sigmoid_tanh_keep_only_outputs():
    for fn in (F.sigmoid, F.tanh):
        x = Variable(away_from_zero((2, 2), np.float32))
        y = fn(x)
        assert y.creator._input_indexes_to_retain is None
        assert y.creator._output_indexes_to_retain == (0,)


def test_hard_sigmoid_is_chainer_formula():
    x = np.array([-3.0, -2.0, 0.0, 1.0, 2.0, 3.0], np.float32)
    expect = np.clip(0.2 * x + 0.5, 0, 1)
    check_oracle(
        F.hard_sigmoid,
        lambda t: torch.clamp(0.2 * t + 0.5, 0, 1),
        [away_from_zero((3, 4), np.float32) * 2],
    )
    np.testing.assert_allclose(F.hard_sigmoid(x).array, expect, rtol=1e-6)
    xd = rng.uniform(-2.4, 2.4, (3, 4))
    check_backward(F.hard_sigmoid, xd, rng.standard_normal(xd.shape))
    check_double_backward(
        F.hard_sigmoid, xd, rng.standard_normal(xd.shape), rng.standard_normal(xd.shape)
    )
    v = Variable(np.array([3.0, 0.0, -3.0]))
    y = F.hard_sigmoid(v)
    y.grad = np.ones(3)
    y.backward()
    np.testing.assert_allclose(v.grad, [0.0, 0.2, 0.0])


def test_gelu_values_exact_erf_form():
    x = np.linspace(-4, 4, 9)
    expect = [xi * 0.5 * (1 + math.erf(xi / math.sqrt(2))) for xi in x]
    np.testing.assert_allclose(F.gelu(x).array, expect, rtol=1e-14, atol=1e-300)


def test_softplus_errors():
    with pytest.raises(ValueError, match="softplus"):
        F.softplus(np.ones(2, np.float32), beta=0)


@pytest.mark.parametrize("bshape", [(3,), (3, 4)])
def test_swish(bshape):
    x = away_from_zero((2, 3, 4))
    beta = rng.uniform(0.5, 2.0, bshape)
    b = beta.reshape((1,) + bshape + (1,) * (2 - len(bshape)))
    check_oracle(
        F.swish,
        lambda x, beta: x * torch.sigmoid(beta.reshape(b.shape) * x),
        [x.astype(np.float32), beta.astype(np.float32)],
    )
    gy, ggx = rng.standard_normal((2,) + x.shape)
    check_backward(F.swish, (x, beta), gy)
    check_double_backward(F.swish, (x, beta), gy, (ggx, rng.standard_normal(bshape)))


def test_swish_errors():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match="swish.*beta"):
        F.swish(x, np.ones(2, np.float32))
    with pytest.raises(TypeError, match="swish"):
        F.swish(x, np.ones(3, np.float64))
    with pytest.raises(TypeError, match="swish"):
        F.swish(np.ones((2, 3), np.int32), np.ones(3, np.int32))
