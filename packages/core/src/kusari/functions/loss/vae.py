"""Losses for variational auto-encoders: ``gaussian_kl_divergence``, ``bernoulli_nll``,
``gaussian_nll`` (composed from differentiable primitives)."""

from __future__ import annotations

import math
from typing import Any

from kusari.functions._checks import require_float, require_same_dtype, require_same_shape
from kusari.variable import Variable

__all__ = ["gaussian_kl_divergence", "bernoulli_nll", "gaussian_nll"]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _var(x: Any) -> Variable:
    return x if isinstance(x, Variable) else Variable(x, requires_grad=False)


def _reduce(fname: str, loss: Variable, reduce: str) -> Variable:
    from kusari.functions.math.average import mean
    from kusari.functions.math.sum import sum

    if reduce == "sum":
        return sum(loss)
    return mean(loss)


def _check_reduce(fname: str, reduce: str) -> None:
    if reduce not in ("sum", "mean", "no"):
        raise ValueError(f"{fname}: expected reduce 'sum', 'mean' or 'no', got {reduce!r}")


def _check_pair(fname: str, a: Any, b: Any, names: tuple[str, str]) -> None:
    require_float(fname, a, names[0])
    require_same_dtype(fname, a, b, names)
    require_same_shape(fname, a, b, names)


def gaussian_kl_divergence(mean: Any, ln_var: Any, reduce: str = "sum") -> Variable:
    """KL divergence of ``N(mean, exp(ln_var))`` from the standard normal ``N(0, I)``.

    Elementwise ``(mean**2 + exp(ln_var) - ln_var - 1) / 2``, then reduced.

    Args:
        mean: Means, floating dtype.
        ln_var: Log variances of the same shape and dtype.
        reduce: ``'sum'``, ``'mean'`` (over all elements) or ``'no'``.

    Returns:
        Variable: The divergence.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.gaussian_kl_divergence(
        ...     np.array([1.0, 0.0], np.float32), np.zeros(2, np.float32)
        ... ).array
        array(0.5, dtype=float32)
    """
    from kusari.functions.math.exponential import exp

    _check_reduce("gaussian_kl_divergence", reduce)
    _check_pair("gaussian_kl_divergence", mean, ln_var, ("mean", "ln_var"))
    mean, ln_var = _var(mean), _var(ln_var)
    loss = (mean * mean + exp(ln_var) - ln_var - 1.0) * 0.5
    return loss if reduce == "no" else _reduce("gaussian_kl_divergence", loss, reduce)


def bernoulli_nll(x: Any, y: Any, reduce: str = "sum") -> Variable:
    """Negative log-likelihood of ``x`` under Bernoulli distributions with logits ``y``.

    Elementwise ``softplus(y) - x * y``, then reduced.

    Args:
        x: Observations in ``[0, 1]``, floating dtype.
        y: Logits (pre-sigmoid parameters) of the same shape and dtype.
        reduce: ``'sum'``, ``'mean'`` (over all elements) or ``'no'``.

    Returns:
        Variable: The negative log-likelihood.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> F.bernoulli_nll(np.array([1.0, 0.0], np.float32), np.zeros(2, np.float32)).array
        array(1.3862944, dtype=float32)
    """
    from kusari.functions.activation.softplus import softplus

    _check_reduce("bernoulli_nll", reduce)
    _check_pair("bernoulli_nll", x, y, ("x", "y"))
    loss = softplus(y) - _var(y) * x
    return loss if reduce == "no" else _reduce("bernoulli_nll", loss, reduce)


def gaussian_nll(x: Any, mean: Any, ln_var: Any, reduce: str = "sum") -> Variable:
    """Negative log-likelihood of ``x`` under ``N(mean, exp(ln_var))`` (diagonal).

    Elementwise ``(log(2 pi) + ln_var) / 2 + (x - mean)**2 * exp(-ln_var) / 2``, reduced.

    Args:
        x: Observations, floating dtype.
        mean: Means of the same shape and dtype.
        ln_var: Log variances of the same shape and dtype.
        reduce: ``'sum'``, ``'mean'`` (over all elements) or ``'no'``.

    Returns:
        Variable: The negative log-likelihood.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> z = np.zeros(1, np.float32)
        >>> F.gaussian_nll(z, z, z).array
        array(0.9189385, dtype=float32)
    """
    from kusari.functions.math.exponential import exp

    _check_reduce("gaussian_nll", reduce)
    _check_pair("gaussian_nll", x, mean, ("x", "mean"))
    _check_pair("gaussian_nll", x, ln_var, ("x", "ln_var"))
    ln_var = _var(ln_var)
    d = _var(x) - mean
    loss = (ln_var + d * d * exp(-ln_var)) * 0.5 + _HALF_LOG_2PI
    return loss if reduce == "no" else _reduce("gaussian_nll", loss, reduce)
