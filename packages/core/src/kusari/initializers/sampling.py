"""Bilinear up/downsampling filters for (de)convolution weights (Long et al., FCN)."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.initializers._base import Initializer, _write

__all__ = ["UpsamplingDeconvFilter", "DownsamplingConvFilter"]


def _linear_kernel(size: int) -> numpy.ndarray:
    """1-D tent filter of ``size`` taps: the weights of linear interpolation."""
    factor = (size + 1) // 2
    center = factor - 1.0 if size % 2 == 1 else factor - 0.5
    return 1.0 - numpy.abs(numpy.arange(size) - center) / factor


class _SamplingFilter(Initializer):
    _upsampling = True

    def __init__(self, interpolation: str = "linear", dtype: Any = None) -> None:
        if interpolation != "linear":
            raise ValueError(
                f"{type(self).__name__}: interpolation must be 'linear', got {interpolation!r}"
            )
        self.interpolation = interpolation
        super().__init__(dtype)

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        shape = tuple(array.shape)
        name = type(self).__name__
        if len(shape) < 3:
            raise ValueError(
                f"{name}: expected a filter of shape (in_channels, out_channels, *kernel), "
                f"got shape {shape}"
            )
        in_c, out_c = shape[:2]
        if out_c != in_c and out_c != 1:
            raise ValueError(
                f"{name}: the two channel axes must be equal (or the second 1), got shape {shape}"
            )
        kernel = numpy.ones(())
        for size in shape[2:]:  # separable: the n-D filter is the product of 1-D tents
            kernel = numpy.multiply.outer(kernel, _linear_kernel(size))
        if not self._upsampling:
            kernel = kernel / kernel.sum()
        weight = numpy.zeros(shape)
        channels = numpy.arange(in_c)
        weight[channels, 0 if out_c == 1 else channels] = kernel
        _write(array, weight)


class UpsamplingDeconvFilter(_SamplingFilter):
    """Fill a deconvolution weight with a bilinear upsampling kernel on each channel.

    Meant for ``L.Deconvolution2D``/``DeconvolutionND`` with ``stride = (ksize + 1) // 2``;
    channel ``i`` maps to channel ``i`` only.

    Args:
        interpolation: Only ``'linear'``.
        dtype: The dtype produced, or None for the array's own.

    Example:
        >>> import numpy as np
        >>> w = np.empty((1, 1, 4, 4))
        >>> UpsamplingDeconvFilter()(w)
        >>> w[0, 0, 0]
        array([0.0625, 0.1875, 0.1875, 0.0625])
    """


class DownsamplingConvFilter(_SamplingFilter):
    """Fill a convolution weight with a bilinear downsampling kernel (sums to 1).

    Args:
        interpolation: Only ``'linear'``.
        dtype: The dtype produced, or None for the array's own.

    Example:
        >>> import numpy as np
        >>> w = np.empty((2, 2, 3, 3))
        >>> DownsamplingConvFilter()(w)
        >>> float(w[0, 0].sum())
        1.0
    """

    _upsampling = False
