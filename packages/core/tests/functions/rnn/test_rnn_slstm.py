"""F.slstm against a NumPy reference of Chainer's computation and numerical gradients."""

import numpy as np
import pytest

import kusari.functions as F
from kusari.gradient_check import check_backward, check_double_backward

rng = np.random.default_rng(5)


def _sig(z):
    return 1 / (1 + np.exp(-z))


def test_values():
    c1, c2 = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    x1, x2 = rng.standard_normal((2, 12)), rng.standard_normal((2, 12))
    c, h = F.slstm(c1, c2, x1, x2)
    g1, g2 = x1.reshape(2, 3, 4), x2.reshape(2, 3, 4)
    ec = (
        np.tanh(g1[..., 0]) * _sig(g1[..., 1])
        + np.tanh(g2[..., 0]) * _sig(g2[..., 1])
        + _sig(g1[..., 2]) * c1
        + _sig(g2[..., 2]) * c2
    )
    np.testing.assert_allclose(c.array, ec, rtol=1e-12)
    np.testing.assert_allclose(h.array, _sig(g1[..., 3] + g2[..., 3]) * np.tanh(ec), rtol=1e-12)


def test_gradients():
    ins = (
        rng.standard_normal((2, 3)),
        rng.standard_normal((2, 3)),
        rng.standard_normal((2, 12)),
        rng.standard_normal((2, 12)),
    )
    gys = (rng.standard_normal((2, 3)), rng.standard_normal((2, 3)))
    check_backward(F.slstm, ins, gys)
    check_double_backward(F.slstm, ins, gys, tuple(rng.standard_normal(a.shape) for a in ins))


def test_float32_and_bad_input():
    z, x = np.zeros((2, 3), np.float32), np.zeros((2, 12), np.float32)
    c, h = F.slstm(z, z, x, x)
    assert c.dtype == h.dtype == np.float32
    with pytest.raises(ValueError, match="slstm: expected c_prev1, c_prev2 of shape"):
        F.slstm(z, z, x, np.zeros((2, 8), np.float32))
    with pytest.raises(TypeError, match="slstm: all inputs must share a dtype"):
        F.slstm(z, z, x, x.astype(np.float64))
