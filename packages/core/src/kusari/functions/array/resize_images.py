"""``resize_images``: bilinear or nearest-neighbour resizing of (N, C, H, W) images.

Both modes are separable linear maps, ``y = A_h x A_w^T`` with small interpolation
matrices (two nonzeros per row for bilinear, one for nearest), so forward is two
matmuls and backward is the transposed pair; the two nodes are each other's
backward (differentiable any number of times). Coordinates follow Chainer 7:
``align_corners=True`` maps corner pixels onto corner pixels, ``False`` uses half-pixel
centres clamped at 0 (OpenCV, ``torch.nn.functional.interpolate``); nearest takes
``floor(i * H / out_H)``.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.function_node import FunctionNode
from kusari.variable import Variable

__all__ = ["ResizeImages", "ResizeImagesGrad", "resize_images"]


def _matrix(out: int, n: int, mode: str, align_corners: bool) -> numpy.ndarray:
    """(out, n) interpolation matrix along one axis, float64."""
    a = numpy.zeros((out, n))
    rows = numpy.arange(out)
    if mode == "nearest":
        src = numpy.minimum(numpy.floor(rows * (n / out)), n - 1).astype(numpy.intp)
        a[rows, src] = 1
        return a
    if align_corners:
        pos = numpy.linspace(0, n - 1, num=out)
    else:
        pos = numpy.maximum((rows + 0.5) * (n / out) - 0.5, 0)
    frac, lo = numpy.modf(pos)
    lo = lo.astype(numpy.intp)
    hi = numpy.minimum(lo + 1, n - 1)
    numpy.add.at(a, (rows, lo), 1 - frac)
    numpy.add.at(a, (rows, hi), frac)
    return a


class ResizeImages(FunctionNode):
    """``A_h @ x @ A_w^T`` over the last two axes."""

    def __init__(self, ah: numpy.ndarray, aw: numpy.ndarray) -> None:
        self.ah = ah
        self.aw = aw

    def forward(self, inputs):
        (x,) = inputs
        xp = get_array_module(x)
        ah = xp.asarray(self.ah, dtype=x.dtype)
        aw = xp.asarray(self.aw, dtype=x.dtype)
        return (xp.matmul(xp.matmul(ah, x), aw.T),)

    def backward(self, indexes, grad_outputs):
        return ResizeImagesGrad(self.ah, self.aw).apply(grad_outputs)


class ResizeImagesGrad(FunctionNode):
    """``A_h^T @ gy @ A_w`` (the adjoint of :class:`ResizeImages`)."""

    def __init__(self, ah: numpy.ndarray, aw: numpy.ndarray) -> None:
        self.ah = ah
        self.aw = aw

    def forward(self, inputs):
        (gy,) = inputs
        xp = get_array_module(gy)
        ah = xp.asarray(self.ah, dtype=gy.dtype)
        aw = xp.asarray(self.aw, dtype=gy.dtype)
        return (xp.matmul(xp.matmul(ah.T, gy), aw),)

    def backward(self, indexes, grad_outputs):
        return ResizeImages(self.ah, self.aw).apply(grad_outputs)


def resize_images(
    x: Any, output_shape: Any, *, mode: str = "bilinear", align_corners: bool = True
) -> Variable:
    """Resize images to ``output_shape`` by bilinear or nearest-neighbour sampling.

    Args:
        x: Input of shape (N, C, H, W), float dtype.
        output_shape: ``(out_H, out_W)`` (height first, unlike OpenCV).
        mode: ``'bilinear'`` or ``'nearest'``.
        align_corners: Bilinear only: map corner pixels onto corner pixels (True) or use
            half-pixel centres (False, as OpenCV).

    Returns:
        Variable of shape (N, C, out_H, out_W).

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> x = np.array([[[[0, 2]]]], np.float32)
        >>> F.resize_images(x, (1, 3)).array
        array([[[[0., 1., 2.]]]], dtype=float32)
    """
    fn = "resize_images"
    if x.ndim != 4:
        raise ValueError(f"{fn}: x must be 4-D (N, C, H, W); got shape {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: x must have a float dtype; got {x.dtype}")
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"{fn}: mode must be 'bilinear' or 'nearest'; got {mode!r}")
    try:
        oh, ow = (int(s) for s in output_shape)
    except (TypeError, ValueError):
        raise TypeError(
            f"{fn}: output_shape must be a pair of ints; got {output_shape!r}"
        ) from None
    if oh <= 0 or ow <= 0:
        raise ValueError(f"{fn}: output_shape must be positive; got {output_shape!r}")
    h, w = x.shape[2:]
    ah = _matrix(oh, h, mode, align_corners)
    aw = _matrix(ow, w, mode, align_corners)
    return ResizeImages(ah, aw).apply((x,))[0]
