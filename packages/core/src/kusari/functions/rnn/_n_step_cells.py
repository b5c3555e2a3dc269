"""The per-direction recurrences behind ``n_step_lstm``/``gru``/``rnn``, on arrays.

Sequences are *packed* time-major: step ``t`` owns rows ``[offsets[t], offsets[t] +
batch_sizes[t])`` of an ``(N, ...)`` array, with ``batch_sizes`` non-increasing (the
sequences are sorted by decreasing length). The state arrays keep all ``B`` rows; step
``t`` reads and updates the first ``batch_sizes[t]`` of them, so a sequence that has
ended keeps its last state and one that has not started (reverse direction) keeps its
initial state.

The input projection ``x @ Wx.T + b`` is one GEMM over all steps, done by the caller;
each step adds ``h @ Wh.T``. Backward returns the gate pre-activation gradients packed
like the inputs, so the caller forms every weight gradient with one GEMM.

Weight blocks (rows of the stacked ``Wx``/``Wh``), in Chainer's ``ws[k]`` order:

- LSTM: ``i, f, a, o`` (what Chainer computes: ``ws[2]``/``ws[6]`` feed the cell input
  and ``ws[3]``/``ws[7]`` the output gate, the same order as cuDNN and PyTorch).
- GRU: ``r, z, n`` with ``n = tanh(Wx_n x + b_n + r * (Wh_n h + bh_n))``.
- RNN: one block.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LSTMCellSeq", "GRUCellSeq", "RNNCellSeq", "CELLS"]


def _sigmoid_(xp: Any, a: Any) -> Any:
    """In-place sigmoid via tanh (no overflow)."""
    a *= 0.5
    xp.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _steps(batch_sizes: list[int], reverse: bool) -> range:
    n = len(batch_sizes)
    return range(n - 1, -1, -1) if reverse else range(n)


class LSTMCellSeq:
    n_weights = 8
    gates = 4
    has_cell = True
    split_bias = False  # bx and bh are simply added

    @staticmethod
    def forward(xp, xw, sizes, offs, h0, c0, wh, bh, reverse):
        h = h0.copy()
        c = c0.copy()
        hn = h.shape[1]
        hprev = xp.empty((len(xw), hn), xw.dtype)
        cprev = xp.empty_like(hprev)
        y = xp.empty_like(hprev)
        for t in _steps(sizes, reverse):
            s, b = offs[t], sizes[t]
            z = xw[s : s + b]
            hp = h[:b]
            z += hp @ wh.T
            hprev[s : s + b] = hp
            cp = cprev[s : s + b]
            cp[...] = c[:b]
            _sigmoid_(xp, z[:, : 2 * hn])
            _sigmoid_(xp, z[:, 3 * hn :])
            xp.tanh(z[:, 2 * hn : 3 * hn], out=z[:, 2 * hn : 3 * hn])
            i, f, a, o = z[:, :hn], z[:, hn : 2 * hn], z[:, 2 * hn : 3 * hn], z[:, 3 * hn :]
            cn = f * cp
            cn += i * a
            c[:b] = cn
            xp.tanh(cn, out=cn)
            cn *= o
            h[:b] = cn
            y[s : s + b] = cn
        return y, h, c, (xw, hprev, cprev)

    @staticmethod
    def backward(xp, cache, sizes, offs, gy, ghy, gcy, wh, reverse):
        g, hprev, cprev = cache
        hn = hprev.shape[1]
        bsz = sizes[0]
        dh = xp.zeros((bsz, hn), g.dtype) if ghy is None else ghy.copy()
        dc = xp.zeros((bsz, hn), g.dtype) if gcy is None else gcy.copy()
        d = xp.empty_like(g)
        for t in _steps(sizes, not reverse):
            s, b = offs[t], sizes[t]
            gt = g[s : s + b]
            i, f, a, o = gt[:, :hn], gt[:, hn : 2 * hn], gt[:, 2 * hn : 3 * hn], gt[:, 3 * hn :]
            cp = cprev[s : s + b]
            tc = f * cp
            tc += i * a
            xp.tanh(tc, out=tc)
            dht = dh[:b] if gy is None else dh[:b] + gy[s : s + b]
            dt = d[s : s + b]
            t1 = dht * o
            dt[:, 3 * hn :] = t1 * tc * (1 - o)
            dct = dc[:b] + t1 * (1 - tc * tc)
            t1 = dct * i
            dt[:, 2 * hn : 3 * hn] = t1 * (1 - a * a)
            dt[:, :hn] = t1 * a * (1 - i)
            dt[:, hn : 2 * hn] = dct * cp * f * (1 - f)
            dh[:b] = dt @ wh
            dc[:b] = dct * f
        return d, d, dh, dc, hprev


class GRUCellSeq:
    n_weights = 6
    gates = 3
    has_cell = False
    split_bias = True  # bh_n sits inside r * (Wh_n h + bh_n)

    @staticmethod
    def forward(xp, xw, sizes, offs, h0, c0, wh, bh, reverse):
        h = h0.copy()
        hn = h.shape[1]
        hprev = xp.empty((len(xw), hn), xw.dtype)
        hwn = xp.empty_like(hprev)
        y = xp.empty_like(hprev)
        for t in _steps(sizes, reverse):
            s, b = offs[t], sizes[t]
            z = xw[s : s + b]
            hp = h[:b]
            hprev[s : s + b] = hp
            hw = hp @ wh.T
            hw += bh
            z[:, : 2 * hn] += hw[:, : 2 * hn]
            _sigmoid_(xp, z[:, : 2 * hn])
            r, u, n = z[:, :hn], z[:, hn : 2 * hn], z[:, 2 * hn :]
            hwn[s : s + b] = hw[:, 2 * hn :]
            n += r * hw[:, 2 * hn :]
            xp.tanh(n, out=n)
            hnew = hp - n
            hnew *= u
            hnew += n
            h[:b] = hnew
            y[s : s + b] = hnew
        return y, h, None, (xw, hprev, hwn)

    @staticmethod
    def backward(xp, cache, sizes, offs, gy, ghy, gcy, wh, reverse):
        g, hprev, hwn = cache
        hn = hprev.shape[1]
        bsz = sizes[0]
        dh = xp.zeros((bsz, hn), g.dtype) if ghy is None else ghy.copy()
        dx = xp.empty_like(g)
        dhh = xp.empty_like(g)
        for t in _steps(sizes, not reverse):
            s, b = offs[t], sizes[t]
            gt = g[s : s + b]
            r, u, n = gt[:, :hn], gt[:, hn : 2 * hn], gt[:, 2 * hn :]
            hp = hprev[s : s + b]
            dht = dh[:b] if gy is None else dh[:b] + gy[s : s + b]
            dxt, dht_ = dx[s : s + b], dhh[s : s + b]
            dzn = dht * (1 - u) * (1 - n * n)
            dxt[:, 2 * hn :] = dzn
            dht_[:, 2 * hn :] = dzn * r
            dxt[:, :hn] = dzn * hwn[s : s + b] * r * (1 - r)
            dxt[:, hn : 2 * hn] = dht * (hp - n) * u * (1 - u)
            dht_[:, : 2 * hn] = dxt[:, : 2 * hn]
            dh[:b] = dht * u + dht_ @ wh
        return dx, dhh, dh, None, hprev


class RNNCellSeq:
    n_weights = 2
    gates = 1
    has_cell = False
    split_bias = False

    def __init__(self, activation: str) -> None:
        self.relu = activation == "relu"

    def forward(self, xp, xw, sizes, offs, h0, c0, wh, bh, reverse):
        h = h0.copy()
        hprev = xp.empty_like(xw)
        for t in _steps(sizes, reverse):
            s, b = offs[t], sizes[t]
            z = xw[s : s + b]
            hp = h[:b]
            hprev[s : s + b] = hp
            z += hp @ wh.T
            if self.relu:
                xp.maximum(z, 0, out=z)
            else:
                xp.tanh(z, out=z)
            h[:b] = z
        # The activated projections are the outputs and the backward cache at once.
        return xw, h, None, (xw, hprev)

    def backward(self, xp, cache, sizes, offs, gy, ghy, gcy, wh, reverse):
        y, hprev = cache
        dh = xp.zeros((sizes[0], y.shape[1]), y.dtype) if ghy is None else ghy.copy()
        d = xp.empty_like(y)
        for t in _steps(sizes, not reverse):
            s, b = offs[t], sizes[t]
            yt = y[s : s + b]
            dht = dh[:b] if gy is None else dh[:b] + gy[s : s + b]
            dt = d[s : s + b]
            if self.relu:
                xp.multiply(dht, yt > 0, out=dt)
            else:
                xp.multiply(dht, 1 - yt * yt, out=dt)
            dh[:b] = dt @ wh
        return d, d, dh, None, hprev


CELLS = {
    "lstm": LSTMCellSeq(),
    "gru": GRUCellSeq(),
    "rnn_tanh": RNNCellSeq("tanh"),
    "rnn_relu": RNNCellSeq("relu"),
}
