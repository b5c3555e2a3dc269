"""select_item, where, copy, cast, permutate, diagonal and scatter_add."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def test_select_item_oracle_and_grads():
    x, t = randn(4, 3, dtype=np.float32), np.array([2, 0, 1, 2], np.int32)
    check_oracle(
        lambda x: F.select_item(x, t),
        lambda x: x.gather(1, torch.from_numpy(t.astype(np.int64))[:, None])[:, 0],
        [x],
    )
    x = randn(4, 3)
    check_backward(lambda x: F.select_item(x, t), x, randn(4))
    check_double_backward(lambda x: F.select_item(x, t), x, randn(4), randn(4, 3))


def test_select_item_bad_inputs():
    x = randn(2, 3, dtype=np.float32)
    with pytest.raises(ValueError, match=r"select_item: t must have shape \(2,\)"):
        F.select_item(x, np.array([0]))
    with pytest.raises(TypeError, match="select_item: t must be an integer array"):
        F.select_item(x, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"select_item: t must be in \[0, 3\)"):
        F.select_item(x, np.array([0, 3]))
    with pytest.raises(ValueError, match="select_item: x must be 2-D"):
        F.select_item(randn(2, 3, 1), np.array([0, 1]))


@settings(max_examples=25, deadline=None)
@given(
    shapes=st.sampled_from(
        [
            ((3, 4), (3, 4), (3, 4)),
            ((3, 1), (1, 4), (3, 4)),
            ((4,), (3, 4), (1,)),
            ((2, 1, 3), (3,), (2, 4, 1)),
        ]
    ),
    seed=st.integers(0, 100),
)
def test_where_broadcasts_like_torch(shapes, seed):
    r = np.random.default_rng(seed)
    cs, xs, ys = shapes
    c = r.random(cs) > 0.5
    x, y = r.standard_normal(xs).astype(np.float32), r.standard_normal(ys).astype(np.float32)
    check_oracle(
        lambda x, y: F.where(c, x, y), lambda x, y: torch.where(torch.from_numpy(c), x, y), [x, y]
    )


def test_where_grads_and_bad_inputs():
    c = rng.random((3, 4)) > 0.5

    def f(x, y):
        return F.where(c, x, y)

    check_backward(f, (randn(3, 4), randn(1, 4)), randn(3, 4))
    check_double_backward(f, (randn(3, 4), randn(1, 4)), randn(3, 4), (randn(3, 4), randn(1, 4)))
    assert F.where(Variable(c), randn(3, 4), randn(3, 4)).shape == (3, 4)
    with pytest.raises(TypeError, match="where: condition must be a boolean array"):
        F.where(c.astype(np.int32), randn(3, 4), randn(3, 4))
    with pytest.raises(TypeError, match="where: x and y must share a dtype"):
        F.where(c, randn(3, 4), randn(3, 4, dtype=np.float32))
    with pytest.raises(ValueError, match="where: condition .* cannot be broadcast"):
        F.where(c, randn(3, 4), randn(2, 4))


def test_copy_to_numpy_is_a_new_array_with_gradient():
    x = Variable(randn(2, 3, dtype=np.float32))
    for dst in (-1, "@numpy", kusari.get_device("@numpy")):
        y = F.copy(x, dst)
        assert y.array is not x.array and not np.shares_memory(y.array, x.array)
        np.testing.assert_array_equal(y.array, x.array)
    y.grad = np.ones((2, 3), np.float32)
    y.backward()
    np.testing.assert_array_equal(x.grad, 1)
    check_double_backward(lambda x: F.copy(x, -1), randn(2), randn(2), randn(2))
    with pytest.raises(ValueError, match="get_device"):
        F.copy(x, "numpy")


@pytest.mark.parametrize(
    "src,dst", [(np.float32, np.float64), (np.float64, np.float16), (np.float16, np.float32)]
)
def test_cast(src, dst):
    x = randn(2, 3, dtype=src)
    check_oracle(
        lambda x: F.cast(x, dst),
        lambda x: x.to(torch.from_numpy(np.zeros(1, dst)).dtype),
        [x],
        atol=1e-2,
        rtol=1e-2,
    )
    xv = Variable(x)
    assert F.cast(xv, src) is xv


def test_cast_grads_and_int():
    check_backward(
        lambda x: F.cast(x, np.float32), randn(3), randn(3, dtype=np.float32), atol=1e-3, rtol=1e-3
    )
    check_double_backward(
        lambda x: F.cast(x, np.float32),
        randn(3),
        randn(3, dtype=np.float32),
        randn(3),
        atol=1e-3,
        rtol=1e-3,
    )
    y = F.cast(np.arange(3), np.float32)
    assert y.dtype == np.float32
    with pytest.raises(TypeError, match="cast: 'nope' is not a dtype"):
        F.cast(randn(2), "nope")


def test_permutate():
    x = randn(3, 4, dtype=np.float32)
    idx = np.array([2, 0, 3, 1])
    check_oracle(lambda x: F.permutate(x, idx, axis=1), lambda x: x[:, idx], [x])
    check_oracle(
        lambda x: F.permutate(x, idx, axis=1, inv=True), lambda x: x[:, np.argsort(idx)], [x]
    )
    check_backward(lambda x: F.permutate(x, Variable(idx), 1, True), randn(3, 4), randn(3, 4))
    check_double_backward(lambda x: F.permutate(x, idx, 1), randn(3, 4), randn(3, 4), randn(3, 4))
    with pytest.raises(ValueError, match=r"permutate: indices must be a permutation of range\(4\)"):
        F.permutate(x, np.array([0, 0, 1, 2]), 1)
    with pytest.raises(TypeError, match="permutate: indices must be a 1-D integer array"):
        F.permutate(x, np.array([0.0, 1.0, 2.0]))


@pytest.mark.parametrize("offset,a1,a2", [(0, 0, 1), (1, 0, 1), (-1, 1, 2), (2, 2, 0)])
def test_diagonal(offset, a1, a2):
    x = randn(3, 4, 5, dtype=np.float32)
    check_oracle(
        lambda x: F.diagonal(x, offset, a1, a2), lambda x: torch.diagonal(x, offset, a1, a2), [x]
    )
    x = randn(3, 4, 5)
    y = F.diagonal(x, offset, a1, a2)
    check_double_backward(
        lambda x: F.diagonal(x, offset, a1, a2), x, randn(*y.shape), randn(*x.shape)
    )


def test_diagonal_bad_inputs():
    with pytest.raises(ValueError, match="diagonal: x must have at least 2 dims"):
        F.diagonal(randn(3))
    with pytest.raises(ValueError, match="diagonal: axis1 and axis2 must differ"):
        F.diagonal(randn(3, 3), 0, 1, -1)


def test_scatter_add():
    a, b = randn(5, 3, dtype=np.float32), randn(4, 3, dtype=np.float32)
    idx = np.array([0, 2, 2, 4])
    check_oracle(
        lambda a, b: F.scatter_add(a, idx, b),
        lambda a, b: a.index_add(0, torch.from_numpy(idx), b),
        [a, b],
    )

    def f(a, b):
        return F.scatter_add(a, (slice(None), [0, 0]), b)

    check_backward(f, (randn(5, 3), randn(1)), randn(5, 3))  # b broadcasts
    check_double_backward(f, (randn(5, 3), randn(5, 2)), randn(5, 3), (randn(5, 3), randn(5, 2)))
    with pytest.raises(TypeError, match="scatter_add: a and b must share a dtype"):
        F.scatter_add(randn(3), [0], randn(1, dtype=np.float32))
    with pytest.raises(ValueError, match="scatter_add: cannot add b of shape"):
        F.scatter_add(randn(3), [0, 1], randn(3))
