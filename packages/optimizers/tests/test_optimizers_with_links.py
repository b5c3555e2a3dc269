"""Optimizers on real kusari.links models (skipped where kusari-links is not installed)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import kusari
import kusari.functions as F
from kusari import optimizers, serializers

L = pytest.importorskip("kusari.links")
if not hasattr(L, "Linear"):  # pragma: no cover - an early kusari-links
    pytest.skip("kusari.links.Linear is not available", allow_module_level=True)
torch = pytest.importorskip("torch")


class MLP(kusari.Chain):
    def __init__(self, n_in=None):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(n_in, 5)
            self.l2 = L.Linear(5, 3)

    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((8, 4)).astype(np.float32), rng.integers(0, 3, 8).astype(np.int32)


def _torch_twin(model):
    net = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    with torch.no_grad():
        for layer, link in ((net[0], model.predictor.l1), (net[2], model.predictor.l2)):
            layer.weight.copy_(torch.from_numpy(link.W.array))
            layer.bias.copy_(torch.from_numpy(link.b.array))
    return net


@pytest.mark.parametrize("name", ["MomentumSGD", "Adam"])
def test_classifier_training_matches_torch(name):
    model = L.Classifier(MLP(4))
    net = _torch_twin(model)
    if name == "Adam":
        opt = optimizers.Adam(alpha=0.01, eps=0.0).setup(model)
        topt = torch.optim.Adam(net.parameters(), lr=0.01, eps=0.0)
    else:
        opt = optimizers.MomentumSGD(lr=0.1, momentum=0.9).setup(model)
        topt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for step in range(10):
        x, t = _data(step)
        opt.update(model, x, t)
        topt.zero_grad()
        torch.nn.functional.cross_entropy(
            net(torch.from_numpy(x)), torch.from_numpy(t).long()
        ).backward()
        topt.step()
    np.testing.assert_allclose(
        model.predictor.l1.W.array, net[0].weight.detach().numpy(), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        model.predictor.l2.b.array, net[2].bias.detach().numpy(), rtol=1e-4, atol=1e-5
    )


def test_lazily_initialized_link_is_trained_and_serialized(tmp_path):
    model = L.Classifier(MLP())  # l1's input size is found at the first forward
    opt = optimizers.Adam().setup(model)
    assert model.predictor.l1.W.array is None
    x, t = _data()
    opt.update(model, x, t)
    assert model.predictor.l1.W.update_rule.state["m"].shape == (5, 4)
    serializers.save_npz(tmp_path / "opt.npz", opt)
    with np.load(tmp_path / "opt.npz") as f:
        assert {
            "t",
            "epoch",
            "predictor/l1/W/m",
            "predictor/l1/W/v",
            "predictor/l1/W/t",
            "predictor/l2/b/v",
        } <= set(f.files)

    fresh = L.Classifier(MLP())  # still uninitialized: the state waits for the forward
    opt2 = optimizers.Adam().setup(fresh)
    serializers.load_npz(tmp_path / "opt.npz", opt2)
    assert set(fresh.predictor.l1.W.update_rule.state) == {"m", "v"}
    fresh.predictor(x)  # initialize, then take the trained weights
    for (_, a), (_, b) in zip(sorted(fresh.namedparams()), sorted(model.namedparams())):
        a.array[...] = b.array
    x2, t2 = _data(1)
    opt.update(model, x2, t2)
    opt2.update(fresh, x2, t2)
    np.testing.assert_array_equal(fresh.predictor.l1.W.array, model.predictor.l1.W.array)


def test_chainer_v1_tutorial_flow(tmp_path):
    # From the v1.5 tutorial: Chain(**links), zerograds, manual backward, update(),
    # the old chainer.optimizer.WeightDecay spelling and HDF5 state files.
    pytest.importorskip("h5py")
    model = kusari.Chain(l1=L.Linear(4, 3), l2=L.Linear(3, 2))
    optimizer = optimizers.SGD()
    optimizer.setup(model)
    x = kusari.Variable(np.arange(8).reshape(2, 4).astype(np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model.zerograds()
    y = model.l2(model.l1(x))
    y.grad = np.ones((2, 2), dtype=np.float32)
    y.backward()
    before = model.l1.W.array.copy()
    expected = before - 0.01 * model.l1.W.grad
    optimizer.update()
    np.testing.assert_allclose(model.l1.W.array, expected)
    with pytest.warns(DeprecationWarning):
        optimizer.add_hook(kusari.optimizer.WeightDecay(0.0005))
    serializers.save_hdf5(tmp_path / "my.state", optimizer)
    optimizer.t = 0
    serializers.load_hdf5(tmp_path / "my.state", optimizer)
    assert optimizer.t == 1
