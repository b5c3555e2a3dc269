"""max_pooling_2d and upsampling_2d against PyTorch, a reference loop, and numerically."""

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.functions.connection._conv import get_conv_outsize
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def distinct(*shape, dtype=np.float64):
    """Values 0.1 apart in random order: no ties, so numerical gradients are exact."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1).astype(dtype)


def reference_max_pool(x, k, s, p, cover_all):
    """Chainer's rule by a direct loop: -inf padding, first maximum in row-major order."""
    n, c, h, w = x.shape
    oh = get_conv_outsize(h, k, s, p, cover_all)
    ow = get_conv_outsize(w, k, s, p, cover_all)
    big = np.full((n, c, h + 2 * p + k + s, w + 2 * p + k + s), -np.inf, x.dtype)
    big[:, :, p : p + h, p : p + w] = x
    y = np.empty((n, c, oh, ow), x.dtype)
    idx = np.empty((n, c, oh, ow), np.intp)
    for i in range(oh):
        for j in range(ow):
            win = big[:, :, i * s : i * s + k, j * s : j * s + k].reshape(n, c, k * k)
            idx[:, :, i, j] = win.argmax(-1)
            y[:, :, i, j] = win.max(-1)
    return y, idx


@pytest.mark.parametrize(
    "shape,k,s,p",
    [
        ((2, 3, 6, 6), 2, 2, 0),
        ((2, 2, 7, 5), 3, 2, 1),
        ((1, 2, 5, 8), 3, 1, 1),
        ((1, 1, 4, 4), 2, 1, 0),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pooling_2d_oracle_not_cover_all(shape, k, s, p, dtype):
    x = distinct(*shape, dtype=dtype)
    check_oracle(
        lambda x: F.max_pooling_2d(x, k, s, p, cover_all=False),
        lambda x: torch.nn.functional.max_pool2d(x, k, s, p),
        [x],
    )


@pytest.mark.parametrize(
    "shape,k,s,p", [((2, 3, 7, 7), 2, 2, 0), ((1, 2, 8, 6), 3, 2, 1), ((1, 1, 5, 5), 3, 3, 0)]
)
def test_max_pooling_2d_cover_all_matches_ceil_mode(shape, k, s, p):
    # Where no window starts in the padding, cover_all=True is torch's ceil_mode=True.
    x = distinct(*shape, dtype=np.float32)
    check_oracle(
        lambda x: F.max_pooling_2d(x, k, s, p),
        lambda x: torch.nn.functional.max_pool2d(x, k, s, p, ceil_mode=True),
        [x],
    )


def test_max_pooling_2d_cover_all_edge_case_differs_from_torch():
    # H=5, k=2, s=2, p=1: Chainer keeps a 4th window lying in the padding (-inf), torch
    # drops it; we follow Chainer.
    x = distinct(1, 1, 5, 5)
    y = F.max_pooling_2d(x, 2, 2, 1)
    ref, _ = reference_max_pool(x, 2, 2, 1, True)
    assert y.shape == (1, 1, 4, 4)
    assert torch.nn.functional.max_pool2d(torch.tensor(x), 2, 2, 1, ceil_mode=True).shape[-1] == 3
    np.testing.assert_array_equal(y.array, ref)
    assert np.isneginf(y.array[0, 0, -1]).all()


@pytest.mark.parametrize(
    "shape,k,s,p,cover_all",
    [((2, 2, 7, 6), 3, 2, 1, True), ((1, 3, 6, 6), 2, 2, 0, False), ((1, 1, 6, 5), 3, 1, 1, True)],
)
def test_max_pooling_2d_matches_reference_and_indices(shape, k, s, p, cover_all):
    x = distinct(*shape)
    x[0, 0, :3, :3] = 0.5  # ties: the first maximum in row-major order wins
    y, idx = F.max_pooling_2d(x, k, s, p, cover_all, return_indices=True)
    ref, ref_idx = reference_max_pool(x, k, s, p, cover_all)
    np.testing.assert_array_equal(y.array, ref)
    np.testing.assert_array_equal(idx, ref_idx)
    xv = Variable(x)
    z = F.max_pooling_2d(xv, k, s, p, cover_all)
    gy = distinct(*z.shape)
    z.grad = gy
    z.backward()
    np.testing.assert_allclose(
        xv.grad, F.upsampling_2d(gy, idx, k, s, p, shape[2:], cover_all).array
    )


@pytest.mark.parametrize("k,s,p,cover_all", [(2, 2, 0, True), (3, 2, 1, True), (3, 1, 1, False)])
def test_max_pooling_2d_grads(k, s, p, cover_all):
    x = distinct(2, 2, 6, 5)

    def f(x):
        return F.max_pooling_2d(x, k, s, p, cover_all)

    gy = distinct(*f(x).shape)
    check_backward(f, x, gy)
    check_double_backward(f, x, gy, distinct(*x.shape))


def test_max_pooling_2d_backward_of_backward_is_a_gather():
    # d(gx)/d(gy) applied to ggx reads ggx at each window's argmax; compare with torch.
    x0, g0, ggx = distinct(1, 2, 5, 5), distinct(1, 2, 2, 2), distinct(1, 2, 5, 5)
    x, g = Variable(x0), Variable(g0)
    y = F.max_pooling_2d(x, 3, 2, 0)
    (gx,) = kusari.grad([y], [x], grad_outputs=[g], enable_double_backprop=True)
    (ggy,) = kusari.grad([gx], [g], grad_outputs=[ggx])
    tx, tg = torch.tensor(x0, requires_grad=True), torch.tensor(g0, requires_grad=True)
    ty = torch.nn.functional.max_pool2d(tx, 3, 2, 0, ceil_mode=True)
    (tgx,) = torch.autograd.grad(ty, tx, tg, create_graph=True)
    (tggy,) = torch.autograd.grad(tgx, tg, torch.tensor(ggx))
    np.testing.assert_allclose(ggy.array, tggy.numpy())


def test_max_pooling_2d_float16_and_bad_inputs():
    x = distinct(1, 2, 4, 4, dtype=np.float16)
    y = F.max_pooling_2d(x, 2)
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y.array, reference_max_pool(x, 2, 2, 0, True)[0])
    with pytest.raises(ValueError, match=r"max_pooling_2d: x must be 4-D"):
        F.max_pooling_2d(np.zeros((2, 4, 4), np.float32), 2)
    with pytest.raises(TypeError, match="max_pooling_2d: x must have a float dtype; got int64"):
        F.max_pooling_2d(np.zeros((1, 1, 4, 4), np.int64), 2)
    with pytest.raises(ValueError, match="max_pooling_2d: ksize must be >= 1"):
        F.max_pooling_2d(np.zeros((1, 1, 4, 4), np.float32), 0)
    with pytest.raises(ValueError, match="max_pooling_2d: the output would be empty"):
        F.max_pooling_2d(np.zeros((1, 1, 2, 2), np.float32), 5, cover_all=False)


def test_upsampling_2d_oracle_max_unpool():
    x = distinct(2, 3, 6, 8, dtype=np.float32)
    y, idx = F.max_pooling_2d(x, 2, return_indices=True)
    # torch wants flat positions in the (H, W) map; ours are offsets within the window.
    oh, ow = y.shape[2:]
    rows = np.arange(oh)[:, None] * 2 + idx // 2
    cols = np.arange(ow)[None, :] * 2 + idx % 2
    flat = torch.from_numpy((rows * 8 + cols).astype(np.int64))
    check_oracle(
        lambda v: F.upsampling_2d(v, idx, 2, outsize=(6, 8)),
        lambda v: torch.nn.functional.max_unpool2d(v, flat, 2, output_size=(6, 8)),
        [y.array],
    )


def test_upsampling_2d_overlapping_windows_sum_and_grads():
    x = distinct(1, 2, 5, 5)
    y, idx = F.max_pooling_2d(x, 3, 1, 1, return_indices=True)
    v = distinct(*y.shape)
    up = F.upsampling_2d(v, idx, 3, 1, 1, outsize=(5, 5))
    dense = np.zeros((1, 2, 7, 7))  # padded coordinates
    for i in range(5):
        for j in range(5):
            r, c = divmod(idx[0, :, i, j], 3)
            dense[0, np.arange(2), i + r, j + c] += v[0, :, i, j]
    np.testing.assert_allclose(up.array, dense[:, :, 1:6, 1:6])

    def f(v):
        return F.upsampling_2d(v, idx, 3, 1, 1, outsize=(5, 5))

    check_backward(f, v, distinct(1, 2, 5, 5))
    check_double_backward(f, v, distinct(1, 2, 5, 5), distinct(*v.shape))


def test_upsampling_2d_bad_inputs():
    x = np.zeros((1, 1, 2, 2), np.float32)
    idx = np.zeros((1, 1, 2, 2), np.intp)
    with pytest.raises(ValueError, match="upsampling_2d: indexes must be an integer array of"):
        F.upsampling_2d(x, idx[..., :1], 2)
    with pytest.raises(ValueError, match=r"upsampling_2d: indexes must be in \[0, 4\)"):
        F.upsampling_2d(x, idx + 4, 2)
    with pytest.raises(ValueError, match=r"upsampling_2d: outsize \(9, 9\) does not match"):
        F.upsampling_2d(x, idx, 2, outsize=(9, 9))
