"""kusari-training is one portion of the shared ``kusari`` namespace, packaged as designed.

These checks pass for an editable install and for the wheel alike.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

DIST = "kusari-training"
MODULES = ["kusari.training", "kusari.iterators", "kusari.datasets", "kusari.dataset"]


def test_version_is_read_from_version_module() -> None:
    from kusari.training._version import __version__

    assert metadata.version(DIST) == __version__


def test_depends_on_a_compatible_core() -> None:
    requirements = [Requirement(r) for r in metadata.requires(DIST) or []]
    hard = {r.name for r in requirements if r.marker is None}
    assert hard == {"tqdm", "matplotlib", "kusari-core"}
    (core,) = [r for r in requirements if r.name == "kusari-core"]
    assert core.specifier.contains(metadata.version("kusari-core"))


def test_does_not_ship_kusari_init() -> None:
    # A second kusari/__init__.py would overwrite core's, and uninstalling would delete it.
    shipped = {str(path) for path in metadata.files(DIST) or []}
    assert "kusari/__init__.py" not in shipped


@pytest.mark.parametrize("name", MODULES)
def test_module_is_typed(name: str) -> None:
    module = importlib.import_module(name)
    assert (Path(module.__file__).parent / "py.typed").is_file()


def test_import_without_core_names_kusari_core(tmp_path: Path) -> None:
    # Only our own folders on the path, and no site-packages (-S): kusari-core is absent,
    # as after `pip uninstall kusari-core`.
    for name in MODULES:
        source = Path(importlib.import_module(name).__file__).parent
        shutil.copytree(source, tmp_path.joinpath(*name.split(".")))
    code = f"""
import sys
sys.path.insert(0, {str(tmp_path)!r})
try:
    import {MODULES[0]}
except ImportError as exc:
    print(exc)
else:
    print("imported anyway")
"""
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "kusari-core" in result.stdout, result.stdout
