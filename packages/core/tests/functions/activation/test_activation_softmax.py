"""softmax, log_softmax and maxout."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kusari.functions as F
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(2)


@st.composite
def shape_and_axis(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return shape, axis


@settings(max_examples=25, deadline=None)
@given(shape_and_axis(), st.sampled_from([np.float32, np.float64]))
def test_softmax_oracle_any_axis(sa, dtype):
    shape, axis = sa
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    check_oracle(lambda x: F.softmax(x, axis), lambda x: torch.softmax(x, dim=axis), [x])
    check_oracle(lambda x: F.log_softmax(x, axis), lambda x: torch.log_softmax(x, dim=axis), [x])


def test_default_axis_is_1():
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(
        F.softmax(x).array, torch.softmax(torch.from_numpy(x), 1).numpy(), rtol=1e-5
    )
    np.testing.assert_allclose(
        F.log_softmax(x).array, torch.log_softmax(torch.from_numpy(x), 1).numpy(), rtol=1e-5
    )


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_backward_and_double_backward(fn, axis):
    x = rng.standard_normal((2, 3, 4))
    gy, ggx = rng.standard_normal((2,) + x.shape)
    check_backward(lambda x: fn(x, axis), x, gy)
    check_double_backward(lambda x: fn(x, axis), x, gy, ggx)


def test_large_inputs_do_not_overflow():
    x = np.array([[1000.0, 1000.0, -1000.0]], np.float32)
    np.testing.assert_allclose(F.softmax(x).array, [[0.5, 0.5, 0.0]])
    expect = [[-np.log(2), -np.log(2), -2000.0 - np.log(2)]]
    np.testing.assert_allclose(F.log_softmax(x).array, expect, rtol=1e-6)


def test_float16_and_errors():
    x = rng.standard_normal((3, 4)).astype(np.float16)
    for fn in (F.softmax, F.log_softmax):
        y = fn(x)
        assert y.dtype == np.float16
    np.testing.assert_allclose(F.softmax(x).array.astype(np.float32).sum(1), 1, atol=1e-2)
    with pytest.raises(TypeError, match="softmax"):
        F.softmax(np.ones((2, 2), np.int32))
    with pytest.raises(ValueError, match="log_softmax.*axis"):
        F.log_softmax(x, axis=2)


@pytest.mark.parametrize("axis", [1, 2, -1])
def test_maxout(axis):
    x = rng.permutation(2 * 6 * 4).reshape(2, 6, 4).astype(np.float32)  # no ties
    if axis == 2 or axis == -1:
        x = x.transpose(0, 2, 1).copy().reshape(2, 6, 4)
    pool = 2
    ax = axis % 3

    def ref(t):
        shape = t.shape[:ax] + (t.shape[ax] // pool, pool) + t.shape[ax + 1 :]
        return t.reshape(shape).amax(dim=ax + 1)

    check_oracle(lambda x: F.maxout(x, pool, axis), ref, [x])
    x64 = x.astype(np.float64)
    out_shape = list(x.shape)
    out_shape[ax] //= pool
    check_backward(lambda x: F.maxout(x, pool, axis), x64, rng.standard_normal(out_shape))


def test_maxout_errors():
    x = np.ones((2, 5), np.float32)
    with pytest.raises(ValueError, match="maxout.*multiple"):
        F.maxout(x, 2)
    with pytest.raises(ValueError, match="maxout"):
        F.maxout(x, 0)
