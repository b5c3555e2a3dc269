"""Normalization layers."""

from kusari.links.normalization.batch_normalization import BatchNormalization
from kusari.links.normalization.group_normalization import GroupNormalization
from kusari.links.normalization.layer_normalization import LayerNormalization

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization"]
