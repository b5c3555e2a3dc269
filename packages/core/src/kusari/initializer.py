"""Chainer's ``chainer.initializer`` module: the Initializer base class and ``get_fans``."""

from kusari.initializers import Initializer, get_fans

__all__ = ["Initializer", "get_fans"]
