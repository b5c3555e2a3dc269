"""Connection functions: linear maps, convolutions and embeddings with parameters."""

from kusari.functions.connection.bilinear import bilinear
from kusari.functions.connection.convolution_2d import convolution_2d
from kusari.functions.connection.deconvolution_2d import deconvolution_2d
from kusari.functions.connection.dilated_convolution_2d import (
    depthwise_convolution_2d,
    dilated_convolution_2d,
)
from kusari.functions.connection.embed_id import embed_id
from kusari.functions.connection.linear import linear

__all__ = [
    "bilinear",
    "convolution_2d",
    "deconvolution_2d",
    "depthwise_convolution_2d",
    "dilated_convolution_2d",
    "embed_id",
    "linear",
]
