"""Whichever kusari distributions are installed, each public name either works or says
which distribution provides it.

The nox ``subset`` session runs this file with kusari-core alone, with core and links, and
with links after core was uninstalled; every other session runs it with its own set. It
imports nothing at module level, so it also runs where kusari-core is missing.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import subprocess
import sys

import pytest


def _installed(dist: str) -> bool:
    try:
        metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


# Chainer's top-level names that live outside kusari-core, by the distribution serving them.
PROVIDED = {
    "kusari-links": ["links", "Link", "Chain", "ChainList", "Sequential"],
    "kusari-optimizers": ["optimizers", "optimizer_hooks", "Optimizer", "GradientMethod"],
    "kusari-training": ["training", "iterators", "datasets", "dataset"],
}
# Chainer's own module names, kept as modules in core that re-export from the others.
ALIAS_MODULES = {"kusari.link": "kusari-links", "kusari.optimizer": "kusari-optimizers"}
SUBPACKAGES = {
    "kusari.links": "kusari-links",
    "kusari.optimizers": "kusari-optimizers",
    "kusari.optimizer_hooks": "kusari-optimizers",
    "kusari.training": "kusari-training",
    "kusari.iterators": "kusari-training",
    "kusari.datasets": "kusari-training",
    "kusari.dataset": "kusari-training",
}
CORE = _installed("kusari-core")
needs_core = pytest.mark.skipif(not CORE, reason="kusari-core is not installed")
NAMES = [(name, dist) for dist, names in PROVIDED.items() for name in names]


@needs_core
@pytest.mark.parametrize(("name", "dist"), NAMES)
def test_top_level_name(name: str, dist: str) -> None:
    import kusari

    if _installed(dist):
        assert getattr(kusari, name) is not None
    else:
        with pytest.raises(ImportError) as info:
            getattr(kusari, name)
        message = str(info.value)
        assert f"kusari.{name} is provided by {dist}" in message
        assert f"pip install {dist}" in message


@needs_core
@pytest.mark.parametrize(("module", "dist"), ALIAS_MODULES.items())
def test_chainer_module_alias(module: str, dist: str) -> None:
    if _installed(dist):
        assert importlib.import_module(module) is not None
    else:
        with pytest.raises(ImportError, match=f"pip install {dist}"):
            importlib.import_module(module)


@needs_core
@pytest.mark.parametrize(("module", "dist"), SUBPACKAGES.items())
def test_subpackage_import(module: str, dist: str) -> None:
    if _installed(dist):
        assert importlib.import_module(module).__name__ == module
    else:
        with pytest.raises(ImportError):
            importlib.import_module(module)


@needs_core
def test_star_import_works_with_any_subset() -> None:
    namespace: dict[str, object] = {}
    exec("from kusari import *", namespace)
    assert "Variable" in namespace


@pytest.mark.skipif(CORE, reason="kusari-core is installed")
def test_without_core_the_error_names_kusari_core() -> None:
    present = [module for module, dist in SUBPACKAGES.items() if _installed(dist)]
    if not present:
        pytest.skip("no kusari distribution is installed")
    for module in present:
        code = f"try:\n    import {module}\nexcept ImportError as exc:\n    print(exc)\n"
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert "kusari-core" in result.stdout, f"import {module}: {result.stdout}"
