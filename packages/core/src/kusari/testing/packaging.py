"""Packaging checks every non-core kusari distribution runs against itself.

A distribution's tests subclass :class:`PortionChecks` and name themselves; pytest
then checks that the installed distribution (editable or wheel) is a well-behaved
portion of the shared ``kusari`` namespace:

    from kusari.testing.packaging import PortionChecks

    class TestPackaging(PortionChecks):
        dist = "kusari-links"
        modules = ("kusari.links",)
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["PortionChecks"]


class PortionChecks:
    """Mixin of packaging tests; set ``dist`` and ``modules`` in the subclass."""

    dist: str = ""
    modules: tuple[str, ...] = ()
    hard_dependencies: frozenset[str] = frozenset({"kusari-core"})

    def _requirements(self) -> list:
        from packaging.requirements import Requirement

        return [Requirement(r) for r in metadata.requires(self.dist) or []]

    def test_version_is_read_from_version_module(self) -> None:
        version = importlib.import_module(f"{self.modules[0]}._version").__version__
        assert metadata.version(self.dist) == version

    def test_depends_on_a_compatible_core(self) -> None:
        requirements = self._requirements()
        hard = {r.name for r in requirements if r.marker is None}
        assert hard == set(self.hard_dependencies)
        (core,) = [r for r in requirements if r.name == "kusari-core"]
        assert core.specifier.contains(metadata.version("kusari-core"))

    def test_does_not_ship_kusari_init(self) -> None:
        # A second kusari/__init__.py would overwrite core's; uninstalling would delete it.
        shipped = {str(path) for path in metadata.files(self.dist) or []}
        assert "kusari/__init__.py" not in shipped

    def test_modules_are_typed(self) -> None:
        for name in self.modules:
            module = importlib.import_module(name)
            assert (Path(module.__file__).parent / "py.typed").is_file(), name

    def test_import_without_core_names_kusari_core(self, tmp_path: Path) -> None:
        # Only our own folders on the path and no site-packages (-S): kusari-core is
        # absent, as after `pip uninstall kusari-core`.
        for name in self.modules:
            source = Path(importlib.import_module(name).__file__).parent
            shutil.copytree(source, tmp_path.joinpath(*name.split(".")))
        code = (
            f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
            f"try:\n    import {self.modules[0]}\n"
            f"except ImportError as exc:\n    print(exc)\n"
            f"else:\n    print('imported anyway')\n"
        )
        result = subprocess.run(
            [sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert "kusari-core" in result.stdout, result.stdout
