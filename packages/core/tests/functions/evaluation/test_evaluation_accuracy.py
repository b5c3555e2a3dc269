"""accuracy, binary_accuracy and r2_score."""

import numpy as np
import pytest

import kusari.functions as F
from kusari import Variable

rng = np.random.default_rng(7)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_accuracy_matches_argmax(dtype):
    y = rng.standard_normal((50, 6)).astype(dtype)
    t = rng.integers(0, 6, 50).astype(np.int32)
    acc = F.accuracy(Variable(y), t)
    assert acc.dtype == dtype and acc.shape == () and not acc.requires_grad
    np.testing.assert_allclose(float(acc.array), (y.argmax(1) == t).mean(), rtol=1e-3)


def test_accuracy_spatial_and_ignore_label():
    y = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    t = rng.integers(0, 3, (2, 4, 5)).astype(np.int64)
    t[0, 0, :3] = -1
    keep = t != -1
    expect = ((y.argmax(1) == t) & keep).sum() / keep.sum()
    np.testing.assert_allclose(float(F.accuracy(y, t, ignore_label=-1).array), expect, rtol=1e-6)
    all_ignored = np.full((2, 4, 5), -1, np.int64)
    assert float(F.accuracy(y, all_ignored, ignore_label=-1).array) == 0.0


def test_accuracy_errors():
    y = np.ones((4, 3), np.float32)
    with pytest.raises(TypeError, match="accuracy.*integer"):
        F.accuracy(y, np.zeros(4, np.float32))
    with pytest.raises(ValueError, match="accuracy.*shape"):
        F.accuracy(y, np.zeros(5, np.int32))
    with pytest.raises(ValueError, match="accuracy"):
        F.accuracy(np.ones(4, np.float32), np.zeros(4, np.int32))


def test_binary_accuracy():
    y = rng.standard_normal((10, 3)).astype(np.float32)
    t = rng.integers(-1, 2, (10, 3)).astype(np.int32)
    keep = t != -1
    expect = (((y >= 0) == (t == 1)) & keep).sum() / keep.sum()
    got = F.binary_accuracy(y, t)
    assert got.dtype == np.float32
    np.testing.assert_allclose(float(got.array), expect, rtol=1e-6)
    with pytest.raises(ValueError, match="binary_accuracy"):
        F.binary_accuracy(y, np.full((10, 3), 2, np.int32))


def test_r2_score():
    true = rng.standard_normal((20, 3))
    pred = true + 0.3 * rng.standard_normal((20, 3))
    ss_res = ((true - pred) ** 2).sum(0)
    ss_tot = ((true - true.mean(0)) ** 2).sum(0)
    raw = 1 - ss_res / ss_tot
    np.testing.assert_allclose(F.r2_score(pred, true, multioutput="raw_values").array, raw)
    np.testing.assert_allclose(F.r2_score(pred, true).array, raw.mean())
    const = np.ones((4, 1))
    np.testing.assert_array_equal(F.r2_score(const, const, multioutput="raw_values").array, [0])
    with pytest.raises(ValueError, match="r2_score"):
        F.r2_score(pred, true, multioutput="bad")
    with pytest.raises(NotImplementedError, match="sample_weight"):
        F.r2_score(pred, true, sample_weight=np.ones(20))
