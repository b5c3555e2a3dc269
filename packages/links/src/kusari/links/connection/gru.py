"""Gated recurrent units: ``StatelessGRU``, ``StatefulGRU`` and ``GRU`` (stateful).

Chainer's formulation applies the reset gate before the recurrent product,
``h_bar = tanh(W x + U (r * h))``, and keeps ``z`` for the new candidate; PyTorch's
``nn.GRUCell`` applies ``r`` after the product and swaps the roles of ``z`` and ``1 - z``,
so the two are different models (``L.NStepGRU`` follows PyTorch's equations).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari.links._chain import Chain
from kusari.links._util import check_size
from kusari.links.connection.linear import Linear
from kusari.variable import Variable

__all__ = ["GRU", "StatefulGRU", "StatelessGRU"]


class _GRUBase(Chain):
    def __init__(
        self,
        in_size: int | None,
        out_size: int,
        init: Any = None,
        inner_init: Any = None,
        bias_init: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        in_size = check_size(in_size, "in_size", name)
        self.out_size = check_size(out_size, "out_size", name, allow_none=False)
        n = self.out_size
        with self.init_scope():
            self.W_r = Linear(in_size, n, initialW=init, initial_bias=bias_init)
            self.U_r = Linear(n, n, initialW=inner_init, initial_bias=bias_init)
            self.W_z = Linear(in_size, n, initialW=init, initial_bias=bias_init)
            self.U_z = Linear(n, n, initialW=inner_init, initial_bias=bias_init)
            self.W = Linear(in_size, n, initialW=init, initial_bias=bias_init)
            self.U = Linear(n, n, initialW=inner_init, initial_bias=bias_init)

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "in_size", self.W.in_size
        yield "out_size", self.out_size

    def _step(self, h: Any, x: Any) -> Variable:
        z = self.W_z(x)
        h_bar = self.W(x)
        if h is not None:
            r = F.sigmoid(self.W_r(x) + self.U_r(h))
            z = z + self.U_z(h)
            h_bar = h_bar + self.U(r * h)
        z = F.sigmoid(z)
        h_bar = F.tanh(h_bar)
        if h is None:
            return z * h_bar
        return z * h_bar + (1 - z) * h


class StatelessGRU(_GRUBase):
    """GRU step without internal state: ``h_new = layer(h, x)``.

    ``r = sigmoid(W_r x + U_r h)``, ``z = sigmoid(W_z x + U_z h)``,
    ``h_bar = tanh(W x + U (r * h))``, ``h_new = z * h_bar + (1 - z) * h``
    (``h_new = z * h_bar`` when ``h`` is None).

    Args:
        in_size: Input size (None: inferred at the first call).
        out_size: Number of units.
        init: Initializer of the input weights ``W_r``, ``W_z``, ``W``.
        inner_init: Initializer of the recurrent weights ``U_r``, ``U_z``, ``U``.
        bias_init: Initializer of all biases (default 0).

    Example:
        >>> import numpy as np, kusari.links as L
        >>> gru = L.StatelessGRU(3, 4)
        >>> gru(None, np.ones((2, 3), np.float32)).shape
        (2, 4)
    """

    def forward(self, h: Any, x: Any) -> Variable:
        """One step from state ``h`` (or None) with input ``x``."""
        return self._step(h, x)


class StatefulGRU(_GRUBase):
    """GRU layer keeping its state ``h`` between calls (formulas as :class:`StatelessGRU`).

    Args:
        in_size: Input size (None: inferred at the first call).
        out_size: Number of units.
        init: Initializer of the input weights.
        inner_init: Initializer of the recurrent weights.
        bias_init: Initializer of the biases (default 0).

    Example:
        >>> import numpy as np, kusari.links as L
        >>> gru = L.StatefulGRU(3, 4)
        >>> x = np.ones((2, 3), np.float32)
        >>> gru(x).shape, gru(x).shape
        ((2, 4), (2, 4))
    """

    def __init__(
        self,
        in_size: int | None,
        out_size: int,
        init: Any = None,
        inner_init: Any = None,
        bias_init: Any = None,
    ) -> None:
        super().__init__(in_size, out_size, init, inner_init, bias_init)
        self.h = None

    def reset_state(self) -> None:
        """Forget the state."""
        self.h = None

    def set_state(self, h: Any) -> None:
        """Set the state (a Variable or array of shape (N, out_size))."""
        if h.ndim != 2 or h.shape[1] != self.out_size:
            raise ValueError(
                f"{type(self).__name__}.set_state: h must have shape (N, {self.out_size}); "
                f"got {tuple(h.shape)}"
            )
        self.h = h if isinstance(h, Variable) else Variable(h)

    def _to_device_own(self, dev: Any) -> None:
        super()._to_device_own(dev)
        h = self.__dict__.get("h")
        if isinstance(h, Variable):
            h.to_device(dev)

    def forward(self, x: Any) -> Variable:
        """Advance one time step with input ``x`` of shape (N, in_size)."""
        self.h = self._step(self.h, x)
        return self.h


class GRU(StatefulGRU):
    """Chainer's ``L.GRU``: the stateful GRU (see :class:`StatefulGRU`)."""
