"""The fused node behind every ``n_step_*`` function (see ``n_step_rnn``)."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.configuration import config
from kusari.function_node import FunctionNode
from kusari.functions.rnn._n_step_cells import CELLS

__all__ = ["NStepRNN"]


class _FrozenGrad(FunctionNode):
    """Holds gradients computed in one go; differentiating them again is an error."""

    def __init__(self, grads: tuple[Any, ...], fname: str) -> None:
        self.grads = grads
        self.fname = fname

    def forward(self, inputs):
        grads, self.grads = self.grads, None
        return grads

    def backward(self, indexes, grad_outputs):
        raise RuntimeError(
            f"{self.fname}: the gradient of this function cannot be differentiated again "
            f"(its backward is a fused backpropagation through time)"
        )


class NStepRNN(FunctionNode):
    """Stacked (bi)directional RNN/LSTM/GRU over packed sequences.

    Inputs: ``hx, [cx,] *ws (layer-major, then direction, then k), *bs, *xs``.
    Outputs: ``hy, [cy,] *ys``.
    """

    def __init__(
        self,
        fname: str,
        mode: str,
        n_layers: int,
        directions: int,
        dropout_ratio: float,
        sizes: list[int],
    ) -> None:
        self.fname = fname
        self.cell = CELLS[mode]
        self.n_layers = n_layers
        self.directions = directions
        self.dropout_ratio = dropout_ratio
        self.sizes = sizes
        offs = [0]
        for b in sizes:
            offs.append(offs[-1] + b)
        self.offs = offs

    def _split(self, items: tuple[Any, ...]):
        cell = self.cell
        k = 2 if cell.has_cell else 1
        nw = self.n_layers * self.directions * cell.n_weights
        hx = items[0]
        cx = items[1] if cell.has_cell else None
        ws = items[k : k + nw]
        bs = items[k + nw : k + 2 * nw]
        xs = items[k + 2 * nw :]
        return hx, cx, ws, bs, xs

    def forward(self, inputs):
        hx, cx, ws, bs, xs = self._split(inputs)
        xp = get_array_module(hx)
        cell = self.cell
        g, nw = cell.gates, cell.n_weights
        half = nw // 2
        x = xp.concatenate(xs, axis=0) if len(xs) > 1 else xs[0]
        train = config.train and self.dropout_ratio > 0
        hys, cys, self.layers = [], [], []
        for layer in range(self.n_layers):
            outs = []
            for d in range(self.directions):
                idx = layer * self.directions + d
                w = ws[idx * nw : (idx + 1) * nw]
                b = bs[idx * nw : (idx + 1) * nw]
                wx = xp.concatenate(w[:half], axis=0) if g > 1 else w[0]
                wh = xp.concatenate(w[half:], axis=0) if g > 1 else w[half]
                bx = xp.concatenate(b[:half]) if g > 1 else b[0]
                bh = xp.concatenate(b[half:]) if g > 1 else b[half]
                mask = None
                xin = x
                if layer > 0 and train:
                    # Chainer draws an independent dropout mask for each direction.
                    scale = 1.0 / (1.0 - self.dropout_ratio)
                    mask = (xp.random.rand(*x.shape) >= self.dropout_ratio) * scale
                    mask = mask.astype(x.dtype, copy=False)
                    xin = x * mask
                xw = xin @ wx.T
                xw += bx if cell.split_bias else bx + bh
                y, h, c, cache = cell.forward(
                    xp,
                    xw,
                    self.sizes,
                    self.offs,
                    hx[idx],
                    None if cx is None else cx[idx],
                    wh,
                    bh,
                    reverse=d == 1,
                )
                self.layers.append((xin, mask, wx, wh, cache))
                hys.append(h)
                cys.append(c)
                outs.append(y)
            x = outs[0] if len(outs) == 1 else xp.concatenate(outs, axis=1)
        ys = [x[self.offs[t] : self.offs[t + 1]] for t in range(len(self.sizes))]
        head = (xp.stack(hys),) + ((xp.stack(cys),) if cell.has_cell else ())
        return head + tuple(ys)

    def backward(self, indexes, grad_outputs):
        grads = self._grads(grad_outputs)
        if not config.enable_backprop:
            return tuple(grads[i] for i in indexes)
        # Double backprop requested: hand the gradients out through a node that refuses
        # to be differentiated, connected to every input so nothing is silently zero.
        ins = [n.get_variable() for n in self.inputs] + [g for g in grad_outputs if g is not None]
        targets = [i for i in indexes if grads[i] is not None]
        outs = _FrozenGrad(tuple(grads[i] for i in targets), self.fname).apply(ins)
        got = dict(zip(targets, outs))
        return tuple(got.get(i) for i in indexes)

    def _grads(self, grad_outputs):
        cell = self.cell
        nh = 2 if cell.has_cell else 1
        ghy, gcy = grad_outputs[0], grad_outputs[1] if cell.has_cell else None
        gys = grad_outputs[nh:]
        ghy = None if ghy is None else ghy.array
        gcy = None if gcy is None else gcy.array
        ref = self.layers[0][0]
        xp = get_array_module(ref)
        n_rows = self.offs[-1]
        dirs = self.directions
        hn = self.layers[0][3].shape[1]
        width = hn * dirs
        if all(g is None for g in gys):
            gy = None
        else:
            gy = xp.zeros((n_rows, width), ref.dtype)
            for t, g in enumerate(gys):
                if g is not None:
                    gy[self.offs[t] : self.offs[t + 1]] = g.array
        nw = cell.n_weights
        half = nw // 2
        n_states = self.n_layers * dirs
        ghx = xp.empty((n_states, self.sizes[0], hn), ref.dtype)
        gcx = xp.empty_like(ghx) if cell.has_cell else None
        gws: list[Any] = [None] * (n_states * nw)
        gbs: list[Any] = [None] * (n_states * nw)
        for layer in range(self.n_layers - 1, -1, -1):
            gx = None
            for d in range(dirs):
                idx = layer * dirs + d
                xin, mask, wx, wh, cache = self.layers[idx]
                gyd = None if gy is None else gy[:, d * hn : (d + 1) * hn]
                dx, dhh, dh0, dc0, hprev = cell.backward(
                    xp,
                    cache,
                    self.sizes,
                    self.offs,
                    gyd,
                    None if ghy is None else ghy[idx],
                    None if gcy is None else gcy[idx],
                    wh,
                    reverse=d == 1,
                )
                ghx[idx] = dh0
                if gcx is not None:
                    gcx[idx] = dc0
                gwx = dx.T @ xin
                gwh = dhh.T @ hprev
                gbx = dx.sum(0)
                # Separate arrays even when equal: optimizers may update gradients in place.
                gbh = dhh.sum(0) if dhh is not dx else gbx.copy()
                gi = dx @ wx
                if mask is not None:
                    gi *= mask
                gx = gi if gx is None else gx + gi
                base = idx * nw
                for k in range(half):
                    rows = slice(k * hn, (k + 1) * hn)
                    gws[base + k] = gwx[rows]
                    gws[base + half + k] = gwh[rows]
                    gbs[base + k] = gbx[rows]
                    gbs[base + half + k] = gbh[rows]
            gy = gx
        gxs = [gy[self.offs[t] : self.offs[t + 1]] for t in range(len(self.sizes))]
        head = [ghx] + ([gcx] if cell.has_cell else [])
        return head + gws + gbs + gxs
