"""GPU tests: run only where CuPy finds a device (the `gpu` marker)."""

from __future__ import annotations

import numpy as np
import pytest

from kusari.testing.backend_conformance import BackendConformanceTests

cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
try:
    _has_gpu = cupy.is_available()
except Exception:  # pragma: no cover - broken driver installs
    _has_gpu = False

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not _has_gpu, reason="no usable CUDA device")]


class TestCupyConformance(BackendConformanceTests):
    device = "@cupy:0"
    atol = 1e-4
    rtol = 1e-3


def test_variable_round_trip_to_gpu_and_back():
    import kusari

    v = kusari.Variable(np.arange(4, dtype=np.float32))
    v.to_gpu(0)
    assert isinstance(v.array, cupy.ndarray)
    assert kusari.backends.cuda.get_array_module(v) is cupy
    v.to_cpu()
    assert isinstance(v.array, np.ndarray)
