"""linear against torch.nn.functional.linear, numerically, and its error messages."""

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [1, 7])
def test_linear_oracle(dtype, batch):
    x, W, b = randn(batch, 5, dtype=dtype), randn(3, 5, dtype=dtype), randn(3, dtype=dtype)
    check_oracle(F.linear, torch.nn.functional.linear, [x, W, b])
    check_oracle(F.linear, torch.nn.functional.linear, [x, W])


def test_linear_flattens_trailing_axes():
    x, W, b = (
        randn(4, 2, 3, dtype=np.float32),
        randn(5, 6, dtype=np.float32),
        randn(5, dtype=np.float32),
    )
    check_oracle(
        F.linear, lambda x, W, b: torch.nn.functional.linear(x.reshape(4, 6), W, b), [x, W, b]
    )


def test_linear_n_batch_axes():
    x, W = randn(2, 3, 4, 5, dtype=np.float32), randn(6, 20, dtype=np.float32)
    check_oracle(
        lambda x, W: F.linear(x, W, n_batch_axes=2),
        lambda x, W: torch.nn.functional.linear(x.reshape(2, 3, 20), W),
        [x, W],
    )
    x = randn(2, 3, 4)
    check_oracle(
        lambda x, W: F.linear(x, W, n_batch_axes=2), torch.nn.functional.linear, [x, randn(3, 4)]
    )


@pytest.mark.parametrize("shape,nb", [((3, 4), 1), ((2, 3, 2), 1), ((2, 3, 4), 2)])
def test_linear_grads(shape, nb):
    feat = int(np.prod(shape[nb:]))
    x, W, b = randn(*shape), randn(3, feat), randn(3)
    gy = randn(*shape[:nb], 3)

    def f(x, W, b):
        return F.linear(x, W, b, n_batch_axes=nb)

    check_backward(f, (x, W, b), gy)
    check_double_backward(f, (x, W, b), gy, (randn(*shape), randn(3, feat), randn(3)))


def test_linear_grad_of_grad_matches_torch():
    # d/dW of |d(sum y^3)/dx|^2: two levels of linear-gradient nodes, compared with torch.
    x0, W0 = randn(2, 3), randn(4, 3)
    x, W = Variable(x0), Variable(W0)
    y = F.linear(x, W)
    (gx,) = kusari.grad(
        [y * y * y], [x], grad_outputs=[np.ones((2, 4))], enable_double_backprop=True
    )
    (ggW,) = kusari.grad([gx * gx], [W], grad_outputs=[np.ones((2, 3))])
    tx, tW = torch.tensor(x0, requires_grad=True), torch.tensor(W0, requires_grad=True)
    ty = torch.nn.functional.linear(tx, tW)
    (tgx,) = torch.autograd.grad((ty**3).sum(), tx, create_graph=True)
    (tggW,) = torch.autograd.grad((tgx**2).sum(), tW)
    np.testing.assert_allclose(ggW.array, tggW.numpy(), rtol=1e-10, atol=1e-10)


def test_linear_keeps_dtype_float16():
    x, W, b = (
        randn(2, 3, dtype=np.float16),
        randn(4, 3, dtype=np.float16),
        randn(4, dtype=np.float16),
    )
    y = F.linear(x, W, b)
    assert y.dtype == np.float16
    ref = x.astype(np.float32) @ W.astype(np.float32).T + b
    np.testing.assert_allclose(y.array, ref, rtol=1e-2, atol=1e-2)


def test_linear_bad_inputs():
    x, W = randn(2, 3, dtype=np.float32), randn(4, 3, dtype=np.float32)
    with pytest.raises(ValueError, match=r"linear: x has 5 features .* expects 3"):
        F.linear(randn(2, 5, dtype=np.float32), W)
    with pytest.raises(ValueError, match=r"linear: x of shape \(2, 2, 2\) has 4 features"):
        F.linear(randn(2, 2, 2, dtype=np.float32), W)
    with pytest.raises(TypeError, match="linear: x must have a float dtype; got int64"):
        F.linear(np.ones((2, 3), np.int64), W)
    with pytest.raises(TypeError, match="linear: W must have x's dtype float32; got float64"):
        F.linear(x, W.astype(np.float64))
    with pytest.raises(ValueError, match=r"linear: b must have shape \(4,\)"):
        F.linear(x, W, randn(3, dtype=np.float32))
    with pytest.raises(ValueError, match="linear: W must be 2-D"):
        F.linear(x, randn(4, 3, 1, dtype=np.float32))
    with pytest.raises(ValueError, match="linear: n_batch_axes"):
        F.linear(x, W, n_batch_axes=2)
