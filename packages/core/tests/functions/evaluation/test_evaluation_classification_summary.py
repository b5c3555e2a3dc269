"""classification_summary, precision, recall and f1_score."""

import warnings

import numpy as np
import pytest

import kusari.functions as F

rng = np.random.default_rng(10)


def reference(y, t, label_num, beta, ignore_label):
    pred = y.argmax(1)
    keep = t != ignore_label
    prec, rec, fb, sup = [], [], [], []
    for c in range(label_num):
        tp = np.sum((pred == c) & (t == c) & keep)
        npred = np.sum((pred == c) & keep)
        ntrue = np.sum((t == c) & keep)
        p = tp / npred if npred else np.nan
        r = tp / ntrue if ntrue else np.nan
        prec.append(p)
        rec.append(r)
        fb.append((1 + beta**2) * p * r / (beta**2 * p + r) if p + r else np.nan)
        sup.append(ntrue)
    return prec, rec, fb, sup


@pytest.mark.parametrize("beta", [1.0, 0.5])
@pytest.mark.parametrize("ignore", [-1, 4])
def test_classification_summary_matches_reference(beta, ignore):
    y = rng.standard_normal((60, 4)).astype(np.float32)
    t = rng.integers(0, 4, 60).astype(np.int32)
    if ignore == 4:
        t[::5] = 4
    got = F.classification_summary(y, t, label_num=4, beta=beta, ignore_label=ignore)
    for g, e in zip(got, reference(y, t, 4, beta, ignore)):
        np.testing.assert_allclose(g.array, e, rtol=1e-6)
    assert got[0].dtype == np.float32 and not got[0].requires_grad
    p, s = F.precision(y, t, 4, ignore)
    r, _ = F.recall(y, t, 4, ignore)
    f, _ = F.f1_score(y, t, 4, ignore)
    np.testing.assert_array_equal(p.array, got[0].array)
    np.testing.assert_array_equal(r.array, got[1].array)
    np.testing.assert_allclose(f.array, reference(y, t, 4, 1.0, ignore)[2], rtol=1e-6)
    np.testing.assert_array_equal(s.array, got[3].array)


def test_label_num_inferred_spatial_and_nan_without_warning():
    y = np.zeros((2, 3, 2), np.float32)
    y[:, 0] = 1  # always predicts class 0
    t = np.array([[0, 1], [1, 0]], np.int32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, r, f, s = F.classification_summary(y, t)
    assert p.shape == (2,)
    np.testing.assert_allclose(p.array, [0.5, np.nan])
    np.testing.assert_allclose(r.array, [1.0, 0.0])
    np.testing.assert_array_equal(s.array, [2, 2])


def test_errors():
    y = np.zeros((3, 2), np.float32)
    with pytest.raises(TypeError, match="classification_summary"):
        F.classification_summary(y, np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="precision"):
        F.precision(y, np.array([0, 2, 1], np.int32), label_num=2)
    with pytest.raises(ValueError, match="recall.*got -3"):
        F.recall(y, np.array([0, -3, 1], np.int32))
