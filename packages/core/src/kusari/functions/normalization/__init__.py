"""Normalization functions."""

from kusari.functions.normalization.batch_normalization import (
    batch_normalization,
    fixed_batch_normalization,
)

__all__ = ["batch_normalization", "fixed_batch_normalization"]
