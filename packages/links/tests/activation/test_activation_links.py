"""Maxout and PReLU against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kusari.links as L


def test_maxout_matches_torch(torch_check, identity, rng):
    layer = L.Maxout(5, 3, 4)
    layer.linear.b.array[...] = rng.standard_normal(12)
    ref = torch.nn.Linear(5, 12)
    x = rng.standard_normal((2, 5)).astype(np.float32)
    torch_check(
        layer,
        lambda t: ref(t).reshape(2, 3, 4).max(dim=2).values,
        [x],
        [(layer.linear.W, ref.weight, identity), (layer.linear.b, ref.bias, identity)],
    )


def test_maxout_array_initializers_use_chainer_layout(rng):
    w = rng.standard_normal((5, 3, 2)).astype(np.float32)  # (in, out, pool)
    b = rng.standard_normal((3, 2)).astype(np.float32)  # (out, pool)
    layer = L.Maxout(5, 3, 2, initialW=w, initial_bias=b)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    expected = (np.einsum("ni,iop->nop", x, w) + b).max(axis=2)
    np.testing.assert_allclose(layer(x).array, expected, rtol=1e-5, atol=1e-6)
    assert L.Maxout(5, 3, 2, initial_bias=None).linear.b is None
    with pytest.raises(ValueError, match=r"initialW must have shape \(in_size, out_size"):
        L.Maxout(5, 3, 2, initialW=np.zeros((3, 2, 5), np.float32))


@pytest.mark.parametrize("shape", [(), (3,)])
def test_prelu_matches_torch(torch_check, rng, shape):
    layer = L.PReLU(shape)
    np.testing.assert_array_equal(layer.W.array, np.full(shape, 0.25))
    layer.W.array[...] = rng.random(shape)
    ref = torch.nn.PReLU(int(np.prod(shape)) if shape else 1)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    torch_check(layer, ref, [x], [(layer.W, ref.weight, lambda a: a.reshape(-1))])
