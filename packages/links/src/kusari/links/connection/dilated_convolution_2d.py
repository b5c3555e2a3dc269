"""``DilatedConvolution2D``: convolution with spaced-out filter taps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.links._link import Link
from kusari.links._util import check_size, fail_in, pair
from kusari.variable import Parameter

__all__ = ["DilatedConvolution2D"]


class DilatedConvolution2D(Link):
    """Two-dimensional dilated (atrous) convolution layer.

    Args:
        in_channels: Input channels, or None to infer them (also when ``ksize`` is
            omitted: ``DilatedConvolution2D(out_channels, ksize)``).
        out_channels: Output channels.
        ksize: Filter size (int or pair).
        stride: Stride (int or pair).
        pad: Zero padding (int or pair).
        dilate: Distance between filter taps (int or pair).
        nobias: No bias parameter.
        initialW: Filter initializer (default: LeCunNormal).
        initial_bias: Bias initializer (default: 0).

    Example:
        >>> import numpy as np, kusari.links as L
        >>> conv = L.DilatedConvolution2D(3, 2, 3, pad=2, dilate=2)
        >>> conv(np.ones((1, 3, 7, 7), np.float32)).shape
        (1, 2, 7, 7)
    """

    def __init__(
        self,
        in_channels: int | None,
        out_channels: int,
        ksize: Any = None,
        stride: Any = 1,
        pad: Any = 0,
        dilate: Any = 1,
        nobias: bool = False,
        initialW: Any = None,
        initial_bias: Any = None,
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
        self.in_channels = in_channels
        self.W.initialize((self.out_channels, in_channels, *self.ksize))

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        yield "in_channels", self.in_channels
        yield "out_channels", self.out_channels
        yield "ksize", self.ksize
        yield "stride", self.stride
        yield "pad", self.pad
        yield "dilate", self.dilate
        yield "nobias", self.b is None

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
            return F.dilated_convolution_2d(x, self.W, self.b, self.stride, self.pad, self.dilate)
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)
