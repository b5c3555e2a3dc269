"""Dump the computational graph behind some Variables as Graphviz DOT.

Example:
    >>> import numpy as np, kusari
    >>> from kusari.computational_graph import build_computational_graph
    >>> x = kusari.Variable(np.ones(2, np.float32), name="x")
    >>> y = x * 2 + 1
    >>> g = build_computational_graph([y])
    >>> "digraph graphname" in g.dump()
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kusari.function_node import FunctionNode
from kusari.variable import Variable, VariableNode

__all__ = ["ComputationalGraph", "build_computational_graph"]

_DEFAULT_VARIABLE_STYLE = {"shape": "octagon", "fillcolor": "#E0E0E0", "style": "filled"}
_DEFAULT_FUNCTION_STYLE = {"shape": "record", "fillcolor": "#6495ED", "style": "filled"}


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attrs(d: Mapping[str, Any]) -> str:
    return ",".join(f"{k}={_quote(str(v))}" for k, v in d.items())


class ComputationalGraph:
    """Nodes (VariableNodes and FunctionNodes) and edges of a graph, with a DOT dump.

    Attributes:
        nodes: The nodes, outputs first.
        edges: ``(head, tail)`` pairs in the direction of the forward computation.
    """

    def __init__(
        self,
        nodes: list[Any],
        edges: list[tuple[Any, Any]],
        variable_style: Mapping[str, Any] | None = None,
        function_style: Mapping[str, Any] | None = None,
        rankdir: str = "TB",
        remove_variable: bool = False,
        show_name: bool = True,
    ) -> None:
        self.nodes = nodes
        self.edges = edges
        self.variable_style = dict(
            _DEFAULT_VARIABLE_STYLE if variable_style is None else variable_style
        )
        self.function_style = dict(
            _DEFAULT_FUNCTION_STYLE if function_style is None else function_style
        )
        if rankdir not in ("TB", "BT", "LR", "RL"):
            raise ValueError(
                f"build_computational_graph: rankdir must be TB, BT, LR or RL; got {rankdir!r}"
            )
        self.rankdir = rankdir
        self.remove_variable = remove_variable
        self.show_name = show_name

    def _label(self, node: Any) -> str:
        if isinstance(node, VariableNode):
            shape = "()" if node.shape == () else str(node.shape)
            text = f"{shape}, {node.dtype}" if node.shape is not None else "None"
            if self.show_name and node.name:
                text = f"{node.name}: {text}"
            return text
        return node.label

    def _to_dot(self) -> str:
        lines = ["digraph graphname{", f"rankdir={self.rankdir};"]
        ids = {id(n): f"{i}" for i, n in enumerate(self.nodes)}
        for node in self.nodes:
            style = self.variable_style if isinstance(node, VariableNode) else self.function_style
            attrs = dict(style)
            attrs["label"] = self._label(node)
            lines.append(f"{ids[id(node)]} [{_attrs(attrs)}];")
        for head, tail in self.edges:
            lines.append(f"{ids[id(head)]} -> {ids[id(tail)]};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def dump(self, format: str = "dot") -> str:
        """The graph as text; only ``'dot'`` (Graphviz) is supported."""
        if format != "dot":
            raise NotImplementedError(f"ComputationalGraph.dump: format {format!r}; only 'dot'")
        return self._to_dot()


def build_computational_graph(
    outputs: Iterable[Any],
    remove_split: bool = True,
    variable_style: Mapping[str, Any] | None = None,
    function_style: Mapping[str, Any] | None = None,
    rankdir: str = "TB",
    remove_variable: bool = False,
    show_name: bool = True,
) -> ComputationalGraph:
    """Collect the graph that produced ``outputs`` by walking creators backward.

    Args:
        outputs: Variables (or VariableNodes / FunctionNodes) to start from.
        remove_split: Kept for Chainer compatibility (kusari has no split nodes).
        variable_style: DOT attributes of variable nodes.
        function_style: DOT attributes of function nodes.
        rankdir: Graphviz layout direction.
        remove_variable: Leave variable nodes out (functions connect directly).
        show_name: Show variable names in labels.

    Returns:
        The :class:`ComputationalGraph`.
    """
    nodes: list[Any] = []
    edges: list[tuple[Any, Any]] = []
    seen: set[int] = set()
    stack: list[Any] = []

    def push(node: Any) -> None:
        if id(node) not in seen:
            seen.add(id(node))
            nodes.append(node)
            stack.append(node)

    for out in outputs:
        if isinstance(out, Variable):
            out = out.node
        push(out)
    while stack:
        node = stack.pop()
        if isinstance(node, VariableNode):
            f = node.creator
            if f is not None:
                edges.append((f, node))
                push(f)
        elif isinstance(node, FunctionNode):
            for x in node.inputs:
                edges.append((x, node))
                push(x)
    if remove_variable:
        fnodes = [n for n in nodes if not isinstance(n, VariableNode)]
        fedges = []
        producers = {id(t): h for h, t in edges if isinstance(t, VariableNode)}
        for h, t in edges:
            if isinstance(h, VariableNode) and id(h) in producers:
                fedges.append((producers[id(h)], t))
        nodes, edges = fnodes, list(dict.fromkeys(fedges))
    return ComputationalGraph(
        nodes, edges, variable_style, function_style, rankdir, remove_variable, show_name
    )
