"""Helpers the layers share: argument checks and errors that name the layer."""

from __future__ import annotations

import math
import numbers
from typing import Any, NoReturn

__all__ = ["pair", "check_size", "fail_in", "size_of"]


def pair(value: Any, what: str, owner: str) -> tuple[int, int]:
    """``3`` → ``(3, 3)``; ``(2, 3)`` stays; anything else is a TypeError naming ``owner``."""
    if _is_int(value):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_int(v) for v in value):
        return int(value[0]), int(value[1])
    raise TypeError(f"{owner}: {what} must be an int or a pair of ints; got {value!r}")


def check_size(value: Any, what: str, owner: str, allow_none: bool = True) -> int | None:
    """Validate a layer size argument (a positive int, or None when lazy is allowed)."""
    if value is None and allow_none:
        return None
    if not _is_int(value) or value <= 0:
        expected = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(f"{owner}: {what} must be {expected}; got {value!r}")
    return int(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def size_of(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def fail_in(link: Any, exc: Exception) -> NoReturn:
    """Re-raise a function's ValueError/TypeError prefixed with the layer's description."""
    if type(exc) in (ValueError, TypeError):
        raise type(exc)(f"{link._repr_head()}: {exc}") from None
    raise exc
