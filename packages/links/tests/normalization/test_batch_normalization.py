"""BatchNormalization against torch.nn.BatchNorm*: train/test modes, statistics, laziness."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kusari
import kusari.links as L


def _pair(rng, c=3, dims=2):
    bn = L.BatchNormalization(c, decay=0.8, eps=1e-3)
    bn.gamma.array[...] = rng.random(c) + 0.5
    bn.beta.array[...] = rng.standard_normal(c)
    ref = (torch.nn.BatchNorm2d if dims == 2 else torch.nn.BatchNorm1d)(c, eps=1e-3, momentum=0.2)
    return bn, ref


@pytest.mark.parametrize("shape", [(4, 3, 5, 5), (6, 3)])
def test_train_mode_matches_torch(torch_check, identity, rng, shape):
    bn, ref = _pair(rng, dims=len(shape) - 2)
    ref.train()
    x = rng.normal(2.0, 3.0, shape).astype(np.float32)
    torch_check(
        bn, ref, [x], [(bn.gamma, ref.weight, identity), (bn.beta, ref.bias, identity)], atol=1e-4
    )
    # torch ran its own forward once in torch_check; both updated the running averages once.
    np.testing.assert_allclose(bn.avg_mean, ref.running_mean.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.avg_var, ref.running_var.numpy(), rtol=1e-4)


def test_test_mode_uses_running_statistics(torch_check, identity, rng):
    bn, ref = _pair(rng)
    bn.avg_mean[...] = rng.standard_normal(3)
    bn.avg_var[...] = rng.random(3) + 0.5
    ref.running_mean.copy_(torch.from_numpy(bn.avg_mean.copy()))
    ref.running_var.copy_(torch.from_numpy(bn.avg_var.copy()))
    ref.eval()
    before = bn.avg_mean.copy()
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    with kusari.using_config("train", False):
        torch_check(
            bn,
            ref,
            [x],
            [(bn.gamma, ref.weight, identity), (bn.beta, ref.bias, identity)],
            atol=1e-4,
        )
    np.testing.assert_array_equal(bn.avg_mean, before)


def test_switching_modes_changes_the_output(rng):
    bn = L.BatchNormalization(3)
    x = rng.normal(5.0, 2.0, (8, 3)).astype(np.float32)
    train_y = bn(x).array
    assert abs(train_y.mean()) < 1e-5
    with kusari.using_config("train", False):
        test_y = bn(x).array  # running averages have moved only 10% toward the batch
    assert test_y.mean() > 3


def test_persistents_are_not_parameters():
    bn = L.BatchNormalization(4)
    assert [n for n, _ in bn.namedparams()] == ["/gamma", "/beta"]
    assert bn._persistent == ["avg_mean", "avg_var", "N"]
    np.testing.assert_array_equal(bn.avg_mean, np.zeros(4))
    np.testing.assert_array_equal(bn.avg_var, np.ones(4))
    assert bn.avg_mean.dtype == np.float32


def test_lazy_size_channel_axis_and_explicit_axis(rng):
    bn = L.BatchNormalization()
    assert bn.avg_mean is None and bn.gamma.array is None
    bn(rng.standard_normal((2, 5, 3, 3)).astype(np.float32))
    assert bn.avg_mean.shape == (5,) and bn.gamma.shape == (5,)
    per_pixel = L.BatchNormalization(axis=0)
    x = rng.standard_normal((6, 2, 3)).astype(np.float32)
    y = per_pixel(x)
    assert per_pixel.avg_mean.shape == (2, 3)
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 2e-5)
    np.testing.assert_allclose(y.array, expected, rtol=1e-4, atol=1e-5)


def test_finetune_collects_population_statistics(rng):
    bn = L.BatchNormalization(2)
    xs = [rng.normal(i, 1 + i, (10, 2)).astype(np.float32) for i in range(3)]
    for x in xs:
        bn(x, finetune=True)
    assert bn.N == 3
    np.testing.assert_allclose(bn.avg_mean, np.mean([x.mean(0) for x in xs], 0), rtol=1e-5)
    np.testing.assert_allclose(bn.avg_var, np.mean([x.var(0, ddof=1) for x in xs], 0), rtol=1e-5)
    bn.start_finetuning()
    assert bn.N == 0


def test_without_gamma_and_beta(rng):
    bn = L.BatchNormalization(3, use_gamma=False, use_beta=False)
    assert list(bn.namedparams()) == []
    x = rng.normal(3, 2, (5, 3)).astype(np.float32)
    np.testing.assert_allclose(
        bn(x).array, (x - x.mean(0)) / np.sqrt(x.var(0) + 2e-5), rtol=1e-4, atol=1e-5
    )


def test_dtype_and_initial_values():
    bn = L.BatchNormalization(2, dtype=np.float64, initial_gamma=2.0, initial_avg_var=4.0)
    assert bn.gamma.dtype == np.float64 and bn.avg_mean.dtype == np.float64
    np.testing.assert_array_equal(bn.gamma.array, [2, 2])
    np.testing.assert_array_equal(bn.avg_var, [4, 4])
    assert "size=2" in repr(bn)


def test_wrong_channels_are_reported(rng):
    with pytest.raises(ValueError, match=r"BatchNormalization\(size=3"):
        L.BatchNormalization(3)(rng.standard_normal((2, 4)).astype(np.float32))
