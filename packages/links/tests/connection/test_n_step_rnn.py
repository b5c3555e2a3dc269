"""NStepLSTM, NStepGRU, NStepRNN and their bidirectional versions against torch.nn.*."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kusari
import kusari.links as L
from kusari import serializers

N_OUT = 4
LENGTHS = (3, 5, 1)  # deliberately unsorted

CASES = [
    (L.NStepLSTM, torch.nn.LSTM, {}, 4),
    (L.NStepBiLSTM, torch.nn.LSTM, {"bidirectional": True}, 4),
    (L.NStepGRU, torch.nn.GRU, {}, 3),
    (L.NStepBiGRU, torch.nn.GRU, {"bidirectional": True}, 3),
    (L.NStepRNNTanh, torch.nn.RNN, {"nonlinearity": "tanh"}, 1),
    (L.NStepRNNReLU, torch.nn.RNN, {"nonlinearity": "relu"}, 1),
    (L.NStepBiRNNTanh, torch.nn.RNN, {"nonlinearity": "tanh", "bidirectional": True}, 1),
    (L.NStepBiRNNReLU, torch.nn.RNN, {"nonlinearity": "relu", "bidirectional": True}, 1),
]


def _copy_weights(link, ref, n_blocks):
    """Chainer layout: w0..w{n-1} input blocks, w{n}.. hidden blocks (PyTorch's order)."""
    pairs = []
    dirs = 2 if link.use_bi_direction else 1
    for k, cell in enumerate(link):
        layer, d = divmod(k, dirs)
        suffix = f"_l{layer}" + ("_reverse" if d else "")
        for kind, offset in (("ih", 0), ("hh", n_blocks)):
            ws = [getattr(cell, f"w{offset + j}") for j in range(n_blocks)]
            bs = [getattr(cell, f"b{offset + j}") for j in range(n_blocks)]
            tw, tb = getattr(ref, f"weight_{kind}{suffix}"), getattr(ref, f"bias_{kind}{suffix}")
            with torch.no_grad():
                tw.copy_(torch.from_numpy(np.concatenate([w.array for w in ws])))
                tb.copy_(torch.from_numpy(np.concatenate([b.array for b in bs])))
            pairs.append((ws, tw))
            pairs.append((bs, tb))
    return pairs


@pytest.mark.parametrize("cls,tcls,tkw,n_blocks", CASES)
def test_matches_torch(rng, cls, tcls, tkw, n_blocks):
    link = cls(2, 3, N_OUT, 0.0)
    for b in link.params():
        if b.name.startswith("b"):
            b.array[...] = rng.standard_normal(b.shape) * 0.5
    ref = tcls(3, N_OUT, num_layers=2, **tkw)
    pairs = _copy_weights(link, ref, n_blocks)
    xs_np = [rng.standard_normal((n, 3)).astype(np.float32) for n in LENGTHS]
    dirs = 2 if link.use_bi_direction else 1
    hx_np = rng.standard_normal((2 * dirs, 3, N_OUT)).astype(np.float32)
    cx_np = rng.standard_normal((2 * dirs, 3, N_OUT)).astype(np.float32)

    xs = [kusari.Variable(x) for x in xs_np]
    hx = kusari.Variable(hx_np)
    cx = kusari.Variable(cx_np)
    if link.use_cell:
        hy, cy, ys = link(hx, cx, xs)
    else:
        hy, ys = link(hx, xs)

    txs = [torch.from_numpy(x).requires_grad_() for x in xs_np]
    thx = torch.from_numpy(hx_np).requires_grad_()
    tcx = torch.from_numpy(cx_np).requires_grad_()
    packed = torch.nn.utils.rnn.pack_sequence(txs, enforce_sorted=False)
    tout, tstate = ref(packed, (thx, tcx) if link.use_cell else thx)
    tpad, _ = torch.nn.utils.rnn.pad_packed_sequence(tout, batch_first=True)
    thy = tstate[0] if link.use_cell else tstate

    for i, n in enumerate(LENGTHS):
        assert ys[i].shape == (n, dirs * N_OUT)
        np.testing.assert_allclose(ys[i].array, tpad[i, :n].detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(hy.array, thy.detach().numpy(), rtol=1e-4, atol=1e-5)
    if link.use_cell:
        np.testing.assert_allclose(cy.array, tstate[1].detach().numpy(), rtol=1e-4, atol=1e-5)

    gys = [rng.standard_normal(y.shape).astype(np.float32) for y in ys]
    ghy = rng.standard_normal(hy.shape).astype(np.float32)
    kusari.backward([*ys, hy], [*gys, ghy])
    tgrad = torch.zeros_like(tpad)
    for i, n in enumerate(LENGTHS):
        tgrad[i, :n] = torch.from_numpy(gys[i])
    torch.autograd.backward([tpad, thy], [tgrad, torch.from_numpy(ghy)])
    for x, tx in zip(xs, txs):
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(hx.grad, thx.grad.numpy(), rtol=1e-3, atol=1e-4)
    for params, tp in pairs:
        grad = np.concatenate([p.grad for p in params])
        np.testing.assert_allclose(
            grad, tp.grad.numpy(), rtol=1e-3, atol=1e-4, err_msg=params[0].name
        )


def test_layout_lazy_input_and_defaults(rng):
    rnn = L.NStepLSTM(2, None, 4, 0.1)
    assert len(rnn) == 2 and rnn[0].w0.array is None and rnn[0].w4.shape == (4, 4)
    assert rnn[1].w0.shape == (4, 4)
    names = [n for n, _ in rnn.namedparams()]
    assert names[:4] == ["/0/w0", "/0/b0", "/0/w1", "/0/b1"] and len(names) == 32
    hy, cy, ys = rnn(None, None, [rng.standard_normal((2, 6)).astype(np.float32)])
    assert rnn[0].w0.shape == (4, 6) and hy.shape == (2, 1, 4)
    bi = L.NStepBiGRU(1, 3, 2, 0.0)
    assert len(bi) == 2 and len(bi.ws[0]) == 6 and bi.ws[0][0].shape == (2, 3)
    assert [b.array.sum() for b in bi.bs[0]] == [0.0] * 6


def test_dropout_applies_only_in_training(rng):
    rnn = L.NStepLSTM(2, 3, 4, 0.5)
    xs = [rng.standard_normal((4, 3)).astype(np.float32)]
    with kusari.using_config("train", False):
        a = rnn(None, None, xs)[2][0].array
        b = rnn(None, None, xs)[2][0].array
    np.testing.assert_array_equal(a, b)


def test_chainer_layout_round_trip(tmp_path, rng):
    rnn = L.NStepGRU(1, 3, 2, 0.0)
    serializers.save_npz(tmp_path / "gru.npz", rnn)
    with np.load(tmp_path / "gru.npz") as f:
        assert sorted(f.files) == sorted(
            [f"0/w{j}" for j in range(6)] + [f"0/b{j}" for j in range(6)]
        )
    other = L.NStepGRU(1, None, 2, 0.0)
    serializers.load_npz(tmp_path / "gru.npz", other)
    np.testing.assert_array_equal(other[0].w0.array, rnn[0].w0.array)


def test_errors():
    rnn = L.NStepLSTM(1, 3, 2, 0.0)
    with pytest.raises(TypeError, match="NStepLSTM: xs must be a non-empty list"):
        rnn(None, None, np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"NStepLSTM: xs\[1\] must have shape \(length >= 1"):
        rnn(None, None, [np.zeros((2, 3), np.float32), np.zeros((0, 3), np.float32)])
    with pytest.raises(ValueError, match="dropout must be in"):
        L.NStepLSTM(1, 3, 2, 1.5)
