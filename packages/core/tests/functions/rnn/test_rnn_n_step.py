"""n_step_{lstm,bilstm,gru,bigru,rnn,birnn} against torch.nn.LSTM/GRU/RNN on packed sequences.

Weight layout: Chainer's ws[2 * layer + direction][k]. For the LSTM, ws[0..3] are the
input weights of the i, f, a (PyTorch's g) and o gates and ws[4..7] the recurrent ones, so
they are PyTorch's weight_ih / weight_hh cut into four blocks of N rows *in PyTorch's
order*; the GRU's ws[0..2] / ws[3..5] are the r, z, n blocks; the RNN's ws = [W_ih, W_hh].
The biases follow the same rule. PyTorch's PackedSequence data is exactly the
concatenation of Chainer's time-major xs.
"""

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
from kusari import Variable

rng = np.random.default_rng(6)

MODES = {  # name: (function, torch module, blocks, has cell, bidirectional)
    "lstm": (F.n_step_lstm, torch.nn.LSTM, 4, True, False),
    "bilstm": (F.n_step_bilstm, torch.nn.LSTM, 4, True, True),
    "gru": (F.n_step_gru, torch.nn.GRU, 3, False, False),
    "bigru": (F.n_step_bigru, torch.nn.GRU, 3, False, True),
    "rnn": (F.n_step_rnn, torch.nn.RNN, 1, False, False),
    "birnn": (F.n_step_birnn, torch.nn.RNN, 1, False, True),
}


def _chainer_weights(mod, n_layers, bi, blocks, hidden, dtype):
    ws, bs = [], []
    for layer in range(n_layers):
        for d in range(2 if bi else 1):
            sfx = f"l{layer}" + ("_reverse" if d else "")
            mats = []
            vecs = []
            for name in ("ih", "hh"):
                w = getattr(mod, f"weight_{name}_{sfx}").detach().numpy().astype(dtype)
                b = getattr(mod, f"bias_{name}_{sfx}").detach().numpy().astype(dtype)
                mats += [w[k * hidden : (k + 1) * hidden] for k in range(blocks)]
                vecs += [b[k * hidden : (k + 1) * hidden] for k in range(blocks)]
            ws.append([Variable(m.copy()) for m in mats])
            bs.append([Variable(v.copy()) for v in vecs])
    return ws, bs


def _run(mode, lengths, n_in, hidden, n_layers, dtype=np.float64, relu=False):
    fn, tmod, blocks, has_cell, bi = MODES[mode]
    kw = {"nonlinearity": "relu"} if relu else {}
    mod = tmod(n_in, hidden, num_layers=n_layers, bidirectional=bi, **kw)
    mod = mod.double() if dtype == np.float64 else mod
    ws, bs = _chainer_weights(mod, n_layers, bi, blocks, hidden, dtype)
    seqs = [rng.standard_normal((n, n_in)).astype(dtype) for n in lengths]
    n_states = n_layers * (2 if bi else 1)
    hx = rng.standard_normal((n_states, len(lengths), hidden)).astype(dtype)
    cx = rng.standard_normal(hx.shape).astype(dtype)
    # torch side
    tseqs = [torch.tensor(s, requires_grad=True) for s in seqs]
    packed = torch.nn.utils.rnn.pack_sequence(tseqs)
    thx = torch.tensor(hx, requires_grad=True)
    tcx = torch.tensor(cx, requires_grad=True)
    out, state = mod(packed, (thx, tcx) if has_cell else thx)
    # kusari side: time-major xs
    xs = [Variable(np.stack([s[t] for s in seqs if len(s) > t])) for t in range(lengths[0])]
    hv, cv = Variable(hx), Variable(cx)
    args = (n_layers, 0.0, hv) + ((cv,) if has_cell else ()) + (ws, bs, xs)
    if relu:
        res = fn(*args, activation="relu")
    else:
        res = fn(*args)
    hy, ys = res[0], res[-1]
    cy = res[1] if has_cell else None
    # values
    np.testing.assert_allclose(
        np.concatenate([y.array for y in ys]), out.data.detach().numpy(), rtol=1e-5, atol=1e-6
    )
    th = state[0] if has_cell else state
    np.testing.assert_allclose(hy.array, th.detach().numpy(), rtol=1e-5, atol=1e-6)
    if has_cell:
        np.testing.assert_allclose(cy.array, state[1].detach().numpy(), rtol=1e-5, atol=1e-6)
    # gradients for random upstream gradients of every output
    g_out = rng.standard_normal(out.data.shape).astype(dtype)
    g_h = rng.standard_normal(hx.shape).astype(dtype)
    g_c = rng.standard_normal(hx.shape).astype(dtype)
    loss = (out.data * torch.tensor(g_out)).sum() + (th * torch.tensor(g_h)).sum()
    if has_cell:
        loss = loss + (state[1] * torch.tensor(g_c)).sum()
    loss.backward()
    offs = np.cumsum([0] + [y.shape[0] for y in ys])
    outs = [hy] + ([cy] if has_cell else []) + list(ys)
    grads = (
        [g_h] + ([g_c] if has_cell else []) + [g_out[offs[t] : offs[t + 1]] for t in range(len(ys))]
    )
    kusari.backward(outs, grads)
    np.testing.assert_allclose(hv.grad, thx.grad.numpy(), rtol=1e-5, atol=1e-6)
    if has_cell:
        np.testing.assert_allclose(cv.grad, tcx.grad.numpy(), rtol=1e-5, atol=1e-6)
    for b, s in enumerate(tseqs):
        got = np.stack([xs[t].grad[b] for t in range(len(s))])
        np.testing.assert_allclose(got, s.grad.numpy(), rtol=1e-5, atol=1e-6)
    tw, tb = _chainer_weights(_GradView(mod), n_layers, bi, blocks, hidden, dtype)
    for wl, twl, bl, tbl in zip(ws, tw, bs, tb):
        for w, t in zip(wl + bl, twl + tbl):
            np.testing.assert_allclose(w.grad, t.array, rtol=1e-5, atol=1e-6)
    return hy, ys


class _GradView:
    """Exposes a torch module's parameter gradients under the parameter names."""

    def __init__(self, mod):
        self.mod = mod

    def __getattr__(self, name):
        return getattr(self.mod, name).grad


@pytest.mark.parametrize("mode", ["lstm", "bilstm", "gru", "bigru", "rnn", "birnn"])
@pytest.mark.parametrize("lengths,n_layers", [([4, 3, 3, 1], 2), ([3], 1), ([2, 2], 3)])
def test_matches_torch(mode, lengths, n_layers):
    _run(mode, lengths, n_in=3, hidden=4, n_layers=n_layers)


@pytest.mark.parametrize("mode", ["rnn", "birnn"])
def test_relu_matches_torch(mode):
    _run(mode, [3, 2], n_in=2, hidden=3, n_layers=2, relu=True)


def test_float32_matches_torch_and_keeps_dtype():
    hy, ys = _run("lstm", [5, 4, 2], n_in=3, hidden=4, n_layers=2, dtype=np.float32)
    assert hy.dtype == np.float32 and ys[0].dtype == np.float32


def _small_lstm(bi=False, dtype=np.float64):
    n_in, hid, layers = 2, 3, 2
    d = 2 if bi else 1
    ws = [
        [
            rng.standard_normal((hid, (n_in if i < d else hid * d) if k < 4 else hid)).astype(dtype)
            for k in range(8)
        ]
        for i in range(layers * d)
    ]
    bs = [[rng.standard_normal(hid).astype(dtype) for _ in range(8)] for _ in range(layers * d)]
    xs = [rng.standard_normal((b, n_in)).astype(dtype) for b in (3, 2, 2)]
    return layers, ws, bs, xs, (layers * d, 3, hid)


def test_dropout_only_between_layers_and_only_in_training():
    layers, ws, bs, xs, sshape = _small_lstm()
    base = F.n_step_lstm(layers, 0.0, None, None, ws, bs, xs)[2]
    with kusari.using_config("train", False):
        test_mode = F.n_step_lstm(layers, 0.9, None, None, ws, bs, xs)[2]
    for a, b in zip(base, test_mode):
        np.testing.assert_array_equal(a.array, b.array)
    np.random.seed(0)
    dropped = F.n_step_lstm(layers, 0.5, None, None, ws, bs, xs)[2]
    assert any(not np.allclose(a.array, b.array) for a, b in zip(base, dropped))
    one_layer = F.n_step_lstm(1, 0.9, None, None, ws[:1], bs[:1], xs)[2]
    ref = F.n_step_lstm(1, 0.0, None, None, ws[:1], bs[:1], xs)[2]
    for a, b in zip(one_layer, ref):  # no dropout on the first layer's input
        np.testing.assert_array_equal(a.array, b.array)


def test_dropout_gradient_is_masked_consistently():
    from kusari.gradient_check import check_backward

    layers, ws, bs, xs, sshape = _small_lstm()
    flat = [w for wl in ws for w in wl] + [b for bl in bs for b in bl]

    def f(*xs_):
        np.random.seed(1)  # the same mask for every evaluation
        res = F.n_step_lstm(layers, 0.4, None, None, ws, bs, list(xs_))
        return (res[0],) + tuple(res[2])

    gys = (rng.standard_normal(sshape),) + tuple(rng.standard_normal((x.shape[0], 3)) for x in xs)
    check_backward(f, tuple(xs), gys)
    assert len(flat) == 32


def test_numerical_gradients_bilstm_all_inputs():
    from kusari.gradient_check import check_backward

    layers, ws, bs, xs, sshape = _small_lstm(bi=True)
    hx, cx = rng.standard_normal(sshape), rng.standard_normal(sshape)
    n = len(xs)
    nw = len(ws) * 8

    def f(hx, cx, *rest):
        w = [list(rest[i * 8 : (i + 1) * 8]) for i in range(len(ws))]
        b = [list(rest[nw + i * 8 : nw + (i + 1) * 8]) for i in range(len(ws))]
        hy, cy, ys = F.n_step_bilstm(layers, 0.0, hx, cx, w, b, list(rest[2 * nw :]))
        return (hy, cy) + tuple(ys)

    ins = (
        (hx, cx) + tuple(w for wl in ws for w in wl) + tuple(b for bl in bs for b in bl) + tuple(xs)
    )
    gys = (rng.standard_normal(sshape), rng.standard_normal(sshape)) + tuple(
        rng.standard_normal((x.shape[0], 6)) for x in xs
    )
    check_backward(f, ins, gys)
    assert n == 3


def test_unused_outputs_get_no_gradient_and_double_backprop_raises():
    layers, ws, bs, xs, sshape = _small_lstm()
    xv = [Variable(x) for x in xs]
    hy, cy, ys = F.n_step_lstm(layers, 0.0, None, None, ws, bs, xv)
    (gx,) = kusari.grad([ys[-1]], [xv[0]], [Variable(np.ones(ys[-1].shape))])
    assert gx.shape == xs[0].shape
    (gx,) = kusari.grad([hy], [xv[0]], [Variable(np.ones(hy.shape))], enable_double_backprop=True)
    with pytest.raises(
        RuntimeError,
        match="n_step_lstm: the gradient of this function cannot be differentiated again",
    ):
        kusari.grad([gx], [xv[0]], [Variable(np.ones(gx.shape))])


def test_bad_inputs():
    layers, ws, bs, xs, sshape = _small_lstm()
    with pytest.raises(ValueError, match="n_step_lstm: xs must be time-major with non-increasing"):
        F.n_step_lstm(layers, 0.0, None, None, ws, bs, xs[::-1])
    with pytest.raises(ValueError, match="n_step_lstm: expected 2 weight and bias lists"):
        F.n_step_lstm(layers, 0.0, None, None, ws[:1], bs, xs)
    bad = [[ws[0][0], ws[0][1].T] + ws[0][2:]] + ws[1:]
    with pytest.raises(ValueError, match=r"n_step_lstm: ws\[0\]\[1\] must have shape \(3, 2\)"):
        F.n_step_lstm(layers, 0.0, None, None, bad, bs, xs)
    with pytest.raises(
        ValueError,
        match=r"n_step_lstm: hx must be a float64 array of shape "
        r"\(2, 3, 3\)",
    ):
        F.n_step_lstm(layers, 0.0, np.zeros((1, 3, 3)), None, ws, bs, xs)
    with pytest.raises(TypeError, match="n_step_lstm: expected xs of a floating-point dtype"):
        F.n_step_lstm(layers, 0.0, None, None, ws, bs, [x.astype(np.int32) for x in xs])
    with pytest.raises(TypeError, match="n_step_lstm: unexpected argument 'train'"):
        F.n_step_lstm(layers, 0.0, None, None, ws, bs, xs, train=True)
    with pytest.raises(ValueError, match="n_step_rnn: activation must be"):
        F.n_step_rnn(1, 0.0, None, [ws[0][:2]], [bs[0][:2]], xs, activation="sigmoid")


def test_float16_smoke():
    layers, ws, bs, xs, sshape = _small_lstm(dtype=np.float16)
    hy, cy, ys = F.n_step_lstm(layers, 0.0, None, None, ws, bs, xs)
    assert hy.dtype == cy.dtype == ys[0].dtype == np.float16
