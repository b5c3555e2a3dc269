"""``linear``: ``y = x W^T + b``, the hottest op of every MLP.

Backward uses two dedicated nodes, ``LinearGradData`` (``gy W``) and
``LinearGradWeight`` (``gy^T x``), whose own backwards close the loop (so linear is
differentiable any number of times). One node per gradient keeps the per-call Python
cost to one ``apply`` each; measured at batch 1 and 128 against ``matmul``-based
backward, see ``benchmarks/ops.py``.
"""

from __future__ import annotations

from typing import Any

from kusari._deferred import GemmGrad
from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["LinearFunction", "LinearGradData", "LinearGradWeight", "linear"]


def _gy_t_x(gy2: Any, x2: Any) -> Any:
    """``gy2^T @ x2``; a single row goes through ``dot`` (NumPy's matmul with an inner size
    of 1 was ~5x slower than the outer product ``dot`` does)."""
    if gy2.shape[0] == 1:
        return get_array_module(gy2).dot(gy2.T, x2)
    return gy2.T @ x2


def _as_2d(a: Any, nb: int) -> Any:
    # Batch axes first, everything else flattened into the feature axis.
    if a.ndim == nb + 1:
        return a if nb == 1 else a.reshape(-1, a.shape[-1])
    lead = 1
    for s in a.shape[:nb]:
        lead *= s
    return a.reshape(lead, -1)


class LinearFunction(FunctionNode):
    """``x W^T (+ b)`` with ``x`` flattened to (batch, features)."""

    __slots__ = ("n_batch_axes",)

    def __init__(self, n_batch_axes: int = 1) -> None:
        self.n_batch_axes = n_batch_axes

    def forward(self, inputs):
        x, W = inputs[0], inputs[1]
        self.retain_inputs((0, 1))
        nb = self.n_batch_axes
        if x.ndim == 2 and nb == 1:
            y = x @ W.T
            if len(inputs) == 3:
                y += inputs[2]
            return (y,)
        y = _as_2d(x, nb) @ W.T
        if len(inputs) == 3:
            y += inputs[2]
        return (y.reshape(x.shape[:nb] + (W.shape[0],)),)

    def backward(self, indexes, grad_outputs):
        x, W = self.get_retained_inputs()
        (gy,) = grad_outputs
        nb = self.n_batch_axes
        out = []
        for i in indexes:
            if i == 0:
                out.append(LinearGradData(x.shape, nb).apply((W, gy))[0])
            elif i == 1:
                out.append(LinearGradWeight(nb).apply((x, gy))[0])
            else:
                from kusari.functions.array.broadcast import sum_to

                out.append(sum_to(gy, (gy.shape[-1],)))
        return tuple(out)

    def backward_arrays(self, indexes, grad_outputs):
        x, W = self.inputs[0].data, self.inputs[1].data
        gy = grad_outputs[0]
        nb = self.n_batch_axes
        # A leaf weight's gradient is deferred when its factors are smaller than the
        # gradient itself (thin batches, as in an RNN's time steps): the engine then sums
        # every use of the weight as one GEMM (kusari._deferred), while holding the
        # factors costs less memory than the gradient they stand for.
        defer = self.inputs[1].creator is None and gy.size + x.size < W.size
        if x.ndim == 2 and nb == 1:
            if indexes == (1, 2):  # the common "x is data" case, without the loop
                return (GemmGrad(gy, x) if defer else _gy_t_x(gy, x)), gy.sum(axis=0)
            out = []
            for i in indexes:
                if i == 0:
                    out.append(gy @ W)
                elif i == 1:
                    out.append(GemmGrad(gy, x) if defer else _gy_t_x(gy, x))
                else:
                    out.append(gy.sum(axis=0))
            return tuple(out)
        gy2 = _as_2d(gy, nb)
        out = []
        for i in indexes:
            if i == 0:
                out.append((gy2 @ W).reshape(x.shape))
            elif i == 1:
                x2 = _as_2d(x, nb)
                out.append(GemmGrad(gy2, x2) if defer else _gy_t_x(gy2, x2))
            else:
                out.append(gy2.sum(axis=0))
        return tuple(out)


class LinearGradData(FunctionNode):
    """``gx = gy W`` reshaped to ``x``'s shape (the input gradient of linear)."""

    __slots__ = ("x_shape", "n_batch_axes")

    def __init__(self, x_shape: tuple[int, ...], n_batch_axes: int = 1) -> None:
        self.x_shape = x_shape
        self.n_batch_axes = n_batch_axes

    def forward(self, inputs):
        W, gy = inputs
        self.retain_inputs((0, 1))
        gx = _as_2d(gy, self.n_batch_axes) @ W
        return ((gx if gx.shape == self.x_shape else gx.reshape(self.x_shape)),)

    def backward(self, indexes, grad_outputs):
        W, gy = self.get_retained_inputs()
        (ggx,) = grad_outputs
        nb = self.n_batch_axes
        out = []
        for i in indexes:
            if i == 0:
                out.append(LinearGradWeight(nb).apply((ggx, gy))[0])
            else:
                out.append(LinearFunction(nb).apply((ggx, W))[0])
        return tuple(out)


class LinearGradWeight(FunctionNode):
    """``gW = gy^T x`` (the weight gradient of linear)."""

    __slots__ = ("n_batch_axes",)

    def __init__(self, n_batch_axes: int = 1) -> None:
        self.n_batch_axes = n_batch_axes

    def forward(self, inputs):
        x, gy = inputs
        self.retain_inputs((0, 1))
        nb = self.n_batch_axes
        return (_gy_t_x(_as_2d(gy, nb), _as_2d(x, nb)),)

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        (ggw,) = grad_outputs
        nb = self.n_batch_axes
        out = []
        for i in indexes:
            if i == 0:
                out.append(LinearGradData(x.shape, nb).apply((ggw, gy))[0])
            else:
                out.append(LinearFunction(nb).apply((x, ggw))[0])
        return tuple(out)


def _fail(msg: str, exc: type = ValueError) -> None:
    raise exc(f"linear: {msg}")


def linear(x: Any, W: Any, b: Any = None, n_batch_axes: int = 1) -> Variable:
    """Linear (fully connected) map ``y = x W^T + b``.

    Axes of ``x`` after the first ``n_batch_axes`` are flattened into one feature axis
    (so a (N, C, H, W) image batch feeds a layer with ``C*H*W`` inputs).

    Args:
        x: Input of shape (batch..., features...) with float dtype.
        W: Weight of shape (out_size, in_size), ``x``'s dtype.
        b: Optional bias of shape (out_size,).
        n_batch_axes: How many leading axes of ``x`` are batch axes.

    Returns:
        Variable of shape ``x.shape[:n_batch_axes] + (out_size,)``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.ones((2, 3), np.float32)
        >>> F.linear(x, np.ones((4, 3), np.float32), np.zeros(4, np.float32)).array
        array([[3., 3., 3., 3.],
               [3., 3., 3., 3.]], dtype=float32)
    """
    xs = x.shape
    ws = W.shape
    dt = x.dtype
    if dt.kind != "f":
        _fail(f"x must have a float dtype; got {dt}", TypeError)
    if W.dtype != dt:
        _fail(f"W must have x's dtype {dt}; got {W.dtype}", TypeError)
    if len(ws) != 2:
        _fail(f"W must be 2-D (out_size, in_size); got shape {tuple(ws)}")
    if len(xs) == 2 and n_batch_axes == 1:
        if xs[1] != ws[1]:
            _fail(
                f"x has {xs[1]} features (shape {tuple(xs)}) but W of shape {tuple(ws)} "
                f"expects {ws[1]}"
            )
    else:
        if not 1 <= n_batch_axes < len(xs):
            _fail(
                f"n_batch_axes must be in [1, x.ndim - 1] = [1, {len(xs) - 1}]; "
                f"got {n_batch_axes} for x of shape {tuple(xs)}"
            )
        feat = 1
        for s in xs[n_batch_axes:]:
            feat *= s
        if feat != ws[1]:
            _fail(
                f"x of shape {tuple(xs)} has {feat} features after its {n_batch_axes} batch "
                f"axes but W of shape {tuple(ws)} expects {ws[1]}"
            )
    if b is None:
        return LinearFunction(n_batch_axes).apply((x, W))[0]
    if b.shape != (ws[0],):
        _fail(f"b must have shape ({ws[0]},); got {tuple(b.shape)}")
    if b.dtype != dt:
        _fail(f"b must have x's dtype {dt}; got {b.dtype}", TypeError)
    return LinearFunction(n_batch_axes).apply((x, W, b))[0]
