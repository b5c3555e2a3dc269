"""``local_response_normalization``: AlexNet's cross-channel normalization.

``y = x * (k + alpha * S) ** -beta`` where ``S[c]`` sums ``x**2`` over the channels
``c - n//2 .. c + n//2`` (Chainer's window: ``2 * (n // 2) + 1`` channels, so ``n``
should be odd). The first-order backward is fused; with double backprop on, the
gradient is built from primitives and a self-adjoint window-sum node.
"""

from __future__ import annotations

from typing import Any

from kusari.configuration import config
from kusari.function_node import FunctionNode
from kusari.functions.normalization._layout import check_float
from kusari.variable import Variable

__all__ = ["LocalResponseNormalization", "local_response_normalization"]


def _window_sum(a: Any, half_n: int) -> Any:
    """Sum of ``a`` over channel windows ``[c - half_n, c + half_n]`` (zero padded)."""
    s = a.copy()
    for i in range(1, half_n + 1):
        s[:, i:] += a[:, :-i]
        s[:, :-i] += a[:, i:]
    return s


class ChannelWindowSum(FunctionNode):
    """The window sum along axis 1; symmetric, so it is its own adjoint."""

    def __init__(self, half_n: int) -> None:
        self.half_n = half_n

    def forward(self, inputs):
        return (_window_sum(inputs[0], self.half_n),)

    def backward(self, indexes, grad_outputs):
        return ChannelWindowSum(self.half_n).apply(grad_outputs)


class LocalResponseNormalization(FunctionNode):
    def __init__(self, n: int, k: float, alpha: float, beta: float) -> None:
        self.half_n = n // 2
        self.k = k
        self.alpha = alpha
        self.beta = beta

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        unit = _window_sum(x * x, self.half_n)
        unit *= self.alpha
        unit += self.k
        self.unit = unit  # k + alpha * S, needed by the fast backward
        return ((x * unit**-self.beta).astype(x.dtype, copy=False),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        (gy,) = grad_outputs
        if config.enable_backprop:
            s = ChannelWindowSum(self.half_n).apply((x * x,))[0] * self.alpha + self.k
            return (
                gy * s**-self.beta
                + x
                * ChannelWindowSum(self.half_n).apply((gy * x * s ** (-self.beta - 1),))[0]
                * (-2 * self.alpha * self.beta),
            )
        (y,) = self.get_retained_outputs()
        unit = self.unit
        g = gy.array
        xa = x.array
        # dy_c/dx_j = scale_c * [c == j] - 2 alpha beta x_c x_j unit_c^(-beta-1) within the window
        summand = _window_sum(y.array * g / unit, self.half_n)
        gx = g * unit**-self.beta
        gx -= (2 * self.alpha * self.beta) * xa * summand
        return (gx.astype(xa.dtype, copy=False),)


def local_response_normalization(
    x: Any, n: int = 5, k: float = 2, alpha: float = 1e-4, beta: float = 0.75
) -> Variable:
    """Local response normalization across neighbouring channels (AlexNet).

    ``y_c = x_c / (k + alpha * sum_{j=c-n//2}^{c+n//2} x_j ** 2) ** beta``, summing over
    the channels that exist. (PyTorch's ``local_response_norm`` averages instead of
    summing: its ``alpha`` is this one times ``n``.)

    Args:
        x: Input of shape ``(N, C, ...)``.
        n: Window width (odd; ``n // 2`` channels on each side are used).
        k: Smoothing term.
        alpha: Scaling of the sum of squares.
        beta: Exponent.

    Returns:
        The normalized Variable, with ``x``'s shape and dtype.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.ones((1, 3, 1, 1), np.float32)
        >>> F.local_response_normalization(x, n=3, k=1, alpha=1, beta=1).array.ravel()
        array([0.33333334, 0.25      , 0.33333334], dtype=float32)
    """
    fname = "local_response_normalization"
    check_float(fname, "x", x)
    if x.ndim < 2:
        raise ValueError(f"{fname}: x must have shape (N, C, ...); got {x.shape}")
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"{fname}: n must be a positive int; got {n!r}")
    return LocalResponseNormalization(n, k, alpha, beta).apply((x,))[0]
