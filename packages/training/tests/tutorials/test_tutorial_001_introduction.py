"""Seed tutorial 001 (the v1.5 introduction, in Japanese), run with only the imports changed."""

import warnings

import numpy as np

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import Chain, ChainList, Variable, optimizers, serializers


def test_variables_and_backward():
    x_data = np.array([5], dtype=np.float32)
    x = Variable(x_data)
    y = x**2 - 2 * x + 1
    np.testing.assert_array_equal(y.data, [16.0])
    y.backward()
    np.testing.assert_array_equal(x.grad, [8.0])
    z = 2 * x
    y = x**2 - z + 1
    y.backward(retain_grad=True)
    np.testing.assert_array_equal(z.grad, [-1.0])
    np.testing.assert_array_equal(x.grad, [16.0])


def test_v1_linear_link_and_zerograds():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        f = F.Linear(3, 2)
    assert type(f).__module__ == "kusari.links.connection.linear"
    assert f.W.data.shape == (2, 3) and f.b.data.shape == (2,)
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = f(x)
    np.testing.assert_allclose(y.data, np.dot(x.data, f.W.data.T) + f.b.data, rtol=1e-6)
    np.testing.assert_allclose(F.linear(x, f.W, f.b).data, y.data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        f.zerograds()
    np.testing.assert_array_equal(f.W.grad, np.zeros((2, 3)))
    y.grad = np.ones((2, 2), dtype=np.float32)
    y.backward()
    np.testing.assert_array_equal(f.W.grad, [[5, 7, 9], [5, 7, 9]])
    np.testing.assert_array_equal(f.b.grad, [2, 2])


class MyChain(Chain):
    def __init__(self):
        super().__init__(
            l1=L.Linear(4, 3),
            l2=L.Linear(3, 2),
        )

    def __call__(self, x):
        h = self.l1(x)
        y = self.l2(h)
        return y


class MyChain2(ChainList):
    def __init__(self):
        super().__init__(
            L.Linear(4, 3),
            L.Linear(3, 2),
        )

    def __call__(self, x):
        h = self[0](x)
        y = self[1](h)
        return y


def test_optimizer_both_update_forms_weight_decay_and_hdf5(tmp_path):
    N = 2
    x = Variable(np.arange(8).reshape(N, 4).astype(np.float32))
    model = MyChain()
    optimizer = optimizers.SGD()
    optimizer.setup(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model.zerograds()
    y = model(x)
    y.grad = np.ones([N, 2], dtype=np.float32)
    y.backward()
    before = model.l1.W.data.copy()
    grad = model.l1.W.grad.copy()
    optimizer.update()
    np.testing.assert_allclose(model.l1.W.data, before - 0.01 * grad, rtol=1e-6)

    def lossfun(x):
        return F.sum(model(x))

    optimizer.update(lossfun, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        optimizer.add_hook(chainer.optimizer.WeightDecay(0.0005))
    optimizer.update(lossfun, x)

    serializers.save_hdf5(str(tmp_path / "my.model"), model)
    serializers.save_hdf5(str(tmp_path / "my.state"), optimizer)
    model2 = MyChain()
    serializers.load_hdf5(str(tmp_path / "my.model"), model2)
    np.testing.assert_array_equal(model2.l1.W.data, model.l1.W.data)
    optimizer2 = optimizers.SGD()
    optimizer2.setup(model2)
    serializers.load_hdf5(str(tmp_path / "my.state"), optimizer2)
    assert optimizer2.t == optimizer.t == 3

    chain_list = MyChain2()
    assert chain_list(x).shape == (2, 2)
