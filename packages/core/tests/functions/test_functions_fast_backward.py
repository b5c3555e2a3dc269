"""The array-level backward fast path agrees with each op's Variable-level backward.

Without double backprop the engine calls ``backward_arrays`` where an op defines it;
with double backprop it calls ``backward``. Both must give the same gradients.
"""

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari.testing.backend_conformance import CASES

EXTRA = [
    ("sum_keepdims", lambda F, a: F.sum(a, axis=(0, 2), keepdims=True) * 2, [(2, 3, 4)], []),
    ("square", lambda F, a: F.square(a), [(3, 4)], []),
    ("dropout_mask", lambda F, a: F.leaky_relu(a) + F.clipped_relu(a, 0.5), [(3, 4)], []),
]


def _cases():
    out = [(c.name, c.fn, list(c.shapes), list(c.ints), c.needs) for c in CASES]
    out += [(n, f, s, i, ()) for n, f, s, i in EXTRA]
    return out


@pytest.mark.parametrize("name, fn, shapes, ints, needs", _cases(), ids=[c[0] for c in _cases()])
def test_fast_and_variable_backward_agree(name, fn, shapes, ints, needs):
    if any(not hasattr(F, n) for n in needs):
        pytest.skip("function missing")
    rng = np.random.default_rng(0)
    floats = [rng.standard_normal(s) for s in shapes]
    consts = [rng.integers(0, high, s).astype(np.int32) for s, high in ints]
    grads = []
    for double in (False, True):
        xs = [kusari.Variable(f.copy()) for f in floats]
        ys = fn(F, *xs, *consts)
        ys = ys if isinstance(ys, tuple) else (ys,)
        grng = np.random.default_rng(1)
        kusari.backward(
            list(ys), [grng.standard_normal(y.shape) for y in ys], enable_double_backprop=double
        )
        grads.append([x.grad for x in xs])
    for fast, slow in zip(*grads):
        np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-12)


def test_leaf_gradient_from_a_broadcast_is_writeable():
    w = kusari.Variable(np.ones((3, 4), np.float32))
    F.sum(w).backward()
    assert w.grad.flags.writeable
    w.grad += 1  # what optimizer hooks do
    np.testing.assert_array_equal(w.grad, np.full((3, 4), 2.0))
