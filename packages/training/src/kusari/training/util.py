"""Chainer's ``chainer.training.util``: :func:`get_trigger` and the never-firing trigger.

Example:
    >>> from kusari.training import util
    >>> util.get_trigger(None)(None)
    False
"""

from kusari.training.triggers._util import get_trigger, never_fire_trigger

__all__ = ["get_trigger", "never_fire_trigger"]
