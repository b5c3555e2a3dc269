"""convolution_2d (and its dilated/depthwise front ends) against PyTorch and numerically."""

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.functions.connection import _conv
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)
tconv = torch.nn.functional.conv2d


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def reference_conv(x, W, b, stride, pad, dilate, groups, cover_all):
    """A direct loop over output pixels (independent of the im2col code)."""
    n, c, h, w = x.shape
    o, cg, kh, kw = W.shape
    (sy, sx), (ph, pw), (dy, dx) = stride, pad, dilate
    oh = _conv.get_conv_outsize(h, kh, sy, ph, cover_all, dy)
    ow = _conv.get_conv_outsize(w, kw, sx, pw, cover_all, dx)
    big = np.zeros((n, c, h + 2 * ph + sy + kh * dy, w + 2 * pw + sx + kw * dx), x.dtype)
    big[:, :, ph : ph + h, pw : pw + w] = x
    y = np.zeros((n, o, oh, ow), x.dtype)
    og = o // groups
    for i in range(oh):
        for j in range(ow):
            patch = big[:, :, i * sy : i * sy + kh * dy : dy, j * sx : j * sx + kw * dx : dx]
            for g in range(groups):
                p = patch[:, g * cg : (g + 1) * cg]
                y[:, g * og : (g + 1) * og, i, j] = np.tensordot(
                    p, W[g * og : (g + 1) * og], ((1, 2, 3), (1, 2, 3))
                )
    if b is not None:
        y += b[:, None, None]
    return y


CASES = [
    # x shape, W shape, stride, pad, dilate, groups
    ((2, 3, 7, 6), (4, 3, 3, 3), 1, 1, 1, 1),
    ((2, 3, 7, 6), (4, 3, 3, 2), (2, 1), (1, 0), 1, 1),
    ((1, 4, 9, 9), (6, 2, 3, 3), 2, 2, 1, 2),
    ((2, 2, 8, 7), (3, 2, 3, 2), 1, (2, 1), (2, 3), 1),
    ((2, 3, 5, 5), (5, 3, 1, 1), 1, 0, 1, 1),
    ((2, 4, 5, 5), (4, 1, 1, 1), 1, 0, 1, 4),
    ((2, 20, 6, 6), (3, 20, 3, 3), 1, 1, 1, 1),  # wide input: the flipped-kernel adjoint
    ((1, 1, 28, 28), (6, 1, 5, 5), 1, 0, 1, 1),
]


@pytest.mark.parametrize("xs,ws,s,p,d,g", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_convolution_2d_oracle(xs, ws, s, p, d, g, dtype):
    x, W, b = randn(*xs, dtype=dtype), randn(*ws, dtype=dtype), randn(ws[0], dtype=dtype)
    tol = {"atol": 1e-4, "rtol": 1e-4} if dtype == np.float32 else {}
    check_oracle(
        lambda x, W, b: F.convolution_2d(x, W, b, s, p, dilate=d, groups=g),
        lambda x, W, b: tconv(x, W, b, stride=s, padding=p, dilation=d, groups=g),
        [x, W, b],
        **tol,
    )


@pytest.mark.parametrize(
    "xs,ws,s,p",
    [
        ((2, 2, 5, 5), (3, 2, 2, 2), 2, 0),
        ((1, 2, 6, 7), (2, 2, 3, 3), 2, 1),
        ((1, 1, 8, 8), (1, 1, 3, 3), 3, 1),
    ],
)
def test_convolution_2d_cover_all(xs, ws, s, p):
    x, W = randn(*xs), randn(*ws)
    y = F.convolution_2d(x, W, None, s, p, cover_all=True)
    ref = reference_conv(x, W, None, (s, s), (p, p), (1, 1), 1, True)
    assert y.shape == ref.shape
    assert y.shape != F.convolution_2d(x, W, None, s, p).shape  # cover_all added windows
    np.testing.assert_allclose(y.array, ref, rtol=1e-12, atol=1e-12)
    gy, ggx, ggW = randn(*y.shape), randn(*xs), randn(*ws)

    def f(x, W):
        return F.convolution_2d(x, W, None, s, p, cover_all=True)

    check_backward(f, (x, W), gy)
    check_double_backward(f, (x, W), gy, (ggx, ggW))


def test_convolution_2d_matches_reference_loop():
    x, W, b = randn(2, 4, 7, 8), randn(6, 2, 3, 2), randn(6)
    y = F.convolution_2d(x, W, b, (2, 1), (1, 2), dilate=(1, 2), groups=2)
    ref = reference_conv(x, W, b, (2, 1), (1, 2), (1, 2), 2, False)
    np.testing.assert_allclose(y.array, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs,ws,s,p,d,g", CASES[:6])
def test_convolution_2d_grads(xs, ws, s, p, d, g):
    x, W, b = randn(*xs), randn(*ws), randn(ws[0])

    def f(x, W, b):
        return F.convolution_2d(x, W, b, s, p, dilate=d, groups=g)

    gy = randn(*f(x, W, b).shape)
    check_backward(f, (x, W, b), gy)
    check_double_backward(f, (x, W, b), gy, (randn(*xs), randn(*ws), randn(ws[0])))


def test_convolution_2d_float16():
    x, W = randn(1, 2, 5, 5, dtype=np.float16), randn(3, 2, 3, 3, dtype=np.float16)
    y = F.convolution_2d(x, W, pad=1)
    assert y.dtype == np.float16
    ref = reference_conv(
        x.astype(np.float32), W.astype(np.float32), None, (1, 1), (1, 1), (1, 1), 1, False
    )
    np.testing.assert_allclose(y.array, ref, rtol=2e-2, atol=2e-2)


def test_convolution_2d_batch_chunks_agree(monkeypatch):
    # A tiny chunk budget forces one batch item per GEMM; results must not change.
    x, W = randn(5, 3, 6, 6), randn(4, 3, 3, 3)
    full = F.convolution_2d(x, W, pad=1)
    monkeypatch.setattr(_conv, "COL_CHUNK_BYTES", 1)
    xv, Wv = Variable(x), Variable(W)
    y = F.convolution_2d(xv, Wv, pad=1)
    np.testing.assert_allclose(y.array, full.array, rtol=1e-12)
    y.grad = np.ones_like(y.array)
    y.backward()
    tx, tW = torch.tensor(x, requires_grad=True), torch.tensor(W, requires_grad=True)
    tconv(tx, tW, padding=1).sum().backward()
    np.testing.assert_allclose(xv.grad, tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(Wv.grad, tW.grad.numpy(), rtol=1e-10)


def test_dilated_convolution_2d_oracle():
    x, W, b = (
        randn(2, 3, 9, 9, dtype=np.float32),
        randn(4, 3, 3, 3, dtype=np.float32),
        randn(4, dtype=np.float32),
    )
    check_oracle(
        lambda x, W, b: F.dilated_convolution_2d(x, W, b, 1, 2, dilate=2),
        lambda x, W, b: tconv(x, W, b, padding=2, dilation=2),
        [x, W, b],
        atol=1e-4,
        rtol=1e-4,
    )


def test_depthwise_convolution_2d_oracle():
    # Chainer's channel order: output c*M + m is input c filtered by W[m, c].
    x, W, b = randn(2, 3, 6, 6), randn(2, 3, 3, 3), randn(6)

    def torch_fn(x, W, b):
        wg = W.permute(1, 0, 2, 3).reshape(6, 1, 3, 3)
        return tconv(x, wg, b, stride=2, padding=1, groups=3)

    check_oracle(lambda x, W, b: F.depthwise_convolution_2d(x, W, b, 2, 1), torch_fn, [x, W, b])
    y = F.depthwise_convolution_2d(x, W)
    np.testing.assert_allclose(
        y.array[:, 1 * 2 + 1],
        reference_conv(x[:, 1:2], W[1:2, 1:2], None, (1, 1), (0, 0), (1, 1), 1, False)[:, 0],
        rtol=1e-12,
    )


def test_convolution_2d_bad_inputs():
    x, W = randn(1, 3, 5, 5, dtype=np.float32), randn(4, 3, 3, 3, dtype=np.float32)
    with pytest.raises(
        ValueError, match=r"convolution_2d: x has 2 channels but W of shape \(4, 3, 3, 3\)"
    ):
        F.convolution_2d(randn(1, 2, 5, 5, dtype=np.float32), W)
    with pytest.raises(ValueError, match=r"convolution_2d: x must be 4-D"):
        F.convolution_2d(randn(3, 5, 5, dtype=np.float32), W)
    with pytest.raises(TypeError, match="convolution_2d: x must have a float dtype; got int32"):
        F.convolution_2d(np.ones((1, 3, 5, 5), np.int32), W)
    with pytest.raises(
        TypeError, match="convolution_2d: W must have x's dtype float32; got float64"
    ):
        F.convolution_2d(x, W.astype(np.float64))
    with pytest.raises(ValueError, match=r"convolution_2d: b must have shape \(4,\)"):
        F.convolution_2d(x, W, randn(3, dtype=np.float32))
    with pytest.raises(ValueError, match="convolution_2d: the output would be empty"):
        F.convolution_2d(x, randn(4, 3, 7, 7, dtype=np.float32))
    with pytest.raises(ValueError, match="convolution_2d: groups=2 must be >= 1 and divide"):
        F.convolution_2d(x, randn(3, 3, 3, 3, dtype=np.float32), groups=2)
    with pytest.raises(ValueError, match="convolution_2d: stride must be >= 1"):
        F.convolution_2d(x, W, stride=0)
    with pytest.raises(TypeError, match="convolution_2d: pad must be an int or a pair"):
        F.convolution_2d(x, W, pad="same")
    with pytest.raises(ValueError, match="depthwise_convolution_2d"):
        F.depthwise_convolution_2d(x, randn(2, 4, 3, 3, dtype=np.float32))


def test_convolution_2d_retains_only_inputs():
    x, W = Variable(randn(1, 2, 4, 4)), Variable(randn(3, 2, 3, 3))
    y = F.convolution_2d(x, W)
    assert y.creator._input_indexes_to_retain == (0, 1)
    assert y.creator._output_indexes_to_retain is None
    with kusari.no_backprop_mode():
        assert F.convolution_2d(x, W).creator is None
