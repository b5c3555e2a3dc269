"""The pooling nodes' array-level backwards agree with their Variable-level backwards."""

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable

rng = np.random.default_rng(0)
x0 = (rng.permutation(2 * 3 * 6 * 5).reshape(2, 3, 6, 5) * 0.1).astype(np.float64)
_, IDX = F.max_pooling_2d(x0, 3, 2, 1, return_indices=True)

CASES = {
    "max": lambda x: F.max_pooling_2d(x, 3, 2, 1),
    "max_flat": lambda x: F.max_pooling_2d(x, 2),
    "average": lambda x: F.average_pooling_2d(x, 3, 2, 1),
    "global_average": lambda x: F.average_pooling_2d(x, (6, 5)),
    "unpooling": lambda x: F.unpooling_2d(x, 3, 2, 1, outsize=(11, 9)),
    "upsampling": lambda x: F.upsampling_2d(x[:, :, :4, :3], IDX, 3, 2, 1, outsize=(6, 5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_backward_matches(name):
    f = CASES[name]
    grads = []
    for double in (False, True):
        x = Variable(x0.copy())
        y = f(x)
        gy = np.random.default_rng(1).standard_normal(y.shape)
        grads.append(kusari.grad([y], [x], [gy], enable_double_backprop=double)[0].array)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)
