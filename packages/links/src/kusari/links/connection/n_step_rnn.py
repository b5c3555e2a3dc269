"""Stacked RNNs over lists of variable-length sequences: ``NStepLSTM`` and friends.

Each layer (and direction) is a child :class:`~kusari.links.Link` holding the weights
``w0 ... w{n-1}`` and biases ``b0 ... b{n-1}`` of Chainer's layout, so the saved keys
(``0/w0``, ``0/b0``, ...) match files written by Chainer. For the LSTM, ``w0..w3`` are
PyTorch's ``weight_ih`` blocks (i, f, g, o) and ``w4..w7`` its ``weight_hh`` blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy

import kusari.functions as F
from kusari import initializers
from kusari.links._chain import ChainList
from kusari.links._link import Link
from kusari.links._util import check_size
from kusari.variable import Parameter, Variable

__all__ = [
    "NStepLSTM",
    "NStepBiLSTM",
    "NStepGRU",
    "NStepBiGRU",
    "NStepRNNTanh",
    "NStepRNNReLU",
    "NStepBiRNNTanh",
    "NStepBiRNNReLU",
]


class _NStepRNNBase(ChainList):
    """Shared machinery: weights per layer and direction, sorting and transposing."""

    n_weights = 2
    use_bi_direction = False
    use_cell = False
    #: The ``kusari.functions`` name computing the layers, and its extra arguments.
    _function = "n_step_rnn"
    _function_kwargs: dict[str, Any] = {}

    def __init__(
        self,
        n_layers: int,
        in_size: int | None,
        out_size: int,
        dropout: float,
        initialW: Any = None,
        initial_bias: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.n_layers = check_size(n_layers, "n_layers", name, allow_none=False)
        self.in_size = check_size(in_size, "in_size", name)
        self.out_size = check_size(out_size, "out_size", name, allow_none=False)
        if not 0 <= dropout < 1:
            raise ValueError(f"{name}: dropout must be in [0, 1); got {dropout!r}")
        self.dropout = dropout
        self.direction = 2 if self.use_bi_direction else 1
        w_init = initializers.get_initializer(initialW)
        b_init = initializers.get_initializer(0 if initial_bias is None else initial_bias)
        half = self.n_weights // 2
        for layer in range(self.n_layers):
            for _ in range(self.direction):
                w_in = in_size if layer == 0 else out_size * self.direction
                cell = Link()
                with cell.init_scope():
                    for j in range(self.n_weights):
                        shape = None
                        if j >= half:
                            shape = (out_size, out_size)
                        elif w_in is not None:
                            shape = (out_size, w_in)
                        setattr(cell, f"w{j}", Parameter(w_init, shape))
                        setattr(cell, f"b{j}", Parameter(b_init, (out_size,)))
                self.add_link(cell)

    @property
    def ws(self) -> list[list[Parameter]]:
        """The weights, one list of ``n_weights`` matrices per layer and direction."""
        return [[getattr(c, f"w{j}") for j in range(self.n_weights)] for c in self]

    @property
    def bs(self) -> list[list[Parameter]]:
        """The biases, one list of ``n_weights`` vectors per layer and direction."""
        return [[getattr(c, f"b{j}") for j in range(self.n_weights)] for c in self]

    @property
    def printable_specs(self) -> Any:
        yield "n_layers", self.n_layers
        yield "in_size", self.in_size
        yield "out_size", self.out_size
        yield "dropout", self.dropout

    def _initialize_inputs(self, in_size: int) -> None:
        self.in_size = in_size
        for cell in list(self)[: self.direction]:
            for j in range(self.n_weights // 2):
                getattr(cell, f"w{j}").initialize((self.out_size, in_size))

    def _run(self, hs: list[Any], xs: Sequence[Any]) -> tuple[list[Variable], list[Variable]]:
        name = type(self).__name__
        if not isinstance(xs, (list, tuple)) or not xs:
            raise TypeError(
                f"{name}: xs must be a non-empty list of sequences (arrays or Variables of "
                f"shape (length, in_size)); got {type(xs).__name__}"
            )
        for i, x in enumerate(xs):
            if x.ndim != 2 or x.shape[0] == 0:
                raise ValueError(
                    f"{name}: xs[{i}] must have shape (length >= 1, in_size); got {tuple(x.shape)}"
                )
        if self.ws[0][0].array is None:
            self._initialize_inputs(xs[0].shape[1])
        lengths = numpy.array([x.shape[0] for x in xs])
        order = numpy.argsort(-lengths, kind="stable")
        states = []
        for h in hs:
            states.append(None if h is None else F.permutate(h, order, axis=1))
        time_major = _to_time_major([xs[i] for i in order], lengths[order])
        rnn = getattr(F, self._function)
        result = rnn(
            self.n_layers,
            self.dropout,
            *states,
            self.ws,
            self.bs,
            time_major,
            **self._function_kwargs,
        )
        hys = [F.permutate(h, order, axis=1, inv=True) for h in result[:-1]]
        sorted_ys = _to_batch_major(result[-1], lengths[order])
        ys: list[Variable] = [None] * len(xs)  # type: ignore[list-item]
        for pos, i in enumerate(order):
            ys[i] = sorted_ys[pos]
        return hys, ys


def _to_time_major(xs: list[Any], lengths: numpy.ndarray) -> list[Variable]:
    """Sorted sequences (lengths non-increasing) → ``xs[t]`` of shape (B_t, in_size)."""
    offsets = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]])
    cat = F.concat(list(xs), axis=0) if len(xs) > 1 else xs[0]
    steps = []
    for t in range(int(lengths[0])):
        batch = int((lengths > t).sum())
        steps.append(F.get_item(cat, offsets[:batch] + t))
    return steps


def _to_batch_major(ys: Sequence[Variable], lengths: numpy.ndarray) -> list[Variable]:
    """The inverse of :func:`_to_time_major`."""
    sizes = numpy.array([y.shape[0] for y in ys])
    offsets = numpy.concatenate([[0], numpy.cumsum(sizes)[:-1]])
    cat = F.concat(list(ys), axis=0) if len(ys) > 1 else ys[0]
    return [F.get_item(cat, offsets[: int(n)] + i) for i, n in enumerate(lengths)]


class _LSTMLike(_NStepRNNBase):
    n_weights = 8
    use_cell = True

    def forward(self, hx: Any, cx: Any, xs: Sequence[Any]) -> tuple[Variable, Variable, list]:
        """Run on ``xs`` (a list of (length, in_size) sequences).

        Args:
            hx: Initial hidden states (layers * directions, batch, out_size) or None.
            cx: Initial cell states, same shape, or None.
            xs: The sequences, in any order of lengths.

        Returns:
            ``(hy, cy, ys)``: final states and the per-sequence outputs in input order.
        """
        (hy, cy), ys = self._run([hx, cx], xs)
        return hy, cy, ys


class _HiddenOnly(_NStepRNNBase):
    def forward(self, hx: Any, xs: Sequence[Any]) -> tuple[Variable, list]:
        """Run on ``xs``; returns ``(hy, ys)`` (see :class:`NStepLSTM` for the shapes)."""
        (hy,), ys = self._run([hx], xs)
        return hy, ys


class NStepLSTM(_LSTMLike):
    """Stacked LSTM over a list of variable-length sequences (``F.n_step_lstm``).

    Args:
        n_layers: Number of layers.
        in_size: Input size (None: inferred at the first call).
        out_size: Units per layer.
        dropout: Dropout ratio between layers (training only).
        initialW: Weight initializer (default LeCunNormal).
        initial_bias: Bias initializer (default 0).

    Example:
        >>> import numpy as np, kusari.links as L
        >>> rnn = L.NStepLSTM(2, 3, 4, 0.0)
        >>> xs = [np.ones((5, 3), np.float32), np.ones((2, 3), np.float32)]
        >>> hy, cy, ys = rnn(None, None, xs)
        >>> hy.shape, [y.shape for y in ys]
        ((2, 2, 4), [(5, 4), (2, 4)])
    """

    _function = "n_step_lstm"


class NStepBiLSTM(_LSTMLike):
    """Bidirectional :class:`NStepLSTM` (outputs have ``2 * out_size`` columns)."""

    use_bi_direction = True
    _function = "n_step_bilstm"


class NStepGRU(_HiddenOnly):
    """Stacked GRU over variable-length sequences (``F.n_step_gru``); see :class:`NStepLSTM`."""

    n_weights = 6
    _function = "n_step_gru"


class NStepBiGRU(_HiddenOnly):
    """Bidirectional :class:`NStepGRU`."""

    n_weights = 6
    use_bi_direction = True
    _function = "n_step_bigru"


class NStepRNNTanh(_HiddenOnly):
    """Stacked Elman RNN with tanh (``F.n_step_rnn``); see :class:`NStepLSTM`."""

    _function = "n_step_rnn"
    _function_kwargs = {"activation": "tanh"}


class NStepRNNReLU(_HiddenOnly):
    """Stacked Elman RNN with ReLU."""

    _function = "n_step_rnn"
    _function_kwargs = {"activation": "relu"}


class NStepBiRNNTanh(_HiddenOnly):
    """Bidirectional Elman RNN with tanh."""

    use_bi_direction = True
    _function = "n_step_birnn"
    _function_kwargs = {"activation": "tanh"}


class NStepBiRNNReLU(_HiddenOnly):
    """Bidirectional Elman RNN with ReLU."""

    use_bi_direction = True
    _function = "n_step_birnn"
    _function_kwargs = {"activation": "relu"}
