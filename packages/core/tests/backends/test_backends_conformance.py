"""Run the shipped conformance suite on NumPy itself and on the fake plugin backend."""

import pytest

from kusari.testing.backend_conformance import BackendConformanceTests


class TestNumpyConformance(BackendConformanceTests):
    device = "@numpy"


class TestFakeBackendConformance(BackendConformanceTests):
    device = "@fake"

    @pytest.fixture(autouse=True)
    def _needs_fake(self):
        pytest.importorskip("kusari_fake_backend", reason="needs kusari-fake-backend")
