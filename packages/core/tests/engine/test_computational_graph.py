import numpy as np
import pytest

import kusari.functions as F
from kusari import Variable
from kusari.computational_graph import build_computational_graph


def test_graph_nodes_edges_and_dot():
    x = Variable(np.ones((2, 3), np.float32), name="x")
    w = Variable(np.ones((3, 4), np.float32), name="W")
    y = F.matmul(x, w) * 2
    g = build_computational_graph([y])
    labels = [
        n.label if hasattr(n, "label") and not hasattr(n, "grad_var") else None for n in g.nodes
    ]
    assert "MatMul" in labels and "_ * 2" in labels
    assert len(g.edges) == 5
    dot = g.dump()
    assert dot.startswith("digraph graphname{") and "x: (2, 3), float32" in dot
    assert "W: (3, 4), float32" in dot and "(2, 4), float32" in dot
    assert dot.count("->") == 5


def test_remove_variable_and_bad_options():
    x = Variable(np.ones(2, np.float32))
    y = F.exp(x * 2)
    g = build_computational_graph([y], remove_variable=True)
    assert len(g.nodes) == 2 and len(g.edges) == 1
    with pytest.raises(ValueError, match="rankdir"):
        build_computational_graph([y], rankdir="XX")
    with pytest.raises(NotImplementedError):
        g.dump("png")
