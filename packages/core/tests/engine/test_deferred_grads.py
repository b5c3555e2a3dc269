"""Deferred leaf gradients: uses of one weight summed in one kernel, same values."""

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import Variable


def _rnn_like(w_arr, e_arr, ids, double, w_from_graph=False):
    w = Variable(w_arr.copy())
    e = Variable(e_arr.copy())
    weight = w * 1.0 if w_from_graph else w  # a non-leaf weight is not deferred
    h = None
    loss = 0
    for t in range(ids.shape[0]):
        x = F.embed_id(ids[t], e, ignore_label=-1)
        h = F.tanh(F.linear(x if h is None else x + h, weight))
        loss = loss + F.sum(h * h)
    loss.backward(enable_double_backprop=double)
    return w.grad, e.grad


@pytest.mark.parametrize("w_from_graph", [False, True])
def test_deferred_gradients_match_the_variable_path(w_from_graph, monkeypatch):
    from kusari._deferred import GemmGrad, ScatterAddGrad

    combined = []
    for cls in (GemmGrad, ScatterAddGrad):
        original = cls.combine.__func__
        monkeypatch.setattr(
            cls,
            "combine",
            classmethod(
                lambda c, terms, o=original: combined.append((c, len(terms))) or o(c, terms)
            ),
        )
    rng = np.random.default_rng(0)
    w = rng.standard_normal((8, 8)) * 0.3
    e = rng.standard_normal((10, 8))
    ids = rng.integers(-1, 10, (5, 2)).astype(np.int32)  # thin batches; -1 is ignored
    fast = _rnn_like(w, e, ids, double=False, w_from_graph=w_from_graph)
    slow = _rnn_like(w, e, ids, double=True, w_from_graph=w_from_graph)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    kinds = dict(combined)
    assert kinds[ScatterAddGrad] == 5  # five uses of the table, one scatter
    if w_from_graph:
        assert GemmGrad not in kinds  # a non-leaf weight is never deferred
    else:
        assert kinds[GemmGrad] == 5


def test_wide_batches_are_not_deferred():
    """Holding the factors would cost more memory than the gradient: compute at once."""
    from kusari._deferred import GemmGrad
    from kusari.functions.connection.linear import LinearFunction

    w = Variable(np.ones((2, 2)))
    x = np.ones((8, 2))
    y = F.linear(x, w)
    node = y.creator
    assert isinstance(node, LinearFunction)
    gw, _ = node.backward_arrays((1, 2), (np.ones((8, 2)),))
    assert not isinstance(gw, GemmGrad)


def test_deferred_gradients_add_to_existing_grads_and_keep_loss_scale():
    rng = np.random.default_rng(1)
    w = Variable(rng.standard_normal((3, 2)))
    x = rng.standard_normal((2, 2))
    w.grad = np.ones((3, 2))
    held = w.grad
    y = F.sum(F.linear(x, w)) + F.sum(F.linear(x, w))
    y.backward(loss_scale=4.0)
    np.testing.assert_array_equal(held, np.ones((3, 2)))  # the user's array untouched
    expected = 1 + 4.0 * 2 * np.tile(x.sum(axis=0), (3, 1))
    np.testing.assert_allclose(w.grad, expected)
    assert w._loss_scale == 4.0


def test_grad_materializes_deferred_terms():
    rng = np.random.default_rng(2)
    w = Variable(rng.standard_normal((3, 2)))
    x = rng.standard_normal((5, 2))
    (gw,) = kusari.grad([F.sum(F.linear(x, w)) * 2], [w])
    np.testing.assert_allclose(gw.array, 2 * np.tile(x.sum(axis=0), (3, 1)))
    assert w.grad is None
