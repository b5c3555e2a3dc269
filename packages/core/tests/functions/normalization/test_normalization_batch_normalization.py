"""batch_normalization / fixed_batch_normalization against PyTorch and numerical gradients."""

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


def _data(shape, dtype, c_axes=(1,)):
    x = (rng.standard_normal(shape) * 2 + 0.5).astype(dtype)
    pshape = tuple(shape[a] for a in c_axes)
    g = rng.uniform(0.5, 1.5, pshape).astype(dtype)
    b = rng.standard_normal(pshape).astype(dtype)
    return x, g, b


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 5), (4, 3, 5, 6), (2, 3, 2, 3, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_oracle_train(shape, dtype):
    x, g, b = _data(shape, dtype)
    check_oracle(
        lambda x, g, b: F.batch_normalization(x, g, b, eps=1e-5),
        lambda x, g, b: torch.nn.functional.batch_norm(
            x, None, None, g, b, training=True, eps=1e-5
        ),
        [x, g, b],
        atol=1e-4 if dtype == np.float32 else None,
    )


def test_running_statistics_match_torch():
    x, g, b = _data((8, 4, 3, 3), np.float32)
    rm, rv = rng.standard_normal(4).astype(np.float32), rng.uniform(1, 2, 4).astype(np.float32)
    rm_t, rv_t = torch.tensor(rm), torch.tensor(rv)
    rm_before = rm.copy()
    # torch's momentum is 1 - decay; both keep the unbiased variance.
    F.batch_normalization(x, g, b, running_mean=rm, running_var=rv, decay=0.7)
    torch.nn.functional.batch_norm(
        torch.tensor(x), rm_t, rv_t, torch.tensor(g), torch.tensor(b), training=True, momentum=0.3
    )
    np.testing.assert_allclose(rm, rm_t.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rv, rv_t.numpy(), rtol=1e-5, atol=1e-6)
    m = 8 * 9
    expect = 0.7 * rm_before + 0.3 * x.mean(axis=(0, 2, 3))
    np.testing.assert_allclose(rm, expect, rtol=1e-5, atol=1e-6)
    assert rv.dtype == np.float32 and m > 1


def test_float32_accuracy_against_float64_with_large_mean():
    # The two-pass variance keeps float32 accurate when |mean| >> std.
    x = (rng.standard_normal((16, 8, 7, 7)) * 0.1 + 300).astype(np.float32)
    g = np.ones(8, np.float32)
    b = np.zeros(8, np.float32)
    gy = rng.standard_normal(x.shape).astype(np.float32)
    xv, gv, bv = Variable(x), Variable(g), Variable(b)
    y = F.batch_normalization(xv, gv, bv)
    y.grad = gy
    y.backward()
    x64 = x.astype(np.float64)
    xv64, gv64, bv64 = Variable(x64), Variable(g.astype(np.float64)), Variable(b.astype(np.float64))
    y64 = F.batch_normalization(xv64, gv64, bv64)
    y64.grad = gy.astype(np.float64)
    y64.backward()
    assert y.dtype == np.float32 and xv.grad.dtype == np.float32
    np.testing.assert_allclose(y.array, y64.array, atol=2e-4)
    np.testing.assert_allclose(xv.grad, xv64.grad, atol=2e-3, rtol=1e-3)
    np.testing.assert_allclose(gv.grad, gv64.grad, rtol=1e-4, atol=2e-2)
    np.testing.assert_allclose(bv.grad, bv64.grad, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("axis,c_axes", [((0, 2), (1, 3)), (0, (1, 2, 3)), ((0, 2, 3), (1,))])
def test_explicit_axis(axis, c_axes):
    x, g, b = _data((3, 4, 2, 5), np.float64, c_axes)
    y = F.batch_normalization(x, g, b, axis=axis)
    ax = (axis,) if isinstance(axis, int) else axis
    mean = x.mean(axis=ax, keepdims=True)
    var = x.var(axis=ax, keepdims=True)
    kshape = [1 if i in ax else s for i, s in enumerate(x.shape)]
    expect = g.reshape(kshape) * (x - mean) / np.sqrt(var + 2e-5) + b.reshape(kshape)
    np.testing.assert_allclose(y.array, expect, rtol=1e-10, atol=1e-12)
    gy = rng.standard_normal(x.shape)
    check_backward(lambda x, g, b: F.batch_normalization(x, g, b, axis=axis), (x, g, b), gy)


def test_gamma_with_two_dims_uses_chainer_default_axes():
    x, g, b = _data((3, 4, 5, 2), np.float64, (1, 2))
    y = F.batch_normalization(x, g, b)  # reduces (0, 3)
    mean = x.mean(axis=(0, 3), keepdims=True)
    var = x.var(axis=(0, 3), keepdims=True)
    expect = g[None, :, :, None] * (x - mean) / np.sqrt(var + 2e-5) + b[None, :, :, None]
    np.testing.assert_allclose(y.array, expect, rtol=1e-10)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 2, 3)])
def test_backward_and_double_backward(shape):
    x, g, b = _data(shape, np.float64)
    gy = rng.standard_normal(shape)
    ggs = (rng.standard_normal(shape), rng.standard_normal(g.shape), rng.standard_normal(b.shape))

    def f(x, g, b):
        return F.batch_normalization(x, g, b)

    check_backward(f, (x, g, b), gy)
    check_double_backward(f, (x, g, b), gy, ggs)


def test_fast_and_differentiable_backward_agree():
    x, g, b = _data((5, 3, 4), np.float64)
    gy = rng.standard_normal(x.shape)
    grads = []
    for double in (False, True):
        xs = [Variable(a) for a in (x, g, b)]
        y = F.batch_normalization(*xs)
        grads.append(kusari.grad([y], xs, [Variable(gy)], enable_double_backprop=double))
    for a, c in zip(*grads):
        np.testing.assert_allclose(a.array, c.array, rtol=1e-10, atol=1e-12)


def test_float16_statistics_in_float32():
    x, g, b = _data((4, 3, 5, 5), np.float16)
    gv = Variable(g.astype(np.float32))
    xv = Variable(x)
    y = F.batch_normalization(xv, gv, Variable(b.astype(np.float32)))
    assert y.dtype == np.float16
    ref = F.batch_normalization(x.astype(np.float32), g.astype(np.float32), b.astype(np.float32))
    np.testing.assert_allclose(y.array.astype(np.float32), ref.array, atol=5e-3, rtol=5e-3)
    y.grad = np.ones_like(y.array)
    y.backward()
    assert xv.grad.dtype == np.float16 and gv.grad.dtype == np.float32


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(0, 1000))
def test_hypothesis_shapes(shape, seed):
    shape = [max(shape[0], 2)] + shape[1:]
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape)
    g = r.standard_normal(shape[1])
    b = r.standard_normal(shape[1])
    y = F.batch_normalization(x, g, b)
    ax = (0,) + tuple(range(2, len(shape)))
    kshape = [1 if i in ax else s for i, s in enumerate(shape)]
    expect = g.reshape(kshape) * (x - x.mean(axis=ax, keepdims=True)) / np.sqrt(
        x.var(axis=ax, keepdims=True) + 2e-5
    ) + b.reshape(kshape)
    np.testing.assert_allclose(y.array, expect, rtol=1e-9, atol=1e-9)


# -- fixed_batch_normalization ----------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 5, 6)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fixed_oracle(shape, dtype):
    x, g, b = _data(shape, dtype)
    mean = rng.standard_normal(3).astype(dtype)
    var = rng.uniform(0.5, 2, 3).astype(dtype)
    check_oracle(
        lambda x, g, b, m, v: F.fixed_batch_normalization(x, g, b, m, v, eps=1e-5),
        lambda x, g, b, m, v: torch.nn.functional.batch_norm(
            x, m, v, g, b, training=False, eps=1e-5
        ),
        [x, g, b, mean, var],
        no_grad=(3, 4),
    )


def test_fixed_backward_all_inputs_and_double():
    x, g, b = _data((4, 3, 2), np.float64)
    mean = rng.standard_normal(3)
    var = rng.uniform(0.5, 2, 3)
    gy = rng.standard_normal(x.shape)
    ins = (x, g, b, mean, var)
    ggs = tuple(rng.standard_normal(a.shape) for a in ins)
    check_backward(F.fixed_batch_normalization, ins, gy)
    check_double_backward(F.fixed_batch_normalization, ins, gy, ggs)


def test_fixed_float16():
    x, g, b = _data((4, 3, 2, 2), np.float16)
    y = F.fixed_batch_normalization(x, g, b, np.zeros(3, np.float16), np.ones(3, np.float16))
    assert y.dtype == np.float16


# -- bad input --------------------------------------------------------------------------


def test_integer_input_raises():
    g = np.ones(3, np.float32)
    with pytest.raises(TypeError, match="batch_normalization: x must have a floating-point"):
        F.batch_normalization(np.ones((2, 3), np.int32), g, g)


def test_gamma_shape_mismatch_raises():
    g = np.ones(4, np.float32)
    with pytest.raises(ValueError, match=r"batch_normalization: gamma must have the shape.*\(3,\)"):
        F.batch_normalization(np.ones((2, 3), np.float32), g, g)


def test_running_mean_shape_mismatch_raises():
    g = np.ones(3, np.float32)
    with pytest.raises(ValueError, match="running_mean"):
        F.batch_normalization(np.ones((2, 3), np.float32), g, g, running_mean=np.zeros(4))


def test_bad_axis_raises():
    g = np.ones(3, np.float32)
    with pytest.raises(ValueError, match="batch_normalization: axis 5 is out of range"):
        F.batch_normalization(np.ones((2, 3), np.float32), g, g, axis=5)


def test_fixed_var_shape_mismatch_raises():
    g = np.ones(3, np.float32)
    with pytest.raises(ValueError, match="fixed_batch_normalization: var"):
        F.fixed_batch_normalization(np.ones((2, 3), np.float32), g, g, g, np.ones(2, np.float32))


def test_mixed_float16_double_backprop_path_keeps_dtypes():
    x = rng.standard_normal((4, 3, 2, 2)).astype(np.float16)
    xv = Variable(x)
    g = Variable(rng.uniform(0.5, 1.5, 3).astype(np.float32))
    b = Variable(np.zeros(3, np.float32))
    gy = Variable(np.ones(x.shape, np.float16))
    for y in (
        F.batch_normalization(xv, g, b),
        F.fixed_batch_normalization(xv, g, b, np.zeros(3, np.float32), np.ones(3, np.float32)),
    ):
        gx, gg = kusari.grad([y], [xv, g], [gy], enable_double_backprop=True)
        assert gx.dtype == np.float16 and gg.dtype == np.float32
