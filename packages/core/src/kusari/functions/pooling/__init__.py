"""Pooling functions over (N, C, H, W) feature maps."""

from kusari.functions.pooling.average_pooling_2d import average_pooling_2d
from kusari.functions.pooling.max_pooling_2d import max_pooling_2d
from kusari.functions.pooling.unpooling_2d import unpooling_2d
from kusari.functions.pooling.upsampling_2d import upsampling_2d

__all__ = ["average_pooling_2d", "max_pooling_2d", "unpooling_2d", "upsampling_2d"]
