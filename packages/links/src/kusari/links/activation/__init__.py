"""Activation layers with parameters."""

from kusari.links.activation.maxout import Maxout
from kusari.links.activation.prelu import PReLU

__all__ = ["Maxout", "PReLU"]
