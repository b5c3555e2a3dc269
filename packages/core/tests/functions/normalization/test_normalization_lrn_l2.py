"""local_response_normalization and normalize against PyTorch and numerical gradients."""

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(2)


@pytest.mark.parametrize("n", [1, 3, 5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lrn_oracle(n, dtype):
    x = rng.standard_normal((2, 7, 3, 4)).astype(dtype) * 3
    k, alpha, beta = 2.0, 0.3, 0.75
    # torch averages over the window, so its alpha is ours times n (odd n: same window).
    check_oracle(
        lambda x: F.local_response_normalization(x, n, k, alpha, beta),
        lambda x: torch.nn.functional.local_response_norm(x, n, alpha * n, beta, k),
        [x],
    )


def test_lrn_even_n_uses_chainer_window():
    x = rng.standard_normal((1, 6, 2))
    y = F.local_response_normalization(x, n=4, k=1, alpha=0.5, beta=1.0).array
    sq = x**2
    expect = np.empty_like(x)
    for c in range(6):
        lo, hi = max(0, c - 2), min(6, c + 3)
        expect[:, c] = x[:, c] / (1 + 0.5 * sq[:, lo:hi].sum(1))
    np.testing.assert_allclose(y, expect, rtol=1e-12)


def test_lrn_backward_and_double_backward():
    x = rng.standard_normal((2, 5, 3))
    gy = rng.standard_normal(x.shape)
    ggx = rng.standard_normal(x.shape)

    def f(x):
        return F.local_response_normalization(x, 3, 1.5, 0.4, 0.75)

    check_backward(f, x, gy)
    check_double_backward(f, x, gy, ggx)


def test_lrn_fast_and_differentiable_backward_agree():
    x = rng.standard_normal((2, 6, 2))
    gy = rng.standard_normal(x.shape)
    out = []
    for double in (False, True):
        xv = Variable(x)
        y = F.local_response_normalization(xv, 5, 2, 0.1, 0.75)
        out.append(kusari.grad([y], [xv], [Variable(gy)], enable_double_backprop=double)[0])
    np.testing.assert_allclose(out[0].array, out[1].array, rtol=1e-10, atol=1e-13)


def test_lrn_float16_and_bad_input():
    x = rng.standard_normal((2, 5, 3)).astype(np.float16)
    assert F.local_response_normalization(x).dtype == np.float16
    with pytest.raises(TypeError, match="local_response_normalization: x must have a floating"):
        F.local_response_normalization(np.ones((2, 3), np.int32))
    with pytest.raises(ValueError, match="local_response_normalization: x must have shape"):
        F.local_response_normalization(np.ones(3, np.float32))


@pytest.mark.parametrize("axis", [1, 0, (1, 2), -1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalize_oracle(axis, dtype):
    x = rng.standard_normal((3, 4, 5)).astype(dtype)
    # torch divides by max(||x||, eps); with eps=0 both are x / ||x||.
    dim = axis if isinstance(axis, int) else list(axis)
    check_oracle(
        lambda x: F.normalize(x, eps=0, axis=axis),
        lambda x: torch.nn.functional.normalize(x, p=2.0, dim=dim, eps=0),
        [x],
    )


def test_normalize_eps_is_added_to_the_norm():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(F.normalize(x, eps=1.0).array, [[0.5, 2 / 3], [0.0, 0.0]])


def test_normalize_backward_and_double_backward_and_zero_vector():
    x = rng.standard_normal((3, 4))
    gy = rng.standard_normal(x.shape)
    check_backward(F.normalize, x, gy)
    check_double_backward(F.normalize, x, gy, rng.standard_normal(x.shape))
    xv = Variable(np.array([[0.0, 0.0], [1.0, 2.0]]))
    y = F.normalize(xv)
    y.grad = np.ones((2, 2))
    y.backward()
    assert np.all(np.isfinite(xv.grad))
    np.testing.assert_allclose(xv.grad[0], [1e5, 1e5])


def test_normalize_float16_and_bad_input():
    assert F.normalize(np.ones((2, 3), np.float16)).dtype == np.float16
    with pytest.raises(TypeError, match="normalize: x must have a floating-point"):
        F.normalize(np.ones((2, 3), np.int32))
    with pytest.raises(ValueError, match="normalize: axis 3 is out of range"):
        F.normalize(np.ones((2, 3), np.float32), axis=3)
