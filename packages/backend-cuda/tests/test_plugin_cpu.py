"""CPU-side behaviour of the CUDA plugin: registration, laziness, availability reporting.

These run on every machine; the GPU tests live in test_gpu_*.py and skip without a GPU.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import kusari
from kusari.backends import _registry


@pytest.fixture(autouse=True)
def fresh_registry():
    _registry.reset()
    yield
    _registry.reset()


def test_entry_point_is_registered_and_import_does_not_import_cupy():
    code = (
        "import sys, kusari\n"
        "from kusari.backends import _registry\n"
        "_registry.discover()\n"
        "assert 'cupy' in _registry._state.records, _registry._state.records\n"
        "assert 'kusari_backend_cuda.plugin' in sys.modules\n"
        "assert 'cupy' not in sys.modules, 'importing the entry point imported cupy'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_backend_reports_availability_with_a_reason():
    backend = _registry.get_backend("cupy")
    ok, reason = backend.available()
    if ok:
        assert reason == ""
    else:
        assert any(w in reason for w in ("cupy is not installed", "driver", "device", "cupy"))
    assert _registry.get_backend("cuda") is backend  # alias


def test_get_device_explains_why_cuda_is_unusable():
    ok, reason = _registry.get_backend("cupy").available()
    if ok:
        pytest.skip("a GPU is present")
    for spec in ("@cupy:0", "@cuda:0", 0):
        with pytest.raises(RuntimeError, match="unavailable") as info:
            kusari.get_device(spec)
        assert reason in str(info.value)


def test_missing_cupy_reason(monkeypatch):
    from kusari_backend_cuda import backend

    backend.cupy_or_none.cache_clear()
    backend.unavailable_reason.cache_clear()
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes `import cupy` raise ImportError
    try:
        assert backend.cupy_or_none() is None
        reason = backend.unavailable_reason()
        assert (
            reason.startswith("cupy is not installed") and "kusari-backend-cuda[cuda12]" in reason
        )
        b = backend.CupyBackend()
        assert b.available() == (False, reason)
        assert b.array_types == ()
    finally:
        backend.cupy_or_none.cache_clear()
        backend.unavailable_reason.cache_clear()


def test_no_device_reason(monkeypatch):
    """CuPy present but the runtime finds no device (simulated)."""
    import types

    from kusari_backend_cuda import backend

    class CUDARuntimeError(RuntimeError):
        pass

    def no_device():
        raise CUDARuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_device))
    fake.ndarray = type("ndarray", (), {})
    backend.cupy_or_none.cache_clear()
    backend.unavailable_reason.cache_clear()
    monkeypatch.setitem(sys.modules, "cupy", fake)
    try:
        reason = backend.unavailable_reason()
        assert "no usable device" in reason and "cudaErrorNoDevice" in reason
    finally:
        backend.cupy_or_none.cache_clear()
        backend.unavailable_reason.cache_clear()


def test_core_keeps_working_with_the_plugin_installed():
    import kusari.functions as F

    x = kusari.Variable(np.array([1.0, 2.0], np.float32))
    y = F.exp(x) * 2
    y.grad = np.ones(2, np.float32)
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * np.exp([1.0, 2.0]), rtol=1e-6)
    assert kusari.backend.get_array_module(x) is np
    from kusari.backends import cuda

    assert cuda.to_cpu(x.array) is x.array
    if not cuda.is_available():
        with pytest.raises(RuntimeError, match="unavailable"):
            cuda.to_gpu(x.array)
        with pytest.raises(RuntimeError, match="unavailable"):
            x.to_gpu()


def test_runtime_info_lists_the_cuda_backend():
    from kusari._runtime_info import runtime_info

    info = runtime_info()
    names = {b["name"]: b for b in info["backends"]}
    assert "cupy" in names
    assert names["cupy"]["available"] or names["cupy"]["reason"]
