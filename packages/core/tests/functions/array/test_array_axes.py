"""swapaxes, rollaxis, moveaxis, expand_dims, squeeze, flatten against NumPy/PyTorch."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kusari.functions as F
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


shapes = st.lists(st.integers(1, 3), min_size=1, max_size=4).map(tuple)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, data=st.data())
def test_swapaxes_and_moveaxis_any_axes(shape, data):
    n = len(shape)
    a1 = data.draw(st.integers(-n, n - 1))
    a2 = data.draw(st.integers(-n, n - 1))
    x = randn(*shape, dtype=np.float32)
    check_oracle(lambda x: F.swapaxes(x, a1, a2), lambda x: torch.swapaxes(x, a1, a2), [x])
    check_oracle(lambda x: F.moveaxis(x, a1, a2), lambda x: torch.movedim(x, a1, a2), [x])
    start = data.draw(st.integers(-n, n))
    y = F.rollaxis(x, a1, start)
    np.testing.assert_array_equal(y.array, np.rollaxis(x, a1, start))


@settings(max_examples=25, deadline=None)
@given(shape=shapes, data=st.data())
def test_expand_dims_squeeze_flatten(shape, data):
    n = len(shape)
    axis = data.draw(st.integers(-n - 1, n))
    x = randn(*shape, dtype=np.float32)
    check_oracle(lambda x: F.expand_dims(x, axis), lambda x: torch.unsqueeze(x, axis), [x])
    np.testing.assert_array_equal(F.squeeze(x).array, np.squeeze(x))
    ones = tuple(i for i, s in enumerate(shape) if s == 1)
    if ones:
        np.testing.assert_array_equal(F.squeeze(x, ones[-1]).array, np.squeeze(x, ones[-1]))
    np.testing.assert_array_equal(F.flatten(x).array, x.ravel())
    if n > 1:  # a 1-D input comes back unchanged (no node), as in Chainer
        check_oracle(F.flatten, torch.flatten, [x])


def test_moveaxis_several_axes():
    x = randn(2, 3, 4, 5, dtype=np.float32)
    check_oracle(
        lambda x: F.moveaxis(x, (0, 1), (3, 0)), lambda x: torch.movedim(x, (0, 1), (3, 0)), [x]
    )


def test_axes_grads():
    x = randn(2, 3, 4)
    for f in (
        lambda x: F.swapaxes(x, 0, 2),
        lambda x: F.rollaxis(x, 2, 1),
        lambda x: F.moveaxis(x, 0, -1),
        lambda x: F.expand_dims(x, 1),
        F.flatten,
        lambda x: F.squeeze(F.expand_dims(x, 0), 0),
    ):
        y = f(x)
        check_backward(f, x, randn(*y.shape))
        check_double_backward(f, x, randn(*y.shape), randn(*x.shape))


def test_axes_float16_and_bad_inputs():
    x = randn(2, 1, 3, dtype=np.float16)
    assert F.swapaxes(x, 0, 2).dtype == np.float16
    with pytest.raises(ValueError, match="swapaxes: axis1 3 is out of range"):
        F.swapaxes(x, 3, 0)
    with pytest.raises(ValueError, match="squeeze: cannot remove axis 0 of length 2"):
        F.squeeze(x, 0)
    with pytest.raises(ValueError, match="moveaxis: source .* same number"):
        F.moveaxis(x, (0, 1), 2)
    with pytest.raises(ValueError, match="moveaxis: repeated axis"):
        F.moveaxis(x, (0, 0), (1, 2))
    with pytest.raises(ValueError, match="rollaxis: start 5 is out of range"):
        F.rollaxis(x, 0, 5)
    with pytest.raises(ValueError, match="expand_dims: axis 4 is out of range"):
        F.expand_dims(x, 4)
    with pytest.raises(TypeError, match="expand_dims: axis must be an int"):
        F.expand_dims(x, "a")
