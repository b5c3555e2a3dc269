"""The backend registry: NumPy as a plugin, lazy discovery, fake and broken plugins."""

import subprocess
import sys

import numpy as np
import pytest

import kusari
from kusari import Variable
from kusari.backend import get_array_module, get_device
from kusari.backends import _registry


@pytest.fixture
def fresh_registry():
    _registry.reset()
    yield
    _registry.reset()


def test_numpy_device_and_array_module():
    d = get_device("@numpy")
    assert d.name == "@numpy" and d.xp is np and get_device(-1) is d and get_device(np) is d
    assert repr(d) == "<Device @numpy>"
    a = np.ones(2)
    assert d.send(a) is a
    assert d.send([a, (a, None), {"k": a}])[0] is a
    assert get_array_module(a, Variable(a), None, 3) is np
    assert kusari.get_device_from_array(a) is d


@pytest.mark.parametrize(
    "spec, match",
    [
        ("numpy", "starts with '@'"),
        ("@nosuch", "no kusari backend named 'nosuch'"),
        ("@cupy:0", "kusari-backend-cuda|unavailable"),
        ("@numpy:x", "bad device index"),
    ],
)
def test_get_device_errors(spec, match):
    with pytest.raises((ValueError, RuntimeError), match=match):
        get_device(spec)


def test_get_device_type_error():
    with pytest.raises(TypeError, match="expected a Device"):
        get_device(1.5)


def test_import_kusari_does_no_discovery():
    code = (
        "import sys, kusari, numpy as np; x = kusari.Variable(np.ones(2)) * 2; "
        "assert 'importlib.metadata' not in sys.modules, 'discovered at import'; "
        "from kusari.backends import _registry; assert not _registry._state.discovered"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_registering_a_fake_backend_directly(fresh_registry):
    from kusari.backend import Backend, Device
    from kusari.backends.hookspecs import BackendRecord, hookimpl

    class Box:
        """An array type nobody else knows, wrapping a NumPy array."""

        def __init__(self, a):
            self.a = a
            self.shape = a.shape
            self.dtype = a.dtype

    class BoxDevice(Device):
        __slots__ = ()

        def send_array(self, array):
            return array if isinstance(array, Box) else Box(np.asarray(array))

    class BoxBackend(Backend):
        name = "box"
        xp = np
        array_types = (Box,)

        def get_device(self, index=None):
            return BoxDevice(self, index)

        def device_of(self, array):
            return BoxDevice(self, None)

        def to_host(self, array):
            return array.a

    class Plugin:
        @hookimpl
        def kusari_register_backends(self):
            return [BackendRecord("box", BoxBackend, ("box.Box",))]

    _registry.register_plugin(Plugin(), name="box-plugin")
    d = get_device("@box")
    b = d.send(np.arange(3))
    assert isinstance(b, Box)
    assert _registry.backend_of(b).name == "box"
    back = get_device("@numpy").send(b)
    np.testing.assert_array_equal(back, [0, 1, 2])


def test_unknown_array_type_is_a_clear_error():
    with pytest.raises(TypeError, match="unsupported array type"):
        _registry.backend_of(object())


@pytest.fixture
def fake_backend():
    mod = pytest.importorskip(
        "kusari_fake_backend", reason="needs the kusari-fake-backend test distribution"
    )
    _registry.reset()
    yield mod
    _registry.reset()


def test_fake_backend_is_discovered_through_its_entry_point(fake_backend):
    d = get_device("@fake")
    assert d.name == "@fake"
    x = d.send(np.arange(4.0))
    assert type(x) is fake_backend.FakeArray
    v = Variable(x)
    y = v * v + 1
    assert type(y.array) is fake_backend.FakeArray
    y.grad = d.send(np.ones(4))
    y.backward()
    np.testing.assert_array_equal(np.asarray(v.grad), 2 * np.arange(4.0))
    assert v.device == d
    assert kusari.backend.get_kernel("fake_kernel", x) is not None
    assert kusari.backend.get_kernel("fake_kernel", np.ones(1)) is None


def test_mixing_backends_is_a_clear_error(fake_backend):
    x = get_device("@fake").send(np.ones(2))
    with pytest.raises(ValueError, match=r"different backends: .*@fake.*@numpy|@numpy.*@fake"):
        Variable(x) + Variable(np.ones(2))


def test_broken_plugin_is_reported_not_raised(fake_backend):
    errors = _registry.plugin_errors()
    broken = [e for e in errors if e.entry_point == "broken"]
    assert broken, errors
    e = broken[0]
    assert e.distribution == "kusari-fake-backend" and e.version == "0.1.0"
    assert "boom" in str(e)
    from kusari._runtime_info import runtime_info

    assert any("boom" in line for line in runtime_info()["plugin_errors"])


def test_env_var_restricts_plugins(fake_backend, monkeypatch):
    monkeypatch.setenv("KUSARI_BACKENDS", "none")
    _registry.reset()
    with pytest.raises(ValueError, match="no kusari backend named 'fake'"):
        get_device("@fake")


def test_runtime_info_lists_backends_and_errors(capsys):
    kusari.print_runtime_info()
    out = capsys.readouterr().out
    assert "numpy" in out and "kusari-core" in out or "Backends" in out
    proc = subprocess.run(
        [sys.executable, "-m", "kusari"], capture_output=True, text=True, check=True
    )
    assert "Backends:" in proc.stdout and "numpy" in proc.stdout


def test_cuda_facade_without_backend():
    from kusari.backends import cuda

    a = np.ones(2)
    assert cuda.to_cpu(a) is a
    assert cuda.to_cpu(Variable(a)) is a
    assert cuda.get_array_module(a) is np
    assert cuda.get_device_from_array(a) is cuda.DummyDevice
    with cuda.DummyDevice:
        pass
    if not cuda.is_available():
        with pytest.raises((ImportError, RuntimeError), match="kusari-backend-cuda|unavailable"):
            cuda.to_gpu(a)
    from kusari import cuda as chainer_style

    assert chainer_style.to_cpu is cuda.to_cpu
