"""layer_normalization and group_normalization against PyTorch and numerical gradients."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(1)


@pytest.mark.parametrize("shape", [(4, 7), (3, 2, 5)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_norm_oracle(shape, dtype):
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    g = rng.standard_normal(shape[1:]).astype(dtype)
    b = rng.standard_normal(shape[1:]).astype(dtype)
    check_oracle(
        F.layer_normalization,
        lambda x, g, b: torch.nn.functional.layer_norm(x, x.shape[1:], g, b, eps=1e-5),
        [x, g, b],
        atol=1e-4 if dtype == np.float32 else None,
    )


@pytest.mark.parametrize(
    "shape,groups", [((3, 6, 4, 5), 3), ((2, 4, 7), 2), ((2, 4), 4), ((2, 6, 3, 3), 1)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_group_norm_oracle(shape, groups, dtype):
    x = (rng.standard_normal(shape) * 2 - 1).astype(dtype)
    g = rng.standard_normal(shape[1]).astype(dtype)
    b = rng.standard_normal(shape[1]).astype(dtype)
    check_oracle(
        lambda x, g, b: F.group_normalization(x, groups, g, b),
        lambda x, g, b: torch.nn.functional.group_norm(x, groups, g, b, eps=1e-5),
        [x, g, b],
        atol=1e-4 if dtype == np.float32 else None,
    )


def test_layer_norm_backward_and_double_backward():
    x = rng.standard_normal((3, 5))
    g, b = rng.standard_normal(5), rng.standard_normal(5)
    gy = rng.standard_normal(x.shape)
    ggs = (rng.standard_normal(x.shape), rng.standard_normal(5), rng.standard_normal(5))
    check_backward(F.layer_normalization, (x, g, b), gy)
    check_double_backward(F.layer_normalization, (x, g, b), gy, ggs)


def test_group_norm_backward_and_double_backward():
    x = rng.standard_normal((2, 4, 3))
    g, b = rng.standard_normal(4), rng.standard_normal(4)
    gy = rng.standard_normal(x.shape)
    ggs = (rng.standard_normal(x.shape), rng.standard_normal(4), rng.standard_normal(4))

    def f(x, g, b):
        return F.group_normalization(x, 2, g, b)

    check_backward(f, (x, g, b), gy)
    check_double_backward(f, (x, g, b), gy, ggs)


def test_fast_and_differentiable_standardize_agree():
    x = rng.standard_normal((4, 6))
    g, b = rng.standard_normal(6), rng.standard_normal(6)
    gy = rng.standard_normal(x.shape)
    grads = []
    for double in (False, True):
        xs = [Variable(a) for a in (x, g, b)]
        y = F.layer_normalization(*xs)
        grads.append(kusari.grad([y], xs, [Variable(gy)], enable_double_backprop=double))
    for a, c in zip(*grads):
        np.testing.assert_allclose(a.array, c.array, rtol=1e-10, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(
    st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(1, 5), st.integers(0, 99)
)
def test_group_norm_hypothesis(n, groups, per_group, spatial, seed):
    r = np.random.default_rng(seed)
    c = groups * per_group
    x = r.standard_normal((n, c, spatial))
    g, b = r.standard_normal(c), r.standard_normal(c)
    y = F.group_normalization(x, groups, g, b)
    xg = x.reshape(n, groups, -1)
    ref = (xg - xg.mean(2, keepdims=True)) / np.sqrt(xg.var(2, keepdims=True) + 1e-5)
    ref = ref.reshape(x.shape) * g[None, :, None] + b[None, :, None]
    np.testing.assert_allclose(y.array, ref, rtol=1e-9, atol=1e-9)


def test_float16_smoke():
    x = rng.standard_normal((2, 4, 3)).astype(np.float16)
    g, b = np.ones(4, np.float16), np.zeros(4, np.float16)
    assert F.group_normalization(x, 2, g, b).dtype == np.float16
    assert (
        F.layer_normalization(
            x.reshape(2, 12), np.ones(12, np.float16), np.zeros(12, np.float16)
        ).dtype
        == np.float16
    )


def test_layer_norm_bad_inputs():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match=r"layer_normalization: gamma must have shape \(3,\)"):
        F.layer_normalization(x, np.ones(4, np.float32), np.ones(3, np.float32))
    with pytest.raises(TypeError, match="layer_normalization: x must have a floating-point"):
        F.layer_normalization(x.astype(np.int64), np.ones(3, np.float32), np.ones(3, np.float32))
    with pytest.raises(TypeError, match="layer_normalization: beta must have x's dtype"):
        F.layer_normalization(x, np.ones(3, np.float32), np.ones(3, np.float64))


def test_group_norm_bad_inputs():
    x = np.ones((2, 6, 3), np.float32)
    g = np.ones(6, np.float32)
    with pytest.raises(
        ValueError,
        match="group_normalization: groups must be a positive int dividing the 6 channels",
    ):
        F.group_normalization(x, 4, g, g)
    with pytest.raises(ValueError, match=r"group_normalization: beta must have shape \(6,\)"):
        F.group_normalization(x, 3, g, np.ones(3, np.float32))
