"""``unchain_variables``: free the graphs still reachable from the observation."""

from __future__ import annotations

from typing import Any

from kusari.training import extension
from kusari.variable import Variable

__all__ = ["unchain_variables"]


class unchain_variables(extension.Extension):
    """Unchain every Variable in the observation after all other extensions ran.

    Useful with ``config.keep_graph_on_report`` on: the reported Variables would keep
    their whole graph (and its arrays) alive until the next iteration.

    Example:
        >>> trainer.extend(unchain_variables())  # doctest: +SKIP
    """

    trigger = (1, "iteration")
    priority = -1000  # after everything else, the snapshot included

    def __call__(self, trainer: Any) -> None:
        for value in trainer.observation.values():
            if isinstance(value, Variable):
                value.unchain_backward()
