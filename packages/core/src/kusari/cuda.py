"""Chainer's ``chainer.cuda`` alias of :mod:`kusari.backends.cuda`."""

from kusari.backends.cuda import *  # noqa: F403
from kusari.backends.cuda import __all__, __getattr__  # noqa: F401
