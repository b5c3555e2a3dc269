"""``n_step_rnn`` / ``n_step_birnn`` and the fused node behind every ``n_step_*`` function.

One :class:`NStepRNN` node runs all layers and directions of a stacked RNN, LSTM or
GRU over variable-length sequences: per layer and direction one GEMM projects every
time step's input, a loop over time adds the recurrent term, and backward is one
backpropagation-through-time loop followed by one GEMM per weight gradient (see
``_n_step_cells``). The computation is first-order differentiable; differentiating the
gradients again raises an error (as Chainer's cuDNN path does).

``xs`` follows Chainer's function API: it is *time-major*, ``xs[t]`` of shape
``(B_t, I)`` with ``B_t`` non-increasing (sort sequences by decreasing length, then
transpose them, e.g. with ``F.transpose_sequence``; the ``L.NStep*`` links do this).
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.configuration import config
from kusari.function_node import FunctionNode
from kusari.functions.rnn._n_step_cells import CELLS
from kusari.variable import Variable

__all__ = ["NStepRNN", "n_step_rnn", "n_step_birnn", "n_step_rnn_base"]


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
            f"(its backward is a fused backpropagation through time)")


class NStepRNN(FunctionNode):
    """Stacked (bi)directional RNN/LSTM/GRU over packed sequences.

    Inputs: ``hx, [cx,] *ws (layer-major, then direction, then k), *bs, *xs``.
    Outputs: ``hy, [cy,] *ys``.
    """

    def __init__(self, fname: str, mode: str, n_layers: int, directions: int,
                 dropout_ratio: float, sizes: list[int]) -> None:
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
        ws = items[k:k + nw]
        bs = items[k + nw:k + 2 * nw]
        xs = items[k + 2 * nw:]
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
                w = ws[idx * nw:(idx + 1) * nw]
                b = bs[idx * nw:(idx + 1) * nw]
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
                y, h, c, cache = cell.forward(xp, xw, self.sizes, self.offs, hx[idx],
                                              None if cx is None else cx[idx], wh, bh,
                                              reverse=d == 1)
                self.layers.append((xin, mask, wx, wh, cache))
                hys.append(h)
                cys.append(c)
                outs.append(y)
            x = outs[0] if len(outs) == 1 else xp.concatenate(outs, axis=1)
        ys = [x[self.offs[t]:self.offs[t + 1]] for t in range(len(self.sizes))]
        head = (xp.stack(hys),) + ((xp.stack(cys),) if cell.has_cell else ())
        return head + tuple(ys)

    def backward(self, indexes, grad_outputs):
        grads = self._grads(grad_outputs)
        if not config.enable_backprop:
            return tuple(grads[i] for i in indexes)
        # Double backprop requested: hand the gradients out through a node that refuses
        # to be differentiated, connected to every input so nothing is silently zero.
        ins = [n.get_variable() for n in self.inputs] + [
            g for g in grad_outputs if g is not None]
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
                    gy[self.offs[t]:self.offs[t + 1]] = g.array
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
                gyd = None if gy is None else gy[:, d * hn:(d + 1) * hn]
                dx, dhh, dh0, dc0, hprev = cell.backward(
                    xp, cache, self.sizes, self.offs, gyd,
                    None if ghy is None else ghy[idx], None if gcy is None else gcy[idx],
                    wh, reverse=d == 1)
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
        gxs = [gy[self.offs[t]:self.offs[t + 1]] for t in range(len(self.sizes))]
        head = [ghx] + ([gcx] if cell.has_cell else [])
        return head + gws + gbs + gxs


def _arr(a: Any) -> Any:
    return getattr(a, "_data", a)


def n_step_rnn_base(fname: str, mode: str, n_layers: int, dropout_ratio: float, hx: Any,
                    cx: Any, ws: Any, bs: Any, xs: Any, directions: int,
                    kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Validate the arguments of an ``n_step_*`` function and run :class:`NStepRNN`.

    Returns ``(hy, cy, ys)`` (``cy`` None without a cell state), ``ys`` a tuple.
    """
    if kwargs:
        name = next(iter(kwargs))
        hint = " (use kusari.using_config instead)" if name in ("train", "use_cudnn") else ""
        raise TypeError(f"{fname}: unexpected argument {name!r}{hint}")
    cell = CELLS[mode]
    if not isinstance(n_layers, int) or n_layers < 1:
        raise ValueError(f"{fname}: n_layers must be a positive int; got {n_layers!r}")
    if not 0 <= dropout_ratio < 1:
        raise ValueError(f"{fname}: dropout_ratio must be in [0, 1); got {dropout_ratio!r}")
    xs = list(xs)
    if not xs:
        raise ValueError(f"{fname}: xs must hold at least one time step")
    x0 = _arr(xs[0])
    if x0.dtype.kind != "f":
        raise TypeError(f"{fname}: expected xs of a floating-point dtype, got {x0.dtype}")
    dtype = x0.dtype
    sizes = []
    for t, x in enumerate(xs):
        a = _arr(x)
        if a.ndim != 2 or a.shape[1] != x0.shape[1] or a.dtype != dtype:
            raise ValueError(f"{fname}: xs[{t}] must be a (B_t, {x0.shape[1]}) {dtype} array; "
                             f"got shape {a.shape}, dtype {a.dtype}")
        if sizes and a.shape[0] > sizes[-1]:
            raise ValueError(
                f"{fname}: xs must be time-major with non-increasing batch sizes (sort the "
                f"sequences by decreasing length, then transpose them); xs[{t}] has "
                f"{a.shape[0]} rows after {sizes[-1]}")
        sizes.append(a.shape[0])
    n_states = n_layers * directions
    if len(ws) != n_states or len(bs) != n_states:
        raise ValueError(f"{fname}: expected {n_states} weight and bias lists (n_layers * "
                         f"{directions}); got {len(ws)} and {len(bs)}")
    w00 = _arr(ws[0][0]) if len(ws[0]) else None
    hn = None if w00 is None else w00.shape[0]
    half = cell.n_weights // 2
    for i, (w, b) in enumerate(zip(ws, bs)):
        if len(w) != cell.n_weights or len(b) != cell.n_weights:
            raise ValueError(f"{fname}: ws[{i}] and bs[{i}] must hold {cell.n_weights} arrays "
                             f"each; got {len(w)} and {len(b)}")
        n_in = x0.shape[1] if i < directions else hn * directions
        for k in range(cell.n_weights):
            want = (hn, n_in if k < half else hn)
            wa, ba = _arr(w[k]), _arr(b[k])
            if tuple(wa.shape) != want or tuple(ba.shape) != (hn,):
                raise ValueError(f"{fname}: ws[{i}][{k}] must have shape {want} and bs[{i}][{k}] "
                                 f"shape ({hn},); got {tuple(wa.shape)} and {tuple(ba.shape)}")
            if wa.dtype != dtype or ba.dtype != dtype:
                raise TypeError(f"{fname}: ws[{i}][{k}] and bs[{i}][{k}] must be {dtype} like "
                                f"xs; got {wa.dtype} and {ba.dtype}")
    xp = get_array_module(x0)
    state_shape = (n_states, sizes[0], hn)
    states = [hx, cx] if cell.has_cell else [hx]
    for name, s in zip(("hx", "cx"), states):
        if s is not None and (tuple(s.shape) != state_shape or s.dtype != dtype):
            raise ValueError(f"{fname}: {name} must be a {dtype} array of shape {state_shape} "
                             f"(layers * directions, batch, units); got {tuple(s.shape)} "
                             f"{s.dtype}")
    states = [xp.zeros(state_shape, dtype) if s is None else s for s in states]
    flat_w = [w[k] for w in ws for k in range(cell.n_weights)]
    flat_b = [b[k] for b in bs for k in range(cell.n_weights)]
    node = NStepRNN(fname, mode, n_layers, directions, float(dropout_ratio), sizes)
    outs = node.apply(states + flat_w + flat_b + xs)
    if cell.has_cell:
        return outs[0], outs[1], outs[2:]
    return outs[0], None, outs[1:]


def n_step_rnn(n_layers: int, dropout_ratio: float, hx: Any, ws: Any, bs: Any, xs: Any,
               activation: str = "tanh", **kwargs: Any) -> tuple[Variable, tuple[Variable, ...]]:
    """Stacked unidirectional Elman RNN over variable-length sequences.

    ``h_t = act(W_0 x_t + W_1 h_{t-1} + b_0 + b_1)`` per layer, ``act`` being tanh or
    relu; layer ``k > 0`` reads layer ``k-1``'s outputs through dropout (training only).

    Args:
        n_layers: Number of layers ``S``.
        dropout_ratio: Dropout ratio between layers.
        hx: Initial hidden states, shape ``(S, B, N)`` (None: zeros).
        ws: ``ws[l] = [W_0 (N, I or N), W_1 (N, N)]`` for each layer ``l``.
        bs: ``bs[l] = [b_0, b_1]``, each ``(N,)``.
        xs: Time-major inputs: ``xs[t]`` of shape ``(B_t, I)``, ``B_t`` non-increasing.
        activation: ``'tanh'`` or ``'relu'``.

    Returns:
        tuple: ``(hy, ys)``: final hidden states ``(S, B, N)`` and a tuple with
        ``ys[t]`` of shape ``(B_t, N)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> xs = [np.ones((2, 3), np.float32), np.ones((1, 3), np.float32)]
        >>> ws = [[np.zeros((4, 3), np.float32), np.zeros((4, 4), np.float32)]]
        >>> bs = [[np.zeros(4, np.float32)] * 2]
        >>> hy, ys = F.n_step_rnn(1, 0.0, None, ws, bs, xs)
        >>> hy.shape, [y.shape for y in ys]
        ((1, 2, 4), [(2, 4), (1, 4)])
    """
    if activation not in ("tanh", "relu"):
        raise ValueError(f"n_step_rnn: activation must be 'tanh' or 'relu'; got {activation!r}")
    hy, _, ys = n_step_rnn_base("n_step_rnn", f"rnn_{activation}", n_layers, dropout_ratio, hx,
                                None, ws, bs, xs, 1, kwargs)
    return hy, ys


def n_step_birnn(n_layers: int, dropout_ratio: float, hx: Any, ws: Any, bs: Any, xs: Any,
                 activation: str = "tanh", **kwargs: Any) -> tuple[Variable, tuple[Variable, ...]]:
    """Stacked bidirectional Elman RNN over variable-length sequences.

    Like :func:`n_step_rnn` with a forward and a backward RNN per layer whose outputs are
    concatenated (``ys[t]`` has ``2N`` columns).

    Args:
        n_layers: Number of layers ``S``.
        dropout_ratio: Dropout ratio between layers.
        hx: Initial hidden states, shape ``(2S, B, N)`` (None: zeros).
        ws: ``ws[2 l + d]`` (``d = 0`` forward, ``1`` backward) ``= [W_0, W_1]``; ``W_0``
            is ``(N, I)`` in layer 0 and ``(N, 2N)`` after.
        bs: ``bs[2 l + d] = [b_0, b_1]``.
        xs: Time-major inputs: ``xs[t]`` of shape ``(B_t, I)``, ``B_t`` non-increasing.
        activation: ``'tanh'`` or ``'relu'``.

    Returns:
        tuple: ``(hy, ys)`` with ``hy`` of shape ``(2S, B, N)`` and ``ys[t]`` of shape
        ``(B_t, 2N)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> xs = [np.ones((1, 3), np.float32)]
        >>> w = [np.zeros((4, 3), np.float32), np.zeros((4, 4), np.float32)]
        >>> hy, ys = F.n_step_birnn(1, 0.0, None, [w, w], [[np.zeros(4, np.float32)] * 2] * 2, xs)
        >>> hy.shape, ys[0].shape
        ((2, 1, 4), (1, 8))
    """
    if activation not in ("tanh", "relu"):
        raise ValueError(f"n_step_birnn: activation must be 'tanh' or 'relu'; got {activation!r}")
    hy, _, ys = n_step_rnn_base("n_step_birnn", f"rnn_{activation}", n_layers, dropout_ratio, hx,
                                None, ws, bs, xs, 2, kwargs)
    return hy, ys

