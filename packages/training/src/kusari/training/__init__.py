"""kusari's training loop (Chainer's ``chainer.training``): Trainer, updaters, triggers,
extensions.

Example:
    >>> from kusari import training
    >>> from kusari.training import extensions
    >>> training.get_trigger((1, "epoch"))
    IntervalTrigger(1, 'epoch')
    >>> extensions.LogReport().default_name
    'LogReport'
"""

try:
    import kusari._version  # noqa: F401  (uninstalling core leaves an empty namespace)
except ImportError:
    raise ImportError(
        "kusari-training needs kusari-core, which is not installed: pip install kusari-core"
    ) from None

from kusari.training import (
    extension,
    extensions,
    trainer,
    triggers,
    updater,
    updaters,
    util,
)
from kusari.training._version import __version__
from kusari.training.extension import (
    PRIORITY_EDITOR,
    PRIORITY_READER,
    PRIORITY_WRITER,
    Extension,
    make_extension,
)
from kusari.training.trainer import Trainer
from kusari.training.triggers import IntervalTrigger, get_trigger
from kusari.training.updater import Updater
from kusari.training.updaters import StandardUpdater

__all__ = [
    "__version__",
    "Trainer",
    "Updater",
    "StandardUpdater",
    "Extension",
    "make_extension",
    "PRIORITY_WRITER",
    "PRIORITY_EDITOR",
    "PRIORITY_READER",
    "IntervalTrigger",
    "get_trigger",
    "extension",
    "extensions",
    "trainer",
    "triggers",
    "updater",
    "updaters",
    "util",
]
