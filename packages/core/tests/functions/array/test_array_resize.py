"""resize_images, depth2space/space2depth and im2col."""

import numpy as np
import pytest
import torch

import kusari.functions as F
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("out", [(7, 9), (3, 2), (1, 5), (4, 4)])
@pytest.mark.parametrize("align", [True, False])
def test_resize_images_bilinear_oracle(out, align):
    x = randn(2, 3, 4, 5, dtype=np.float32)
    check_oracle(
        lambda x: F.resize_images(x, out, align_corners=align),
        lambda x: torch.nn.functional.interpolate(
            x, size=out, mode="bilinear", align_corners=align
        ),
        [x],
    )


@pytest.mark.parametrize("out", [(8, 10), (3, 2), (5, 7)])
def test_resize_images_nearest_oracle(out):
    x = randn(1, 2, 4, 5, dtype=np.float32)
    check_oracle(
        lambda x: F.resize_images(x, out, mode="nearest"),
        lambda x: torch.nn.functional.interpolate(x, size=out, mode="nearest"),
        [x],
    )


def test_resize_images_grads_and_bad_inputs():
    x = randn(1, 2, 3, 4)

    def f(x):
        return F.resize_images(x, (5, 3))

    check_backward(f, x, randn(1, 2, 5, 3))
    check_double_backward(f, x, randn(1, 2, 5, 3), randn(*x.shape))
    assert F.resize_images(randn(1, 1, 2, 2, dtype=np.float16), (3, 3)).dtype == np.float16
    with pytest.raises(ValueError, match="resize_images: mode must be 'bilinear' or 'nearest'"):
        F.resize_images(x, (2, 2), mode="bicubic")
    with pytest.raises(ValueError, match="resize_images: x must be 4-D"):
        F.resize_images(randn(2, 3, 4), (2, 2))
    with pytest.raises(TypeError, match="resize_images: output_shape must be a pair of ints"):
        F.resize_images(x, 4)


def test_depth2space_matches_chainers_documented_example():
    X = np.arange(24).reshape(1, 4, 2, 3).astype(np.float32)
    y = F.depth2space(X, 2)
    expect = np.array(
        [
            [
                [
                    [0, 6, 1, 7, 2, 8],
                    [12, 18, 13, 19, 14, 20],
                    [3, 9, 4, 10, 5, 11],
                    [15, 21, 16, 22, 17, 23],
                ]
            ]
        ],
        np.float32,
    )
    np.testing.assert_array_equal(y.array, expect)
    np.testing.assert_array_equal(F.space2depth(y, 2).array, X)


def test_depth2space_oracle_via_pixel_shuffle():
    # torch orders channels (c, dy, dx); Chainer (dy, dx, c).
    x = randn(2, 12, 3, 4, dtype=np.float32)

    def torch_fn(x):
        return torch.nn.functional.pixel_shuffle(
            x.reshape(2, 4, 3, 3, 4).permute(0, 2, 1, 3, 4).reshape(2, 12, 3, 4), 2
        )

    check_oracle(lambda x: F.depth2space(x, 2), torch_fn, [x])
    check_double_backward(
        lambda x: F.space2depth(x, 2), randn(1, 2, 4, 6), randn(1, 8, 2, 3), randn(1, 2, 4, 6)
    )
    with pytest.raises(ValueError, match="depth2space: channels 12 must be a multiple of r\\*r=9"):
        F.depth2space(x, 3)
    with pytest.raises(ValueError, match="space2depth: height and width must be multiples"):
        F.space2depth(x, 2)


@pytest.mark.parametrize("k,s,p,d", [(3, 1, 1, 1), (2, 2, 0, 1), ((3, 2), (2, 1), (1, 0), (1, 2))])
def test_im2col_oracle_unfold(k, s, p, d):
    x = randn(2, 3, 6, 7, dtype=np.float32)

    def torch_fn(x):
        cols = torch.nn.functional.unfold(x, k, dilation=d, padding=p, stride=s)
        y = F.im2col(x.detach().numpy(), k, s, p, dilate=d)
        return cols.reshape(y.shape)

    check_oracle(lambda x: F.im2col(x, k, s, p, dilate=d), torch_fn, [x])


def test_im2col_cover_all_grads_and_bad_inputs():
    x = randn(1, 2, 5, 5)

    def f(x):
        return F.im2col(x, 2, 2, 0, cover_all=True)

    y = f(x)
    assert y.shape == (1, 8, 3, 3)
    check_backward(f, x, randn(*y.shape))
    check_double_backward(f, x, randn(*y.shape), randn(*x.shape))
    with pytest.raises(ValueError, match="im2col: x must be 4-D"):
        F.im2col(randn(2, 5, 5), 2)
    with pytest.raises(ValueError, match="im2col: the output would be empty"):
        F.im2col(x, 7)
