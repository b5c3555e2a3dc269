"""concat, stack, hstack/vstack/dstack, split_axis and separate."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple), data=st.data())
def test_concat_and_stack_any_axis(shape, data):
    n = len(shape)
    axis = data.draw(st.integers(-n, n - 1))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    xs = []
    for s in sizes:
        sh = list(shape)
        sh[axis] = s
        xs.append(randn(*sh, dtype=np.float32))
    check_oracle(lambda *v: F.concat(v, axis), lambda *t: torch.cat(t, axis), xs)
    same = [randn(*shape, dtype=np.float32) for _ in sizes]
    sax = data.draw(st.integers(-n - 1, n))
    check_oracle(lambda *v: F.stack(v, sax), lambda *t: torch.stack(t, sax), same)


@pytest.mark.parametrize("shapes", [[(3,), (2,)], [(2, 3), (2, 1)], [(2, 3, 4), (2, 1, 4)]])
def test_hstack_vstack_dstack_match_numpy(shapes):
    xs = [randn(*s, dtype=np.float32) for s in shapes]
    np.testing.assert_array_equal(F.hstack(xs).array, np.hstack(xs))
    same = [randn(*shapes[0], dtype=np.float32) for _ in range(2)]
    np.testing.assert_array_equal(F.vstack(same).array, np.vstack(same))
    np.testing.assert_array_equal(F.dstack(same).array, np.dstack(same))
    check_oracle(lambda a, b: F.vstack([a, b]), lambda a, b: torch.vstack([a, b]), same)
    check_oracle(lambda a, b: F.dstack([a, b]), lambda a, b: torch.dstack([a, b]), same)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_split_axis_matches_torch(data):
    n = data.draw(st.integers(1, 6))
    x = randn(2, n, 3, dtype=np.float32)
    points = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    ys = F.split_axis(x, points, 1)
    ref = np.split(x, points, 1)
    assert len(ys) == len(ref)
    for y, r in zip(ys, ref):
        np.testing.assert_array_equal(y.array, r)


def test_split_axis_sections_and_force_tuple():
    x = randn(2, 6, dtype=np.float32)
    check_oracle(lambda x: F.split_axis(x, 3, 1), lambda x: torch.split(x, 2, 1), [x])
    y = F.split_axis(x, 1, 0, force_tuple=False)
    assert isinstance(y, Variable) and y.shape == (2, 6)
    assert isinstance(F.split_axis(x, 1, 0), tuple)


def test_split_and_separate_unused_outputs_get_zero_grads():
    x = Variable(randn(3, 4))
    a, b = F.split_axis(x, [1], 0)
    b.grad = np.ones_like(b.array)
    b.backward()
    np.testing.assert_array_equal(x.grad, np.r_[np.zeros((1, 4)), np.ones((2, 4))])
    x = Variable(randn(3, 4))
    parts = F.separate(x, 1)
    assert len(parts) == 4 and parts[0].shape == (3,)
    parts[2].grad = np.ones(3)
    parts[2].backward()
    np.testing.assert_array_equal(x.grad[:, 2], 1)
    np.testing.assert_array_equal(x.grad[:, [0, 1, 3]], 0)


def test_join_split_grads():
    a, b = randn(2, 3), randn(2, 2)
    check_backward(lambda a, b: F.concat((a, b)), (a, b), randn(2, 5))
    check_double_backward(
        lambda a, b: F.concat((a, b)), (a, b), randn(2, 5), (randn(2, 3), randn(2, 2))
    )
    check_backward(lambda a, b: F.stack((a, a * b[:, :1]), 1), (a, b), randn(2, 2, 3))

    def f(x):
        return F.split_axis(x, [1, 3], 1)

    x = randn(2, 4)
    check_backward(f, x, (randn(2, 1), randn(2, 2), randn(2, 1)))
    check_double_backward(f, x, (randn(2, 1), randn(2, 2), randn(2, 1)), randn(2, 4))
    check_backward(lambda x: F.separate(x, 0), x, (randn(4), randn(4)))


def test_concat_float16_and_bad_inputs():
    y = F.concat([randn(1, 2, dtype=np.float16)] * 2, axis=0)
    assert y.dtype == np.float16 and y.shape == (2, 2)
    with pytest.raises(
        ValueError, match=r"concat: inputs must have the same shape except on axis 1"
    ):
        F.concat([randn(2, 3), randn(3, 3)])
    with pytest.raises(TypeError, match="concat: all inputs must share a dtype"):
        F.concat([randn(2, 3), randn(2, 3, dtype=np.float32)])
    with pytest.raises(ValueError, match="concat: xs must not be empty"):
        F.concat([])
    with pytest.raises(TypeError, match="concat: xs must be a list or tuple"):
        F.concat(randn(2, 3))
    with pytest.raises(ValueError, match="stack: inputs must have the same shape"):
        F.stack([randn(2), randn(3)])
    with pytest.raises(
        ValueError, match=r"split_axis: 4 sections do not divide axis 1 of length 6"
    ):
        F.split_axis(randn(2, 6), 4, 1)
    with pytest.raises(ValueError, match="separate: axis 2 is out of range"):
        F.separate(randn(2, 6), 2)
