"""LSTM, StatelessLSTM and the GRUs against PyTorch; state handling; Chainer weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import serializers

H = 4


def chainer_to_torch_gates(a: np.ndarray) -> np.ndarray:
    """Chainer's interleaved (unit, gate=[a, i, f, o]) rows → PyTorch's blocks (i, f, g, o)."""
    lead = a.reshape(H, 4, *a.shape[1:])
    return lead[:, [1, 2, 0, 3]].swapaxes(0, 1).reshape(a.shape)


def _lstm_pair(rng, in_size=3):
    layer = L.LSTM(in_size, H)
    layer.upward.b.array[...] = rng.standard_normal(4 * H)
    ref = torch.nn.LSTMCell(in_size, H)
    with torch.no_grad():
        ref.bias_hh.zero_()
    params = [
        (layer.upward.W, ref.weight_ih, chainer_to_torch_gates),
        (layer.upward.b, ref.bias_ih, chainer_to_torch_gates),
        (layer.lateral.W, ref.weight_hh, chainer_to_torch_gates),
    ]
    return layer, ref, params


def test_lstm_sequence_matches_torch(torch_check, rng):
    layer, ref, params = _lstm_pair(rng)
    xs = rng.standard_normal((3, 2, 3)).astype(np.float32)

    def run_kusari(x):
        layer.reset_state()
        return F.stack([layer(x[t]) for t in range(3)])

    def run_torch(x):
        h = c = torch.zeros(2, H)
        out = []
        for t in range(3):
            h, c = ref(x[t], (h, c))
            out.append(h)
        return torch.stack(out)

    torch_check(run_kusari, run_torch, [xs], params)


def test_lstm_state_and_shrinking_batch(rng):
    layer, ref, _ = _lstm_pair(rng)
    with torch.no_grad():
        ref.weight_ih.copy_(torch.from_numpy(chainer_to_torch_gates(layer.upward.W.array)))
        ref.bias_ih.copy_(torch.from_numpy(chainer_to_torch_gates(layer.upward.b.array)))
        ref.weight_hh.copy_(torch.from_numpy(chainer_to_torch_gates(layer.lateral.W.array)))
    x1 = rng.standard_normal((3, 3)).astype(np.float32)
    x2 = rng.standard_normal((2, 3)).astype(np.float32)
    assert layer.h is None and layer.c is None
    layer(x1)
    y2 = layer(x2)
    h1, c1 = ref(torch.from_numpy(x1))
    h2, c2 = ref(torch.from_numpy(x2), (h1[:2], c1[:2]))
    np.testing.assert_allclose(y2.array, h2.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.h.array[:2], h2.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.h.array[2:], h1[2:].detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.c.array[2:], c1[2:].detach().numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="LSTM: the batch grew from 3 to 4"):
        layer(rng.standard_normal((4, 3)).astype(np.float32))
    layer.reset_state()
    assert layer.h is None and layer(rng.standard_normal((4, 3)).astype(np.float32)).shape == (4, H)


def test_lstm_set_state(rng):
    layer = L.LSTM(3, H)
    c = np.ones((2, H), np.float32)
    layer.set_state(c, np.zeros((2, H), np.float32))
    assert isinstance(layer.c, kusari.Variable)
    layer(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"c must have shape \(N, 4\)"):
        layer.set_state(np.ones((2, 3), np.float32), None)


def test_lstm_lazy_and_initialization():
    np.random.seed(0)
    layer = L.LSTM(H)
    assert layer.upward.W.array is None and layer.lateral.W.shape == (4 * H, H)
    layer(np.ones((1, 7), np.float32))
    assert layer.upward.W.shape == (4 * H, 7)
    gates = layer.upward.b.array.reshape(H, 4)
    np.testing.assert_array_equal(gates[:, 2], np.ones(H))  # forget gate bias: 1
    np.testing.assert_array_equal(gates[:, [0, 1, 3]], np.zeros((H, 3)))
    custom = L.LSTM(3, H, bias_init=0.5, forget_bias_init=2.0)
    np.testing.assert_array_equal(custom.upward.b.array.reshape(H, 4)[:, 2], np.full(H, 2.0))
    np.testing.assert_array_equal(custom.upward.b.array.reshape(H, 4)[:, 0], np.full(H, 0.5))
    assert [n for n, _ in custom.namedparams()] == ["/upward/W", "/upward/b", "/lateral/W"]


def test_lstm_loads_chainer_written_weights(tmp_path, rng):
    # A Chainer L.LSTM(3, 4) saves upward/W (16, 3), upward/b (16,), lateral/W (16, 4).
    arrays = {
        "upward/W": rng.standard_normal((16, 3)).astype(np.float32),
        "upward/b": rng.standard_normal(16).astype(np.float32),
        "lateral/W": rng.standard_normal((16, 4)).astype(np.float32),
    }
    np.savez(tmp_path / "lstm.npz", **arrays)
    layer = L.LSTM(None, 4)
    serializers.load_npz(tmp_path / "lstm.npz", layer)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    y = layer(x)
    ref = torch.nn.LSTMCell(3, 4)
    with torch.no_grad():
        ref.weight_ih.copy_(torch.from_numpy(chainer_to_torch_gates(arrays["upward/W"])))
        ref.bias_ih.copy_(torch.from_numpy(chainer_to_torch_gates(arrays["upward/b"])))
        ref.weight_hh.copy_(torch.from_numpy(chainer_to_torch_gates(arrays["lateral/W"])))
        ref.bias_hh.zero_()
    h, _ = ref(torch.from_numpy(x))
    np.testing.assert_allclose(y.array, h.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_stateless_lstm_matches_stateful(rng):
    cell = L.StatelessLSTM(3, H)
    stateful = L.LSTM(3, H)
    stateful.copyparams(cell)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    c, h = cell(None, None, x)
    c, h = cell(c, h, x)
    stateful(x)
    np.testing.assert_allclose(h.array, stateful(x).array, rtol=1e-6)
    np.testing.assert_allclose(c.array, stateful.c.array, rtol=1e-6)


def _gru_torch(params, x, h):
    """Chainer's GRU equations in torch (reset gate applied before the product with U)."""
    (wr, br, ur, bur, wz, bz, uz, buz, w, b, u, bu) = params
    lin = torch.nn.functional.linear
    z = lin(x, wz, bz)
    h_bar = lin(x, w, b)
    if h is not None:
        r = torch.sigmoid(lin(x, wr, br) + lin(h, ur, bur))
        z = z + lin(h, uz, buz)
        h_bar = h_bar + lin(r * h, u, bu)
    z, h_bar = torch.sigmoid(z), torch.tanh(h_bar)
    return z * h_bar if h is None else z * h_bar + (1 - z) * h


@pytest.mark.parametrize("cls", [L.GRU, L.StatefulGRU])
def test_stateful_gru_matches_torch_formula(torch_check, identity, rng, cls):
    gru = cls(3, H)
    names = ["W_r", "U_r", "W_z", "U_z", "W", "U"]
    tparams = []
    pairs = []
    for n in names:
        link = getattr(gru, n)
        link.b.array[...] = rng.standard_normal(H)
        for p in (link.W, link.b):
            t = torch.zeros(p.shape, requires_grad=True)
            tparams.append(t)
            pairs.append((p, t, identity))
    xs = rng.standard_normal((3, 2, 3)).astype(np.float32)

    def run_kusari(x):
        gru.reset_state()
        return F.stack([gru(x[t]) for t in range(3)])

    def run_torch(x):
        h, out = None, []
        for t in range(3):
            h = _gru_torch(tparams, x[t], h)
            out.append(h)
        return torch.stack(out)

    torch_check(run_kusari, run_torch, [xs], pairs)
    assert gru.h.shape == (2, H)
    gru.set_state(np.zeros((2, H), np.float32))
    with pytest.raises(ValueError, match=r"h must have shape \(N, 4\)"):
        gru.set_state(np.zeros((2, 3), np.float32))


def test_stateless_gru_and_lazy_input(rng):
    gru = L.StatelessGRU(None, H)
    x = rng.standard_normal((2, 5)).astype(np.float32)
    h = gru(None, x)
    h = gru(h, x)
    assert h.shape == (2, H) and gru.W.W.shape == (H, 5)
    assert [n for n, _ in gru.namedparams()][:2] == ["/W_r/W", "/W_r/b"]
