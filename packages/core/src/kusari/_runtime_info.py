"""``python -m kusari`` / ``kusari.print_runtime_info()``: what is installed and usable."""

from __future__ import annotations

import platform
import sys
from typing import Any

import numpy


def _distributions() -> list[tuple[str, str]]:
    from importlib.metadata import distributions

    found = {}
    for dist in distributions():
        name = dist.metadata.get("Name") or ""
        if name.lower().startswith("kusari"):
            found[name] = dist.version
    return sorted(found.items())


def runtime_info() -> dict[str, Any]:
    """The facts print_runtime_info shows, as a dict (for tests and bug reports)."""
    import pluggy

    from kusari.backends import _registry

    backends = []
    for b in _registry.list_backends():
        try:
            ok, reason = b.available()
        except Exception as exc:  # report, never crash
            ok, reason = False, f"{type(exc).__name__}: {exc}"
        backends.append({"name": b.name, "available": ok, "reason": reason})
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "pluggy": pluggy.__version__,
        "distributions": _distributions(),
        "backends": backends,
        "plugin_errors": [str(e) for e in _registry.plugin_errors()],
    }


def print_runtime_info(out: Any = None) -> None:
    out = out if out is not None else sys.stdout
    info = runtime_info()
    w = out.write
    w(f"Platform:      {info['platform']}\n")
    w(f"Python:        {info['python']}\n")
    w(f"NumPy:         {info['numpy']}\n")
    w(f"pluggy:        {info['pluggy']}\n")
    w("Distributions:\n")
    for name, version in info["distributions"]:
        w(f"  {name:24}{version}\n")
    w("Backends:\n")
    for b in info["backends"]:
        state = "available" if b["available"] else f"unavailable ({b['reason']})"
        w(f"  {b['name']:24}{state}\n")
    if info["plugin_errors"]:
        w("Broken plugins:\n")
        for e in info["plugin_errors"]:
            w(f"  {e}\n")
