"""``identity``: pass inputs through unchanged (a graph node that does nothing)."""

from __future__ import annotations

from typing import Any

from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["Identity", "identity"]


class Identity(FunctionNode):
    def forward(self, inputs):
        return tuple(inputs)

    def backward(self, indexes, grad_outputs):
        return tuple(grad_outputs[i] for i in indexes)


def identity(*inputs: Any) -> Variable | tuple[Variable, ...]:
    """Return the inputs as new Variables (useful as a named graph node or a hook point).

    Args:
        *inputs: Variables or arrays.

    Returns:
        Variable or tuple of Variables: one output per input, sharing the input arrays.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.identity(np.ones(2, np.float32)).array
        array([1., 1.], dtype=float32)
    """
    if not inputs:
        raise TypeError("identity: expected at least one input, got none")
    ret = Identity().apply(inputs)
    return ret[0] if len(ret) == 1 else ret
