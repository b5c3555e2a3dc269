"""``n_step_lstm`` and ``n_step_bilstm`` (fused; see ``n_step_rnn``)."""

from __future__ import annotations

from typing import Any

from kusari.functions.rnn.n_step_rnn import n_step_rnn_base
from kusari.variable import Variable

__all__ = ["n_step_lstm", "n_step_bilstm"]


def n_step_lstm(
    n_layers: int, dropout_ratio: float, hx: Any, cx: Any, ws: Any, bs: Any, xs: Any, **kwargs: Any
) -> tuple[Variable, Variable, tuple[Variable, ...]]:
    """Stacked unidirectional LSTM over variable-length sequences.

    For each layer (what Chainer computes; its docstring swaps the roles of ``W_2`` and
    ``W_3``)::

        i_t = sigmoid(W_0 x_t + W_4 h_{t-1} + b_0 + b_4)
        f_t = sigmoid(W_1 x_t + W_5 h_{t-1} + b_1 + b_5)
        a_t = tanh(W_2 x_t + W_6 h_{t-1} + b_2 + b_6)
        o_t = sigmoid(W_3 x_t + W_7 h_{t-1} + b_3 + b_7)
        c_t = f_t * c_{t-1} + i_t * a_t
        h_t = o_t * tanh(c_t)

    This is PyTorch's ``nn.LSTM`` with ``weight_ih`` split into ``W_0..W_3`` and
    ``weight_hh`` into ``W_4..W_7`` (blocks i, f, g, o). Layer ``k > 0`` reads the
    outputs of layer ``k - 1`` through dropout (training only).

    Args:
        n_layers: Number of layers ``S``.
        dropout_ratio: Dropout ratio between layers.
        hx: Initial hidden states ``(S, B, N)`` (None: zeros).
        cx: Initial cell states ``(S, B, N)`` (None: zeros).
        ws: ``ws[l]`` holds eight matrices; ``ws[0][0:4]`` are ``(N, I)``, the others
            ``(N, N)``.
        bs: ``bs[l]`` holds eight ``(N,)`` vectors.
        xs: Time-major inputs: ``xs[t]`` of shape ``(B_t, I)`` with ``B_t`` non-increasing
            (sort sequences by decreasing length, then transpose them).

    Returns:
        tuple: ``(hy, cy, ys)``: final states of shape ``(S, B, N)`` and a tuple with
        ``ys[t]`` of shape ``(B_t, N)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> xs = [np.ones((3, 2), np.float32), np.ones((1, 2), np.float32)]
        >>> ws = [[np.ones((4, 2 if k < 4 else 4), np.float32) for k in range(8)]]
        >>> bs = [[np.zeros(4, np.float32) for _ in range(8)]]
        >>> hy, cy, ys = F.n_step_lstm(1, 0.0, None, None, ws, bs, xs)
        >>> hy.shape, cy.shape, [y.shape for y in ys]
        ((1, 3, 4), (1, 3, 4), [(3, 4), (1, 4)])
    """
    return n_step_rnn_base(
        "n_step_lstm", "lstm", n_layers, dropout_ratio, hx, cx, ws, bs, xs, 1, kwargs
    )


def n_step_bilstm(
    n_layers: int, dropout_ratio: float, hx: Any, cx: Any, ws: Any, bs: Any, xs: Any, **kwargs: Any
) -> tuple[Variable, Variable, tuple[Variable, ...]]:
    """Stacked bidirectional LSTM over variable-length sequences.

    Each layer runs the :func:`n_step_lstm` recurrence forward and backward in time and
    concatenates the two outputs (``[h_forward; h_backward]``, ``2N`` columns).

    Args:
        n_layers: Number of layers ``S``.
        dropout_ratio: Dropout ratio between layers.
        hx: Initial hidden states ``(2S, B, N)``, index ``2 l + d`` (None: zeros).
        cx: Initial cell states ``(2S, B, N)`` (None: zeros).
        ws: ``ws[2 l + d]`` (``d = 0`` forward, ``1`` backward) holds eight matrices;
            ``ws[0..1][0:4]`` are ``(N, I)``, ``ws[2 l + d][0:4]`` for ``l > 0`` are
            ``(N, 2N)``, the others ``(N, N)``.
        bs: ``bs[2 l + d]`` holds eight ``(N,)`` vectors.
        xs: Time-major inputs: ``xs[t]`` of shape ``(B_t, I)`` with ``B_t`` non-increasing.

    Returns:
        tuple: ``(hy, cy, ys)`` with states of shape ``(2S, B, N)`` and ``ys[t]`` of
        shape ``(B_t, 2N)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> xs = [np.ones((2, 3), np.float32)]
        >>> w = [np.zeros((4, 3 if k < 4 else 4), np.float32) for k in range(8)]
        >>> b = [np.zeros(4, np.float32) for _ in range(8)]
        >>> hy, cy, ys = F.n_step_bilstm(1, 0.0, None, None, [w, w], [b, b], xs)
        >>> hy.shape, ys[0].shape
        ((2, 2, 4), (2, 8))
    """
    return n_step_rnn_base(
        "n_step_bilstm", "lstm", n_layers, dropout_ratio, hx, cx, ws, bs, xs, 2, kwargs
    )
