"""The orthogonal initializer (Saxe et al., https://arxiv.org/abs/1312.6120)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy

from kusari.initializers._base import Initializer, _check_rng, _to_host, _write

__all__ = ["Orthogonal"]

# mode -> (refuse more inputs than outputs, refuse more outputs than inputs)
_MODES = {
    "auto": (False, False),
    "projection": (False, True),
    "embedding": (True, False),
    "basis": (True, True),
}


class Orthogonal(Initializer):
    """Fill an array with a scaled (semi-)orthogonal matrix.

    The array is read as a matrix of ``shape[0]`` rows and ``prod(shape[1:])`` columns.
    A standard normal matrix is QR-decomposed (the wide case through its transpose) and
    the signs are fixed so that ``R`` has a non-negative diagonal, which makes the
    result uniformly distributed over orthogonal matrices. A wide matrix gets
    orthonormal rows, a tall one orthonormal columns, all times ``scale``.

    Args:
        scale: The factor on the orthonormal vectors (Chainer's default 1.1).
        dtype: The dtype produced (floating), or None for the array's own.
        mode: Which shapes to accept: ``'auto'`` (any), ``'projection'`` (rows ≤
            columns), ``'embedding'`` (rows ≥ columns) or ``'basis'`` (square).
        rng: A NumPy generator, or None for the global one.

    Example:
        >>> import numpy as np
        >>> w = np.empty((3, 5))
        >>> Orthogonal(1.0, rng=np.random.default_rng(0))(w)
        >>> np.allclose(w @ w.T, np.eye(3))
        True
    """

    _needs_float = True

    def __init__(
        self, scale: float = 1.1, dtype: Any = None, mode: str = "auto", *, rng: Any = None
    ) -> None:
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
            raise ValueError(f"Orthogonal: scale must be a real number, got {scale!r}")
        if mode not in _MODES:
            raise ValueError(
                f"Orthogonal: mode must be one of {', '.join(map(repr, _MODES))}; got {mode!r}"
            )
        self.scale = scale
        self.mode = mode
        self.rng = _check_rng("Orthogonal", rng)
        super().__init__(dtype)

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        shape = tuple(array.shape)
        source = numpy.random if self.rng is None else self.rng
        if not shape:  # a 0-d array is a 1x1 matrix: its only orthonormal values are ±1
            draw = source.randint if hasattr(source, "randint") else source.integers
            _write(array, numpy.asarray(self.scale * (2 * int(draw(2)) - 1)))
            return
        if array.size == 0:
            raise ValueError(f"Orthogonal: the array to fill must be non-empty, got shape {shape}")
        rows, cols = shape[0], math.prod(shape[1:])
        refuse_wide, refuse_tall = _MODES[self.mode]
        if (cols > rows and refuse_wide) or (cols < rows and refuse_tall):
            raise ValueError(
                f"Orthogonal: cannot make an orthogonal {self.mode} for shape {shape}: read "
                f"as {rows} vectors of dimension {cols}"
                + (
                    ", more vectors than dimensions"
                    if cols < rows
                    else ", fewer vectors than dimensions"
                )
            )
        a = _to_host(source.normal(size=(rows, cols)))
        wide = cols > rows
        if wide:
            a = a.T
        q, r = numpy.linalg.qr(a)
        q *= numpy.copysign(self.scale, numpy.diag(r))
        if wide:
            q = q.T
        _write(array, q.reshape(shape))
