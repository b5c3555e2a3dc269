"""Convolution2D, Deconvolution2D and DilatedConvolution2D against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kusari.links as L


@pytest.mark.parametrize(
    "kw",
    [
        {"ksize": 3, "stride": 1, "pad": 1},
        {"ksize": (3, 2), "stride": (2, 1), "pad": (1, 0)},
        {"ksize": 3, "stride": 1, "pad": 2, "dilate": 2},
        {"ksize": 3, "stride": 1, "pad": 1, "groups": 2},
    ],
)
def test_convolution_matches_torch(torch_check, identity, rng, kw):
    kw = dict(kw)
    groups, dilate = kw.pop("groups", 1), kw.pop("dilate", 1)
    conv = L.Convolution2D(4, 6, kw["ksize"], kw["stride"], kw["pad"], dilate=dilate, groups=groups)
    conv.b.array[...] = rng.standard_normal(6)
    ref = torch.nn.Conv2d(
        4, 6, kw["ksize"], kw["stride"], kw["pad"], dilation=dilate, groups=groups
    )
    x = rng.standard_normal((2, 4, 7, 6)).astype(np.float32)
    torch_check(
        conv, ref, [x], [(conv.W, ref.weight, identity), (conv.b, ref.bias, identity)], atol=1e-4
    )


def test_positional_arguments_and_shortcuts():
    conv = L.Convolution2D(None, 32, 3, 3, 1)  # in, out, ksize, stride, pad
    assert (conv.out_channels, conv.ksize, conv.stride, conv.pad) == (32, (3, 3), (3, 3), (1, 1))
    assert conv.W.array is None and conv.b.shape == (32,)
    y = conv(np.zeros((2, 5, 9, 9), np.float32))
    assert conv.W.shape == (32, 5, 3, 3) and y.shape == (2, 32, 3, 3)
    short = L.Convolution2D(8, 5)  # out_channels, ksize
    assert (short.in_channels, short.out_channels, short.ksize) == (None, 8, (5, 5))
    named = L.Convolution2D(in_channels=1, out_channels=6, ksize=5, stride=1)
    assert named.W.shape == (6, 1, 5, 5)


def test_nobias_and_initializer():
    from kusari import initializers

    conv = L.Convolution2D(3, 4, 3, nobias=True, initialW=initializers.Constant(0.5))
    assert conv.b is None
    np.testing.assert_array_equal(conv.W.array, np.full((4, 3, 3, 3), 0.5))
    assert [n for n, _ in conv.namedparams()] == ["/W"]


def test_lazy_grouped_convolution():
    conv = L.Convolution2D(None, 4, 3, groups=2)
    conv(np.zeros((1, 6, 5, 5), np.float32))
    assert conv.W.shape == (4, 3, 3, 3)
    with pytest.raises(ValueError, match="in_channels=5 must be a multiple of groups=2"):
        L.Convolution2D(None, 4, 3, groups=2)(np.zeros((1, 5, 5, 5), np.float32))
    with pytest.raises(ValueError, match="groups=3 must be >= 1 and divide out_channels=4"):
        L.Convolution2D(6, 4, 3, groups=3)


def test_wrong_rank_and_channels_are_reported():
    with pytest.raises(ValueError, match=r"Convolution2D\(in_channels=None.*expected 4-D input"):
        L.Convolution2D(None, 4, 3)(np.zeros((6, 5, 5), np.float32))
    with pytest.raises(ValueError, match=r"Convolution2D\(in_channels=3.*x must be 4-D"):
        L.Convolution2D(3, 4, 3)(np.zeros((3, 5, 5), np.float32))
    with pytest.raises(ValueError, match=r"Convolution2D\(in_channels=3.*x has 2 channels"):
        L.Convolution2D(3, 4, 3)(np.zeros((1, 2, 5, 5), np.float32))
    with pytest.raises(TypeError, match=r"Convolution2D: ksize must be an int or a pair"):
        L.Convolution2D(3, 4, "3")


@pytest.mark.parametrize("stride,pad,groups", [(1, 0, 1), (2, 1, 1), (2, 1, 2)])
def test_deconvolution_matches_torch(torch_check, identity, rng, stride, pad, groups):
    deconv = L.Deconvolution2D(4, 6, 3, stride, pad, groups=groups)
    deconv.b.array[...] = rng.standard_normal(6)
    ref = torch.nn.ConvTranspose2d(4, 6, 3, stride, pad, groups=groups)
    x = rng.standard_normal((2, 4, 5, 4)).astype(np.float32)
    torch_check(
        deconv,
        ref,
        [x],
        [(deconv.W, ref.weight, identity), (deconv.b, ref.bias, identity)],
        atol=1e-4,
    )


def test_deconvolution_lazy_and_outsize():
    deconv = L.Deconvolution2D(2, 4, stride=2, outsize=(10, 10))
    assert deconv.in_channels is None
    y = deconv(np.zeros((1, 3, 4, 4), np.float32))
    assert deconv.W.shape == (3, 2, 4, 4) and y.shape == (1, 2, 10, 10)


def test_dilated_convolution_matches_torch(torch_check, identity, rng):
    conv = L.DilatedConvolution2D(3, 5, 3, 1, 2, dilate=2)
    conv.b.array[...] = rng.standard_normal(5)
    ref = torch.nn.Conv2d(3, 5, 3, 1, 2, dilation=2)
    x = rng.standard_normal((2, 3, 7, 7)).astype(np.float32)
    torch_check(
        conv, ref, [x], [(conv.W, ref.weight, identity), (conv.b, ref.bias, identity)], atol=1e-4
    )
    lazy = L.DilatedConvolution2D(5, 3, dilate=3)
    lazy(np.zeros((1, 2, 9, 9), np.float32))
    assert lazy.W.shape == (5, 2, 3, 3)
