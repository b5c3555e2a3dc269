"""relu, clipped_relu, relu6, leaky_relu, prelu and crelu against PyTorch and numerically."""

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def away_from(shape, kinks=(0.0,), dtype=np.float64, scale=2.0, gap=0.05):
    """Random values at least ``gap`` away from every kink (numerical grads are exact)."""
    x = rng.uniform(-scale, scale, shape)
    for k in kinks:
        close = np.abs(x - k) < gap
        x[close] = k + np.where(x[close] >= k, gap, -gap) * 2
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_oracle(dtype):
    check_oracle(F.relu, torch.relu, [away_from((3, 4), dtype=dtype)])


def test_relu_grads():
    x = away_from((3, 4))
    gy, ggx = rng.standard_normal((2, 3, 4))
    check_backward(F.relu, x, gy)
    check_double_backward(F.relu, x, gy, ggx)


def test_relu_keeps_only_its_output():
    x = Variable(away_from((2, 3), dtype=np.float32))
    y = F.relu(x)
    node = y.creator
    assert node._input_indexes_to_retain is None
    assert node._output_indexes_to_retain == (0,)
    assert x.node.data is None


def test_relu_float16_and_int_input():
    x = away_from((4,), dtype=np.float16)
    y = F.relu(x)
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y.array, np.maximum(x, 0))
    with pytest.raises(TypeError, match="relu"):
        F.relu(np.arange(3, dtype=np.int32))


@pytest.mark.parametrize("z", [1.0, 6.0])
def test_clipped_relu_oracle(z):
    x = away_from((3, 5), kinks=(0.0, z), dtype=np.float32, scale=8)
    check_oracle(lambda x: F.clipped_relu(x, z), lambda x: torch.clamp(x, 0, z), [x])
    check_oracle(F.relu6, torch.nn.functional.relu6, [x])


def test_clipped_relu_grads_and_errors():
    x = away_from((3, 4), kinks=(0.0, 1.0))
    gy, ggx = rng.standard_normal((2, 3, 4))
    check_backward(lambda x: F.clipped_relu(x, 1.0), x, gy)
    check_double_backward(lambda x: F.clipped_relu(x, 1.0), x, gy, ggx)
    with pytest.raises(ValueError, match="clipped_relu"):
        F.clipped_relu(x, -1.0)
    with pytest.raises(TypeError, match="clipped_relu"):
        F.clipped_relu(np.ones(2, np.int64))
    assert F.relu6(x.astype(np.float16)).dtype == np.float16


@pytest.mark.parametrize("slope", [0.2, 0.01, -0.5])
def test_leaky_relu_oracle(slope):
    x = away_from((4, 3), dtype=np.float32)
    if slope >= 0:
        check_oracle(
            lambda x: F.leaky_relu(x, slope),
            lambda x: torch.nn.functional.leaky_relu(x, slope),
            [x],
        )
    else:
        check_oracle(
            lambda x: F.leaky_relu(x, slope), lambda x: torch.where(x >= 0, x, x * slope), [x]
        )


def test_leaky_relu_grads_default_slope():
    x = away_from((3, 4))
    gy, ggx = rng.standard_normal((2, 3, 4))
    check_backward(F.leaky_relu, x, gy)
    check_double_backward(F.leaky_relu, x, gy, ggx)
    np.testing.assert_allclose(F.leaky_relu(np.array([-1.0])).array, [-0.2])
    assert F.leaky_relu(x.astype(np.float16)).dtype == np.float16
    with pytest.raises(TypeError, match="leaky_relu"):
        F.leaky_relu(np.ones(2, np.int32))


@pytest.mark.parametrize("wshape", [(), (3,), (3, 4)])
def test_prelu_oracle_and_grads(wshape):
    x = away_from((2, 3, 4, 2), dtype=np.float64)
    w = rng.uniform(0.1, 0.5, wshape)
    expand = w.reshape((1,) + wshape + (1,) * (3 - len(wshape)))
    if wshape:
        check_oracle(
            F.prelu, lambda x, w: torch.where(x >= 0, x, x * w.reshape(expand.shape)), [x, w]
        )
    else:  # the oracle helper turns 0-d inputs into 1-d tensors; compare to the formula
        np.testing.assert_allclose(F.prelu(x, w).array, np.where(x >= 0, x, x * w))
    gy, ggx = rng.standard_normal((2,) + x.shape)

    def f(x, w):  # gradient_check cannot perturb 0-d inputs: pass W as 1-d and reshape
        return F.prelu(x, F.reshape(w, wshape))

    w1 = w.reshape(-1)
    check_backward(f, (x, w1), gy)
    check_double_backward(f, (x, w1), gy, (ggx, rng.standard_normal(w1.shape)))


def test_prelu_matches_torch_per_channel():
    x = away_from((2, 3, 5), dtype=np.float32)
    w = np.array([0.1, 0.25, 0.4], np.float32)
    check_oracle(F.prelu, torch.nn.functional.prelu, [x, w])


def test_prelu_errors():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match="prelu.*W"):
        F.prelu(x, np.ones(4, np.float32))
    with pytest.raises(TypeError, match="prelu"):
        F.prelu(x, np.ones(3, np.float64))


@pytest.mark.parametrize("axis", [1, 0, -1])
def test_crelu(axis):
    x = away_from((2, 3, 4), dtype=np.float32)
    check_oracle(
        lambda x: F.crelu(x, axis),
        lambda x: torch.cat([torch.relu(x), torch.relu(-x)], dim=axis),
        [x],
    )
    x64 = x.astype(np.float64)
    shape = list(x.shape)
    shape[axis] *= 2
    gy = rng.standard_normal(shape)
    check_backward(lambda x: F.crelu(x, axis), x64, gy)
    check_double_backward(lambda x: F.crelu(x, axis), x64, gy, rng.standard_normal(x.shape))
    with pytest.raises(ValueError, match="crelu"):
        F.crelu(x, 3)


def test_relu_no_backprop_mode_builds_no_graph():
    x = Variable(away_from((2, 2), dtype=np.float32))
    with kusari.no_backprop_mode():
        y = F.relu(x)
    assert y.creator is None
