"""Pooling keeps its input's memory layout, and max pooling's direct gradient path.

``convolution_2d`` returns channels-last (NHWC-strided) arrays; pooling must give the same
values for them, keep that layout in its outputs and gradients, and route gradients to
the first maximum of each window (Chainer's rule) without an index array.
"""

import numpy as np
import pytest
import torch

import kusari.functions as F
from kusari import Variable
from kusari.functions.pooling import _pooling
from kusari.gradient_check import check_backward

rng = np.random.default_rng(0)


def nhwc(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def stored_nhwc(a):
    return a.transpose(0, 2, 3, 1).flags.c_contiguous


def distinct(*shape):
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1.0


GEOMETRIES = [
    # shape, ksize, stride, pad, cover_all
    ((2, 3, 8, 6), 2, 2, 0, True),  # windows tile the image exactly
    ((2, 3, 7, 7), 2, 2, 0, True),  # cover_all adds a window reading the padding
    ((2, 3, 7, 7), 2, 2, 0, False),  # the last row/column is in no window
    ((1, 4, 6, 5), 3, 2, 1, True),  # overlapping, padded
    ((1, 2, 5, 5), 3, 1, 1, False),  # stride 1
]


@pytest.mark.parametrize("shape,k,s,p,cover_all", GEOMETRIES)
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_max_pooling_layouts(shape, k, s, p, cover_all, layout):
    x = distinct(*shape)
    x[0, 0, :3, :3] = 0.5  # ties inside some windows
    if layout == "nhwc":
        x = nhwc(x)
    xv = Variable(x)
    y = F.max_pooling_2d(xv, k, s, p, cover_all)
    ref_y, idx = F.max_pooling_2d(np.ascontiguousarray(x), k, s, p, cover_all, return_indices=True)
    np.testing.assert_array_equal(y.array, ref_y.array)
    gy = distinct(*y.shape)
    y.grad = gy
    y.backward()
    ref_gx = F.upsampling_2d(gy, idx, k, s, p, shape[2:], cover_all).array
    np.testing.assert_array_equal(xv.grad, ref_gx)
    if layout == "nhwc":
        assert stored_nhwc(y.array) and stored_nhwc(xv.grad)
    else:
        assert y.array.flags.c_contiguous and xv.grad.flags.c_contiguous


@pytest.mark.parametrize("shape,k,s,p,cover_all", GEOMETRIES)
@pytest.mark.parametrize("gy_layout", ["nchw", "nhwc"])
def test_max_grad_equals_scatter_of_argmax(shape, k, s, p, cover_all, gy_layout):
    x = nhwc(distinct(*shape))
    x[:, :, 1:3, 1:3] = 0.0  # a block of ties (relu-like zeros)
    g = _pooling.make_geometry("t", shape[2:], k, s, p, cover_all)
    y = _pooling.pool_max(x, g)
    gy = distinct(*y.shape)
    if gy_layout == "nhwc":
        gy = nhwc(gy)
    direct = _pooling.max_grad(x, y, gy, g)
    via_index = _pooling.scatter(gy, _pooling.argmax_index(x, y, g), g)
    np.testing.assert_array_equal(direct, via_index)
    assert stored_nhwc(direct)


def test_max_pooling_nhwc_matches_torch_and_numerical_grad():
    x = nhwc(distinct(2, 5, 6, 8))
    xv = Variable(x)
    y = F.max_pooling_2d(xv, 2, 2)
    gy = nhwc(distinct(*y.shape))
    y.grad = gy
    y.backward()
    tx = torch.tensor(np.ascontiguousarray(x), requires_grad=True)
    ty = torch.nn.functional.max_pool2d(tx, 2, 2)
    ty.backward(torch.tensor(np.ascontiguousarray(gy)))
    np.testing.assert_array_equal(y.array, ty.detach().numpy())
    np.testing.assert_array_equal(xv.grad, tx.grad.numpy())
    check_backward(lambda x: F.max_pooling_2d(x, 2, 2), x, gy)


@pytest.mark.parametrize("k,s,p", [(2, 2, 0), (3, 2, 1)])
def test_average_pooling_nhwc(k, s, p):
    x = nhwc(distinct(2, 3, 7, 6))
    xv = Variable(x)
    y = F.average_pooling_2d(xv, k, s, p)
    gy = distinct(*y.shape)
    y.grad = gy
    y.backward()
    tx = torch.tensor(np.ascontiguousarray(x), requires_grad=True)
    ty = torch.nn.functional.avg_pool2d(tx, k, s, p, ceil_mode=False, count_include_pad=True)
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(xv.grad, tx.grad.numpy(), rtol=1e-12)
    assert stored_nhwc(y.array)
