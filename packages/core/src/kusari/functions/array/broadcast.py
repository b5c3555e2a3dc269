"""Broadcasting and its adjoint: ``broadcast_to``, ``broadcast``, ``sum_to``."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["BroadcastTo", "SumTo", "broadcast_to", "broadcast", "sum_to", "sum_to_array"]


def _shape_str(shape: Any) -> str:
    return str(tuple(shape))


class BroadcastTo(FunctionNode):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self._shape = tuple(shape)

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        xp = get_array_module(x)
        try:
            return (xp.broadcast_to(x, self._shape),)
        except ValueError:
            raise ValueError(
                f"broadcast_to: cannot broadcast an array of shape {_shape_str(x.shape)} to "
                f"{_shape_str(self._shape)}"
            ) from None

    def backward(self, indexes, grad_outputs):
        return (sum_to(grad_outputs[0], self._in_shape),)


def sum_to_array(x: Any, shape: tuple[int, ...]) -> Any:
    """Array-level :func:`sum_to` (no graph): sum ``x`` down to ``shape``."""
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1
    )
    y = x.sum(axis=axes, keepdims=True) if axes else x
    return y.reshape(shape) if lead else y


class SumTo(FunctionNode):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self._shape = tuple(shape)

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        shape = self._shape
        lead = x.ndim - len(shape)
        if lead < 0 or any(s != 1 and s != xs for s, xs in zip(shape, x.shape[lead:])):
            raise ValueError(
                f"sum_to: cannot sum an array of shape {_shape_str(x.shape)} to "
                f"{_shape_str(shape)}; the target must be broadcastable to the input"
            )
        axes = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1
        )
        y = x.sum(axis=axes, keepdims=True) if axes else x
        if lead:
            y = y.reshape(shape)
        return (y,)

    def backward(self, indexes, grad_outputs):
        return (broadcast_to(grad_outputs[0], self._in_shape),)

    def backward_arrays(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        return (get_array_module(gy).broadcast_to(gy, self._in_shape),)


def broadcast_to(x: Any, shape: Any) -> Variable:
    """Broadcast ``x`` to ``shape`` (NumPy rules); the gradient is summed back.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.broadcast_to(np.ones(3, np.float32), (2, 3)).shape
        (2, 3)
    """
    shape = tuple(shape)
    if x.shape == shape:
        return x if isinstance(x, Variable) else Variable(x, requires_grad=False)
    return BroadcastTo(shape).apply((x,))[0]


def sum_to(x: Any, shape: Any) -> Variable:
    """Sum ``x`` over the axes that broadcasting to its shape from ``shape`` would add.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.sum_to(np.ones((2, 3), np.float32), (1, 3)).array
        array([[2., 2., 2.]], dtype=float32)
    """
    shape = tuple(shape)
    if x.shape == shape:
        return x if isinstance(x, Variable) else Variable(x, requires_grad=False)
    return SumTo(shape).apply((x,))[0]


def broadcast(*args: Any) -> Any:
    """Broadcast all arguments to one shape; returns a tuple (a Variable for one input).

    Args:
        *args: Variables or arrays with broadcast-compatible shapes.

    Returns:
        The broadcast Variables.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> a, b = F.broadcast(np.ones((2, 1), np.float32), np.ones(3, np.float32))
        >>> a.shape, b.shape
        ((2, 3), (2, 3))
    """
    xp = get_array_module(*args)
    shapes = [a.shape for a in args]
    try:
        shape = xp.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"broadcast: shapes {shapes} cannot be broadcast together") from None
    out = tuple(broadcast_to(a, shape) for a in args)
    return out[0] if len(out) == 1 else out
