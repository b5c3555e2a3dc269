"""GPU end-to-end tests: a Trainer run of the MNIST MLP on the GPU, Variable and Link
round trips between host and device, and the errors for mixed devices.

Skipped unless CuPy finds a CUDA device (marker ``gpu``).
"""

from __future__ import annotations

import numpy as np
import pytest

cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
try:
    _has_gpu = bool(cupy.is_available())
except Exception:  # pragma: no cover - broken driver installs
    _has_gpu = False

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not _has_gpu, reason="no usable CUDA device")]

import kusari  # noqa: E402
import kusari.functions as F  # noqa: E402
import kusari.links as L  # noqa: E402
from kusari import iterators, optimizers, training  # noqa: E402
from kusari.datasets import TupleDataset  # noqa: E402
from kusari.training import extensions  # noqa: E402


class MLP(kusari.Chain):
    """The MNIST tutorial's network: 784-100-100-10 with ReLU."""

    def __init__(self, n_units: int = 100, n_out: int = 10) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(None, n_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, x):
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


def _synthetic_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """784-pixel noisy copies of ten fixed prototype images, labelled by prototype."""
    rng = np.random.default_rng(seed)
    prototypes = np.random.default_rng(99).random((10, 784), dtype=np.float32)
    t = rng.integers(0, 10, n).astype(np.int32)
    x = prototypes[t] + rng.normal(0, 0.5, (n, 784)).astype(np.float32)
    return x, t


def _synthetic_mnist(n: int, seed: int) -> TupleDataset:
    return TupleDataset(*_synthetic_arrays(n, seed))


def test_trainer_runs_the_mnist_mlp_on_the_gpu(tmp_path):
    np.random.seed(0)
    model = L.Classifier(MLP())
    optimizer = optimizers.SGD(lr=0.1)
    optimizer.setup(model)
    train = _synthetic_mnist(1024, 0)
    test = _synthetic_mnist(256, 1)
    train_iter = iterators.SerialIterator(train, 64)
    test_iter = iterators.SerialIterator(test, 128, repeat=False, shuffle=False)
    updater = training.StandardUpdater(train_iter, optimizer, device=0)
    trainer = training.Trainer(updater, (4, "epoch"), out=str(tmp_path))
    trainer.extend(extensions.Evaluator(test_iter, model, device=0))
    log = extensions.LogReport()
    trainer.extend(log)
    trainer.run()
    for path, param in model.namedparams():
        assert isinstance(param.array, cupy.ndarray), path
    entries = log.log
    assert len(entries) == 4
    first, last = entries[0], entries[-1]
    assert last["main/loss"] < first["main/loss"]
    assert last["validation/main/accuracy"] > 0.8  # 10 classes: chance is 0.1


def test_classifier_gives_the_same_loss_on_gpu_and_cpu():
    np.random.seed(1)
    model = L.Classifier(MLP())
    x, t = _synthetic_arrays(32, 2)
    loss_cpu = model(x, t)
    loss_cpu.backward()
    grads_cpu = {p: v.grad.copy() for p, v in model.namedparams()}
    model.cleargrads()
    model.to_gpu(0)
    loss_gpu = model(cupy.asarray(x), cupy.asarray(t))
    loss_gpu.backward()
    assert isinstance(loss_gpu.array, cupy.ndarray)
    np.testing.assert_allclose(float(loss_gpu.array), float(loss_cpu.array), rtol=1e-5)
    for path, v in model.namedparams():
        np.testing.assert_allclose(cupy.asnumpy(v.grad), grads_cpu[path], rtol=1e-4, atol=1e-6)


def test_variable_round_trip_keeps_data_and_gradient():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    v = kusari.Variable(a.copy())
    v.grad = np.full((2, 3), 0.5, np.float32)
    v.to_gpu(0)
    assert isinstance(v.array, cupy.ndarray) and isinstance(v.grad, cupy.ndarray)
    assert v.array.device.id == 0
    y = F.sum(v * v)
    y.backward()
    np.testing.assert_allclose(cupy.asnumpy(v.grad), 0.5 + 2 * a)  # gradients accumulate
    v.to_cpu()
    assert isinstance(v.array, np.ndarray) and isinstance(v.grad, np.ndarray)
    np.testing.assert_array_equal(v.array, a)
    v.to_device("@cupy:0")
    assert isinstance(v.array, cupy.ndarray)
    assert kusari.backend.get_device_from_array(v.array).name == "@cupy:0"


def test_link_round_trip_moves_every_parameter_and_keeps_values():
    model = L.Classifier(MLP())
    model(np.zeros((2, 784), np.float32), np.zeros(2, np.int32))  # initialize lazy params
    before = {p: v.array.copy() for p, v in model.namedparams()}
    model.to_gpu(0)
    for path, v in model.namedparams():
        assert isinstance(v.array, cupy.ndarray), path
    model.to_cpu()
    for path, v in model.namedparams():
        assert isinstance(v.array, np.ndarray), path
        np.testing.assert_array_equal(v.array, before[path])
    model.to_device(kusari.get_device("@cupy:0"))
    assert all(isinstance(v.array, cupy.ndarray) for _, v in model.namedparams())


def test_lazy_parameters_initialize_on_the_links_device():
    link = L.Linear(None, 3)
    link.to_gpu(0)
    y = link(cupy.ones((2, 5), cupy.float32))
    assert isinstance(link.W.array, cupy.ndarray) and link.W.shape == (3, 5)
    assert isinstance(y.array, cupy.ndarray)


def test_mixing_devices_in_one_function_is_an_error():
    x = kusari.Variable(np.ones(3, np.float32))
    g = kusari.Variable(cupy.ones(3, cupy.float32))
    with pytest.raises(ValueError, match="different backends") as info:
        F.add(x, g)
    assert "@numpy" in str(info.value) and "@cupy:0" in str(info.value)
    with pytest.raises(ValueError, match="different backends"):
        F.convolution_2d(np.ones((1, 1, 3, 3), np.float32), cupy.ones((1, 1, 2, 2), cupy.float32))


def test_a_gpu_model_refuses_host_inputs_with_a_clear_error():
    link = L.Linear(4, 2)
    link.to_gpu(0)
    with pytest.raises(ValueError, match="different backends"):
        link(np.ones((1, 4), np.float32))
