"""softmax_cross_entropy: fused and double-backprop paths against PyTorch."""

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(8)
tF = torch.nn.functional


def as1d_k(y):
    return F.reshape(y, (1,)) if y.ndim == 0 else y


def labels(shape, n_classes, ignore_frac=0.0, dtype=np.int32):
    t = rng.integers(0, n_classes, shape).astype(dtype)
    t[rng.random(shape) < ignore_frac] = -1
    return t


CASES = [((6, 4), (6,)), ((3, 5, 2, 3), (3, 2, 3)), ((4, 3, 7), (4, 7))]


@pytest.mark.parametrize("xshape,tshape", CASES)
@pytest.mark.parametrize("double", [False, True])
@pytest.mark.parametrize("cache", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mean_oracle(xshape, tshape, double, cache, dtype):
    x = (rng.standard_normal(xshape) * 2).astype(dtype)
    t = labels(tshape, xshape[1], 0.2)
    t.flat[0] = 0  # at least one valid label

    def k(x, t):
        return as1d_k(
            F.softmax_cross_entropy(x, t, cache_score=cache, enable_double_backprop=double)
        )

    check_oracle(k, lambda x, t: tF.cross_entropy(x, t.long(), ignore_index=-1).reshape(1), [x, t])


@pytest.mark.parametrize("xshape,tshape", CASES)
@pytest.mark.parametrize("double", [False, True])
def test_reduce_no_oracle(xshape, tshape, double):
    x = rng.standard_normal(xshape).astype(np.float32)
    t = labels(tshape, xshape[1], 0.3, np.int64)
    check_oracle(
        lambda x, t: F.softmax_cross_entropy(x, t, reduce="no", enable_double_backprop=double),
        lambda x, t: tF.cross_entropy(x, t, ignore_index=-1, reduction="none"),
        [x, t],
    )


@pytest.mark.parametrize("double", [False, True])
def test_class_weight_divides_by_count_like_chainer(double):
    x = rng.standard_normal((8, 5))
    t = labels((8,), 5, 0.25)
    t[0] = 1
    w = rng.uniform(0.5, 2.0, 5)
    count = (t != -1).sum()

    def k(x, t):
        return as1d_k(F.softmax_cross_entropy(x, t, class_weight=w, enable_double_backprop=double))

    def ref(x, t):
        s = tF.cross_entropy(
            x, t.long(), weight=torch.from_numpy(w), ignore_index=-1, reduction="sum"
        )
        return (s / count).reshape(1)

    check_oracle(k, ref, [x, t])
    check_oracle(
        lambda x, t: F.softmax_cross_entropy(x, t, class_weight=w, reduce="no"),
        lambda x, t: tF.cross_entropy(
            x, t.long(), weight=torch.from_numpy(w), ignore_index=-1, reduction="none"
        ),
        [x, t],
    )


@pytest.mark.parametrize("double", [False, True])
def test_normalize_false_divides_by_batch(double):
    x = rng.standard_normal((6, 3))
    t = np.array([0, -1, 2, -1, 1, 1], np.int32)
    y = F.softmax_cross_entropy(x, t, normalize=False, enable_double_backprop=double)
    ref = (
        tF.cross_entropy(
            torch.from_numpy(x), torch.from_numpy(t).long(), ignore_index=-1, reduction="sum"
        )
        / 6
    )
    np.testing.assert_allclose(y.array, ref.numpy(), rtol=1e-12)


def test_custom_ignore_label_and_all_ignored():
    x = rng.standard_normal((4, 3)).astype(np.float32)
    t = np.array([0, 255, 2, 255], np.int32)
    ref = tF.cross_entropy(torch.from_numpy(x), torch.from_numpy(t).long(), ignore_index=255)
    np.testing.assert_allclose(
        F.softmax_cross_entropy(x, t, ignore_label=255).array, ref.numpy(), rtol=1e-6
    )
    xv = Variable(x)
    y = F.softmax_cross_entropy(xv, np.full(4, -1, np.int32))
    y.backward()
    assert float(y.array) == 0.0
    np.testing.assert_array_equal(xv.grad, np.zeros_like(x))


def test_grads_numerical():
    x = rng.standard_normal((5, 4))
    t = labels((5,), 4, 0.2)
    for reduce in ("mean", "no"):
        gy = None if reduce == "mean" else rng.standard_normal(5)
        for cache in (True, False):
            check_backward(
                lambda x, c=cache, r=reduce: F.softmax_cross_entropy(x, t, cache_score=c, reduce=r),
                x,
                gy,
            )

        def f(x, r=reduce):
            return F.softmax_cross_entropy(x, t, reduce=r, enable_double_backprop=True)

        check_double_backward(f, x, gy, rng.standard_normal(x.shape))


def test_fused_path_refuses_double_backprop_with_a_hint():
    x = Variable(rng.standard_normal((3, 4)))
    t = np.array([0, 1, 2], np.int32)
    (gx,) = kusari.grad([F.softmax_cross_entropy(x, t)], [x], enable_double_backprop=True)
    with pytest.raises(NotImplementedError, match="enable_double_backprop=True"):
        F.sum(gx * gx).backward()


def test_fused_path_builds_no_intermediate_graph():
    x = Variable(rng.standard_normal((3, 4)).astype(np.float32))
    y = F.softmax_cross_entropy(x, np.array([0, 1, 2], np.int32))
    assert y.creator.inputs[0] is x.node  # one node straight from x to the loss
    assert y.creator._input_indexes_to_retain is None  # cache_score keeps the softmax instead


def test_float16():
    x = rng.standard_normal((4, 3)).astype(np.float16)
    xv = Variable(x)
    y = F.softmax_cross_entropy(xv, np.array([0, 1, 2, 0], np.int32))
    assert y.dtype == np.float16
    y.backward()
    assert xv.grad.dtype == np.float16
    ref = tF.cross_entropy(torch.from_numpy(x.astype(np.float32)), torch.tensor([0, 1, 2, 0]))
    np.testing.assert_allclose(float(y.array), ref.item(), rtol=1e-2)


def test_bad_labels():
    x = np.zeros((3, 4), np.float32)
    with pytest.raises(TypeError, match="softmax_cross_entropy.*integer.*float32"):
        F.softmax_cross_entropy(x, np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="softmax_cross_entropy.*shape"):
        F.softmax_cross_entropy(x, np.zeros(4, np.int32))
    with pytest.raises(ValueError, match="softmax_cross_entropy.*labels in \\[0, 4\\).*got 4"):
        F.softmax_cross_entropy(x, np.array([0, 4, 1], np.int32))
    with pytest.raises(ValueError, match="softmax_cross_entropy.*got -2"):
        F.softmax_cross_entropy(x, np.array([0, -2, 1], np.int32))
    with pytest.raises(TypeError, match="softmax_cross_entropy"):
        F.softmax_cross_entropy(np.zeros((3, 4), np.int32), np.zeros(3, np.int32))
    with pytest.raises(ValueError, match="softmax_cross_entropy.*reduce"):
        F.softmax_cross_entropy(x, np.zeros(3, np.int32), reduce="sum")
    with pytest.raises(ValueError, match="class_weight"):
        F.softmax_cross_entropy(x, np.zeros(3, np.int32), class_weight=np.ones(3, np.float32))
