"""Fixtures shared by the optimizer tests: a minimal target and random gradient streams.

The target is deliberately not a kusari.links.Link: optimizers need only core, and any
object whose ``namedparams()`` yields ``(path, Parameter)`` pairs must do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import kusari

SHAPES = {"l1/W": (4, 3), "l1/b": (4,), "l2/W": (2, 3, 2)}


class FakeTarget:
    """Parameters by path, with Chainer's ``namedparams``/``params``/``cleargrads``."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.p = {
            path: kusari.Parameter(arr.copy(), name=path.rsplit("/", 1)[-1])
            for path, arr in arrays.items()
        }
        self.cleargrads_calls = 0

    def namedparams(self) -> Iterator[tuple[str, kusari.Parameter]]:
        for path, param in self.p.items():
            yield "/" + path, param

    def params(self) -> Iterator[kusari.Parameter]:
        yield from self.p.values()

    def cleargrads(self) -> None:
        self.cleargrads_calls += 1
        for param in self.p.values():
            param.cleargrad()

    def set_grads(self, grads: dict[str, np.ndarray]) -> None:
        for path, g in grads.items():
            self.p[path].grad = g.copy()

    def arrays(self) -> dict[str, np.ndarray]:
        return {path: param.array.copy() for path, param in self.p.items()}


def initial_arrays(dtype: Any, seed: int = 0, shapes: dict | None = None) -> dict:
    rng = np.random.default_rng(seed)
    return {
        path: rng.standard_normal(shape).astype(dtype) for path, shape in (shapes or SHAPES).items()
    }


def gradient_stream(
    dtype: Any, steps: int, seed: int = 1, shapes: dict | None = None
) -> list[dict[str, np.ndarray]]:
    """Gradients with a persistent mean (so moments build up) plus noise."""
    rng = np.random.default_rng(seed)
    shapes = shapes or SHAPES
    bias = {path: rng.standard_normal(shape) for path, shape in shapes.items()}
    return [
        {
            path: (0.5 * bias[path] + rng.standard_normal(shape)).astype(dtype)
            for path, shape in shapes.items()
        }
        for _ in range(steps)
    ]


@pytest.fixture
def make_target() -> Callable[..., FakeTarget]:
    """``make_target(dtype, seed=0, shapes=None)`` → a FakeTarget with random arrays."""

    def make(dtype: Any = np.float32, seed: int = 0, shapes: dict | None = None) -> FakeTarget:
        return FakeTarget(initial_arrays(dtype, seed, shapes))

    return make


@pytest.fixture
def grads() -> Callable[..., list[dict[str, np.ndarray]]]:
    """``grads(dtype, steps, seed=1, shapes=None)`` → one gradient dict per step."""
    return gradient_stream


@pytest.fixture
def initial() -> Callable[..., dict[str, np.ndarray]]:
    """``initial(dtype, seed=0, shapes=None)`` → the arrays ``make_target`` starts from."""
    return initial_arrays


@pytest.fixture
def fake_target_class() -> type[FakeTarget]:
    return FakeTarget
