"""``dump_graph``: write the graph behind a reported Variable (the loss) as Graphviz DOT."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from kusari.computational_graph import build_computational_graph
from kusari.configuration import config
from kusari.serializers._atomic import write_atomically
from kusari.training import extension
from kusari.variable import Variable

__all__ = ["DumpGraph", "dump_graph"]

_MISSING = object()


class DumpGraph(extension.Extension):
    """Dump the graph of ``trainer.observation[root_name]`` once, at the first iteration.

    Reported values normally drop their graph; this extension turns on
    ``config.keep_graph_on_report`` until it has dumped (one iteration), then restores it.
    """

    trigger = (1, "iteration")
    default_name = "dump_graph"
    priority = extension.PRIORITY_WRITER + 1  # before anything that may unchain the graph

    def __init__(
        self,
        root_name: str,
        filename: str = "cg.dot",
        variable_style: Mapping[str, Any] | None = None,
        function_style: Mapping[str, Any] | None = None,
    ) -> None:
        self._root_name = root_name
        self._filename = filename
        self._variable_style = variable_style
        self._function_style = function_style
        self._original: Any = _MISSING  # this thread's own setting before ours, if any
        self._flag_set = False
        self._dumped = False

    def initialize(self, trainer: Any) -> None:
        if not self._dumped and not self._flag_set:
            self._original = config.__dict__.get("keep_graph_on_report", _MISSING)
            config.keep_graph_on_report = True
            self._flag_set = True

    def _restore_flag(self) -> None:
        if not self._flag_set:
            return
        self._flag_set = False
        if self._original is _MISSING:
            if "keep_graph_on_report" in config.__dict__:
                del config.keep_graph_on_report
        else:
            config.keep_graph_on_report = self._original

    def __call__(self, trainer: Any) -> None:
        if self._dumped:
            return
        try:
            var = trainer.observation[self._root_name]
        except KeyError:
            raise KeyError(
                f"dump_graph: {self._root_name!r} was not reported in this iteration; "
                f"reported keys: {sorted(trainer.observation)}"
            ) from None
        if not isinstance(var, Variable):
            raise TypeError(
                f"dump_graph: {self._root_name!r} must be a Variable, got {type(var).__name__}"
            )
        text = build_computational_graph(
            [var], variable_style=self._variable_style, function_style=self._function_style
        ).dump()

        def write(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)

        write_atomically("dump_graph", os.path.join(trainer.out, self._filename), write)
        self._dumped = True
        self._restore_flag()

    def finalize(self) -> None:
        self._restore_flag()

    def serialize(self, serializer: Any) -> None:
        """Save or load whether the graph was dumped already."""
        self._dumped = bool(serializer("_dumped", self._dumped))


def dump_graph(
    root_name: str,
    filename: str | None = None,
    variable_style: Mapping[str, Any] | None = None,
    function_style: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> DumpGraph:
    """Return an extension writing the graph of a reported Variable to ``<out>/cg.dot``.

    Args:
        root_name: The observation key of the Variable, e.g. ``'main/loss'``.
        filename: The DOT file name (``out_name`` is Chainer's older spelling).
        variable_style: Graphviz attributes of variable nodes.
        function_style: Graphviz attributes of function nodes.

    Returns:
        The extension (it runs once, at the first iteration).

    Example:
        >>> ext = dump_graph("main/loss")
        >>> ext.default_name
        'dump_graph'
    """
    out_name = kwargs.pop("out_name", "cg.dot")
    if kwargs:
        raise TypeError(f"dump_graph: unexpected keyword arguments {sorted(kwargs)}")
    return DumpGraph(
        root_name, out_name if filename is None else filename, variable_style, function_style
    )
