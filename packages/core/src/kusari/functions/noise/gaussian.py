"""``gaussian``: draw ``mean + exp(ln_var / 2) * eps`` (the reparameterization trick).

``eps`` comes from NumPy's global legacy RNG (``numpy.random.standard_normal``) for NumPy
arrays, so ``numpy.random.seed`` makes it reproducible; other backends use ``xp.random``.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backend import get_array_module
from kusari.functions._checks import array_of, require_float, require_same_dtype, require_same_shape
from kusari.variable import Variable

__all__ = ["gaussian"]


def gaussian(mean: Any, ln_var: Any, **kwargs: Any) -> Any:
    """Sample from ``N(mean, exp(ln_var))`` differentiably in ``mean`` and ``ln_var``.

    Args:
        mean: Means (floating dtype).
        ln_var: Log variances (same shape and dtype).
        **kwargs: ``eps`` — standard normal noise to use instead of drawing it;
            ``return_eps`` — also return the noise array.

    Returns:
        Variable, or ``(Variable, eps)`` with ``return_eps=True``.

    Example:
        >>> import numpy as np, kusari.functions as F
        >>> m = np.zeros(2, np.float32)
        >>> F.gaussian(m, np.zeros(2, np.float32), eps=np.array([1, -1], np.float32)).array
        array([ 1., -1.], dtype=float32)
    """
    from kusari.functions.math.exponential import exp

    eps = kwargs.pop("eps", None)
    return_eps = kwargs.pop("return_eps", False)
    if kwargs:
        raise TypeError(
            f"gaussian: unexpected keyword arguments {sorted(kwargs)}; expected eps, return_eps"
        )
    require_float("gaussian", mean, "mean")
    require_same_dtype("gaussian", mean, ln_var, ("mean", "ln_var"))
    require_same_shape("gaussian", mean, ln_var, ("mean", "ln_var"))
    m = array_of(mean)
    if eps is None:
        xp = get_array_module(m)
        rng = numpy.random if xp is numpy else xp.random
        eps = xp.asarray(rng.standard_normal(m.shape), dtype=m.dtype)
    else:
        eps = array_of(eps)
        if tuple(eps.shape) != tuple(m.shape) or eps.dtype != m.dtype:
            raise ValueError(
                f"gaussian: expected eps of shape {tuple(m.shape)} and dtype "
                f"{m.dtype}, got shape {tuple(eps.shape)} and dtype {eps.dtype}"
            )
    if not isinstance(ln_var, Variable):
        ln_var = Variable(ln_var, requires_grad=False)
    noise = exp(ln_var * 0.5) * eps
    z = noise + mean
    return (z, eps) if return_eps else z
