"""``LSTM`` (stateful) and ``StatelessLSTM``: long short-term memory layers.

The four gates are laid out as ``F.lstm`` expects (Chainer's layout): the
``4 * out_size`` pre-activations are interleaved per unit, ``[a_0, i_0, f_0, o_0, a_1,
...]`` (cell input, input gate, forget gate, output gate). PyTorch stacks them by gate
in the order (i, f, g=a, o) instead: a Chainer weight ``W`` becomes PyTorch's as
``W.reshape(H, 4, -1)[:, [1, 2, 0, 3]].swapaxes(0, 1).reshape(4 * H, -1)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.links._chain import Chain
from kusari.links._util import check_size
from kusari.links.connection.linear import Linear
from kusari.variable import Variable

__all__ = ["LSTM", "StatelessLSTM"]


class _PerGateWeight:
    """Fill each gate's ``(out_size, in)`` block of a stacked weight separately."""

    def __init__(self, init: Any, out_size: int) -> None:
        self.init = init
        self.out_size = out_size
        self.dtype = getattr(init, "dtype", None)

    def __call__(self, array: Any) -> None:
        n = self.out_size
        for start in range(0, array.shape[0], n):
            self.init(array[start : start + n])


class _GateBias:
    """Fill the interleaved bias: ``forget_init`` for forget gates, ``init`` for the rest."""

    def __init__(self, init: Any, forget_init: Any) -> None:
        self.init = init
        self.forget_init = forget_init
        self.dtype = getattr(init, "dtype", None)

    def __call__(self, array: Any) -> None:
        gates = array.reshape(-1, 4)
        for k in range(4):
            (self.forget_init if k == 2 else self.init)(gates[:, k])


class _LSTMBase(Chain):
    def __init__(
        self,
        in_size: int | None,
        out_size: int | None = None,
        lateral_init: Any = None,
        upward_init: Any = None,
        bias_init: Any = None,
        forget_bias_init: Any = None,
    ) -> None:
        super().__init__()
        if out_size is None:
            in_size, out_size = None, in_size
        name = type(self).__name__
        in_size = check_size(in_size, "in_size", name)
        self.state_size = check_size(out_size, "out_size", name, allow_none=False)
        n = self.state_size
        upward = _PerGateWeight(initializers.get_initializer(upward_init), n)
        lateral = _PerGateWeight(initializers.get_initializer(lateral_init), n)
        bias = _GateBias(
            initializers.get_initializer(0 if bias_init is None else bias_init),
            initializers.get_initializer(1 if forget_bias_init is None else forget_bias_init),
        )
        with self.init_scope():
            self.upward = Linear(in_size, 4 * n, initialW=upward, initial_bias=bias)
            self.lateral = Linear(n, 4 * n, initialW=lateral, nobias=True)

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "in_size", self.upward.in_size
        yield "out_size", self.state_size


class LSTM(_LSTMBase):
    """Fully connected LSTM layer that keeps its state between calls.

    Each call consumes one time step ``x`` of shape (N, in_size) and returns ``h``.
    The batch may shrink from one step to the next (sequences sorted by decreasing
    length): the first rows of the state are updated, the rest carried over.

    Args:
        in_size: Input size; None (or ``LSTM(out_size)``) infers it at the first call.
        out_size: Number of units.
        lateral_init: Initializer of ``lateral.W`` (per gate; default LeCunNormal).
        upward_init: Initializer of ``upward.W`` (per gate; default LeCunNormal).
        bias_init: Initializer of the cell-input, input and output gate biases (0).
        forget_bias_init: Initializer of the forget gate bias (1).

    Attributes:
        upward: :class:`Linear` from the input to the gates.
        lateral: :class:`Linear` (no bias) from ``h`` to the gates.
        h: Last output (a Variable) or None.
        c: Cell state (a Variable) or None.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> rnn = L.LSTM(None, 4)
        >>> x = np.ones((2, 3), np.float32)
        >>> rnn(x).shape, rnn(x).shape, rnn.c.shape
        ((2, 4), (2, 4), (2, 4))
        >>> rnn.reset_state()
        >>> rnn.h is None
        True
    """

    def __init__(
        self,
        in_size: int | None,
        out_size: int | None = None,
        lateral_init: Any = None,
        upward_init: Any = None,
        bias_init: Any = None,
        forget_bias_init: Any = None,
    ) -> None:
        super().__init__(in_size, out_size, lateral_init, upward_init, bias_init, forget_bias_init)
        self.reset_state()

    def reset_state(self) -> None:
        """Forget the state (the next call starts a new sequence)."""
        self.h = None
        self.c = None

    def set_state(self, c: Any, h: Any) -> None:
        """Set the cell state and output (Variables or arrays of shape (N, out_size))."""
        for what, v in (("c", c), ("h", h)):
            if v is not None and (v.ndim != 2 or v.shape[1] != self.state_size):
                raise ValueError(
                    f"LSTM.set_state: {what} must have shape (N, {self.state_size}); got "
                    f"{tuple(v.shape)}"
                )
        self.c = None if c is None else _as_var(c)
        self.h = None if h is None else _as_var(h)

    def _to_device_own(self, dev: Any) -> None:
        super()._to_device_own(dev)
        for name in ("h", "c"):
            v = self.__dict__.get(name)
            if isinstance(v, Variable):
                v.to_device(dev)

    def forward(self, x: Any) -> Variable:
        """Advance one time step with input ``x`` of shape (N, in_size)."""
        batch = x.shape[0]
        lstm_in = self.upward(x)
        h, c = self.h, self.c
        h_rest = c_rest = None
        if h is not None:
            n = h.shape[0]
            if n < batch:
                raise ValueError(
                    f"LSTM: the batch grew from {n} to {batch}; it may only shrink between "
                    "steps\nhelp: call reset_state() to start new sequences"
                )
            if n > batch:
                h, h_rest = F.split_axis(h, [batch], axis=0)
            lstm_in = lstm_in + self.lateral(h)
        if c is None:
            c = Variable(self.xp.zeros((batch, self.state_size), dtype=lstm_in.dtype))
        elif c.shape[0] > batch:
            c, c_rest = F.split_axis(c, [batch], axis=0)
        c, y = F.lstm(c, lstm_in)
        self.c = c if c_rest is None else F.concat((c, c_rest), axis=0)
        self.h = y if h_rest is None else F.concat((y, h_rest), axis=0)
        return y


class StatelessLSTM(_LSTMBase):
    """LSTM layer without internal state: ``c, h = layer(c, h, x)``.

    Arguments and parameters are those of :class:`LSTM`; ``c`` and ``h`` may be None
    at the first step.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> cell = L.StatelessLSTM(3, 4)
        >>> c, h = cell(None, None, np.ones((2, 3), np.float32))
        >>> c.shape, h.shape
        ((2, 4), (2, 4))
    """

    def forward(self, c: Any, h: Any, x: Any) -> tuple[Variable, Variable]:
        """One step: returns the new ``(c, h)``."""
        lstm_in = self.upward(x)
        if h is not None:
            lstm_in = lstm_in + self.lateral(h)
        if c is None:
            c = Variable(self.xp.zeros((x.shape[0], self.state_size), dtype=lstm_in.dtype))
        return F.lstm(c, lstm_in)


def _as_var(v: Any) -> Variable:
    return v if isinstance(v, Variable) else Variable(v)
