"""``leaky_relu`` and ``prelu``: rectifiers with a slope for negative inputs."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import require_float, require_same_dtype
from kusari.functions.math._mask import MaskMul
from kusari.variable import Variable

__all__ = ["LeakyReLU", "PReLU", "leaky_relu", "prelu"]


class LeakyReLU(FunctionNode):
    """``x`` where ``x >= 0``, ``slope * x`` elsewhere."""

    def __init__(self, slope: float) -> None:
        self.slope = slope

    def forward(self, inputs):
        (x,) = inputs
        require_float("leaky_relu", x)
        self.retain_inputs((0,))
        xp = get_array_module(x)
        return (xp.where(x >= 0, x, x * self.slope),)

    def backward(self, indexes, grad_outputs):
        x = self.inputs[0].data
        xp = get_array_module(x)
        # The gradient factor is 1 or slope: a constant mask in x's dtype.
        factor = xp.where(x >= 0, x.dtype.type(1), x.dtype.type(self.slope))
        return MaskMul(factor).apply(grad_outputs)


def leaky_relu(x: Any, slope: float = 0.2) -> Variable:
    """Leaky rectified linear unit: ``x`` if ``x >= 0`` else ``slope * x``.

    Args:
        x: Input Variable or array of a floating dtype.
        slope: The slope for negative inputs.

    Returns:
        Variable: Same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.leaky_relu(np.array([-1.0, 2.0], np.float32)).array
        array([-0.2,  2. ], dtype=float32)
    """
    return LeakyReLU(float(slope)).apply((x,))[0]


def _w_shape(x_ndim: int, w_shape: tuple[int, ...]) -> tuple[int, ...]:
    """W's shape padded with 1s so it broadcasts along axes 1 .. W.ndim of x."""
    return (1,) + tuple(w_shape) + (1,) * (x_ndim - 1 - len(w_shape))


class PReLU(FunctionNode):
    """``x`` where ``x >= 0``, ``W * x`` elsewhere, with W broadcast from axis 1."""

    def forward(self, inputs):
        x, w = inputs
        self.retain_inputs((0, 1))
        xp = get_array_module(x)
        wb = w.reshape(_w_shape(x.ndim, w.shape))
        return (xp.where(x >= 0, x, x * wb),)

    def backward(self, indexes, grad_outputs):
        from kusari.functions.array.broadcast import sum_to
        from kusari.functions.array.reshape import reshape

        x, w = self.get_retained_inputs()
        (gy,) = grad_outputs
        neg = x.array < 0
        wshape = _w_shape(x.ndim, w.shape)
        out = []
        for i in indexes:
            if i == 0:
                # gy where x >= 0, gy * W elsewhere, written so that W stays differentiable.
                pos_part = MaskMul(~neg).apply((gy,))[0]
                neg_part = MaskMul(neg).apply((gy * reshape(w, wshape),))[0]
                out.append(pos_part + neg_part)
            else:
                gw = sum_to(MaskMul(neg).apply((gy * x,))[0], wshape)
                out.append(reshape(gw, w.shape))
        return tuple(out)


def prelu(x: Any, W: Any) -> Variable:
    """Parametric ReLU: ``x`` if ``x >= 0`` else ``W * x``, W learned.

    Args:
        x: Input of shape ``(N, C, ...)`` and a floating dtype.
        W: Slopes of shape ``x.shape[1:1 + W.ndim]`` (broadcast over the other axes).

    Returns:
        Variable: Same shape and dtype as ``x``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[-1.0, 2.0], [-3.0, -4.0]], np.float32)
        >>> F.prelu(x, np.array([0.5, 0.1], np.float32)).array
        array([[-0.5,  2. ],
               [-1.5, -0.4]], dtype=float32)
    """
    require_float("prelu", x)
    require_same_dtype("prelu", x, W, ("x", "W"))
    if W.ndim >= x.ndim or tuple(W.shape) != tuple(x.shape[1 : 1 + W.ndim]):
        raise ValueError(
            f"prelu: expected W of shape x.shape[1:1 + W.ndim] = "
            f"{tuple(x.shape[1 : 1 + W.ndim])} for x of shape {tuple(x.shape)}, "
            f"got {tuple(W.shape)}"
        )
    return PReLU().apply((x, W))[0]
