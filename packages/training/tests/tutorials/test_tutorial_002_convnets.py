"""Seed tutorial 002 (ConvNets): LeNet5 two ways, Classifier, the model zoo classes."""

from functools import partial

import numpy as np
import pytest

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import Chain


class LeNet5(Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(in_channels=1, out_channels=6, ksize=5, stride=1)
            self.conv2 = L.Convolution2D(in_channels=6, out_channels=16, ksize=5, stride=1)
            self.conv3 = L.Convolution2D(in_channels=16, out_channels=120, ksize=4, stride=1)
            self.fc4 = L.Linear(None, 84)
            self.fc5 = L.Linear(84, 10)

    def forward(self, x):
        h = F.sigmoid(self.conv1(x))
        h = F.max_pooling_2d(h, 2, 2)
        h = F.sigmoid(self.conv2(h))
        h = F.max_pooling_2d(h, 2, 2)
        h = F.sigmoid(self.conv3(h))
        h = F.sigmoid(self.fc4(h))
        if chainer.config.train:
            return self.fc5(h)
        return F.softmax(self.fc5(h))


class LeNet5List(Chain):
    def __init__(self):
        super().__init__()
        net = [("conv1", L.Convolution2D(1, 6, 5, 1))]
        net += [("_sigm1", F.sigmoid)]
        net += [("_mpool1", partial(F.max_pooling_2d, ksize=2, stride=2))]
        net += [("conv2", L.Convolution2D(6, 16, 5, 1))]
        net += [("_sigm2", F.sigmoid)]
        net += [("_mpool2", partial(F.max_pooling_2d, ksize=2, stride=2))]
        net += [("conv3", L.Convolution2D(16, 120, 4, 1))]
        net += [("_sigm3", F.sigmoid)]
        net += [("_mpool3", partial(F.max_pooling_2d, ksize=2, stride=2))]
        net += [("fc4", L.Linear(None, 84))]
        net += [("_sigm4", F.sigmoid)]
        net += [("fc5", L.Linear(84, 10))]
        net += [("_sigm5", F.sigmoid)]
        with self.init_scope():
            for n in net:
                if not n[0].startswith("_"):
                    setattr(self, n[0], n[1])
        self.layers = net

    def forward(self, x):
        for n, f in self.layers:
            if not n.startswith("_"):
                x = getattr(self, n)(x)
            else:
                x = f(x)
        if chainer.config.train:
            return x
        return F.softmax(x)


@pytest.mark.parametrize("cls", [LeNet5, LeNet5List])
def test_lenet5_loss_two_ways(cls):
    model = cls()
    x = np.random.rand(32, 1, 28, 28).astype(np.float32)
    t = np.random.randint(0, 10, size=(32,)).astype(np.int32)
    y = model(x)
    loss = F.softmax_cross_entropy(y, t)
    loss.backward()
    assert model.conv1.W.grad.shape == (6, 1, 5, 5)
    model = L.Classifier(cls())
    loss = model(x, t)
    assert loss.shape == () and np.isfinite(loss.data)
    with chainer.using_config("train", False):
        p = model.predictor(x)
    np.testing.assert_allclose(p.data.sum(axis=1), np.ones(32), rtol=1e-5)


def test_model_zoo_classes_exist_with_chainer_constructors():
    for name in ["VGG16Layers", "ResNet50Layers", "ResNet101Layers", "ResNet152Layers"]:
        assert hasattr(L, name)
    with pytest.raises(OSError, match="pfnet"):
        L.ResNet50Layers(pretrained_model="auto")
