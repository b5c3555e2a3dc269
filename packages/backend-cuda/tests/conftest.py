"""Shared test set-up for kusari-backend-cuda.

* the ``gpu`` marker;
* ``fake_cupy``: a CuPy stand-in whose kernels run as host C++ (``_emulator.py``);
* ``kernel_case``/``kernel_dtype`` and ``function_case``/``function_dtype``
  parametrizations over the cases of ``_cases.py``, with the ``outputs_match`` and
  ``run_function`` helpers as fixtures (pytest runs in importlib mode here, so test
  modules share code through fixtures, not imports).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load(name: str) -> ModuleType:
    """Import a helper module that sits next to this file (not on sys.path)."""
    full = f"kusari_backend_cuda_tests_{name}"
    module = sys.modules.get(full)
    if module is None:
        spec = importlib.util.spec_from_file_location(full, Path(__file__).with_name(f"_{name}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
    return module


_emulator = _load("emulator")
_cases = _load("cases")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gpu: needs CuPy and a CUDA device (skipped otherwise)")


@pytest.fixture
def fake_cupy(monkeypatch):
    """Run the kernels on NumPy arrays through the host emulator (needs g++)."""
    if shutil.which("g++") is None:
        pytest.skip("the kernel emulator needs g++")
    from kusari_backend_cuda.kernels import _base

    monkeypatch.setitem(sys.modules, "cupy", _emulator.make_fake_cupy())
    for spec in _base.SPECS.values():
        spec.clear()
    yield sys.modules["cupy"]
    for spec in _base.SPECS.values():
        spec.clear()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``kernel_case``/``kernel_dtype`` and ``function_case``/``function_dtype``."""
    if "kernel_case" in metafunc.fixturenames:
        params = [pytest.param(c, dt, id=f"{c.id}-{dt}") for c in _cases.CASES for dt in c.dtypes]
        metafunc.parametrize(("kernel_case", "kernel_dtype"), params)
    if "function_case" in metafunc.fixturenames:
        params = [
            pytest.param(name, dt, id=f"{name}-{dt}")
            for name in sorted(_cases.FUNCTIONS)
            for dt in ("float16", "float32", "float64")
        ]
        metafunc.parametrize(("function_case", "function_dtype"), params)


@pytest.fixture
def outputs_match():
    """``assert_outputs_match(case, got, want, dtype, to_numpy)`` from ``_cases.py``."""
    return _cases.assert_outputs_match


@pytest.fixture(name="run_function")
def run_function_fixture():
    """``run_function(name, dtype, to_device, to_host, kernels, monkeypatch)``."""
    return _cases.run_function
