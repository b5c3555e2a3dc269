"""LayerNormalization and GroupNormalization against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kusari.links as L


def test_layer_normalization_matches_torch(torch_check, identity, rng):
    ln = L.LayerNormalization(5)
    ln.gamma.array[...] = rng.random(5) + 0.5
    ln.beta.array[...] = rng.standard_normal(5)
    ref = torch.nn.LayerNorm(5, eps=1e-6)
    x = rng.normal(1, 2, (4, 5)).astype(np.float32)
    torch_check(
        ln, ref, [x], [(ln.gamma, ref.weight, identity), (ln.beta, ref.bias, identity)], atol=1e-4
    )


def test_layer_normalization_lazy():
    ln = L.LayerNormalization()
    assert ln.gamma.array is None
    ln(np.ones((2, 7), np.float32))
    assert ln.gamma.shape == (7,) and ln.beta.shape == (7,)
    with pytest.raises(ValueError, match=r"LayerNormalization\(size=None.*expected input of shape"):
        L.LayerNormalization()(np.ones(3, np.float32))


def test_group_normalization_matches_torch(torch_check, identity, rng):
    gn = L.GroupNormalization(2, 6)
    gn.gamma.array[...] = rng.random(6) + 0.5
    gn.beta.array[...] = rng.standard_normal(6)
    ref = torch.nn.GroupNorm(2, 6, eps=1e-5)
    x = rng.normal(1, 2, (3, 6, 4, 4)).astype(np.float32)
    torch_check(
        gn, ref, [x], [(gn.gamma, ref.weight, identity), (gn.beta, ref.bias, identity)], atol=1e-4
    )


def test_group_normalization_lazy_and_errors():
    gn = L.GroupNormalization(3)
    gn(np.ones((1, 6, 2, 2), np.float32))
    assert gn.gamma.shape == (6,)
    with pytest.raises(ValueError, match="channel count 5 must be a multiple of groups=3"):
        L.GroupNormalization(3)(np.ones((1, 5, 2, 2), np.float32))
    with pytest.raises(ValueError, match="GroupNormalization: groups must be a positive int"):
        L.GroupNormalization(0)
