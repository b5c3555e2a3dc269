"""Optimizers use a backend's fused update kernel when it registers one."""

import numpy as np
import pytest

import kusari
from kusari import optimizers


@pytest.fixture
def fake_device():
    pytest.importorskip("kusari_fake_backend", reason="needs the kusari-fake-backend test dist")
    from kusari.backends import _registry

    _registry.reset()
    dev = kusari.get_device("@fake")
    yield dev
    _registry.reset()


class Target:
    def __init__(self, dev):
        self.w = kusari.Parameter(dev.send(np.ones(3, np.float32)))

    def namedparams(self):
        yield "/w", self.w


@pytest.mark.parametrize(
    "opt, kernel",
    [
        (optimizers.SGD(lr=0.1), "sgd_update"),
        (optimizers.MomentumSGD(lr=0.1), "momentum_sgd_update"),
        (optimizers.Adam(), "adam_update"),
    ],
)
def test_fused_kernel_is_used_when_registered(fake_device, opt, kernel):
    calls = []
    fake_device.backend.kernels[kernel] = lambda *args: calls.append(args)
    target = Target(fake_device)
    opt.setup(target)
    target.w.grad = fake_device.send(np.ones(3, np.float32))
    opt.update()
    assert len(calls) == 1 and calls[0][0] is target.w.array


def test_generic_update_without_a_kernel(fake_device):
    target = Target(fake_device)
    opt = optimizers.SGD(lr=0.5)
    opt.setup(target)
    target.w.grad = fake_device.send(np.ones(3, np.float32))
    opt.update()
    np.testing.assert_allclose(np.asarray(target.w.array), [0.5, 0.5, 0.5])
