"""batch_renormalization against a NumPy reference of its formula."""

import numpy as np
import pytest

import kusari.functions as F
from kusari.gradient_check import check_backward, check_double_backward

rng = np.random.default_rng(3)


def _reference(x, g, b, rmax, dmax, eps, rm, rv):
    ax = (0, 2)
    mean, var = x.mean(ax), x.var(ax)
    std = np.sqrt(var + eps)
    sig = np.sqrt(rv + eps)
    r = np.clip(std / sig, 1 / rmax, rmax)
    d = np.clip((mean - rm) / sig, -dmax, dmax)
    xhat = (x - mean[None, :, None]) / std[None, :, None]
    return g[None, :, None] * (xhat * r[None, :, None] + d[None, :, None]) + b[None, :, None]


@pytest.mark.parametrize("rmax,dmax", [(1.0, 0.0), (1.5, 0.2), (10.0, 10.0)])
def test_values_and_running_update(rmax, dmax):
    x = rng.standard_normal((5, 3, 4)) * 2 + 1
    g, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    expect = _reference(x, g, b, rmax, dmax, 2e-5, rm, rv)
    rm0, rv0 = rm.copy(), rv.copy()
    y = F.batch_renormalization(x, g, b, rmax, dmax, running_mean=rm, running_var=rv)
    np.testing.assert_allclose(y.array, expect, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(rm, rm0)  # not updated by default
    F.batch_renormalization(
        x, g, b, rmax, dmax, running_mean=rm, running_var=rv, decay=0.8, update_statistics=True
    )
    m = 20
    np.testing.assert_allclose(rm, 0.8 * rm0 + 0.2 * x.mean((0, 2)))
    np.testing.assert_allclose(rv, 0.8 * rv0 + 0.2 * x.var((0, 2)) * m / (m - 1))


def test_rmax_one_dmax_zero_is_batch_normalization():
    x = rng.standard_normal((4, 3, 2)).astype(np.float32)
    g, b = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(np.float32)
    y = F.batch_renormalization(
        x, g, b, 1.0, 0.0, running_mean=np.zeros(3, np.float32), running_var=np.ones(3, np.float32)
    )
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.array, F.batch_normalization(x, g, b).array, rtol=1e-6)


def test_gradients():
    x = rng.standard_normal((4, 3, 2))
    g, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3) * 0.1, rng.uniform(0.5, 2, 3)
    gy = rng.standard_normal(x.shape)

    def f(x, g, b):
        return F.batch_renormalization(x, g, b, 1.5, 0.3, running_mean=rm, running_var=rv)

    # r and d are constants of the function (as in Chainer); check at a point far from the
    # clipping kinks by using the same statistics for the numerical derivative.
    check_backward(f, (x, g, b), gy, atol=1e-3, rtol=1e-2, no_grads=(True, False, False))
    check_double_backward(
        f,
        (x, g, b),
        gy,
        tuple(rng.standard_normal(a.shape) for a in (x, g, b)),
        no_grads=(True, False, False),
    )


def test_requires_running_statistics_and_fixed_alias_warns():
    x = np.ones((2, 3), np.float32)
    g = np.ones(3, np.float32)
    with pytest.raises(TypeError, match="batch_renormalization: running_mean and running_var"):
        F.batch_renormalization(x, g, g, 1.0, 0.0)
    with pytest.warns(DeprecationWarning):
        F.fixed_batch_renormalization(x, g, g, g, g)
