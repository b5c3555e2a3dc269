"""``n_step_rnn`` / ``n_step_birnn``, and argument checking for every ``n_step_*`` function.

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
from kusari.functions.rnn._n_step_cells import CELLS
from kusari.functions.rnn._n_step_node import NStepRNN
from kusari.variable import Variable

__all__ = ["NStepRNN", "n_step_rnn", "n_step_birnn", "n_step_rnn_base"]


def _arr(a: Any) -> Any:
    return getattr(a, "_data", a)


def n_step_rnn_base(
    fname: str,
    mode: str,
    n_layers: int,
    dropout_ratio: float,
    hx: Any,
    cx: Any,
    ws: Any,
    bs: Any,
    xs: Any,
    directions: int,
    kwargs: dict[str, Any],
) -> tuple[Any, ...]:
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
            raise ValueError(
                f"{fname}: xs[{t}] must be a (B_t, {x0.shape[1]}) {dtype} array; "
                f"got shape {a.shape}, dtype {a.dtype}"
            )
        if sizes and a.shape[0] > sizes[-1]:
            raise ValueError(
                f"{fname}: xs must be time-major with non-increasing batch sizes (sort the "
                f"sequences by decreasing length, then transpose them); xs[{t}] has "
                f"{a.shape[0]} rows after {sizes[-1]}"
            )
        sizes.append(a.shape[0])
    n_states = n_layers * directions
    if len(ws) != n_states or len(bs) != n_states:
        raise ValueError(
            f"{fname}: expected {n_states} weight and bias lists (n_layers * "
            f"{directions}); got {len(ws)} and {len(bs)}"
        )
    w00 = _arr(ws[0][0]) if len(ws[0]) else None
    hn = None if w00 is None else w00.shape[0]
    half = cell.n_weights // 2
    for i, (w, b) in enumerate(zip(ws, bs)):
        if len(w) != cell.n_weights or len(b) != cell.n_weights:
            raise ValueError(
                f"{fname}: ws[{i}] and bs[{i}] must hold {cell.n_weights} arrays "
                f"each; got {len(w)} and {len(b)}"
            )
        n_in = x0.shape[1] if i < directions else hn * directions
        for k in range(cell.n_weights):
            want = (hn, n_in if k < half else hn)
            wa, ba = _arr(w[k]), _arr(b[k])
            if tuple(wa.shape) != want or tuple(ba.shape) != (hn,):
                raise ValueError(
                    f"{fname}: ws[{i}][{k}] must have shape {want} and bs[{i}][{k}] "
                    f"shape ({hn},); got {tuple(wa.shape)} and {tuple(ba.shape)}"
                )
            if wa.dtype != dtype or ba.dtype != dtype:
                raise TypeError(
                    f"{fname}: ws[{i}][{k}] and bs[{i}][{k}] must be {dtype} like "
                    f"xs; got {wa.dtype} and {ba.dtype}"
                )
    xp = get_array_module(x0)
    state_shape = (n_states, sizes[0], hn)
    states = [hx, cx] if cell.has_cell else [hx]
    for name, s in zip(("hx", "cx"), states):
        if s is not None and (tuple(s.shape) != state_shape or s.dtype != dtype):
            raise ValueError(
                f"{fname}: {name} must be a {dtype} array of shape {state_shape} "
                f"(layers * directions, batch, units); got {tuple(s.shape)} "
                f"{s.dtype}"
            )
    states = [xp.zeros(state_shape, dtype) if s is None else s for s in states]
    flat_w = [w[k] for w in ws for k in range(cell.n_weights)]
    flat_b = [b[k] for b in bs for k in range(cell.n_weights)]
    node = NStepRNN(fname, mode, n_layers, directions, float(dropout_ratio), sizes)
    outs = node.apply(states + flat_w + flat_b + xs)
    if cell.has_cell:
        return outs[0], outs[1], outs[2:]
    return outs[0], None, outs[1:]


def n_step_rnn(
    n_layers: int,
    dropout_ratio: float,
    hx: Any,
    ws: Any,
    bs: Any,
    xs: Any,
    activation: str = "tanh",
    **kwargs: Any,
) -> tuple[Variable, tuple[Variable, ...]]:
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
    hy, _, ys = n_step_rnn_base(
        "n_step_rnn", f"rnn_{activation}", n_layers, dropout_ratio, hx, None, ws, bs, xs, 1, kwargs
    )
    return hy, ys


def n_step_birnn(
    n_layers: int,
    dropout_ratio: float,
    hx: Any,
    ws: Any,
    bs: Any,
    xs: Any,
    activation: str = "tanh",
    **kwargs: Any,
) -> tuple[Variable, tuple[Variable, ...]]:
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
    hy, _, ys = n_step_rnn_base(
        "n_step_birnn",
        f"rnn_{activation}",
        n_layers,
        dropout_ratio,
        hx,
        None,
        ws,
        bs,
        xs,
        2,
        kwargs,
    )
    return hy, ys
