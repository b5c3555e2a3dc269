"""Numerical gradient checks: ``check_backward``, ``check_double_backward``.

Both compare the analytic gradient with a central-difference estimate along one random
direction covering every input at once (two extra forward passes per check rather than
two per element), which catches the same bugs as an element-wise check in practice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy

from kusari.function_node import grad as _grad
from kusari.variable import Variable

__all__ = [
    "numerical_grad",
    "check_backward",
    "check_double_backward",
    "assert_allclose",
    "NondifferentiableError",
]


class NondifferentiableError(Exception):
    """The function is not differentiable at the checked point (one-sided slopes differ)."""


def assert_allclose(
    x: Any, y: Any, atol: float = 1e-5, rtol: float = 1e-4, verbose: bool = True
) -> None:
    """Assert two arrays (or Variables) are equal within ``atol + rtol * |y|``, elementwise."""
    x = _host(x)
    y = _host(y)
    try:
        numpy.testing.assert_allclose(x, y, atol=atol, rtol=rtol, verbose=verbose)
    except AssertionError as e:
        raise AssertionError(f"{e}\nx: {x!r}\ny: {y!r}") from None


def _host(a: Any) -> Any:
    if isinstance(a, Variable):
        a = a.array
    if a is None or isinstance(a, (int, float, numpy.ndarray, numpy.generic)):
        return numpy.asarray(a)
    from kusari.backends.cuda import to_cpu

    return to_cpu(a)


def numerical_grad(
    f: Callable[[], Sequence[Any]],
    inputs: Sequence[Any],
    grad_outputs: Sequence[Any],
    eps: float = 1e-3,
    detect_nondifferentiable: bool = False,
    diff_atol: float = 0,
    diff_rtol: float = 1e-2,
    center_outputs: Any = None,
) -> list[Any]:
    """Central-difference gradients of ``sum(f() * grad_outputs)`` w.r.t. each input array.

    ``f`` reads the arrays in ``inputs`` (which are perturbed in place, element by element,
    then restored) and returns output arrays.

    Args:
        f: Callable of no arguments returning a sequence of output arrays.
        inputs: The arrays to differentiate with respect to (modified and restored).
        grad_outputs: Upstream gradients, one per output (None entries are skipped).
        eps: Step size.
        detect_nondifferentiable: Raise :class:`NondifferentiableError` when the forward
            and backward one-sided slopes disagree.
        diff_atol: Absolute tolerance of that detection.
        diff_rtol: Relative tolerance of that detection.
        center_outputs: Unused (Chainer compatibility).

    Returns:
        One gradient array per input.

    Example:
        >>> import numpy as np
        >>> x = np.array([1.0, 2.0])
        >>> numerical_grad(lambda: (x**2,), [x], [np.ones(2)])[0].round(6)
        array([2., 4.])
    """
    grads = []
    for x in inputs:
        gx = numpy.zeros(x.shape, dtype=numpy.float64)
        flat = x.reshape(-1) if x.flags.c_contiguous else None
        for i in range(x.size):
            idx = numpy.unravel_index(i, x.shape)
            orig = x[idx].copy()
            x[idx] = orig + eps
            ys1 = [_host(y).astype(numpy.float64) for y in f()]
            x[idx] = orig - eps
            ys2 = [_host(y).astype(numpy.float64) for y in f()]
            if detect_nondifferentiable:
                x[idx] = orig
                ys0 = [_host(y).astype(numpy.float64) for y in f()]
            x[idx] = orig
            total = 0.0
            for k, gy in enumerate(grad_outputs):
                if gy is None:
                    continue
                gy = _host(gy).astype(numpy.float64)
                total += float(((ys1[k] - ys2[k]) * gy).sum()) / (2 * eps)
                if detect_nondifferentiable:
                    right = ((ys1[k] - ys0[k]) * gy).sum() / eps
                    left = ((ys0[k] - ys2[k]) * gy).sum() / eps
                    if abs(right - left) > diff_atol + diff_rtol * max(abs(right), abs(left)):
                        raise NondifferentiableError(
                            f"not differentiable at input element {idx}: one-sided slopes "
                            f"{left} and {right}"
                        )
            gx[idx] = total
        del flat
        grads.append(gx.astype(x.dtype))
    return grads


def _as_tuple(x: Any) -> tuple[Any, ...]:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _random_like(a: Any, rng: numpy.random.Generator) -> Any:
    return numpy.asarray(rng.uniform(-1, 1, a.shape), dtype=a.dtype)


def check_backward(
    func: Callable[..., Any],
    x_data: Any,
    y_grad: Any,
    params: Sequence[Any] = (),
    eps: float = 1e-3,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    no_grads: Sequence[bool] | None = None,
    dtype: Any = None,
    detect_nondifferentiable: bool = False,
    *,
    rng: Any = None,
) -> None:
    """Check ``func``'s backward against a numerical gradient.

    Args:
        func: Takes Variables (one per entry of ``x_data``) and returns a Variable or a
            tuple of them.
        x_data: An array or a tuple of arrays (the inputs).
        y_grad: The upstream gradient(s); None for a scalar output (ones is used).
        params: Parameters (Variables) used inside ``func`` that are also checked.
        eps: Finite-difference step.
        atol: Absolute tolerance.
        rtol: Relative tolerance.
        no_grads: Per input, True to skip its gradient (integer inputs are skipped anyway).
        dtype: Cast float inputs and params to this dtype for the numerical part.
        detect_nondifferentiable: Fail with :class:`NondifferentiableError` at kinks.
        rng: Seed or Generator for the random direction.

    Raises:
        AssertionError: The gradients disagree (the message shows both).

    Example:
        >>> import numpy as np
        >>> import kusari.functions as F
        >>> check_backward(F.exp, np.array([0.5, 1.0]), np.ones(2))
    """
    rng = numpy.random.default_rng(rng)
    x_data = _as_tuple(x_data)
    if dtype is not None:
        x_data = tuple(x.astype(dtype) if x.dtype.kind == "f" else x for x in x_data)
    xs = [Variable(x.copy()) for x in x_data]
    if no_grads is None:
        no_grads = [x.dtype.kind != "f" for x in x_data]
    elif len(no_grads) != len(xs):
        raise ValueError(f"check_backward: {len(no_grads)} no_grads for {len(xs)} inputs")
    for x, skip in zip(xs, no_grads):
        if skip:
            x.requires_grad = False
    params = list(params)
    param_backup = [p.array for p in params]
    if dtype is not None:
        for p in params:
            if p.array.dtype.kind == "f":
                p.array = p.array.astype(dtype)
    try:
        ys = _as_tuple(func(*xs))
        ys = tuple(y if isinstance(y, Variable) else Variable(y) for y in ys)
        if y_grad is None:
            if len(ys) != 1 or ys[0].size != 1:
                raise ValueError("check_backward: y_grad is None but the output is not a scalar")
            gys = (numpy.ones_like(ys[0].array),)
        else:
            gys = _as_tuple(y_grad)
            if dtype is not None:
                gys = tuple(None if g is None else g.astype(dtype) for g in gys)
        if len(gys) != len(ys):
            raise ValueError(f"check_backward: {len(gys)} y_grad entries for {len(ys)} outputs")
        for y, gy in zip(ys, gys):
            if gy is not None and gy.shape != y.shape:
                raise ValueError(f"check_backward: y_grad shape {gy.shape} != output {y.shape}")

        targets = [x for x, skip in zip(xs, no_grads) if not skip] + params
        if not targets:
            return
        roots = [(y, gy) for y, gy in zip(ys, gys) if gy is not None]
        analytic = _grad([y for y, _ in roots], targets, grad_outputs=[gy for _, gy in roots])
        for t, g in zip(targets, analytic):
            if g is not None:
                if g.shape != t.shape:
                    raise AssertionError(f"gradient shape {g.shape} != input shape {t.shape}")
                if g.dtype != t.dtype:
                    raise AssertionError(f"gradient dtype {g.dtype} != input dtype {t.dtype}")

        directions = [_random_like(t.array, rng) for t in targets]
        analytic_dot = sum(
            float((g.array.astype(numpy.float64) * d).sum())
            for g, d in zip(analytic, directions)
            if g is not None
        )
        base = [t.array.copy() for t in targets]

        def evaluate(delta: float) -> float:
            for t, b, d in zip(targets, base, directions):
                t.array = numpy.asarray(b + delta * d, dtype=b.dtype)
            outs = _as_tuple(func(*xs))  # backprop stays on: func may itself call grad()
            total = 0.0
            for y, gy in zip(outs, gys):
                if gy is not None:
                    y = y.array if isinstance(y, Variable) else y
                    total += float((_host(y).astype(numpy.float64) * gy).sum())
            return total

        plus, minus = evaluate(eps), evaluate(-eps)
        if detect_nondifferentiable:
            center = evaluate(0.0)
            right, left = (plus - center) / eps, (center - minus) / eps
            if abs(right - left) > 1e-2 * max(abs(right), abs(left), 1e-8) + atol * 10:
                raise NondifferentiableError(
                    f"check_backward: not differentiable at the given point (one-sided slopes "
                    f"{left} and {right})"
                )
        for t, b in zip(targets, base):
            t.array = b
        numeric_dot = (plus - minus) / (2 * eps)
        if not abs(numeric_dot - analytic_dot) <= atol + rtol * abs(numeric_dot):
            raise AssertionError(
                "check_backward failed: the analytic and numerical directional derivatives "
                f"differ.\n  analytic: {analytic_dot!r}\n  numeric:  {numeric_dot!r}\n"
                f"  inputs: {[x.array for x in xs]}\n"
                f"  analytic grads: {[None if g is None else g.array for g in analytic]}"
            )
    finally:
        for p, a in zip(params, param_backup):
            p.array = a


def check_double_backward(
    func: Callable[..., Any],
    x_data: Any,
    y_grad: Any,
    x_grad_grad: Any,
    params: Sequence[Any] = (),
    params_grad_grad: Sequence[Any] = (),
    eps: float = 1e-3,
    atol: float = 1e-4,
    rtol: float = 1e-3,
    no_grads: Sequence[bool] | None = None,
    dtype: Any = None,
    detect_nondifferentiable: bool = False,
    *,
    rng: Any = None,
) -> None:
    """Check the second-order gradient of ``func`` numerically.

    It checks the backward of the first-order gradient function
    ``(x, gy) -> d(sum(func(x) * gy))/dx`` with :func:`check_backward`.

    Args:
        func: As for :func:`check_backward`.
        x_data: The inputs.
        y_grad: Upstream gradients of the outputs (None for a scalar output).
        x_grad_grad: Upstream gradients of the first-order input gradients.
        params: Parameters used by ``func``.
        params_grad_grad: Upstream gradients of the parameters' first-order gradients.
        eps: Finite-difference step.
        atol: Absolute tolerance.
        rtol: Relative tolerance.
        no_grads: Per input, True to skip it.
        dtype: Cast inputs to this dtype.
        detect_nondifferentiable: Fail at kinks.
        rng: Seed or Generator for the random direction.

    Example:
        >>> import numpy as np
        >>> import kusari.functions as F
        >>> check_double_backward(F.exp, np.array([0.5]), np.ones(1), np.ones(1))
    """
    x_data = _as_tuple(x_data)
    x_grad_grad = _as_tuple(x_grad_grad)
    scalar_out = y_grad is None
    y_grad = () if scalar_out else _as_tuple(y_grad)
    n_x = len(x_data)
    if no_grads is None:
        no_grads = [x.dtype.kind != "f" for x in x_data]
    params = list(params)
    n_p = len(params)

    def first_order(*args: Variable) -> tuple[Variable, ...]:
        xs = args[:n_x]
        gys = args[n_x:]
        ys = _as_tuple(func(*xs))
        targets = [x for x, skip in zip(xs, no_grads) if not skip] + params
        if scalar_out:
            gys = (None,)
        grads = _grad(list(ys), targets, grad_outputs=list(gys), enable_double_backprop=True)
        out = []
        for t, g in zip(targets, grads):
            if g is None:
                g = Variable(numpy.zeros_like(t.array))
            out.append(g)
        return tuple(out)

    ggs = (
        [g for g, skip in zip(x_grad_grad, no_grads) if not skip]
        if len(x_grad_grad) == n_x
        else list(x_grad_grad)
    )
    ggs += list(params_grad_grad)
    if len(ggs) != sum(not s for s in no_grads) + n_p:
        raise ValueError("check_double_backward: x_grad_grad/params_grad_grad do not match inputs")
    check_backward(
        first_order,
        tuple(x_data) + tuple(y_grad),
        tuple(ggs),
        params=params,
        eps=eps,
        atol=atol,
        rtol=rtol,
        no_grads=list(no_grads) + [False] * len(y_grad),
        dtype=dtype,
        detect_nondifferentiable=detect_nondifferentiable,
        rng=rng,
    )
