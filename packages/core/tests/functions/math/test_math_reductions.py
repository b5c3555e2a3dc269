"""Reductions: sum, mean, average, max, min, argmax, argmin, prod, logsumexp, cumsum."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(5)


def as1d_k(y):
    """Scalar results are compared as shape (1,): the oracle cannot pass 0-d gradients."""
    return F.reshape(y, (1,)) if y.ndim == 0 else y


def as1d_t(y):
    return y.reshape(1) if y.dim() == 0 else y


@st.composite
def shape_axis_keep(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    nd = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = draw(st.integers(-nd, nd - 1))
    else:
        axis = tuple(draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True)))
    return shape, axis, draw(st.booleans())


def torch_dims(axis, nd):
    if axis is None:
        return tuple(range(nd))
    return (axis,) if isinstance(axis, int) else axis


REDUCE = [
    ("sum", F.sum, lambda t, d, k: t.sum(dim=d, keepdim=k)),
    ("mean", F.mean, lambda t, d, k: t.mean(dim=d, keepdim=k)),
    ("max", F.max, lambda t, d, k: t.amax(dim=d, keepdim=k)),
    ("min", F.min, lambda t, d, k: t.amin(dim=d, keepdim=k)),
    ("prod", F.prod, lambda t, d, k: _tprod(t, d, k)),
]


def _tprod(t, dims, keep):
    for d in sorted(dims, reverse=True):
        t = t.prod(dim=d, keepdim=keep) if keep else t.prod(dim=d)
    return t


@settings(max_examples=25, deadline=None)
@given(shape_axis_keep(), st.sampled_from(REDUCE), st.sampled_from([np.float32, np.float64]))
def test_reductions_oracle(sak, red, dtype):
    shape, axis, keep = sak
    _, fn, tfn = red
    # Distinct values (no ties for max/min) in a range where prod stays well-conditioned.
    n = int(np.prod(shape))
    x = (rng.permutation(n) / n + 0.5).reshape(shape).astype(dtype)
    dims = torch_dims(axis, len(shape))
    check_oracle(
        lambda x: as1d_k(fn(x, axis=axis, keepdims=keep)), lambda t: as1d_t(tfn(t, dims, keep)), [x]
    )


@pytest.mark.parametrize("name,fn,tfn", REDUCE, ids=[r[0] for r in REDUCE])
@pytest.mark.parametrize("axis,keep", [(None, False), (1, False), ((0, 2), True), (-1, True)])
def test_reduction_grads(name, fn, tfn, axis, keep):
    x = (rng.permutation(24) / 24 + 0.5).reshape(2, 3, 4)
    y = fn(x, axis=axis, keepdims=keep)
    gy = rng.standard_normal(y.shape) if y.ndim else None
    check_backward(lambda x: fn(x, axis=axis, keepdims=keep), x, gy)
    if name != "prod":
        check_double_backward(
            lambda x: fn(x, axis=axis, keepdims=keep),
            x,
            gy if gy is not None else None,
            rng.standard_normal(x.shape),
        )


def test_reductions_keep_dtype_and_reject_int():
    for _, fn, _ in REDUCE:
        assert fn(np.ones((2, 3), np.float16)).dtype == np.float16
        assert fn(np.ones((2, 3), np.float32), axis=1).dtype == np.float32
        with pytest.raises(TypeError, match=fn.__name__):
            fn(np.ones((2, 3), np.int32))
    with pytest.raises(ValueError, match="sum.*axis"):
        F.sum(np.ones((2, 3), np.float32), axis=2)
    with pytest.raises(ValueError, match="duplicate"):
        F.sum(np.ones((2, 3), np.float32), axis=(1, -1))
    with pytest.raises(ValueError, match="max"):
        F.max(np.ones((0,), np.float32))


def test_max_ties_get_full_gradient():
    x = Variable(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]))
    F.sum(F.max(x, axis=1)).backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 1], [1, 0, 0]])


def test_prod_with_zeros_and_double_backprop_error():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    v = Variable(x)
    F.sum(F.prod(v, axis=1)).backward()
    np.testing.assert_allclose(v.grad, [[0, 6, 0], [0, 0, 0], [8, 4, 2]])
    check_backward(lambda x: F.prod(x, axis=1), x, rng.standard_normal(3))
    v = Variable(x)
    (gx,) = __import__("kusari").grad([F.sum(F.prod(v, axis=1))], [v], enable_double_backprop=True)
    with pytest.raises(NotImplementedError, match="prod"):
        F.sum(gx * gx).backward()


def test_mean_and_average_weights():
    x = rng.standard_normal((3, 4))
    w = rng.uniform(0.5, 1.5, 4)
    expect = (x * w).sum(1) / w.sum()
    np.testing.assert_allclose(F.average(x, axis=1, weights=w).array, expect)
    np.testing.assert_allclose(F.mean(x, axis=-1, weights=w).array, expect)
    np.testing.assert_allclose(
        F.average(x, axis=1, weights=w, keepdims=True).array, expect[:, None]
    )
    wfull = rng.uniform(0.5, 1.5, (3, 4))
    np.testing.assert_allclose(F.average(x, weights=wfull).array, (x * wfull).sum() / wfull.sum())
    check_backward(lambda x, w: F.average(x, axis=1, weights=w), (x, w), rng.standard_normal(3))
    check_double_backward(
        lambda x, w: F.average(x, axis=1, weights=w),
        (x, w),
        rng.standard_normal(3),
        (rng.standard_normal(x.shape), rng.standard_normal(4)),
    )
    with pytest.raises(ValueError, match="average"):
        F.average(x, axis=1, weights=np.ones(3))
    with pytest.raises(ValueError, match="average"):
        F.average(x, weights=np.ones(4))


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_argmax_argmin(axis):
    x = rng.permutation(12).reshape(3, 4).astype(np.float32)
    for fn in (F.argmax, F.argmin):
        y = fn(Variable(x), axis=axis)
        np.testing.assert_array_equal(y.array, getattr(np, fn.__name__)(x, axis=axis))
        assert y.dtype == np.int32 and y.creator is None and not y.requires_grad
    with pytest.raises(ValueError, match="argmax"):
        F.argmax(x, axis=2)


@settings(max_examples=20, deadline=None)
@given(shape_axis_keep())
def test_logsumexp_oracle(sak):
    shape, axis, _ = sak
    x = rng.standard_normal(shape) * 3
    dims = torch_dims(axis, len(shape))
    check_oracle(
        lambda x: as1d_k(F.logsumexp(x, axis)), lambda t: as1d_t(torch.logsumexp(t, dim=dims)), [x]
    )


def test_logsumexp_grads_and_extremes():
    x = rng.standard_normal((2, 3))
    for axis in (None, 1, (0, 1)):
        y = F.logsumexp(x, axis)
        gy = rng.standard_normal(y.shape) if y.ndim else None
        check_backward(lambda x, a=axis: F.logsumexp(x, a), x, gy)
        check_double_backward(
            lambda x, a=axis: F.logsumexp(x, a), x, gy, rng.standard_normal(x.shape)
        )
    big = np.array([[1000.0, 1000.0], [-np.inf, -np.inf]], np.float32)
    np.testing.assert_allclose(F.logsumexp(big, 1).array, [1000 + np.log(2), -np.inf])
    assert F.logsumexp(big.astype(np.float16), 1).dtype == np.float16


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum(axis):
    x = rng.standard_normal((3, 4))
    if axis is None:
        check_oracle(lambda x: F.cumsum(x), lambda t: torch.cumsum(t.reshape(-1), 0), [x])
    else:
        check_oracle(lambda x: F.cumsum(x, axis), lambda t: torch.cumsum(t, axis), [x])
    y = F.cumsum(x, axis)
    gy = rng.standard_normal(y.shape)
    check_backward(lambda x: F.cumsum(x, axis), x, gy)
    check_double_backward(lambda x: F.cumsum(x, axis), x, gy, rng.standard_normal(x.shape))
    assert F.cumsum(x.astype(np.float32), axis).dtype == np.float32
    with pytest.raises(ValueError, match="cumsum"):
        F.cumsum(x, 2)
