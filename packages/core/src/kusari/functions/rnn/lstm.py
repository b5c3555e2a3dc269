"""``lstm``: the LSTM cell activation (Chainer's gate layout), fused.

Gate layout (Chainer's, which ``L.LSTM`` weights and Chainer-written model files rely
on): ``x`` of shape ``(B, 4H, ...)`` is read as ``x.reshape(B, H, 4, ...)`` and
``x[:, :, k]`` is, for ``k = 0, 1, 2, 3``, the cell input ``a``, the input gate ``i``,
the forget gate ``f`` and the output gate ``o``. The four gates of one unit are
therefore *adjacent* (interleaved per unit), not four consecutive blocks of ``H``.
A PyTorch ``LSTMCell`` weight ``W`` (blocks ``i, f, g, o`` of ``H`` rows each) becomes a
Chainer weight by ``W.reshape(4, H, -1)[[2, 0, 1, 3]].transpose(1, 0, 2).reshape(4H, -1)``.

The forward keeps the activated gates (gate-major, contiguous), so the fused backward
does not recompute them; with double backprop on, the gradients are rebuilt from
``sigmoid``/``tanh`` primitives.

Backend kernel overrides: ``'lstm'``: ``kernel(c_prev, x) -> (c, h, gates)`` where
``gates`` has shape ``(4, b, H, ...)`` and holds ``tanh(a), sigmoid(i), sigmoid(f),
sigmoid(o)`` (any layout the matching grad kernel reads is fine); ``'lstm_grad'``:
``kernel(c_prev, gates, c, gc, gh) -> (gc_prev, gx)`` (``gc``/``gh`` may be None, ``c``
is the new cell state of the first ``b`` rows).
"""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module, get_kernel
from kusari.configuration import config
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float
from kusari.variable import Variable

__all__ = ["LSTM", "lstm", "activate_gates"]


def activate_gates(xp: Any, r: Any) -> Any:
    """Gate-major activations ``(4, B, H, ...)`` of gate inputs ``r`` shaped ``(B, H, 4, ...)``.

    Gate 0 gets ``tanh``, gates 1..3 ``sigmoid``. One strided copy puts each gate in
    contiguous memory first: elementwise ops on the interleaved layout run an order of
    magnitude slower (their innermost loop would have 3 or 4 elements).
    """
    g = xp.empty((4,) + r.shape[:2] + r.shape[3:], r.dtype)
    xp.copyto(g, xp.moveaxis(r, 2, 0))
    xp.tanh(g[0], out=g[0])
    s = g[1:]
    # sigmoid(z) = tanh(z / 2) / 2 + 1/2 never overflows.
    s *= 0.5
    xp.tanh(s, out=s)
    s *= 0.5
    s += 0.5
    return g


class LSTM(FunctionNode):
    """LSTM cell: ``(c_prev, x) -> (c, h)``; rows of ``c_prev`` beyond ``len(x)`` pass."""

    gates = None
    c_new = None

    def forward(self, inputs):
        c_prev, x = inputs
        self.retain_inputs((0, 1))
        b = len(x)
        kernel = get_kernel("lstm", x)
        if kernel is not None:
            c, h, self.gates = kernel(c_prev, x)
            self.c_new = c[:b]
            return c, h
        xp = get_array_module(x)
        r = x.reshape((b, c_prev.shape[1], 4) + x.shape[2:])
        g = self.gates = activate_gates(xp, r)
        a, i, f, o = g
        cp = c_prev[:b] if b < len(c_prev) else c_prev
        c = a * i
        c += f * cp
        self.c_new = c
        h = xp.tanh(c)
        h *= o
        if b < len(c_prev):
            c = xp.concatenate([c, c_prev[b:]], axis=0)
        return c, h

    def backward(self, indexes, grad_outputs):
        c_prev, x = self.get_retained_inputs()
        gc, gh = grad_outputs
        if config.enable_backprop:
            return _differentiable_grads(c_prev, x, gc, gh)
        gates = self.gates
        if gates is None:  # a second backward over the same graph after the cache was freed
            self.forward((c_prev.array, x.array))
            gates = self.gates
        c_new = self.c_new
        # Free the cache as soon as it is used: it is as large as x.
        self.gates = self.c_new = None
        kernel = get_kernel("lstm_grad", x.array)
        gca = None if gc is None else gc.array
        gha = None if gh is None else gh.array
        if kernel is not None:
            return kernel(c_prev.array, gates, c_new, gca, gha)
        return _fast_grads(c_prev.array, gates, c_new, gca, gha)


def _fast_grads(c_prev: Any, gates: Any, c: Any, gc: Any, gh: Any) -> tuple[Any, Any]:
    xp = get_array_module(c_prev)
    b = gates.shape[1]
    a, i, f, o = gates
    cp = c_prev[:b]
    gx = xp.empty_like(gates)  # gate-major; interleaved at the end with one strided copy
    tc = xp.tanh(c)
    if gh is None:
        gC = xp.zeros_like(c) if gc is None else gc[:b].copy()
        gx[3] = 0
    else:
        # go = gh * tanh(c) * o * (1 - o)
        t = gh * o
        gx[3] = t * tc * (1 - o)
        # gC = gc + gh * o * (1 - tanh(c)^2)
        tc *= tc
        xp.subtract(1, tc, out=tc)
        t *= tc
        if gc is not None:
            t += gc[:b]
        gC = t
    t = gC * i
    gx[0] = t * (1 - a * a)
    t *= a
    gx[1] = t * (1 - i)
    t = gC * f
    gx[2] = t * cp * (1 - f)
    if b < len(c_prev):
        rest = xp.zeros_like(c_prev[b:]) if gc is None else gc[b:]
        gc_prev = xp.concatenate([t, rest], axis=0)
    else:
        gc_prev = t
    out = xp.empty((b, gx.shape[2], 4) + gx.shape[3:], gx.dtype)
    xp.copyto(xp.moveaxis(out, 2, 0), gx)
    return gc_prev, out.reshape((b, -1) + gx.shape[3:])


def _place(g: Variable, index: Any, shape: tuple[int, ...]) -> Variable:
    """``g`` scattered into zeros of ``shape`` at ``index`` (differentiable)."""
    from kusari.functions.array.get_item import GetItemGrad

    return GetItemGrad(index, shape).apply((g,))[0]


def _differentiable_grads(
    c_prev: Variable, x: Variable, gc: Variable | None, gh: Variable | None
) -> tuple[Variable, Variable]:
    """The LSTM gradients from primitives (used when double backprop is on)."""
    from kusari.functions.activation.sigmoid import sigmoid
    from kusari.functions.activation.tanh import tanh
    from kusari.functions.array.reshape import reshape

    b, n = len(x), len(c_prev)
    rshape = (b, c_prev.shape[1], 4) + x.shape[2:]
    r = reshape(x, rshape)
    a = tanh(r[:, :, 0])
    i, f, o = (sigmoid(r[:, :, k]) for k in (1, 2, 3))
    cp = c_prev[:b] if b < n else c_prev
    tc = tanh(a * i + f * cp)
    gC = None if gc is None else (gc[:b] if b < n else gc)
    if gh is not None:
        t = gh * o * (1 - tc * tc)
        gC = t if gC is None else gC + t
    parts = []
    if gC is not None:
        parts += [(0, gC * i * (1 - a * a)), (1, gC * a * i * (1 - i)), (2, gC * cp * f * (1 - f))]
    if gh is not None:
        parts.append((3, gh * tc * o * (1 - o)))
    gx = None
    for k, g in parts:
        p = _place(g, (slice(None), slice(None), k), rshape)
        gx = p if gx is None else gx + p
    gx = None if gx is None else reshape(gx, x.shape)
    gcp = None if gC is None else gC * f
    if b < n:
        if gcp is not None:
            gcp = _place(gcp, slice(0, b), c_prev.shape)
        if gc is not None:
            rest = _place(gc[b:], slice(b, None), c_prev.shape)
            gcp = rest if gcp is None else gcp + rest
    return gcp, gx


def _check(fname: str, c_prev: Any, x: Any) -> None:
    require_float(fname, c_prev, "c_prev")
    require_float(fname, x, "x")
    if x.dtype != c_prev.dtype:
        raise TypeError(
            f"{fname}: c_prev and x must share a dtype; got {c_prev.dtype} and {x.dtype}"
        )
    if (
        c_prev.ndim < 2
        or x.ndim != c_prev.ndim
        or x.shape[1] != 4 * c_prev.shape[1]
        or x.shape[2:] != c_prev.shape[2:]
        or len(x) > len(c_prev)
    ):
        raise ValueError(
            f"{fname}: expected c_prev of shape (B, H, ...) and x of shape (b <= B, 4 * H, ...); "
            f"got c_prev {c_prev.shape} and x {x.shape}"
        )


def lstm(c_prev: Any, x: Any) -> tuple[Variable, Variable]:
    """The LSTM cell: new cell state and output from the previous state and gate inputs.

    With ``x.reshape(B, H, 4)`` giving ``a, i, f, o`` along the last axis (Chainer's
    interleaved gate layout, see the module docstring)::

        c = tanh(a) * sigmoid(i) + sigmoid(f) * c_prev
        h = sigmoid(o) * tanh(c)

    ``x`` may have fewer rows than ``c_prev`` (sequences sorted by decreasing length):
    only ``c[:len(x)]`` is updated and the other rows of ``c_prev`` pass through.

    Args:
        c_prev: Previous cell state of shape ``(B, H, ...)``.
        x: Gate inputs of shape ``(b, 4 * H, ...)`` with ``b <= B``.

    Returns:
        tuple: ``(c, h)``; ``c`` has ``c_prev``'s shape and ``h`` has ``(b, H, ...)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> c, h = F.lstm(np.zeros((2, 3), np.float32), np.zeros((2, 12), np.float32))
        >>> c.shape, h.shape
        ((2, 3), (2, 3))
    """
    _check("lstm", c_prev, x)
    c, h = LSTM().apply((c_prev, x))
    return c, h
