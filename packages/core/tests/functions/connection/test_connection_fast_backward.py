"""The array-level backward fast paths agree with the Variable-level backwards."""

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable

rng = np.random.default_rng(0)


def both_paths(f, arrays, requires=None):
    """Input gradients without (array path) and with (Variable path) double backprop."""
    results = []
    for double in (False, True):
        xs = [
            Variable(a.copy(), requires_grad=a.dtype.kind == "f" and (requires is None or r))
            for a, r in zip(arrays, requires or [True] * len(arrays))
        ]
        y = f(*xs)
        gy = np.random.default_rng(1).standard_normal(y.shape)
        targets = [x for x in xs if x.requires_grad]
        results.append(kusari.grad([y], targets, [gy], enable_double_backprop=double))
    return results


CASES = {
    "linear": (lambda x, W, b: F.linear(x, W, b), [(3, 4), (5, 4), (5,)]),
    "linear_nd": (lambda x, W: F.linear(x, W, n_batch_axes=2), [(2, 3, 2, 2), (5, 4)]),
    "conv": (lambda x, W, b: F.convolution_2d(x, W, b, 1, 1), [(2, 3, 5, 5), (4, 3, 3, 3), (4,)]),
    "conv_s2": (
        lambda x, W: F.convolution_2d(x, W, None, 2, 1, True, groups=3),
        [(2, 3, 6, 5), (6, 1, 3, 2)],
    ),
    "conv_wide": (lambda x, W: F.convolution_2d(x, W, pad=1), [(1, 20, 4, 4), (3, 20, 3, 3)]),
    "deconv": (
        lambda x, W, b: F.deconvolution_2d(x, W, b, 2, 1),
        [(2, 3, 3, 3), (3, 2, 3, 3), (2,)],
    ),
    "deconv_s1": (lambda x, W: F.deconvolution_2d(x, W, dilate=2), [(1, 2, 4, 4), (2, 3, 2, 2)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_backward_matches(name):
    f, shapes = CASES[name]
    arrays = [rng.standard_normal(s) for s in shapes]
    fast, slow = both_paths(f, arrays)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a.array, b.array, rtol=1e-12, atol=1e-12)


def test_fast_backward_linear_data_gradient_only():
    arrays = [rng.standard_normal(s) for s in ((3, 4), (5, 4))]
    fast, slow = both_paths(F.linear, arrays, requires=[True, False])
    np.testing.assert_allclose(fast[0].array, slow[0].array, rtol=1e-12)


def test_fast_backward_embed_id():
    x = np.array([0, 2, 2, 1])
    W = rng.standard_normal((3, 2))
    fast, slow = both_paths(lambda W: F.embed_id(x, W, ignore_label=1), [W])
    np.testing.assert_array_equal(fast[0].array, slow[0].array)
    np.testing.assert_array_equal(fast[0].array[1], 0)
