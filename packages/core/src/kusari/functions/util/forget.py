"""``forget``: run a function without keeping its graph; recompute it in backward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kusari.configuration import config, force_backprop_mode, no_backprop_mode, using_config
from kusari.function_node import FunctionNode, backward
from kusari.variable import Variable

__all__ = ["Forget", "forget"]


def _call(func: Callable[..., Any], xs: tuple[Variable, ...]) -> tuple[Variable, ...]:
    outs = func(*xs)
    if isinstance(outs, Variable):
        return (outs,)
    if isinstance(outs, tuple):
        for k, o in enumerate(outs):
            if not isinstance(o, Variable):
                raise RuntimeError(
                    f"forget: func must return a Variable or a tuple of Variables; "
                    f"element {k} of its tuple is {type(o).__name__}"
                )
        return outs
    raise RuntimeError(
        f"forget: func must return a Variable or a tuple of Variables; got {type(outs).__name__}"
    )


class Forget(FunctionNode):
    """Calls ``func`` with backprop off; backward calls it again to build the graph."""

    def __init__(self, func: Callable[..., Any]) -> None:
        if not callable(func):
            raise TypeError(f"forget: func must be callable; got {type(func).__name__}")
        self.func = func

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        with no_backprop_mode():
            outs = _call(self.func, tuple(Variable(x) for x in inputs))
        return tuple(o.array for o in outs)

    def backward(self, indexes, grad_outputs):
        if config.enable_backprop:
            raise RuntimeError(
                "forget: double backpropagation through F.forget is not supported "
                "(the recomputed graph is discarded)"
            )
        inputs = self.get_retained_inputs()
        # Fresh leaves: the recomputed graph must end here, not run into the outer graph.
        dummies = tuple(Variable(x.array, requires_grad=x.requires_grad) for x in inputs)
        with force_backprop_mode(), using_config("in_recomputing", True):
            outs = _call(self.func, dummies)
        if len(outs) != len(grad_outputs):
            raise RuntimeError(
                f"forget: func returned {len(outs)} outputs when recomputed but "
                f"{len(grad_outputs)} the first time; it must be deterministic"
            )
        pairs = [(o, g) for o, g in zip(outs, grad_outputs) if g is not None]
        if pairs:
            backward([o for o, _ in pairs], [g.array for _, g in pairs])
        return tuple(dummies[i].grad_var for i in indexes)


def forget(func: Callable[..., Any], *xs: Any) -> Any:
    """Call ``func(*xs)`` without storing its intermediate results; recompute in backward.

    Forward runs ``func`` with backprop disabled, so only the inputs are kept; backward
    runs it again (with ``kusari.config.in_recomputing`` set to True) to build the graph
    and backpropagates through it. This trades compute for memory. ``func`` must give
    the same result both times (no dropout or other randomness), and the result cannot
    be differentiated twice.

    Args:
        func: Callable taking Variables and returning a Variable or a tuple of Variables.
        *xs: Its arguments (arrays are wrapped in Variables that require gradients).

    Returns:
        What ``func`` returns: a Variable or a tuple of Variables.

    Example:
        >>> import numpy as np, kusari, kusari.functions as F
        >>> x = kusari.Variable(np.array([1.0, 2.0], np.float32))
        >>> y = F.forget(lambda a: a * a + a, x)
        >>> y.grad = np.ones(2, np.float32)
        >>> y.backward()
        >>> x.grad
        array([3., 5.], dtype=float32)
    """
    xs = tuple(x if isinstance(x, Variable) else Variable(x, requires_grad=True) for x in xs)
    outs = Forget(func).apply(xs)
    return outs[0] if len(outs) == 1 else outs
