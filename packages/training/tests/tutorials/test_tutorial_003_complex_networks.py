"""Seed tutorial 003 ("Complex neural networks made easy"): creators, MLP, SimpleRNN, LSTM."""

import numpy as np

import kusari.functions as F
import kusari.links as L
from kusari import Chain, Variable, optimizers


def test_creator_is_add_constant():
    x = Variable(np.asarray([[0, 2], [1, -3]]).astype(np.float32))
    np.testing.assert_array_equal(x.data, [[0.0, 2.0], [1.0, -3.0]])
    y = x**2 - x + 1
    np.testing.assert_array_equal(y.data, [[1.0, 3.0], [1.0, 13.0]])
    assert repr(y.creator).startswith("<kusari.functions.math.basic_math.AddConstant object at")


class MLP(Chain):
    def __init__(self):
        super().__init__(l1=L.Linear(784, 100), l2=L.Linear(100, 10))

    def __call__(self, x):
        h1 = F.tanh(self.l1(x))
        y = self.l2(h1)
        return y


class SimpleRNN(Chain):
    def __init__(self, n_vocab, n_nodes):
        super().__init__(
            embed=L.EmbedID(n_vocab, n_nodes),
            x2h=L.Linear(n_nodes, n_nodes),
            h2h=L.Linear(n_nodes, n_nodes),
            h2y=L.Linear(n_nodes, n_vocab),
        )
        self.h_internal = None

    def forward_one_step(self, x, h):
        x = F.tanh(self.embed(x))
        if h is None:
            h = F.tanh(self.x2h(x))
        else:
            h = F.tanh(self.x2h(x) + self.h2h(h))
        y = self.h2y(h)
        return y, h

    def __call__(self, x):
        y, h = self.forward_one_step(x, self.h_internal)
        self.h_internal = h
        return y


def test_mlp_and_simple_rnn_truncated_bptt_training_lowers_loss():
    mlp = MLP()
    assert mlp(np.zeros((2, 784), np.float32)).shape == (2, 10)
    rng = np.random.default_rng(0)
    seq = rng.integers(0, 20, 30).astype(np.int32)
    model = SimpleRNN(20, 16)
    opt = optimizers.Adam(alpha=0.01)
    opt.setup(model)
    losses = []
    for _ in range(15):
        model.h_internal = None
        loss = 0
        for cur, nxt in zip(seq[:-1], seq[1:]):
            y = model(np.array([cur], np.int32))
            loss += F.softmax_cross_entropy(y, np.array([nxt], np.int32))
        model.cleargrads()
        loss.backward()
        loss.unchain_backward()
        opt.update()
        losses.append(float(loss.data))
    assert losses[-1] < losses[0]


def test_lstm_link_is_stateful():
    lstm = L.LSTM(None, 8)
    h1 = lstm(np.ones((3, 5), np.float32))
    h2 = lstm(np.ones((3, 5), np.float32))
    assert h1.shape == h2.shape == (3, 8)
    assert not np.allclose(h1.data, h2.data)
    lstm.reset_state()
    np.testing.assert_allclose(lstm(np.ones((3, 5), np.float32)).data, h1.data, rtol=1e-6)
