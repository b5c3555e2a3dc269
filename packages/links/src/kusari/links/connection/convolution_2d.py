"""``Convolution2D``: the two-dimensional convolution layer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.links._link import Link
from kusari.links._util import check_size, fail_in, pair
from kusari.variable import Parameter

__all__ = ["Convolution2D"]


class Convolution2D(Link):
    """Two-dimensional convolution layer over (N, C, H, W) input.

    The positional order is Chainer's: ``Convolution2D(in_channels, out_channels, ksize,
    stride, pad)``; ``Convolution2D(out_channels, ksize)`` (``ksize`` omitted) infers
    ``in_channels`` from the first input, as does ``in_channels=None``.

    Args:
        in_channels: Input channels, or None to infer them.
        out_channels: Output channels (filters).
        ksize: Filter size (int or (kh, kw)).
        stride: Stride (int or pair).
        pad: Zero padding (int or pair).
        nobias: No bias parameter.
        initialW: Filter initializer (default: LeCunNormal).
        initial_bias: Bias initializer (default: 0).
        cover_all: Add windows so every input pixel is covered.
        dilate: Dilation (int or pair).
        groups: Channel groups; ``in_channels`` and ``out_channels`` must be multiples.

    Attributes:
        W: Filters of shape ``(out_channels, in_channels // groups, kh, kw)``.
        b: Bias of shape ``(out_channels,)`` or None.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> conv = L.Convolution2D(None, 4, 3, 1, 1)
        >>> conv(np.ones((2, 3, 8, 8), np.float32)).shape, conv.W.shape
        ((2, 4, 8, 8), (4, 3, 3, 3))
    """

    def __init__(
        self,
        in_channels: int | None,
        out_channels: int,
        ksize: Any = None,
        stride: Any = 1,
        pad: Any = 0,
        nobias: bool = False,
        initialW: Any = None,
        initial_bias: Any = None,
        *,
        cover_all: bool = False,
        dilate: Any = 1,
        groups: int = 1,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self.in_channels = check_size(in_channels, "in_channels", name)
        self.out_channels = check_size(out_channels, "out_channels", name, allow_none=False)
        self.ksize = pair(ksize, "ksize", name)
        self.stride = pair(stride, "stride", name)
        self.pad = pair(pad, "pad", name)
        self.dilate = pair(dilate, "dilate", name)
        self.cover_all = bool(cover_all)
        self.groups = int(groups)
        if self.groups < 1 or self.out_channels % self.groups:
            raise ValueError(
                f"{name}: groups={groups} must be >= 1 and divide out_channels={out_channels}"
            )
        with self.init_scope():
            self.W = Parameter(initializers.get_initializer(initialW))
            if self.in_channels is not None:
                self._initialize_params(self.in_channels)
            if nobias:
                self.b = None
            else:
                bias = initializers.get_initializer(0 if initial_bias is None else initial_bias)
                self.b = Parameter(bias, (self.out_channels,))

    def _initialize_params(self, in_channels: int) -> None:
        if in_channels % self.groups:
            raise ValueError(
                f"{type(self).__name__}: in_channels={in_channels} must be a multiple of "
                f"groups={self.groups}"
            )
        self.in_channels = in_channels
        self.W.initialize((self.out_channels, in_channels // self.groups, *self.ksize))

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "in_channels", self.in_channels
        yield "out_channels", self.out_channels
        yield "ksize", self.ksize
        yield "stride", self.stride
        yield "pad", self.pad
        yield "nobias", self.b is None
        yield "dilate", self.dilate
        yield "groups", self.groups

    def forward(self, x: Any) -> Any:
        """Convolve ``x`` of shape (N, C, H, W)."""
        if self.W._data is None:
            if x.ndim != 4:
                raise ValueError(
                    f"{self._repr_head()}: expected 4-D input (N, C, H, W); got shape "
                    f"{tuple(x.shape)}"
                )
            self._initialize_params(x.shape[1])
        try:
            return F.convolution_2d(
                x,
                self.W,
                self.b,
                self.stride,
                self.pad,
                self.cover_all,
                dilate=self.dilate,
                groups=self.groups,
            )
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)
