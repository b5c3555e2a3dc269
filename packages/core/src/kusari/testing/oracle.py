"""Run the same computation in kusari and in PyTorch (CPU) and compare everything.

The comparison goes shape, then dtype, then values, then input gradients for a random
upstream gradient; a failure prints the inputs and both results.

Example (needs torch):
    >>> import numpy as np, torch, kusari.functions as F
    >>> from kusari.testing.oracle import check_oracle
    >>> x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    >>> _ = check_oracle(F.exp, torch.exp, [x])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy

from kusari.variable import Variable

__all__ = ["check_oracle", "to_torch", "tolerances"]

_TOL = {
    numpy.dtype(numpy.float16): (1e-2, 1e-2),
    numpy.dtype(numpy.float32): (1e-5, 1e-4),
    numpy.dtype(numpy.float64): (1e-10, 1e-8),
}


def tolerances(dtype: Any) -> tuple[float, float]:
    """Default ``(atol, rtol)`` for comparing results of ``dtype``."""
    return _TOL.get(numpy.dtype(dtype), (1e-5, 1e-4))


def to_torch(a: Any, requires_grad: bool = False) -> Any:
    import torch

    t = torch.from_numpy(numpy.array(a, order="C", copy=True))  # keeps 0-d shapes
    if requires_grad:
        t.requires_grad_(True)
    return t


def _tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _np_dtype(t: Any) -> numpy.dtype:
    import torch

    return torch.empty((), dtype=t.dtype).numpy().dtype


def check_oracle(
    kusari_fn: Callable[..., Any],
    torch_fn: Callable[..., Any],
    inputs: Sequence[numpy.ndarray],
    *,
    grad_outputs: Sequence[Any] | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    check_grad: bool = True,
    no_grad: Sequence[int] = (),
    check_dtype: bool = True,
    seed: int = 0,
) -> tuple[Variable, ...]:
    """Compare ``kusari_fn(*Variables)`` with ``torch_fn(*tensors)`` on the same inputs.

    Args:
        kusari_fn: Takes one Variable per input; returns a Variable or a tuple of them.
        torch_fn: Takes one tensor per input; returns a tensor or a tuple of them.
        inputs: NumPy arrays. Float arrays get gradients (unless listed in ``no_grad``);
            other dtypes are passed as constants.
        grad_outputs: Upstream gradients; random ones (seeded) when None.
        atol: Absolute tolerance (default by dtype).
        rtol: Relative tolerance (default by dtype).
        check_grad: Also compare input gradients.
        no_grad: Indexes of float inputs to treat as constants.
        check_dtype: Require identical output dtypes.
        seed: Seed of the random upstream gradients.

    Returns:
        The kusari outputs (a tuple of Variables).

    Raises:
        AssertionError: Anything differs; the message shows the inputs and both results.
    """
    import torch

    inputs = [numpy.asarray(a) for a in inputs]
    diff = [a.dtype.kind == "f" and i not in no_grad for i, a in enumerate(inputs)]
    k_in = [
        Variable(a.copy(), requires_grad=d) if a.dtype.kind == "f" else a.copy()
        for a, d in zip(inputs, diff)
    ]
    t_in = [to_torch(a, requires_grad=d) for a, d in zip(inputs, diff)]
    k_out = _tuple(kusari_fn(*k_in))
    t_out = _tuple(torch_fn(*t_in))

    def fail(what: str) -> None:
        lines = [f"oracle mismatch: {what}", "inputs:"]
        lines += [f"  [{i}] {a.dtype}{a.shape}: {a!r}" for i, a in enumerate(inputs)]
        lines.append("kusari: " + repr([getattr(y, "array", y) for y in k_out]))
        lines.append("torch:  " + repr([t.detach().numpy() for t in t_out]))
        raise AssertionError("\n".join(lines))

    if len(k_out) != len(t_out):
        fail(f"{len(k_out)} outputs vs {len(t_out)}")
    for i, (k, t) in enumerate(zip(k_out, t_out)):
        ka = k.array if isinstance(k, Variable) else numpy.asarray(k)
        if tuple(ka.shape) != tuple(t.shape):
            fail(f"output {i} shape {tuple(ka.shape)} vs {tuple(t.shape)}")
        if check_dtype and ka.dtype != _np_dtype(t):
            fail(f"output {i} dtype {ka.dtype} vs {_np_dtype(t)}")
        a, r = tolerances(ka.dtype)
        try:
            numpy.testing.assert_allclose(
                ka.astype(numpy.float64),
                t.detach().numpy().astype(numpy.float64),
                atol=a if atol is None else atol,
                rtol=r if rtol is None else rtol,
            )
        except AssertionError as e:
            fail(f"output {i} values\n{e}")
    if not check_grad or not any(diff):
        return k_out

    rng = numpy.random.default_rng(seed)
    if grad_outputs is None:
        grad_outputs = [
            rng.standard_normal(getattr(k, "shape", ())).astype(getattr(k, "dtype", numpy.float32))
            if getattr(k, "dtype", numpy.dtype("i")).kind == "f"
            else None
            for k in k_out
        ]
    k_pairs = [
        (k, g)
        for k, g in zip(k_out, grad_outputs)
        if g is not None and isinstance(k, Variable) and k.creator is not None
    ]
    t_pairs = [
        (t, to_torch(g)) for t, g in zip(t_out, grad_outputs) if g is not None and t.requires_grad
    ]
    from kusari.function_node import grad as kgrad

    k_targets = [v for v, d in zip(k_in, diff) if d]
    t_targets = [v for v, d in zip(t_in, diff) if d]
    if k_pairs:
        k_grads = kgrad([k for k, _ in k_pairs], k_targets, grad_outputs=[g for _, g in k_pairs])
    else:
        k_grads = [None] * len(k_targets)
    if t_pairs:
        t_grads = torch.autograd.grad(
            [t for t, _ in t_pairs],
            t_targets,
            grad_outputs=[g for _, g in t_pairs],
            allow_unused=True,
        )
    else:
        t_grads = [None] * len(t_targets)
    for i, (kg, tg) in enumerate(zip(k_grads, t_grads)):
        ka = None if kg is None else kg.array
        ta = None if tg is None else tg.numpy()
        if ka is None and ta is None:
            continue
        if ka is None:
            ka = numpy.zeros_like(k_targets[i].array)
        if ta is None:
            ta = numpy.zeros_like(ka)
        if ka.shape != ta.shape:
            fail(f"gradient of input {i}: shape {ka.shape} vs {ta.shape}")
        if check_dtype and ka.dtype != ta.dtype:
            fail(f"gradient of input {i}: dtype {ka.dtype} vs {ta.dtype}")
        a, r = tolerances(ka.dtype)
        try:
            numpy.testing.assert_allclose(
                ka.astype(numpy.float64),
                ta.astype(numpy.float64),
                atol=(a if atol is None else atol) * 10,
                rtol=(r if rtol is None else rtol) * 10,
            )
        except AssertionError as e:
            fail(f"gradient of input {i}\n{e}")
    return k_out
