"""average_pooling_2d and unpooling_2d against PyTorch and numerically."""

import numpy as np
import pytest
import torch

import kusari.functions as F
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize(
    "shape,k,s,p",
    [
        ((2, 3, 6, 6), 2, None, 0),
        ((2, 2, 7, 5), 3, 2, 1),
        ((1, 2, 5, 8), (3, 2), (1, 2), (1, 1)),
        ((1, 1, 4, 4), 2, 1, 1),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_average_pooling_2d_oracle(shape, k, s, p, dtype):
    # Chainer divides by the full window, padding included: count_include_pad=True.
    check_oracle(
        lambda x: F.average_pooling_2d(x, k, s, p),
        lambda x: torch.nn.functional.avg_pool2d(x, k, s, p, count_include_pad=True),
        [randn(*shape, dtype=dtype)],
    )


def test_average_pooling_2d_padding_counts_in_the_divisor():
    y = F.average_pooling_2d(np.ones((1, 1, 2, 2), np.float32), 2, 2, 1)
    np.testing.assert_array_equal(y.array, np.full((1, 1, 2, 2), 0.25, np.float32))


def test_global_average_pooling():
    x = randn(2, 3, 5, 4, dtype=np.float32)
    y = check_oracle(
        lambda x: F.average_pooling_2d(x, (5, 4)),
        lambda x: torch.nn.functional.adaptive_avg_pool2d(x, 1),
        [x],
    )[0]
    assert y.shape == (2, 3, 1, 1)
    check_backward(lambda x: F.average_pooling_2d(x, (5, 4)), randn(2, 3, 5, 4), randn(2, 3, 1, 1))


@pytest.mark.parametrize("k,s,p", [(2, 2, 0), (3, 2, 1), (3, 1, 1)])
def test_average_pooling_2d_grads(k, s, p):
    x = randn(2, 2, 6, 5)

    def f(x):
        return F.average_pooling_2d(x, k, s, p)

    gy = randn(*f(x).shape)
    check_backward(f, x, gy)
    check_double_backward(f, x, gy, randn(*x.shape))


def test_average_pooling_2d_float16_and_bad_inputs():
    x = randn(1, 2, 4, 4, dtype=np.float16)
    y = F.average_pooling_2d(x, 2)
    assert y.dtype == np.float16
    np.testing.assert_allclose(
        y.array,
        x.astype(np.float32).reshape(1, 2, 2, 2, 2, 2).mean(axis=(3, 5)),
        rtol=1e-2,
        atol=1e-2,
    )
    with pytest.raises(ValueError, match="average_pooling_2d: x must be 4-D"):
        F.average_pooling_2d(np.zeros((4, 4), np.float32), 2)
    with pytest.raises(TypeError, match="average_pooling_2d: x must have a float dtype"):
        F.average_pooling_2d(np.zeros((1, 1, 4, 4), np.int32), 2)
    with pytest.raises(TypeError, match="average_pooling_2d: ksize must be an int or a pair"):
        F.average_pooling_2d(np.zeros((1, 1, 4, 4), np.float32), "2")


def _ones_kernel(c, kh, kw, dtype):
    return torch.ones((c, 1, kh, kw), dtype=dtype)


@pytest.mark.parametrize(
    "shape,k,s,p,outsize,cover_all",
    [
        ((2, 3, 3, 4), 2, None, 0, None, True),  # nearest upsampling by 2
        ((1, 2, 3, 3), 3, 2, 1, None, False),  # overlapping windows sum
        ((1, 2, 3, 3), 3, 2, 1, None, True),
        ((1, 1, 2, 3), 2, 2, 0, (4, 5), True),  # a partial last window
    ],
)
def test_unpooling_2d_oracle(shape, k, s, p, outsize, cover_all):
    # Unpooling is a transposed convolution with an all-ones per-channel kernel.
    x = randn(*shape, dtype=np.float32)
    y = F.unpooling_2d(x, k, s, p, outsize, cover_all)
    st = k if s is None else s
    default = st * (shape[2] - 1) + k - 2 * p, st * (shape[3] - 1) + k - 2 * p
    extra = (y.shape[2] - default[0], y.shape[3] - default[1])
    if min(extra) >= 0:
        check_oracle(
            lambda x: F.unpooling_2d(x, k, s, p, outsize, cover_all),
            lambda x: torch.nn.functional.conv_transpose2d(
                x,
                _ones_kernel(shape[1], k, k, x.dtype),
                stride=st,
                padding=p,
                output_padding=extra,
                groups=shape[1],
            ),
            [x],
        )
    else:  # cover_all crops the last row/col of the full transposed convolution
        full = torch.nn.functional.conv_transpose2d(
            torch.tensor(x),
            _ones_kernel(shape[1], k, k, torch.float32),
            stride=st,
            padding=p,
            groups=shape[1],
        ).numpy()
        np.testing.assert_allclose(y.array, full[:, :, : y.shape[2], : y.shape[3]], rtol=1e-6)


def test_unpooling_2d_nearest_upsampling_and_default_size():
    x = randn(1, 1, 2, 3, dtype=np.float32)
    check_oracle(
        lambda x: F.unpooling_2d(x, 2, cover_all=False),
        lambda x: torch.nn.functional.interpolate(x, scale_factor=2, mode="nearest"),
        [x],
    )
    # cover_all=True (the default) shrinks the default output by stride - 1.
    assert F.unpooling_2d(x, 2).shape == (1, 1, 3, 5)


@pytest.mark.parametrize("k,s,p,outsize", [(2, 2, 0, None), (3, 2, 1, (5, 4)), (2, 1, 0, None)])
def test_unpooling_2d_grads(k, s, p, outsize):
    x = randn(2, 2, 3, 3)

    def f(x):
        return F.unpooling_2d(x, k, s, p, outsize)

    gy = randn(*f(x).shape)
    check_backward(f, x, gy)
    check_double_backward(f, x, gy, randn(*x.shape))


def test_unpooling_2d_bad_inputs():
    x = np.zeros((1, 1, 2, 2), np.float32)
    with pytest.raises(ValueError, match=r"unpooling_2d: outsize \(9, 9\) does not match"):
        F.unpooling_2d(x, 2, outsize=(9, 9))
    with pytest.raises(TypeError, match="unpooling_2d: x must have a float dtype"):
        F.unpooling_2d(x.astype(np.int8), 2)
