"""sigmoid_cross_entropy, regression losses, huber, hinge, VAE losses, contrastive, triplet."""

import math

import numpy as np
import pytest
import torch

import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(9)
tF = torch.nn.functional


def as1d_k(y):
    return F.reshape(y, (1,)) if y.ndim == 0 else y


# -- sigmoid_cross_entropy ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_cross_entropy_oracle(dtype):
    x = (rng.standard_normal((5, 3)) * 3).astype(dtype)
    t = rng.integers(0, 2, (5, 3)).astype(np.int32)
    check_oracle(
        lambda x, t: as1d_k(F.sigmoid_cross_entropy(x, t)),
        lambda x, t: tF.binary_cross_entropy_with_logits(x, t.to(x.dtype)).reshape(1),
        [x, t],
    )
    check_oracle(
        lambda x, t: F.sigmoid_cross_entropy(x, t, reduce="no"),
        lambda x, t: tF.binary_cross_entropy_with_logits(x, t.to(x.dtype), reduction="none"),
        [x, t],
    )


def test_sigmoid_cross_entropy_ignore_and_normalize():
    x = rng.standard_normal((4, 3))
    t = rng.integers(0, 2, (4, 3)).astype(np.int32)
    t[0, :2] = -1
    keep = t != -1
    elem = (
        tF.binary_cross_entropy_with_logits(
            torch.from_numpy(x), torch.from_numpy(t).double(), reduction="none"
        ).numpy()
        * keep
    )
    np.testing.assert_allclose(F.sigmoid_cross_entropy(x, t).array, elem.sum() / keep.sum())
    np.testing.assert_allclose(F.sigmoid_cross_entropy(x, t, normalize=False).array, elem.sum() / 4)
    np.testing.assert_allclose(F.sigmoid_cross_entropy(x, t, reduce="no").array, elem)
    for reduce in ("mean", "no"):
        gy = None if reduce == "mean" else rng.standard_normal(x.shape)

        def f(x, reduce=reduce):
            return F.sigmoid_cross_entropy(x, t, reduce=reduce)

        check_backward(f, x, gy)
        check_double_backward(f, x, gy, rng.standard_normal(x.shape))
    big = np.array([[-1000.0, 1000.0]], np.float32)
    assert np.isfinite(F.sigmoid_cross_entropy(big, np.array([[1, 0]], np.int32)).array)
    assert F.sigmoid_cross_entropy(x.astype(np.float16), t).dtype == np.float16
    with pytest.raises(TypeError, match="sigmoid_cross_entropy.*integer"):
        F.sigmoid_cross_entropy(x, t.astype(np.float64))
    with pytest.raises(ValueError, match="sigmoid_cross_entropy.*got 2"):
        F.sigmoid_cross_entropy(x, np.full((4, 3), 2, np.int32))


# -- regression losses -------------------------------------------------------------------

REG = [
    ("mean_squared_error", F.mean_squared_error, lambda a, b: tF.mse_loss(a, b).reshape(1)),
    ("mean_absolute_error", F.mean_absolute_error, lambda a, b: tF.l1_loss(a, b).reshape(1)),
    ("squared_error", F.squared_error, lambda a, b: (a - b) ** 2),
    ("absolute_error", F.absolute_error, lambda a, b: (a - b).abs()),
]


@pytest.mark.parametrize("name,fn,tfn", REG, ids=[r[0] for r in REG])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regression_oracle(name, fn, tfn, dtype):
    a, b = rng.standard_normal((2, 3, 4)).astype(dtype)
    check_oracle(lambda a, b: as1d_k(fn(a, b)), tfn, [a, b])


@pytest.mark.parametrize("name,fn,tfn", REG, ids=[r[0] for r in REG])
def test_regression_grads_dtype_and_errors(name, fn, tfn):
    a, b = rng.standard_normal((2, 3, 4))
    y = fn(a, b)
    gy = rng.standard_normal(y.shape) if y.ndim else None
    check_backward(fn, (a, b), gy)
    check_double_backward(fn, (a, b), gy, tuple(rng.standard_normal((2, 3, 4))))
    assert fn(a.astype(np.float16), b.astype(np.float16)).dtype == np.float16
    with pytest.raises(ValueError, match=name):
        fn(a, b[:1])
    with pytest.raises(TypeError, match=name):
        fn(a, b.astype(np.float32))


# -- huber_loss --------------------------------------------------------------------------


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_loss_oracle(delta):
    x, t = (rng.standard_normal((2, 4, 3)) * 2).astype(np.float32)
    check_oracle(
        lambda x, t: F.huber_loss(x, t, delta),
        lambda x, t: tF.huber_loss(x, t, reduction="none", delta=delta).sum(1),
        [x, t],
    )
    check_oracle(
        lambda x, t: F.huber_loss(x, t, delta, reduce="no"),
        lambda x, t: tF.huber_loss(x, t, reduction="none", delta=delta),
        [x, t],
    )


def test_huber_loss_grads_and_errors():
    x, t = rng.standard_normal((2, 3, 4)) * 2
    d = x - t
    x[np.abs(np.abs(d) - 1.0) < 0.05] += 0.2  # keep away from the kink at |d| = delta
    gy = rng.standard_normal((3,))
    check_backward(lambda x, t: F.huber_loss(x, t, 1.0), (x, t), gy)
    check_double_backward(
        lambda x, t: F.huber_loss(x, t, 1.0), (x, t), gy, tuple(rng.standard_normal((2, 3, 4)))
    )
    with pytest.raises(ValueError, match="huber_loss.*reduce"):
        F.huber_loss(x, t, 1.0, reduce="mean")
    with pytest.raises(ValueError, match="huber_loss"):
        F.huber_loss(x, t[:1], 1.0)


# -- hinge -------------------------------------------------------------------------------


def _hinge_ref(x, t, norm):
    s = torch.ones_like(x)
    s[torch.arange(len(x)), t.long()] = -1
    loss = torch.clamp(1 + s * x, min=0)
    return loss**2 if norm == "L2" else loss


@pytest.mark.parametrize("norm", ["L1", "L2"])
def test_hinge(norm):
    x = rng.standard_normal((5, 4)) * 2
    x[np.abs(np.abs(x) - 1) < 0.05] += 0.2  # away from the kinks at x = +-1
    t = rng.integers(0, 4, 5).astype(np.int32)
    check_oracle(
        lambda x, t: F.hinge(x, t, norm, reduce="no"), lambda x, t: _hinge_ref(x, t, norm), [x, t]
    )
    check_oracle(
        lambda x, t: as1d_k(F.hinge(x, t, norm)),
        lambda x, t: (_hinge_ref(x, t, norm).sum() / 5).reshape(1),
        [x, t],
    )
    check_backward(lambda x: F.hinge(x, t, norm), x, None)
    check_double_backward(
        lambda x: F.hinge(x, t, norm, reduce="no"),
        x,
        rng.standard_normal(x.shape),
        rng.standard_normal(x.shape),
    )
    assert F.hinge(x.astype(np.float32), t, norm).dtype == np.float32


def test_hinge_errors():
    x = np.zeros((3, 4), np.float32)
    with pytest.raises(ValueError, match="hinge.*got 4"):
        F.hinge(x, np.array([0, 4, 1], np.int32))
    with pytest.raises(ValueError, match="hinge.*norm"):
        F.hinge(x, np.zeros(3, np.int32), norm="L3")
    with pytest.raises(TypeError, match="hinge"):
        F.hinge(x, np.zeros(3, np.float32))


# -- VAE losses --------------------------------------------------------------------------


@pytest.mark.parametrize("reduce", ["sum", "mean", "no"])
def test_vae_losses(reduce):
    mean, ln_var, x = rng.standard_normal((3, 4, 5))
    xb = rng.uniform(0, 1, (4, 5))
    red = {"sum": np.sum, "mean": np.mean, "no": lambda a: a}[reduce]
    kl = 0.5 * (mean**2 + np.exp(ln_var) - ln_var - 1)
    np.testing.assert_allclose(F.gaussian_kl_divergence(mean, ln_var, reduce).array, red(kl))
    bern = tF.binary_cross_entropy_with_logits(
        torch.from_numpy(mean), torch.from_numpy(xb), reduction="none"
    ).numpy()
    np.testing.assert_allclose(F.bernoulli_nll(xb, mean, reduce).array, red(bern))
    gnll = tF.gaussian_nll_loss(
        torch.from_numpy(mean),
        torch.from_numpy(x),
        torch.from_numpy(np.exp(ln_var)),
        full=True,
        eps=0,
        reduction="none",
    ).numpy()
    np.testing.assert_allclose(F.gaussian_nll(x, mean, ln_var, reduce).array, red(gnll))
    gy = None if reduce != "no" else rng.standard_normal((4, 5))
    gg = tuple(rng.standard_normal((3, 4, 5)))
    check_backward(lambda m, v: F.gaussian_kl_divergence(m, v, reduce), (mean, ln_var), gy)
    check_double_backward(
        lambda m, v: F.gaussian_kl_divergence(m, v, reduce), (mean, ln_var), gy, gg[:2]
    )
    check_double_backward(lambda x, y: F.bernoulli_nll(x, y, reduce), (xb, mean), gy, gg[:2])
    check_double_backward(
        lambda x, m, v: F.gaussian_nll(x, m, v, reduce), (x, mean, ln_var), gy, gg
    )


def test_vae_errors_and_dtype():
    a = np.zeros(3, np.float32)
    assert F.gaussian_nll(a, a, a).dtype == np.float32
    np.testing.assert_allclose(
        F.gaussian_nll(a[:1], a[:1], a[:1]).array, 0.5 * math.log(2 * math.pi), rtol=1e-6
    )
    with pytest.raises(ValueError, match="gaussian_kl_divergence.*reduce"):
        F.gaussian_kl_divergence(a, a, reduce="max")
    with pytest.raises(ValueError, match="bernoulli_nll"):
        F.bernoulli_nll(a, a[:2])
    with pytest.raises(TypeError, match="gaussian_nll"):
        F.gaussian_nll(a, a, a.astype(np.float64))


# -- contrastive and triplet -------------------------------------------------------------


def _contrastive_ref(x0, x1, y, margin):
    d = torch.linalg.vector_norm(x0 - x1, dim=1)
    y = y.to(x0.dtype)
    return (y * d**2 + (1 - y) * torch.clamp(margin - d, min=0) ** 2) * 0.5


@pytest.mark.parametrize("margin", [1.0, 3.0])
def test_contrastive(margin):
    x0, x1 = rng.standard_normal((2, 6, 3))
    y = rng.integers(0, 2, 6).astype(np.int32)
    check_oracle(
        lambda a, b, y: F.contrastive(a, b, y, margin, reduce="no"),
        lambda a, b, y: _contrastive_ref(a, b, y, margin),
        [x0, x1, y],
    )
    check_oracle(
        lambda a, b, y: as1d_k(F.contrastive(a, b, y, margin)),
        lambda a, b, y: (_contrastive_ref(a, b, y, margin).sum() / 6).reshape(1),
        [x0, x1, y],
    )
    check_double_backward(
        lambda a, b: F.contrastive(a, b, y, margin),
        (x0, x1),
        None,
        tuple(rng.standard_normal((2, 6, 3))),
    )


def test_contrastive_identical_pair_has_finite_gradient():
    a = Variable(np.ones((2, 3), np.float32))
    b = Variable(np.ones((2, 3), np.float32))
    F.contrastive(a, b, np.array([0, 1], np.int32)).backward()
    assert np.isfinite(a.grad).all() and np.isfinite(b.grad).all()
    with pytest.raises(ValueError, match="contrastive.*got 2"):
        F.contrastive(a, b, np.array([0, 2], np.int32))


def test_triplet():
    a, p, n = rng.standard_normal((3, 5, 4))

    def ref(a, p, n):
        return torch.clamp(((a - p) ** 2).sum(1) - ((a - n) ** 2).sum(1) + 0.2, min=0)

    pre = ((a - p) ** 2).sum(1) - ((a - n) ** 2).sum(1) + 0.2
    keep = np.abs(pre) > 0.05  # keep away from the hinge at 0
    a, p, n = a[keep], p[keep], n[keep]
    check_oracle(lambda a, p, n: F.triplet(a, p, n, reduce="no"), ref, [a, p, n])
    check_oracle(
        lambda a, p, n: as1d_k(F.triplet(a, p, n)),
        lambda a, p, n: ref(a, p, n).mean().reshape(1),
        [a, p, n],
    )
    check_backward(F.triplet, (a, p, n), None)
    check_double_backward(F.triplet, (a, p, n), None, tuple(rng.standard_normal((3,) + a.shape)))
    with pytest.raises(ValueError, match="triplet"):
        F.triplet(a, p, n[:1])
    with pytest.raises(ValueError, match="triplet.*margin"):
        F.triplet(a, p, n, margin=0)
