"""kusari-backend-cuda is packaged as designed: a plugin that never needs CuPy to install.

These checks pass for an editable install and for the wheel alike.
"""

from __future__ import annotations

import importlib.metadata as metadata

import pytest
from packaging.requirements import Requirement

from kusari.testing.packaging import PortionChecks

DIST = "kusari-backend-cuda"
CUPY_EXTRAS = {"cuda12": "cupy-cuda12x", "cuda13": "cupy-cuda13x"}


class TestPackaging(PortionChecks):
    dist = DIST
    modules = ("kusari_backend_cuda",)


@pytest.mark.parametrize(("extra", "cupy"), CUPY_EXTRAS.items())
def test_cupy_comes_only_with_an_extra(extra: str, cupy: str) -> None:
    requirements = [Requirement(r) for r in metadata.requires(DIST) or []]
    (req,) = [r for r in requirements if r.name == cupy]
    assert req.marker is not None and req.marker.evaluate({"extra": extra})
    assert req.specifier.contains("13.0.0") and req.specifier.contains("14.0.0")


def test_entry_point_loads_without_cupy() -> None:
    (entry,) = metadata.entry_points(group="kusari.backends", name="cupy")
    assert entry.value == "kusari_backend_cuda.plugin"
    assert entry.dist is not None and entry.dist.name == DIST
    # The plugin must import and register whether or not CuPy (or a GPU) is present.
    assert entry.load().__name__ == "kusari_backend_cuda.plugin"
