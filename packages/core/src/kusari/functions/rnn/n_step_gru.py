"""``n_step_gru`` and ``n_step_bigru`` (fused; see ``n_step_rnn``)."""

from __future__ import annotations

from typing import Any

from kusari.functions.rnn.n_step_rnn import n_step_rnn_base
from kusari.variable import Variable

__all__ = ["n_step_gru", "n_step_bigru"]


def n_step_gru(
    n_layers: int, dropout_ratio: float, hx: Any, ws: Any, bs: Any, xs: Any, **kwargs: Any
) -> tuple[Variable, tuple[Variable, ...]]:
    """Stacked unidirectional GRU over variable-length sequences.

    For each layer::

        r_t = sigmoid(W_0 x_t + W_3 h_{t-1} + b_0 + b_3)
        z_t = sigmoid(W_1 x_t + W_4 h_{t-1} + b_1 + b_4)
        n_t = tanh(W_2 x_t + b_2 + r_t * (W_5 h_{t-1} + b_5))
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}

    (PyTorch's ``nn.GRU`` with blocks r, z, n.) Layer ``k > 0`` reads layer ``k - 1``'s
    outputs through dropout (training only).

    Args:
        n_layers: Number of layers ``S``.
        dropout_ratio: Dropout ratio between layers.
        hx: Initial hidden states ``(S, B, N)`` (None: zeros).
        ws: ``ws[l]`` holds six matrices; ``ws[0][0:3]`` are ``(N, I)``, the others
            ``(N, N)``.
        bs: ``bs[l]`` holds six ``(N,)`` vectors.
        xs: Time-major inputs: ``xs[t]`` of shape ``(B_t, I)`` with ``B_t`` non-increasing.

    Returns:
        tuple: ``(hy, ys)``: final states ``(S, B, N)`` and a tuple with ``ys[t]`` of
        shape ``(B_t, N)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> xs = [np.ones((2, 3), np.float32)] * 2
        >>> ws = [[np.zeros((4, 3 if k < 3 else 4), np.float32) for k in range(6)]]
        >>> bs = [[np.zeros(4, np.float32) for _ in range(6)]]
        >>> hy, ys = F.n_step_gru(1, 0.0, None, ws, bs, xs)
        >>> hy.shape, len(ys)
        ((1, 2, 4), 2)
    """
    hy, _, ys = n_step_rnn_base(
        "n_step_gru", "gru", n_layers, dropout_ratio, hx, None, ws, bs, xs, 1, kwargs
    )
    return hy, ys


def n_step_bigru(
    n_layers: int, dropout_ratio: float, hx: Any, ws: Any, bs: Any, xs: Any, **kwargs: Any
) -> tuple[Variable, tuple[Variable, ...]]:
    """Stacked bidirectional GRU over variable-length sequences.

    Each layer runs the :func:`n_step_gru` recurrence forward and backward in time and
    concatenates the outputs (``2N`` columns).

    Args:
        n_layers: Number of layers ``S``.
        dropout_ratio: Dropout ratio between layers.
        hx: Initial hidden states ``(2S, B, N)``, index ``2 l + d`` (None: zeros).
        ws: ``ws[2 l + d]`` holds six matrices; the first three are ``(N, I)`` in layer 0
            and ``(N, 2N)`` after, the others ``(N, N)``.
        bs: ``bs[2 l + d]`` holds six ``(N,)`` vectors.
        xs: Time-major inputs: ``xs[t]`` of shape ``(B_t, I)`` with ``B_t`` non-increasing.

    Returns:
        tuple: ``(hy, ys)`` with ``hy`` of shape ``(2S, B, N)`` and ``ys[t]`` of shape
        ``(B_t, 2N)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> xs = [np.ones((1, 3), np.float32)]
        >>> w = [np.zeros((4, 3 if k < 3 else 4), np.float32) for k in range(6)]
        >>> b = [np.zeros(4, np.float32) for _ in range(6)]
        >>> hy, ys = F.n_step_bigru(1, 0.0, None, [w, w], [b, b], xs)
        >>> hy.shape, ys[0].shape
        ((2, 1, 4), (1, 8))
    """
    hy, _, ys = n_step_rnn_base(
        "n_step_bigru", "gru", n_layers, dropout_ratio, hx, None, ws, bs, xs, 2, kwargs
    )
    return hy, ys
