"""Shared helpers for the links tests: run a layer and its PyTorch twin side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import kusari
from kusari.testing.oracle import tolerances

torch = pytest.importorskip("torch")


def _identity(a: np.ndarray) -> np.ndarray:
    return a


def _tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def compare_layer(
    kusari_fn: Callable[..., Any],
    torch_fn: Callable[..., Any],
    inputs: Sequence[np.ndarray],
    params: Sequence[tuple[Any, Any, Callable[[np.ndarray], np.ndarray]]] = (),
    *,
    atol: float | None = None,
    rtol: float | None = None,
    seed: int = 0,
    copy_weights: bool = True,
) -> tuple[Any, ...]:
    """Run ``kusari_fn(*Variables)`` and ``torch_fn(*tensors)``; compare everything.

    ``params`` pairs each kusari Parameter with the torch parameter it corresponds to and
    a function turning the kusari array into the torch layout (applied to the weights
    before the run and to the gradients after it). Outputs, input gradients and parameter
    gradients must agree for the same random upstream gradient.

    Returns:
        The kusari outputs.
    """
    inputs = [np.asarray(a) for a in inputs]
    if copy_weights:
        with torch.no_grad():
            for kp, tp, conv in params:
                tp.copy_(torch.from_numpy(np.ascontiguousarray(conv(kp.array))))
    k_in = [kusari.Variable(a.copy()) if a.dtype.kind == "f" else a.copy() for a in inputs]
    t_in = [torch.from_numpy(a.copy()).requires_grad_(a.dtype.kind == "f") for a in inputs]
    k_out = _tuple(kusari_fn(*k_in))
    t_out = _tuple(torch_fn(*t_in))
    assert len(k_out) == len(t_out)
    for i, (k, t) in enumerate(zip(k_out, t_out)):
        a, r = tolerances(k.dtype)
        np.testing.assert_allclose(
            k.array,
            t.detach().numpy(),
            atol=atol or a,
            rtol=rtol or r,
            err_msg=f"output {i} differs",
        )
    rng = np.random.default_rng(seed)
    gys = [rng.standard_normal(k.shape).astype(k.dtype) for k in k_out]
    for kp, _, _ in params:
        kp.cleargrad()
    kusari.backward(list(k_out), gys)
    torch.autograd.backward(list(t_out), [torch.from_numpy(g) for g in gys])
    a, r = tolerances(k_out[0].dtype)
    a, r = (atol or a) * 10, (rtol or r) * 10
    for i, (kv, tv) in enumerate(zip(k_in, t_in)):
        if tv.requires_grad:
            np.testing.assert_allclose(
                kv.grad, tv.grad.numpy(), atol=a, rtol=r, err_msg=f"gradient of input {i} differs"
            )
    for kp, tp, conv in params:
        assert kp.grad is not None, f"{kp.name} got no gradient"
        np.testing.assert_allclose(
            conv(kp.grad),
            tp.grad.numpy(),
            atol=a,
            rtol=r,
            err_msg=f"gradient of parameter {kp.name} differs",
        )
    return k_out


@pytest.fixture
def torch_check() -> Callable[..., tuple[Any, ...]]:
    """:func:`compare_layer`, the layer-versus-PyTorch comparison."""
    return compare_layer


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def identity() -> Callable[[np.ndarray], np.ndarray]:
    return _identity
