"""Names that other kusari distributions provide, resolved on first use."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any

__all__ = ["LAZY_NAMES", "require", "resolve"]

# public name → (module, attribute or None for the module itself, distribution)
LAZY_NAMES: dict[str, tuple[str, str | None, str]] = {
    "links": ("kusari.links", None, "kusari-links"),
    "Link": ("kusari.links", "Link", "kusari-links"),
    "Chain": ("kusari.links", "Chain", "kusari-links"),
    "ChainList": ("kusari.links", "ChainList", "kusari-links"),
    "Sequential": ("kusari.links", "Sequential", "kusari-links"),
    "optimizers": ("kusari.optimizers", None, "kusari-optimizers"),
    "optimizer_hooks": ("kusari.optimizer_hooks", None, "kusari-optimizers"),
    "Optimizer": ("kusari.optimizers", "Optimizer", "kusari-optimizers"),
    "GradientMethod": ("kusari.optimizers", "GradientMethod", "kusari-optimizers"),
    "UpdateRule": ("kusari.optimizers", "UpdateRule", "kusari-optimizers"),
    "training": ("kusari.training", None, "kusari-training"),
    "iterators": ("kusari.iterators", None, "kusari-training"),
    "datasets": ("kusari.datasets", None, "kusari-training"),
    "dataset": ("kusari.dataset", None, "kusari-training"),
    # core's own modules, imported on first use to keep `import kusari` fast
    "functions": ("kusari.functions", None, "kusari-core"),
    "initializers": ("kusari.initializers", None, "kusari-core"),
    "serializers": ("kusari.serializers", None, "kusari-core"),
    "gradient_check": ("kusari.gradient_check", None, "kusari-core"),
    "computational_graph": ("kusari.computational_graph", None, "kusari-core"),
    "testing": ("kusari.testing", None, "kusari-core"),
    "utils": ("kusari.utils", None, "kusari-core"),
    "cuda": ("kusari.backends.cuda", None, "kusari-core"),
    "link": ("kusari.link", None, "kusari-links"),
    "optimizer": ("kusari.optimizer", None, "kusari-optimizers"),
}


# Subpackages other distributions ship: importing one that is missing names the
# distribution (``import kusari.links`` → "… provided by kusari-links …").
MODULE_DISTRIBUTIONS = {
    "kusari.links": "kusari-links",
    "kusari.optimizers": "kusari-optimizers",
    "kusari.optimizer_hooks": "kusari-optimizers",
    "kusari.training": "kusari-training",
    "kusari.iterators": "kusari-training",
    "kusari.datasets": "kusari-training",
    "kusari.dataset": "kusari-training",
}


class _MissingDistributionFinder:
    """Last entry of ``sys.meta_path``: reached only when no finder found the module."""

    @staticmethod
    def find_spec(fullname: str, path: Any = None, target: Any = None) -> None:
        dist = MODULE_DISTRIBUTIONS.get(fullname)
        if dist is not None and _is_regular_import(path):
            raise ModuleNotFoundError(
                f"{fullname} is provided by {dist}, which is not installed: pip install {dist}",
                name=fullname,
            )
        return None


def _is_regular_import(path: Any) -> bool:
    # The import system passes kusari.__path__; tools that probe finders with a path of
    # their own (pytest's importlib mode) must get the usual None instead of an error.
    import sys

    kusari = sys.modules.get("kusari")
    return path is None or kusari is None or list(path) == list(kusari.__path__)


def install_missing_module_hint() -> None:
    import sys

    if not any(isinstance(f, _MissingDistributionFinder) for f in sys.meta_path):
        sys.meta_path.append(_MissingDistributionFinder())


def require(module: str, distribution: str, what: str) -> ModuleType:
    """Import ``module`` or raise an ImportError naming the distribution to install.

    A missing distribution and an installed-but-broken one get different messages.
    """
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        spec = None
    if spec is None or (spec.origin is None and not _has_files(spec)):
        # An empty namespace directory (left behind by an uninstall) is not a package.
        raise ImportError(
            f"{what} is provided by {distribution}, which is not installed: "
            f"pip install {distribution}",
            name=module,
        )
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{what} is provided by {distribution}, which is installed but failed to import: "
            f"{type(exc).__name__}: {exc}",
            name=module,
        ) from exc


def _has_files(spec: Any) -> bool:
    import os

    for path in spec.submodule_search_locations or ():
        try:
            if any(name.endswith(".py") for name in os.listdir(path)):
                return True
        except OSError:
            continue
    return False


def resolve(package: ModuleType, name: str) -> Any:
    entry = LAZY_NAMES.get(name)
    if entry is None:
        raise AttributeError(f"module {package.__name__!r} has no attribute {name!r}")
    module, attr, dist = entry
    mod = require(module, dist, f"kusari.{name}")
    try:
        value = mod if attr is None else getattr(mod, attr)
    except AttributeError:
        raise ImportError(
            f"kusari.{name} should be provided by {dist}, but the installed {module} has no "
            f"{attr!r} (mismatched versions?): pip install --upgrade {dist}",
            name=module,
        ) from None
    setattr(package, name, value)  # later lookups skip __getattr__
    return value
