"""Helpers the built-in optimizers share for their hyperparameters (private)."""

from __future__ import annotations

from typing import Any

from kusari.optimizers._hyperparameter import Hyperparameter

__all__ = ["defaults", "override", "check_eps"]


def defaults(**entries: Any) -> Hyperparameter:
    """A parentless Hyperparameter holding an optimizer's default values."""
    hp = Hyperparameter()
    for name, value in entries.items():
        setattr(hp, name, value)
    return hp


def override(hp: Hyperparameter, **entries: Any) -> None:
    """Set the entries given explicitly (not None) on a rule's own hyperparameter."""
    for name, value in entries.items():
        if value is not None:
            setattr(hp, name, value)


def check_eps(where: str, eps: float, dtype: Any) -> None:
    """Refuse an ``eps`` that rounds to zero in ``dtype`` (it would divide by zero)."""
    if eps != 0 and dtype.type(eps) == 0:
        raise ValueError(
            f"{where}: eps={eps} is too small for {dtype.name} (it rounds to 0)\n"
            "help: use a larger eps, or use_fp32_update() for float16 parameters"
        )
