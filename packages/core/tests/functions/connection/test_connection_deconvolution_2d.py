"""deconvolution_2d against torch's conv_transpose2d and numerically."""

import numpy as np
import pytest
import torch

import kusari.functions as F
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def torch_deconv(s, p, d, g, outsize, hw, ksize):
    s, p, d = _pair(s), _pair(p), _pair(d)
    default = [s[i] * (hw[i] - 1) + (ksize[i] - 1) * d[i] + 1 - 2 * p[i] for i in range(2)]
    extra = (0, 0) if outsize is None else tuple(outsize[i] - default[i] for i in range(2))
    return lambda x, W, b=None: torch.nn.functional.conv_transpose2d(
        x, W, b, stride=s, padding=p, output_padding=extra, groups=g, dilation=d
    )


CASES = [
    # x shape, W shape, stride, pad, dilate, groups, outsize
    ((2, 3, 4, 5), (3, 2, 3, 3), 1, 0, 1, 1, None),
    ((2, 3, 4, 5), (3, 2, 3, 3), 2, 1, 1, 1, None),
    ((2, 3, 4, 5), (3, 2, 3, 3), 2, 1, 1, 1, (8, 10)),  # one extra row/col: cover_all path
    ((1, 4, 3, 3), (4, 3, 2, 3), (2, 3), (0, 1), 1, 2, None),
    ((1, 2, 4, 4), (2, 2, 3, 3), 1, 1, 2, 1, None),
    ((2, 20, 4, 4), (20, 3, 3, 3), 1, 1, 1, 1, None),  # flipped-kernel path (many channels)
    ((2, 3, 4, 4), (3, 5, 1, 1), 1, 0, 1, 1, None),
]


@pytest.mark.parametrize("xs,ws,s,p,d,g,out", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_deconvolution_2d_oracle(xs, ws, s, p, d, g, out, dtype):
    x, W, b = randn(*xs, dtype=dtype), randn(*ws, dtype=dtype), randn(ws[1] * g, dtype=dtype)
    tol = {"atol": 1e-4, "rtol": 1e-4} if dtype == np.float32 else {}
    check_oracle(
        lambda x, W, b: F.deconvolution_2d(x, W, b, s, p, out, dilate=d, groups=g),
        torch_deconv(s, p, d, g, out, xs[2:], ws[2:]),
        [x, W, b],
        **tol,
    )


@pytest.mark.parametrize("xs,ws,s,p,d,g,out", CASES[:5])
def test_deconvolution_2d_grads(xs, ws, s, p, d, g, out):
    x, W, b = randn(*xs), randn(*ws), randn(ws[1] * g)

    def f(x, W, b):
        return F.deconvolution_2d(x, W, b, s, p, out, dilate=d, groups=g)

    gy = randn(*f(x, W, b).shape)
    check_backward(f, (x, W, b), gy)
    check_double_backward(f, (x, W, b), gy, (randn(*xs), randn(*ws), randn(ws[1] * g)))


def test_deconvolution_2d_is_the_convolution_adjoint():
    x, W = randn(2, 3, 7, 7), randn(4, 3, 3, 3)
    y = F.convolution_2d(x, W, stride=2, pad=1)
    u = randn(*y.shape)
    back = F.deconvolution_2d(u, W, stride=2, pad=1, outsize=(7, 7))
    np.testing.assert_allclose((y.array * u).sum(), (x * back.array).sum(), rtol=1e-10)


def test_deconvolution_2d_float16():
    x, W = randn(1, 2, 3, 3, dtype=np.float16), randn(2, 3, 2, 2, dtype=np.float16)
    y = F.deconvolution_2d(x, W, stride=2)
    assert y.dtype == np.float16 and y.shape == (1, 3, 6, 6)


def test_deconvolution_2d_bad_inputs():
    x, W = randn(1, 3, 4, 4, dtype=np.float32), randn(3, 2, 3, 3, dtype=np.float32)
    with pytest.raises(ValueError, match=r"deconvolution_2d: outsize \(20, 20\) is inconsistent"):
        F.deconvolution_2d(x, W, stride=2, outsize=(20, 20))
    with pytest.raises(ValueError, match=r"deconvolution_2d: x has 2 channels but W"):
        F.deconvolution_2d(randn(1, 2, 4, 4, dtype=np.float32), W)
    with pytest.raises(TypeError, match="deconvolution_2d: W must have x's dtype"):
        F.deconvolution_2d(x, W.astype(np.float16))
    with pytest.raises(ValueError, match=r"deconvolution_2d: b must have shape \(2,\)"):
        F.deconvolution_2d(x, W, randn(3, dtype=np.float32))
