"""Noise injection: dropout and Gaussian sampling."""

from kusari.functions.noise.dropout import dropout
from kusari.functions.noise.gaussian import gaussian

__all__ = ["dropout", "gaussian"]
