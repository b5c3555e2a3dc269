"""``BatchNormalization``: normalize by batch statistics, keep running averages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.configuration import config, get_dtype
from kusari.links._link import Link
from kusari.links._util import fail_in
from kusari.variable import Parameter

__all__ = ["BatchNormalization"]


def _axes(axis: Any) -> tuple[int, ...] | None:
    if axis is None:
        return None
    return (int(axis),) if isinstance(axis, int) else tuple(int(a) for a in axis)


class BatchNormalization(Link):
    """Batch normalization layer (Ioffe & Szegedy, 2015).

    In training mode (``kusari.config.train``) the input is normalized with the
    statistics of the mini-batch and the running averages ``avg_mean``/``avg_var``
    are updated in place; in test mode the running averages are used. With
    ``finetune=True`` the running averages become exact population statistics
    (``decay = 1 - 1/N``).

    Args:
        size: Shape (or channel count) of gamma, beta and the statistics. None infers
            it at the first call: the axes not in ``axis``, or the channel axis 1 when
            ``axis`` is None too.
        decay: Decay rate of the running averages.
        eps: Added to the variance.
        dtype: dtype of the parameters and statistics (default ``kusari.config.dtype``).
        use_gamma: Learn a scale (else 1).
        use_beta: Learn a shift (else 0).
        initial_gamma: Initializer of gamma (default 1).
        initial_beta: Initializer of beta (default 0).
        axis: Axes reduced over (default: batch axis and the axes after the channels).
        initial_avg_mean: Initializer of ``avg_mean`` (default 0).
        initial_avg_var: Initializer of ``avg_var`` (default 1).

    Attributes:
        avg_mean, avg_var: Running statistics (persistent values, saved with the model).
        N: Number of batches seen in fine-tuning mode (persistent).

    Example:
        >>> import numpy as np, kusari, kusari.links as L
        >>> bn = L.BatchNormalization(3)
        >>> x = np.random.default_rng(0).normal(5, 2, (8, 3, 4, 4)).astype(np.float32)
        >>> y = bn(x)
        >>> bool(abs(float(y.array.mean())) < 1e-5), bn.avg_mean.shape
        (True, (3,))
    """

    gamma: Parameter | None = None
    beta: Parameter | None = None

    def __init__(
        self,
        size: Any = None,
        decay: float = 0.9,
        eps: float = 2e-5,
        dtype: Any = None,
        use_gamma: bool = True,
        use_beta: bool = True,
        initial_gamma: Any = None,
        initial_beta: Any = None,
        axis: Any = None,
        initial_avg_mean: Any = None,
        initial_avg_var: Any = None,
    ) -> None:
        super().__init__()
        self.decay = decay
        self.eps = eps
        self.axis = _axes(axis)
        self._dtype = get_dtype(dtype)
        if self._dtype.kind != "f":
            raise TypeError(f"BatchNormalization: dtype must be a float type; got {self._dtype}")
        self._initial_avg_mean = initial_avg_mean
        self._initial_avg_var = initial_avg_var
        self.add_persistent("avg_mean", None)
        self.add_persistent("avg_var", None)
        self.add_persistent("N", 0)
        with self.init_scope():
            if use_gamma:
                self.gamma = Parameter(self._initializer(initial_gamma, 1))
            if use_beta:
                self.beta = Parameter(self._initializer(initial_beta, 0))
        if size is not None:
            self._initialize_params((size,) if isinstance(size, int) else tuple(size))

    def _initializer(self, init: Any, default: float) -> Any:
        init = initializers.get_initializer(default if init is None else init)
        if getattr(init, "dtype", None) is None and isinstance(init, initializers.Initializer):
            init = _copy_with_dtype(init, self._dtype)
        return init

    def _initialize_params(self, shape: tuple[int, ...]) -> None:
        xp, dev = self.xp, self._device
        self.avg_mean = initializers.generate_array(
            self._initializer(self._initial_avg_mean, 0), shape, xp, device=dev
        )
        self.avg_var = initializers.generate_array(
            self._initializer(self._initial_avg_var, 1), shape, xp, device=dev
        )
        self._initial_avg_mean = self._initial_avg_var = None
        if self.gamma is not None:
            self.gamma.initialize(shape)
        if self.beta is not None:
            self.beta.initialize(shape)

    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        shape = None if self.avg_mean is None else self.avg_mean.shape
        yield "size", shape[0] if shape is not None and len(shape) == 1 else shape
        yield "decay", self.decay
        yield "eps", self.eps
        yield "dtype", self._dtype
        yield "use_gamma", self.gamma is not None
        yield "use_beta", self.beta is not None

    def _param_shape(self, x: Any) -> tuple[int, ...]:
        if self.axis is None:
            if x.ndim < 2:
                raise ValueError(
                    f"{self._repr_head()}: expected input with a channel axis (N, C, ...); "
                    f"got shape {tuple(x.shape)}"
                )
            return (x.shape[1],)
        axes = {a % x.ndim for a in self.axis}
        return tuple(d for i, d in enumerate(x.shape) if i not in axes)

    def forward(self, x: Any, finetune: bool = False) -> Any:
        """Normalize ``x`` (batch statistics in training mode, running ones in test mode)."""
        if self.avg_mean is None:
            self._initialize_params(self._param_shape(x))
        gamma, beta = self.gamma, self.beta
        if gamma is None:
            gamma = self.xp.ones(self.avg_mean.shape, self._dtype)
        if beta is None:
            beta = self.xp.zeros(self.avg_mean.shape, self._dtype)
        try:
            if config.train:
                if finetune:
                    self.N += 1
                    decay = 1.0 - 1.0 / self.N
                else:
                    decay = self.decay
                return F.batch_normalization(
                    x,
                    gamma,
                    beta,
                    eps=self.eps,
                    running_mean=self.avg_mean,
                    running_var=self.avg_var,
                    decay=decay,
                    axis=self.axis,
                )
            return F.fixed_batch_normalization(
                x, gamma, beta, self.avg_mean, self.avg_var, self.eps, axis=self.axis
            )
        except (ValueError, TypeError) as exc:
            fail_in(self, exc)

    def start_finetuning(self) -> None:
        """Reset the batch count before collecting population statistics again."""
        self.N = 0


def _copy_with_dtype(init: Any, dtype: Any) -> Any:
    import copy

    init = copy.copy(init)
    init.dtype = dtype
    return init
