"""EmbedID, Highway, Bias and Scale against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kusari.links as L


def test_embed_id_matches_torch(torch_check, identity, rng):
    embed = L.EmbedID(6, 3)
    ref = torch.nn.Embedding(6, 3)
    ids = np.array([[0, 5, 2], [2, 2, 1]], np.int32)
    torch_check(embed, lambda t: ref(t.long()), [ids], [(embed.W, ref.weight, identity)])


def test_embed_id_ignore_label(rng):
    embed = L.EmbedID(4, 2, ignore_label=-1)
    ids = np.array([3, -1, 3], np.int32)
    y = embed(ids)
    np.testing.assert_array_equal(y.array[1], [0, 0])
    np.testing.assert_array_equal(y.array[0], embed.W.array[3])
    y.grad = np.ones((3, 2), np.float32)
    y.backward()
    np.testing.assert_array_equal(embed.W.grad, [[0, 0], [0, 0], [0, 0], [2, 2]])


def test_embed_id_defaults_and_errors():
    np.random.seed(0)
    embed = L.EmbedID(1000, 50)
    assert embed.W.shape == (1000, 50) and embed.W.dtype == np.float32
    assert abs(embed.W.array.std() - 1.0) < 0.02  # Chainer's Normal(1.0)
    with pytest.raises(ValueError, match="EmbedID"):
        embed(np.array([1000], np.int32))
    with pytest.raises(ValueError, match="EmbedID: in_size must be a positive int"):
        L.EmbedID(None, 3)


def test_highway_matches_torch_formula(torch_check, identity, rng):
    hw = L.Highway(4)
    hw.plain.b.array[...] = rng.standard_normal(4)
    ref_plain, ref_t = torch.nn.Linear(4, 4), torch.nn.Linear(4, 4)

    def highway(x):
        t = torch.sigmoid(ref_t(x))
        return torch.relu(ref_plain(x)) * t + x * (1 - t)

    x = rng.standard_normal((3, 4)).astype(np.float32)
    torch_check(
        hw,
        highway,
        [x],
        [
            (hw.plain.W, ref_plain.weight, identity),
            (hw.plain.b, ref_plain.bias, identity),
            (hw.transform.W, ref_t.weight, identity),
            (hw.transform.b, ref_t.bias, identity),
        ],
    )
    np.testing.assert_array_equal(L.Highway(3).transform.b.array, [-1, -1, -1])


def test_bias_matches_torch(torch_check, identity, rng):
    layer = L.Bias(axis=1, shape=(3, 2))
    layer.b.array[...] = rng.standard_normal((3, 2))
    b = torch.zeros(3, 2, requires_grad=True)
    x = rng.standard_normal((2, 3, 2, 4)).astype(np.float32)
    torch_check(layer, lambda t: t + b[None, :, :, None], [x], [(layer.b, b, identity)])


def test_bias_given_as_input():
    x = np.zeros((2, 3), np.float32)
    y = L.Bias()(x, np.array([1, 2, 3], np.float32))
    np.testing.assert_array_equal(y.array[1], [1, 2, 3])
    with pytest.raises(TypeError, match=r"Bias.forward: expected \(x\) with a learned bias"):
        L.Bias()(x)


def test_scale_with_bias_matches_torch(torch_check, identity, rng):
    layer = L.Scale(axis=1, W_shape=(3,), bias_term=True)
    layer.W.array[...] = rng.standard_normal(3)
    layer.bias.b.array[...] = rng.standard_normal(3)
    w, b = torch.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    torch_check(
        layer,
        lambda t: t * w[:, None] + b[:, None],
        [x],
        [(layer.W, w, identity), (layer.bias.b, b, identity)],
    )
    assert [n for n, _ in layer.namedparams()] == ["/W", "/bias/b"]


def test_scale_given_as_input_and_errors():
    y = L.Scale()(np.ones((2, 3), np.float32), np.array([1, 2, 3], np.float32))
    np.testing.assert_array_equal(y.array[0], [1, 2, 3])
    with pytest.raises(TypeError, match="Scale.forward"):
        L.Scale()(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="bias_term=True needs W_shape or bias_shape"):
        L.Scale(bias_term=True)
    assert L.Scale(bias_term=True, bias_shape=(3,)).bias.b.shape == (3,)
