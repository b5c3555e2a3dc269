"""relu, sigmoid and tanh use a backend's fused kernels when one is registered.

The lookups are skipped for NumPy arrays (no cost on the CPU path); the fake backend's
arrays are a separate backend, so they reach the lookup.
"""

import numpy as np
import pytest

import kusari
import kusari.functions as F


@pytest.fixture
def fake_device():
    pytest.importorskip("kusari_fake_backend", reason="needs the kusari-fake-backend test dist")
    from kusari.backends import _registry

    _registry.reset()
    yield kusari.get_device("@fake")
    _registry.reset()


def test_activation_kernels_are_looked_up_and_used(fake_device):
    calls = []
    kernels = fake_device.backend.kernels

    def spy(name, fn):
        def call(*args):
            calls.append(name)
            return fn(*args)

        return call

    kernels["sigmoid"] = spy("sigmoid", lambda x: 1 / (1 + np.exp(-x)))
    kernels["sigmoid_grad"] = spy("sigmoid_grad", lambda y, gy: gy * y * (1 - y))
    kernels["tanh_grad"] = spy("tanh_grad", lambda y, gy: gy * (1 - y * y))
    kernels["relu_grad"] = spy("relu_grad", lambda y, gy: np.where(y > 0, gy, 0).astype(gy.dtype))
    x0 = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    x = kusari.Variable(fake_device.send(x0.copy()))
    y = F.sigmoid(x) + F.tanh(x) + F.relu(x)
    y.grad = fake_device.send(np.ones((3, 4), np.float32))
    y.backward()
    assert sorted(set(calls)) == ["relu_grad", "sigmoid", "sigmoid_grad", "tanh_grad"]
    s = 1 / (1 + np.exp(-x0))
    expected = s * (1 - s) + (1 - np.tanh(x0) ** 2) + (x0 > 0)
    np.testing.assert_allclose(np.asarray(x.grad), expected, rtol=1e-5)
