"""``UpdateRule``: how one parameter is updated from its gradient."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import numpy

from kusari.backend import copyto, get_device_from_array, is_array, using_device
from kusari.optimizers._arrays import check_grad, device_key
from kusari.optimizers._hyperparameter import GENERATION, Hyperparameter, resolve
from kusari.serializers import Deserializer
from kusari.variable import Variable

__all__ = ["UpdateRule"]

_ndarray = numpy.ndarray
_float16 = numpy.dtype(numpy.float16)
_LOADED = object()  # marks an fp32 master copy that came from a file, not from the param
_TIMINGS = ("pre", "post", "auto")


class UpdateRule:
    """Base class of update rules: the per-parameter half of a gradient method.

    A :class:`~kusari.optimizers.GradientMethod` gives every parameter its own rule
    (``param.update_rule``). The rule owns the parameter's optimizer state (momentum,
    moment estimates, …), created lazily on the parameter's device and dtype at the first
    update, and its own :class:`Hyperparameter` whose missing entries fall back to the
    optimizer's. Subclasses override :meth:`init_state` and :meth:`update_core` (or, in
    Chainer's older style, ``update_core_cpu`` and ``update_core_gpu``).

    Args:
        parent_hyperparam: The hyperparameter providing default values.

    Attributes:
        enabled: When False, :meth:`update` does nothing.
        hyperparam: This rule's :class:`Hyperparameter`.
        t: How many updates this rule has made.

    Example:
        >>> import numpy as np, kusari
        >>> class HalfStep(UpdateRule):
        ...     def update_core(self, param):
        ...         param.array -= 0.5 * param.grad
        >>> p = kusari.Parameter(np.ones(2, np.float32))
        >>> p.grad = np.full(2, 2.0, np.float32)
        >>> HalfStep().update(p)
        >>> p.array
        array([0., 0.], dtype=float32)
    """

    __slots__ = (
        "_hp_cache",
        "hyperparam",
        "enabled",
        "t",
        "_state",
        "_state_key",
        "_pre_update_hooks",
        "_post_update_hooks",
        "_use_fp32_update",
        "_fp32_param",
        "_fp32_source",
        "__dict__",
    )

    def __init__(self, parent_hyperparam: Any = None) -> None:
        self.hyperparam = Hyperparameter(parent_hyperparam)
        self.enabled = True
        self.t = 0
        self._state: dict[str, Any] | None = None
        # Device of the arrays in _state; None while the state is absent or was loaded
        # from a file and not yet fitted to the parameter (done at the next update).
        self._state_key: Any = None
        self._pre_update_hooks: dict[str, Callable[..., Any]] = {}
        self._post_update_hooks: dict[str, Callable[..., Any]] = {}
        self._use_fp32_update = False
        self._fp32_param: Variable | None = None
        self._fp32_source: Any = None
        self._hp_cache: tuple[int, Any, Any] | None = None

    @property
    def state(self) -> dict[str, Any] | None:
        """The state dict (None until the first update or a load)."""
        return self._state

    def resolved_hyperparam(self) -> Any:
        """:attr:`hyperparam` with inherited entries resolved, for reading in update_core.

        It reads like :attr:`hyperparam` but each entry is a plain attribute; it is
        rebuilt whenever any hyperparameter changes, so it is never stale.
        """
        cache = self._hp_cache
        hp = self.hyperparam
        if cache is not None and cache[0] == GENERATION[0] and cache[1] is hp:
            return cache[2]
        resolved = resolve(hp)
        self._hp_cache = (GENERATION[0], hp, resolved)
        return resolved

    # -- hooks ----------------------------------------------------------------------------
    def add_hook(
        self, hook: Callable[..., Any], name: str | None = None, timing: str = "auto"
    ) -> None:
        """Register ``hook(rule, param)``, called before or after each update of this rule.

        Args:
            hook: The callable.
            name: The registration name; ``hook.name`` (or its ``__name__``) by default.
            timing: ``'pre'``, ``'post'``, or ``'auto'`` (the hook's ``timing`` attribute,
                ``'pre'`` when it has none).
        """
        if not callable(hook):
            raise TypeError(
                f"UpdateRule.add_hook: expected a callable hook, got {type(hook).__name__}"
            )
        timing = _resolve_timing("UpdateRule.add_hook", hook, timing, warn=False)
        name = _hook_name("UpdateRule.add_hook", hook, name)
        if name in self._pre_update_hooks or name in self._post_update_hooks:
            raise ValueError(f"UpdateRule.add_hook: a hook named {name!r} already exists")
        (self._pre_update_hooks if timing == "pre" else self._post_update_hooks)[name] = hook

    def remove_hook(self, name: str) -> None:
        """Remove the hook registered under ``name``."""
        if (
            self._pre_update_hooks.pop(name, None) is None
            and self._post_update_hooks.pop(name, None) is None
        ):
            raise KeyError(f"UpdateRule.remove_hook: no hook named {name!r}")

    # -- update ---------------------------------------------------------------------------
    def update(self, param: Variable) -> None:
        """Update ``param`` from its gradient, running this rule's hooks around it.

        Does nothing when the rule is disabled or the gradient is None. A gradient
        computed with ``backward(loss_scale=s)`` is divided by ``s`` first.
        """
        if not self.enabled:
            return
        grad = param.grad
        if grad is None:
            return
        data = param.array
        if (
            type(data) is not _ndarray
            or type(grad) is not _ndarray
            or grad.shape != data.shape
            or grad.dtype != data.dtype
        ):
            check_grad(f"{type(self).__name__}.update", param.name or "<unnamed>", data, grad)
        self.t += 1
        if self._use_fp32_update and data.dtype == _float16:
            self._update_fp32(param, data, grad)
            return
        self._prepare(param)
        scale = param._loss_scale
        if scale is not None:
            grad /= scale
            param.node._loss_scale = None  # divided once; a repeated update must not redo it
        for hook in self._pre_update_hooks.values():
            hook(self, param)
        self.update_core(param)
        for hook in self._post_update_hooks.values():
            hook(self, param)

    def _update_fp32(self, param: Variable, data: Any, grad: Any) -> None:
        # Update a float32 master copy and write it back rounded: small steps that
        # float16 would round away accumulate in the master copy.
        master = self._fp32_param
        source = self._fp32_source
        if master is None or (
            source is not data and not (source is _LOADED and master.array.shape == data.shape)
        ):
            master = self._fp32_param = Variable(data.astype(numpy.float32), name=param.name)
        elif source is _LOADED and type(data) is not _ndarray:
            master.array = get_device_from_array(data).send(master.array)
        self._fp32_source = data
        grad32 = grad.astype(numpy.float32)
        scale = param._loss_scale
        if scale is not None:
            grad32 /= scale
            param.node._loss_scale = None
        master.grad = grad32
        self._prepare(master)
        for hook in self._pre_update_hooks.values():
            hook(self, master)
        self.update_core(master)
        for hook in self._post_update_hooks.values():
            hook(self, master)
        copyto(data, master.array)  # same_kind cast: float32 rounds into float16
        master.cleargrad()

    def update_core(self, param: Variable) -> None:
        """Update ``param.array`` in place from ``param.grad`` (subclasses override).

        The default calls ``update_core_cpu`` for NumPy arrays and ``update_core_gpu``
        otherwise (Chainer's older style); kusari's rules override this one method and
        write it once against the array module of the parameter.
        """
        data = param.array
        if type(data) is _ndarray:
            self.update_core_cpu(param)
        else:
            with using_device(get_device_from_array(data)):
                self.update_core_gpu(param)

    def update_core_cpu(self, param: Variable) -> None:
        """Update a NumPy parameter (Chainer-style split; prefer :meth:`update_core`)."""
        raise NotImplementedError(
            f"{type(self).__name__}: override update_core (or update_core_cpu and update_core_gpu)"
        )

    def update_core_gpu(self, param: Variable) -> None:
        """Update a device parameter (Chainer-style split; prefer :meth:`update_core`)."""
        raise NotImplementedError(
            f"{type(self).__name__}: override update_core (or update_core_cpu and update_core_gpu)"
        )

    def init_state(self, param: Variable) -> None:
        """Fill :attr:`state` for ``param`` (called once, on the parameter's device).

        Rules with state override it, e.g. ``self.state['v'] = xp.zeros_like(param.array)``.
        """

    def use_fp32_update(self, flag: bool = True) -> None:
        """Update float16 parameters through a float32 master copy (mixed precision).

        The master copy is made from the parameter at its first update and again
        whenever ``param.array`` is replaced by another array; it is saved with the
        optimizer's state. Writing into the float16 array in place (instead of assigning
        a new one) after training started is not seen: the master copy wins.
        """
        self._use_fp32_update = flag

    # -- state ----------------------------------------------------------------------------
    def _prepare(self, param: Variable) -> None:
        data = param.array
        key = type(data) if type(data) is _ndarray else device_key(data)
        if self._state is None or self._state_key is None:
            self._create_state(param, key)
        elif key is not self._state_key and key != self._state_key:
            device = get_device_from_array(data)
            state = self._state
            for name, value in state.items():
                if is_array(value):
                    state[name] = device.send(value)
            self._state_key = key

    def _create_state(self, param: Variable, key: Any) -> None:
        loaded = self._state
        self._state = {}
        data = param.array
        if type(data) is _ndarray:
            self.init_state(param)
        else:
            with using_device(get_device_from_array(data)):
                self.init_state(param)
        if loaded:
            self._fit_loaded_state(self._state, loaded, data)
        self._state_key = key

    def _fit_loaded_state(self, state: dict[str, Any], loaded: dict[str, Any], data: Any) -> None:
        # Values read from a file are host arrays in the file's dtype: copy them into
        # freshly made state so it ends up on the parameter's device and dtype.
        device = get_device_from_array(data)
        for name, value in loaded.items():
            current = state.get(name)
            if is_array(value) and current is not None and is_array(current):
                if tuple(current.shape) != tuple(value.shape):
                    raise ValueError(
                        f"{type(self).__name__}: the loaded state {name!r} has shape "
                        f"{tuple(value.shape)}, but this parameter needs "
                        f"{tuple(current.shape)} (was the file saved for another model?)"
                    )
                copyto(
                    current,
                    numpy.asarray(value).astype(current.dtype, copy=False)
                    if isinstance(value, _ndarray)
                    else value,
                )
            else:
                state[name] = device.send(value) if is_array(value) else value

    def _state_keys(self) -> list[str]:
        # Which keys init_state makes, found on a scratch copy with a 1-element dummy.
        scratch = copy.copy(self)
        scratch._state = {}
        dummy = Variable(numpy.zeros(1, numpy.float32))
        dummy.grad = numpy.zeros(1, numpy.float32)
        scratch.init_state(dummy)
        return list(scratch._state)

    def serialize(self, serializer: Any) -> None:
        """Save or load ``t`` and the state (keys as in Chainer: ``t``, ``m``, ``v``, …).

        Loading into a rule that has no state yet (no update ran, or the parameter is not
        initialized) keeps the loaded arrays; they are fitted to the parameter's device
        and dtype at its next update. It saves or loads the rule only, not the parameter.
        """
        self.t = serializer("t", self.t)
        if isinstance(serializer, Deserializer):
            self._load_state(serializer)
        elif self._state is not None:
            for name, value in self._state.items():
                serializer(name, value)
        if self._use_fp32_update:
            self._serialize_fp32(serializer)

    def _load_state(self, serializer: Any) -> None:
        state = self._state
        if state is not None and self._state_key is not None:
            for name in list(state):
                state[name] = serializer(name, state[name])  # filled in place
            return
        loaded = {}
        for name in self._state_keys():
            try:
                value = serializer(name, None)
            except KeyError:
                if self.enabled:
                    raise
                value = None
            if value is None:  # not in the file: make fresh state at the next update
                self._state = None
                self._state_key = None
                return
            loaded[name] = value
        self._state = loaded
        self._state_key = None

    def _serialize_fp32(self, serializer: Any) -> None:
        # Not in Chainer's layout: without it a resumed float16 run would restart its
        # master copy from the rounded parameter and drift from the uninterrupted run.
        if not isinstance(serializer, Deserializer):
            if self._fp32_param is not None:
                serializer("fp32_param", self._fp32_param.array)
            return
        try:
            value = serializer("fp32_param", None)
        except KeyError:  # a file written without it (e.g. by Chainer)
            return
        if value is not None:
            self._fp32_param = Variable(numpy.asarray(value, dtype=numpy.float32))
            self._fp32_source = _LOADED


def _resolve_timing(where: str, hook: Any, timing: str, warn: bool) -> str:
    if timing not in _TIMINGS:
        raise ValueError(f"{where}: timing must be 'pre', 'post' or 'auto', got {timing!r}")
    if timing != "auto":
        return timing
    timing = getattr(hook, "timing", None)
    if timing in ("pre", "post"):
        return timing
    if warn:
        warnings.warn(
            f"{where}: the hook {_hook_label(hook)} has no timing attribute of 'pre' or "
            "'post'; it runs before the update ('pre')",
            stacklevel=3,
        )
    return "pre"


def _hook_label(hook: Any) -> str:
    return repr(getattr(hook, "name", None) or getattr(hook, "__name__", type(hook).__name__))


def _hook_name(where: str, hook: Any, name: str | None) -> str:
    if name is None:
        name = getattr(hook, "name", None) or getattr(hook, "__name__", None)
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"{where}: the hook has no name; pass name=... (got a {type(hook).__name__} "
            "without a 'name' attribute)"
        )
    return name
