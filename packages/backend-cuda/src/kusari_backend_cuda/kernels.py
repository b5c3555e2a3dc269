"""Kernel overrides this plugin contributes through ``kusari_register_kernels``.

Each entry replaces the generic implementation of one function for CuPy arrays; the
calling convention of each name is documented in the kusari function that looks it up
with ``kusari.backend.get_kernel(name, x)``. Functions with no entry run their generic
``xp`` code on CuPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["KERNELS"]

KERNELS: dict[str, Callable[..., Any]] = {}
