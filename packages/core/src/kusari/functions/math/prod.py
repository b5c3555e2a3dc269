"""``prod``: product of elements over axes (zero-safe gradient)."""

from __future__ import annotations

from typing import Any

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.functions._checks import normalize_axes, require_float
from kusari.functions.math.sum import _grad_to_input
from kusari.variable import Variable

__all__ = ["Prod", "ProdGrad", "prod"]


def _others_product(x: Any, axes: tuple[int, ...] | None) -> Any:
    """For each element, the product of the *other* elements of its reduced group.

    Computed from exclusive cumulative products from both ends, so zeros are handled
    exactly (no division by x).
    """
    xp = get_array_module(x)
    nd = x.ndim
    axes = tuple(range(nd)) if axes is None else axes
    kept = [i for i in range(nd) if i not in axes]
    perm = kept + list(axes)
    xt = xp.transpose(x, perm)
    lead = xt.shape[: len(kept)]
    flat = xt.reshape(lead + (-1,))
    ones = xp.ones(lead + (1,), dtype=x.dtype)
    left = xp.cumprod(xp.concatenate((ones, flat[..., :-1]), axis=-1), axis=-1)
    right = xp.flip(
        xp.cumprod(xp.flip(xp.concatenate((flat[..., 1:], ones), axis=-1), axis=-1), axis=-1),
        axis=-1,
    )
    others = (left * right).reshape(xt.shape)
    inverse = sorted(range(nd), key=perm.__getitem__)
    return xp.transpose(others, inverse)


class Prod(FunctionNode):
    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, inputs):
        (x,) = inputs
        self.retain_inputs((0,))
        return (get_array_module(x).asarray(x.prod(axis=self.axis, keepdims=self.keepdims)),)

    def backward(self, indexes, grad_outputs):
        (x,) = self.get_retained_inputs()
        gy = _grad_to_input(grad_outputs[0], x.shape, self.axis, self.keepdims)
        return (ProdGrad(self.axis).apply((x, gy))[0],)


class ProdGrad(FunctionNode):
    """``gy * (product of the other elements)``; differentiable again only in ``gy``."""

    def __init__(self, axis: tuple[int, ...] | None) -> None:
        self.axis = axis

    def forward(self, inputs):
        x, gy = inputs
        self.retain_inputs((0,))
        return (gy * _others_product(x, self.axis),)

    def backward(self, indexes, grad_outputs):
        if 0 in indexes:
            raise NotImplementedError(
                "prod: the gradient of prod's gradient with respect to x is not implemented "
                "(double backprop through F.prod reaches x)"
            )
        x = self.inputs[0].data
        from kusari.functions.math._mask import MaskMul

        return MaskMul(_others_product(x, self.axis)).apply(grad_outputs)


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Product of the elements over the given axes.

    Args:
        x: Input Variable or array of a floating dtype.
        axis: None (all elements), an int or a tuple of ints.
        keepdims: Keep the reduced axes as axes of length one.

    Returns:
        Variable: The products (the gradient is exact even where elements are zero).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.prod(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), axis=1).array
        array([ 2., 12.], dtype=float32)
    """
    require_float("prod", x)
    axes = None if axis is None else normalize_axes("prod", axis, x.ndim)
    return Prod(axes, bool(keepdims)).apply((x,))[0]
