"""Seed tutorial 000 ("Dive into Chainer"), run with only the imports changed.

The MNIST part runs on a small synthetic MNIST-shaped dataset (the real data is
exercised by the example's end-to-end test); GPU ids are replaced by the CPU (-1).
"""

import numpy as np
import pytest

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import Variable, iterators, optimizers, serializers, training
from kusari.cuda import to_cpu
from kusari.datasets import TupleDataset
from kusari.training import extensions

gpu_id = -1  # the tutorial's `gpu_id = 0`, on a machine without a GPU


class MLP(chainer.Chain):
    def __init__(self, n_mid_units=100, n_out=10):
        super().__init__(
            l1=L.Linear(None, n_mid_units),
            l2=L.Linear(None, n_mid_units),
            l3=L.Linear(None, n_out),
        )

    def __call__(self, x):
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


def _mnist_like(n, seed):
    centers = np.random.default_rng(42).random((10, 784)).astype(np.float32)
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 10, n).astype(np.int32)
    x = (centers[t] + 0.3 * rng.random((n, 784))).astype(np.float32)
    return TupleDataset(np.clip(x, 0, 1), t)


def test_mnist_mlp_trainer_with_eight_extensions_then_predict(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    train, test = _mnist_like(512, 0), _mnist_like(128, 1)

    model = MLP()
    assert model.l1.b.shape == (100,)  # the bias exists before the first call
    assert np.all(model.l1.b.data == 0)
    model = L.Classifier(model)
    model.to_device(gpu_id)

    optimizer = optimizers.SGD(lr=0.01)
    optimizer.setup(model)

    batchsize = 128
    train_iter = iterators.SerialIterator(train, batchsize)
    test_iter = iterators.SerialIterator(test, batchsize, repeat=False, shuffle=False)
    updater = training.StandardUpdater(train_iter, optimizer, device=gpu_id)
    max_epoch = 10
    trainer = training.Trainer(updater, (max_epoch, "epoch"), out="mnist_result")

    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.snapshot(filename="snapshot_epoch-{.updater.epoch}"))
    trainer.extend(
        extensions.snapshot_object(model.predictor, filename="model_epoch-{.updater.epoch}")
    )
    trainer.extend(extensions.Evaluator(test_iter, model, device=gpu_id))
    trainer.extend(
        extensions.PrintReport(
            [
                "epoch",
                "main/loss",
                "main/accuracy",
                "validation/main/loss",
                "validation/main/accuracy",
                "elapsed_time",
            ]
        )
    )
    trainer.extend(
        extensions.PlotReport(
            ["main/loss", "validation/main/loss"], x_key="epoch", file_name="loss.png"
        )
    )
    trainer.extend(
        extensions.PlotReport(
            ["main/accuracy", "validation/main/accuracy"], x_key="epoch", file_name="accuracy.png"
        )
    )
    trainer.extend(extensions.dump_graph("main/loss"))
    trainer.run()

    out = tmp_path / "mnist_result"
    for name in ["log", "cg.dot", "snapshot_epoch-10", "model_epoch-10"]:
        assert (out / name).exists(), name
    pytest.importorskip("matplotlib")
    assert (out / "loss.png").read_bytes()[:4] == b"\x89PNG"

    # 8. Make inferences by using the pre-trained model
    model = MLP()
    serializers.load_npz("mnist_result/model_epoch-10", model)
    model.to_device(gpu_id)
    x, t = test[0]
    y = model(x[None, ...])
    y = to_cpu(y.data)
    assert y.shape == (1, 10)
    accuracy = np.mean(
        [to_cpu(model(test[i][0][None]).data).argmax() == test[i][1] for i in range(len(test))]
    )
    assert accuracy > 0.8  # the synthetic classes are easy


def test_inside_chainer_forward_backward():
    def forward(x):
        z = 2 * x
        y = x**2 - z + 1
        return y, z

    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y, z = forward(x)
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward(retain_grad=True)
    np.testing.assert_array_equal(x.grad, 2 * x.data - 2)
    np.testing.assert_array_equal(z.grad, -np.ones((2, 3)))


class MyModel(chainer.Chain):
    def __init__(self, n_out):
        super().__init__(
            conv1=L.Convolution2D(None, 32, 3, 3, 1),
            conv2=L.Convolution2D(32, 64, 3, 3, 1),
            conv3=L.Convolution2D(64, 128, 3, 3, 1),
            fc4=L.Linear(None, 1000),
            fc5=L.Linear(1000, n_out),
        )

    def __call__(self, x):
        h = F.relu(self.conv1(x))
        h = F.relu(self.conv2(h))
        h = F.relu(self.conv3(h))
        h = F.relu(self.fc4(h))
        h = self.fc5(h)
        return h


class ConvBlock(chainer.Chain):
    def __init__(self, n_ch, pool_drop=False):
        w = chainer.initializers.HeNormal()
        super().__init__(
            conv=L.Convolution2D(None, n_ch, 3, 1, 1, nobias=True, initialW=w),
            bn=L.BatchNormalization(n_ch),
        )
        self.train = True
        self.pool_drop = pool_drop

    def __call__(self, x):
        h = F.relu(self.bn(self.conv(x)))
        if self.pool_drop:
            h = F.max_pooling_2d(h, 2, 2)
            h = F.dropout(h, ratio=0.25, train=self.train)
        return h


class LinearBlock(chainer.Chain):
    def __init__(self):
        w = chainer.initializers.HeNormal()
        super().__init__(fc=L.Linear(None, 1024, initialW=w))
        self.train = True

    def __call__(self, x):
        return F.dropout(F.relu(self.fc(x)), ratio=0.5, train=self.train)


class DeepCNN(chainer.ChainList):
    def __init__(self, n_output):
        super().__init__(
            ConvBlock(64),
            ConvBlock(64, True),
            ConvBlock(128),
            ConvBlock(128, True),
            ConvBlock(256),
            ConvBlock(256),
            ConvBlock(256),
            ConvBlock(256, True),
            LinearBlock(),
            LinearBlock(),
            L.Linear(None, n_output),
        )
        self._train = True

    @property
    def train(self):
        return self._train

    @train.setter
    def train(self, val):
        self._train = val
        for c in self.children():
            c.train = val

    def __call__(self, x):
        for f in self.children():
            x = f(x)
        return x


def _cifar_like(n, seed):
    rng = np.random.default_rng(seed)
    return TupleDataset(
        rng.random((n, 3, 32, 32)).astype(np.float32), rng.integers(0, 10, n).astype(np.int32)
    )


def _train(model_object, tmp_path, batchsize=8, max_epoch=1, n=16):
    """The tutorial's train() with its TestModeEvaluator, on tiny CIFAR-shaped data."""
    train, test = _cifar_like(n, 0), _cifar_like(8, 1)
    train_iter = iterators.SerialIterator(train, batchsize)
    test_iter = iterators.SerialIterator(test, batchsize, False, False)
    model = L.Classifier(model_object)
    optimizer = optimizers.Adam()
    optimizer.setup(model)
    updater = training.StandardUpdater(train_iter, optimizer, device=gpu_id)
    trainer = training.Trainer(
        updater,
        (max_epoch, "epoch"),
        out=str(tmp_path / f"{model_object.__class__.__name__}_result"),
    )

    class TestModeEvaluator(extensions.Evaluator):
        def evaluate(self):
            model = self.get_target("main")
            model.train = False
            ret = super().evaluate()
            model.train = True
            return ret

    trainer.extend(extensions.LogReport())
    trainer.extend(TestModeEvaluator(test_iter, model, device=gpu_id))
    trainer.extend(
        extensions.PrintReport(
            [
                "epoch",
                "main/loss",
                "main/accuracy",
                "validation/main/loss",
                "validation/main/accuracy",
                "elapsed_time",
            ]
        )
    )
    trainer.run()
    del trainer
    return model


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cifar_models_train_with_the_tutorials_loop(tmp_path):
    model = _train(MyModel(10), tmp_path)
    y = model.predictor(_cifar_like(1, 2)[0][0][None, ...]).data.argmax(axis=1)[0]
    assert 0 <= y < 10
    deep = _train(DeepCNN(10), tmp_path, batchsize=4, n=8)
    assert deep.predictor.train is True
    deep.predictor.train = False
    assert all(c.train is False for c in deep.predictor.children())
