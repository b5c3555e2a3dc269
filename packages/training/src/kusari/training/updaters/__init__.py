"""Updaters (Chainer's ``chainer.training.updaters``).

Example:
    >>> from kusari.training import updaters
    >>> updaters.StandardUpdater.__name__
    'StandardUpdater'
"""

from kusari.training.updaters.standard_updater import StandardUpdater

__all__ = ["StandardUpdater"]
