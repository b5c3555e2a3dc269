"""kusari-core owns the ``kusari`` package and declares what it needs, and no more.

These checks pass for an editable install and for the wheel alike.
"""

from __future__ import annotations

import importlib.metadata as metadata
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

import kusari

DIST = "kusari-core"


def test_version_is_read_from_version_module() -> None:
    from kusari._version import __version__

    assert metadata.version(DIST) == __version__ == kusari.__version__


def test_runtime_requirements_are_numpy_and_pluggy_only() -> None:
    requirements = [Requirement(r) for r in metadata.requires(DIST) or []]
    assert {r.name for r in requirements if r.marker is None} == {"numpy", "pluggy"}
    (h5py,) = [r for r in requirements if r.name == "h5py"]
    assert h5py.marker is not None and h5py.marker.evaluate({"extra": "hdf5"})
    # torch is the tests' oracle, never something kusari needs.
    assert "torch" not in {r.name for r in requirements}


def test_numpy_backend_is_listed_as_an_entry_point() -> None:
    (entry,) = metadata.entry_points(group="kusari.backends", name="numpy")
    assert entry.value == "kusari.backends.numpy_backend"
    assert entry.dist is not None and entry.dist.name == DIST
    assert entry.load().__name__ == "kusari.backends.numpy_backend"


def test_package_is_typed() -> None:
    assert (Path(kusari.__file__).parent / "py.typed").is_file()


def test_namespace_is_open_to_the_other_distributions() -> None:
    # Every kusari/ folder on sys.path (other wheels, editable installs) is a portion.
    portions = [p for p in sys.path if Path(p, "kusari").is_dir()]
    assert {str(Path(p, "kusari")) for p in portions} <= set(kusari.__path__)


def test_import_kusari_alone_does_not_import_other_distributions() -> None:
    code = (
        "import sys, kusari\n"
        "others = ('links', 'optimizers', 'optimizer_hooks', 'training', 'iterators',"
        " 'datasets', 'dataset')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in"
        " [['kusari', o] for o in others] or m.startswith('kusari_backend_cuda')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
