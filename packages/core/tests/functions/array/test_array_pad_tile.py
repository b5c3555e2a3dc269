"""pad, tile, repeat and flip against NumPy/PyTorch and numerically."""

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


@pytest.mark.parametrize(
    "mode,torch_mode",
    [("constant", "constant"), ("edge", "replicate"), ("reflect", "reflect"), ("wrap", "circular")],
)
def test_pad_oracle(mode, torch_mode):
    x = randn(2, 3, 4, 5, dtype=np.float32)
    width = ((0, 0), (0, 0), (1, 2), (2, 1))
    check_oracle(
        lambda x: F.pad(x, width, mode),
        lambda x: torch.nn.functional.pad(x, (2, 1, 1, 2), mode=torch_mode),
        [x],
    )


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
def test_pad_grads(mode):
    x = randn(3, 4)
    width = ((2, 1), (3, 3)) if mode != "reflect" else ((2, 1), (3, 2))
    y = F.pad(x, width, mode)
    np.testing.assert_array_equal(y.array, np.pad(x, width, mode))
    check_backward(lambda x: F.pad(x, width, mode), x, randn(*y.shape))
    check_double_backward(lambda x: F.pad(x, width, mode), x, randn(*y.shape), randn(3, 4))


def test_pad_constant_values_and_bad_inputs():
    y = F.pad(randn(2, 2, dtype=np.float16), 1, constant_values=3)
    assert y.dtype == np.float16 and y.shape == (4, 4) and y.array[0, 0] == 3
    with pytest.raises(ValueError, match="pad: mode must be 'constant' or one of"):
        F.pad(randn(3), 1, "mean")
    with pytest.raises(TypeError, match="pad: unexpected keyword arguments"):
        F.pad(randn(3), 1, "edge", constant_values=1)
    with pytest.raises(ValueError, match="pad: pad_width must be non-negative"):
        F.pad(randn(3), -1)
    with pytest.raises(ValueError, match="pad: pad_width .* does not fit"):
        F.pad(randn(3, 3), ((1, 1, 1),))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
    reps=st.lists(st.integers(0, 3), min_size=1, max_size=4).map(tuple),
)
def test_tile_matches_numpy_and_torch(shape, reps):
    x = randn(*shape, dtype=np.float32)
    np.testing.assert_array_equal(F.tile(x, reps).array, np.tile(x, reps))
    check_oracle(lambda x: F.tile(x, reps), lambda x: torch.tile(x, reps), [x])


def test_tile_grads():
    x = randn(2, 3)
    for reps in (2, (2, 1), (3, 1, 2)):
        y = F.tile(x, reps)
        check_backward(lambda x, reps=reps: F.tile(x, reps), x, randn(*y.shape))
        check_double_backward(lambda x, reps=reps: F.tile(x, reps), x, randn(*y.shape), randn(2, 3))
    with pytest.raises(ValueError, match="tile: reps must be non-negative ints"):
        F.tile(x, -1)


@pytest.mark.parametrize("repeats,axis", [(2, None), (3, 1), ([1, 0, 2], 1), ([2], 0), (0, 0)])
def test_repeat(repeats, axis):
    x = randn(2, 3, dtype=np.float32)
    t_rep = repeats if isinstance(repeats, int) else torch.tensor(repeats)
    check_oracle(
        lambda x: F.repeat(x, repeats, axis),
        lambda x: torch.repeat_interleave(x, t_rep, dim=axis),
        [x],
    )
    x = randn(2, 3)
    y = F.repeat(x, repeats, axis)
    check_backward(lambda x: F.repeat(x, repeats, axis), x, randn(*y.shape))
    check_double_backward(lambda x: F.repeat(x, repeats, axis), x, randn(*y.shape), randn(2, 3))


def test_repeat_bad_inputs():
    with pytest.raises(ValueError, match="repeat: got 2 repeats for axis 1 of length 3"):
        F.repeat(randn(2, 3), [1, 2], 1)
    with pytest.raises(ValueError, match="repeat: repeats must be a non-negative int"):
        F.repeat(randn(2, 3), -1)


def test_flip_family():
    x = randn(2, 3, 4, dtype=np.float32)
    for axis in (0, 1, -1):
        check_oracle(lambda x, a=axis: F.flip(x, a), lambda x, a=axis: torch.flip(x, (a,)), [x])
    check_oracle(F.fliplr, torch.fliplr, [x])
    check_oracle(F.flipud, torch.flipud, [x])
    check_double_backward(lambda x: F.flip(x, 1), randn(2, 3), randn(2, 3), randn(2, 3))
    with pytest.raises(ValueError, match="fliplr: the input must have at least 2 dims"):
        F.fliplr(randn(3))
    with pytest.raises(ValueError, match="flip: axis 3 is out of range"):
        F.flip(x, 3)
    assert F.flip(Variable(randn(3, dtype=np.float16)), 0).dtype == np.float16
