"""``reshape``."""

from __future__ import annotations

from typing import Any

from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["Reshape", "reshape"]


class Reshape(FunctionNode):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, inputs):
        (x,) = inputs
        self._in_shape = x.shape
        try:
            return (x.reshape(self.shape),)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape an array of shape {x.shape} (size {x.size}) "
                f"into shape {self.shape}"
            ) from None

    def backward(self, indexes, grad_outputs):
        return (reshape(grad_outputs[0], self._in_shape),)

    def backward_arrays(self, indexes, grad_outputs):
        return (grad_outputs[0].reshape(self._in_shape),)


def reshape(x: Any, shape: Any) -> Variable:
    """Return ``x`` with a new shape (one entry may be -1).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.reshape(np.arange(6, dtype=np.float32), (2, 3)).shape
        (2, 3)
    """
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(shape)
    if x.shape == shape:
        return x if isinstance(x, Variable) else Variable(x, requires_grad=False)
    return Reshape(shape).apply((x,))[0]
