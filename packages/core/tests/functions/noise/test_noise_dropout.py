"""dropout (statistics, modes, masks, RNG) and gaussian."""

import warnings

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward

rng = np.random.default_rng(6)


@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.8])
def test_dropout_statistics(ratio):
    x = np.ones((200, 500), np.float32)
    y, mask = F.dropout(x, ratio, return_mask=True)
    assert y.dtype == np.float32 and mask.dtype == np.float32
    kept = mask != 0
    assert abs(kept.mean() - (1 - ratio)) < 0.01
    np.testing.assert_allclose(mask[kept], 1 / (1 - ratio), rtol=1e-6)
    np.testing.assert_array_equal(y.array, x * mask)
    assert abs(float(y.array.mean()) - 1.0) < 0.03  # the expectation is preserved


def test_dropout_backward_uses_mask():
    x = Variable(rng.standard_normal((4, 5)))
    y, mask = F.dropout(x, 0.5, return_mask=True)
    gy = rng.standard_normal((4, 5))
    y.grad = gy
    y.backward()
    np.testing.assert_array_equal(x.grad, gy * mask)
    check_backward(lambda x: F.dropout(x, 0.3, mask=mask), x.array, gy)
    check_double_backward(
        lambda x: F.dropout(x, 0.3, mask=mask), x.array, gy, rng.standard_normal((4, 5))
    )


def test_dropout_is_identity_in_test_mode():
    x = rng.standard_normal((3, 4)).astype(np.float32)
    with kusari.using_config("train", False):
        y = F.dropout(x)
        y2, mask = F.dropout(Variable(x), 0.5, return_mask=True)
    np.testing.assert_array_equal(y.array, x)
    assert mask is None and y2.array is x


def test_dropout_reproducible_with_numpy_seed_and_state():
    x = np.ones((10, 10), np.float32)
    np.random.seed(3)
    a = F.dropout(x).array
    state = np.random.get_state()
    b = F.dropout(x).array
    np.random.seed(3)
    np.testing.assert_array_equal(F.dropout(x).array, a)
    np.random.set_state(state)
    np.testing.assert_array_equal(F.dropout(x).array, b)


def test_dropout_v1_train_argument():
    x = np.ones((50, 50), np.float32)
    with pytest.warns(DeprecationWarning, match="train"):
        y = F.dropout(x, ratio=0.25, train=False)
    np.testing.assert_array_equal(y.array, x)
    with kusari.using_config("train", False), pytest.warns(DeprecationWarning):
        y = F.dropout(x, 0.25, train=True)  # train overrides config.train
    assert (y.array == 0).any()


def test_dropout_given_mask_and_errors():
    x = np.ones((2, 3), np.float32)
    m = np.array([[0, 2, 2], [2, 0, 2]], np.float32)
    np.testing.assert_array_equal(F.dropout(x, mask=m).array, m)
    with pytest.raises(ValueError, match="dropout.*mask"):
        F.dropout(x, mask=np.ones((3, 2), np.float32))
    with pytest.raises(ValueError, match="dropout.*ratio"):
        F.dropout(x, 1.0)
    with pytest.raises(TypeError, match="dropout"):
        F.dropout(x, 0.5, foo=1)
    with pytest.raises(TypeError, match="dropout"):
        F.dropout(np.ones(3, np.int32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.dropout(x, 0.0)  # ratio 0 keeps everything and does not warn
    assert F.dropout(x.astype(np.float16)).dtype == np.float16


def test_gaussian():
    mean = rng.standard_normal((3, 4))
    ln_var = rng.standard_normal((3, 4))
    eps = rng.standard_normal((3, 4))
    z = F.gaussian(mean, ln_var, eps=eps)
    np.testing.assert_allclose(z.array, mean + np.exp(ln_var / 2) * eps)
    check_backward(
        lambda m, v: F.gaussian(m, v, eps=eps), (mean, ln_var), rng.standard_normal((3, 4))
    )
    check_double_backward(
        lambda m, v: F.gaussian(m, v, eps=eps),
        (mean, ln_var),
        rng.standard_normal((3, 4)),
        tuple(rng.standard_normal((2, 3, 4))),
    )
    np.random.seed(0)
    z1, e1 = F.gaussian(mean.astype(np.float32), ln_var.astype(np.float32), return_eps=True)
    assert z1.dtype == np.float32 and e1.dtype == np.float32
    np.random.seed(0)
    np.testing.assert_array_equal(
        F.gaussian(mean.astype(np.float32), ln_var.astype(np.float32)).array, z1.array
    )
    big = F.gaussian(np.zeros(20000), np.full(20000, np.log(4.0)))
    assert abs(big.array.std() - 2.0) < 0.05
    with pytest.raises(ValueError, match="gaussian"):
        F.gaussian(mean, ln_var[:1])
    with pytest.raises(TypeError, match="gaussian"):
        F.gaussian(mean, ln_var, foo=1)
