"""``Optimizer`` and ``GradientMethod``: what updates a whole target's parameters."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy

from kusari.backend import get_device_from_array, using_device
from kusari.optimizers._arrays import array_module, check_grad
from kusari.optimizers._hyperparameter import Hyperparameter
from kusari.optimizers._loss_scaling import LossScaling
from kusari.optimizers._update_rule import UpdateRule, _hook_name, _resolve_timing
from kusari.variable import Parameter, Variable

__all__ = ["Optimizer", "GradientMethod"]

_ndarray = numpy.ndarray


def _collect_params(where: str, target: Any) -> list[tuple[str, Variable]]:
    """``(path, param)`` for each distinct parameter; paths without the leading '/'."""
    params = []
    seen = set()
    for name, param in target.namedparams():
        if not isinstance(param, Parameter):
            raise TypeError(
                f"{where}: namedparams() of the target must yield (path, kusari.Parameter) "
                f"pairs; {name!r} is a {type(param).__name__}"
            )
        if id(param) in seen:  # a shared parameter is updated once, not once per path
            continue
        seen.add(id(param))
        params.append((str(name).lstrip("/"), param))
    return params


class Optimizer(LossScaling):
    """Base class of optimizers: a target, a step count, hooks and serialization.

    The target is anything whose ``namedparams()`` yields ``(path, Parameter)`` pairs (a
    :class:`kusari.links.Link`). Subclasses implement :meth:`update`; gradient methods
    derive from :class:`GradientMethod` instead.

    Hooks registered with :meth:`add_hook` run before (``'pre'``) or after (``'post'``)
    each update. A hook with ``call_for_each_param = True`` is called as
    ``hook(update_rule, param)`` for every parameter that has a gradient; any other hook
    as ``hook(optimizer)``.

    Attributes:
        target: The object being optimized (set by :meth:`setup`).
        t: The number of updates so far.
        epoch: The epoch count, advanced by :meth:`new_epoch`.
        use_auto_new_epoch: True when an updater calls :meth:`new_epoch` itself.
    """

    target: Any = None
    t: int = 0
    epoch: int = 0
    use_auto_new_epoch: bool = False
    _params: list[tuple[str, Variable]] | None = None
    _pre_update_hooks: dict[str, Callable[..., Any]] | None = None
    _post_update_hooks: dict[str, Callable[..., Any]] | None = None

    def setup(self, link: Any) -> Optimizer:
        """Set the target and reset the step count, the epoch and the hooks.

        The list of parameters is read here (and again by :meth:`serialize`), so a step
        does not walk the target. A parameter added to the target later is not updated
        until ``setup`` is called again: as in Chainer, it has no update rule before.

        Args:
            link: A Link, or any object with ``namedparams()``.

        Returns:
            The optimizer itself, so ``opt = SGD().setup(model)`` works.
        """
        if not callable(getattr(link, "namedparams", None)):
            raise TypeError(
                f"{type(self).__name__}.setup: expected a Link or an object with namedparams() "
                f"yielding (path, Parameter) pairs, got {type(link).__name__}"
            )
        self._params = _collect_params(f"{type(self).__name__}.setup", link)
        self.target = link
        self.t = 0
        self.epoch = 0
        self._pre_update_hooks = {}
        self._post_update_hooks = {}
        return self

    def _named_params(self) -> list[tuple[str, Variable]]:
        params = self._params
        if params is None:
            raise RuntimeError(f"{type(self).__name__}: no target; call setup(target) first")
        return params

    def update(self, lossfun: Callable[..., Any] | None = None, *args: Any, **kwds: Any) -> None:
        """Update the parameters (subclasses implement it).

        Args:
            lossfun: A callable returning the loss Variable; when given, gradients are
                cleared and recomputed from it first. When omitted, the gradients already
                stored in the parameters are used.
            *args: Positional arguments of ``lossfun``.
            **kwds: Keyword arguments of ``lossfun``.
        """
        raise NotImplementedError(f"{type(self).__name__}.update is not implemented")

    def new_epoch(self, auto: bool = False) -> None:
        """Advance :attr:`epoch` by one.

        Args:
            auto: True when an updater calls it (it must have set
                :attr:`use_auto_new_epoch`); False for a manual call.
        """
        if auto and not self.use_auto_new_epoch:
            raise RuntimeError(
                f"{type(self).__name__}.new_epoch(auto=True): use_auto_new_epoch is False\n"
                "help: the updater must set optimizer.use_auto_new_epoch = True"
            )
        if not auto and self.use_auto_new_epoch:
            raise RuntimeError(
                f"{type(self).__name__}.new_epoch: the updater already calls new_epoch "
                "(use_auto_new_epoch is True)\nhelp: pass auto_new_epoch=False to the updater "
                "or stop calling new_epoch yourself"
            )
        self.epoch += 1

    # -- hooks ----------------------------------------------------------------------------
    def add_hook(
        self, hook: Callable[..., Any], name: str | None = None, timing: str = "auto"
    ) -> None:
        """Register a hook run before or after every update.

        Args:
            hook: ``hook(optimizer)``, or ``hook(update_rule, param)`` for every parameter
                when ``hook.call_for_each_param`` is True.
            name: The registration name; ``hook.name`` by default.
            timing: ``'pre'``, ``'post'``, or ``'auto'``: the hook's ``timing`` attribute
                (``'pre'``, with a warning, when it has none).

        Example:
            >>> import numpy as np, kusari
            >>> from kusari import optimizers, optimizer_hooks
            >>> class Target:
            ...     def __init__(self):
            ...         self.w = kusari.Parameter(np.ones(2, np.float32))
            ...
            ...     def namedparams(self):
            ...         yield "/w", self.w
            >>> target = Target()
            >>> opt = optimizers.SGD(lr=0.1).setup(target)
            >>> opt.add_hook(optimizer_hooks.WeightDecay(0.5))
            >>> target.w.grad = np.zeros(2, np.float32)
            >>> opt.update()
            >>> target.w.array
            array([0.95, 0.95], dtype=float32)
        """
        where = f"{type(self).__name__}.add_hook"
        if not callable(hook):
            raise TypeError(f"{where}: expected a callable hook, got {type(hook).__name__}")
        if self._pre_update_hooks is None or self._post_update_hooks is None:
            raise RuntimeError(f"{where}: call setup(target) before add_hook")
        timing = _resolve_timing(where, hook, timing, warn=True)
        name = _hook_name(where, hook, name)
        if name in self._pre_update_hooks or name in self._post_update_hooks:
            raise KeyError(f"{where}: a hook named {name!r} already exists")
        (self._pre_update_hooks if timing == "pre" else self._post_update_hooks)[name] = hook

    def remove_hook(self, name: str) -> None:
        """Remove the hook registered under ``name``."""
        for hooks in (self._pre_update_hooks, self._post_update_hooks):
            if hooks is not None and name in hooks:
                del hooks[name]
                return
        raise KeyError(f"{type(self).__name__}.remove_hook: no hook named {name!r}")

    def call_hooks(self, timing: str = "pre") -> None:
        """Run the ``'pre'`` or ``'post'`` hooks in registration order."""
        if timing not in ("pre", "post"):
            raise ValueError(
                f"{type(self).__name__}.call_hooks: timing must be 'pre' or 'post', got {timing!r}"
            )
        hooks = self._pre_update_hooks if timing == "pre" else self._post_update_hooks
        for hook in list((hooks or {}).values()):
            self._call_hook(hook)

    def _call_hook(self, hook: Callable[..., Any]) -> None:
        if getattr(hook, "call_for_each_param", False):
            for _, param in self._named_params():
                if param.grad is not None:  # parameters without a gradient are skipped
                    hook(param.update_rule, param)
        else:
            hook(self)

    # -- serialization --------------------------------------------------------------------
    def serialize(self, serializer: Any) -> None:
        """Save or load ``t``, ``epoch`` and every rule's state under the parameter's path.

        Keys follow Chainer (``t``, ``epoch``, ``predictor/l1/W/t``,
        ``predictor/l1/W/m``, …). The target's parameters themselves are not included:
        save the model separately.
        """
        if self.target is None:
            raise RuntimeError(f"{type(self).__name__}.serialize: call setup(target) first")
        self.t = serializer("t", self.t)
        self.epoch = serializer("epoch", self.epoch)
        self._params = _collect_params(f"{type(self).__name__}.serialize", self.target)
        for path, param in self._params:
            rule = getattr(param, "update_rule", None)
            if rule is not None:
                rule.serialize(serializer[path])


class GradientMethod(Optimizer):
    """Base class of first-order optimizers: one :class:`UpdateRule` per parameter.

    :meth:`setup` gives each parameter the rule made by :meth:`create_update_rule`,
    whose hyperparameter falls back to this optimizer's :attr:`hyperparam`. Subclasses
    expose each entry as an attribute with
    :class:`~kusari.optimizers.HyperparameterProxy` (``opt.lr = 0.1``).

    A parameter whose gradient is None is skipped (its rule's ``t`` does not advance);
    a gradient whose shape, dtype or device differs from its parameter's raises an
    error naming the parameter's path.

    Attributes:
        hyperparam: The default hyperparameters of every rule.
    """

    _use_fp32_update = False
    _use_cleargrads = True

    def __init__(self) -> None:
        self.hyperparam = Hyperparameter()
        self._use_fp32_update = False

    def setup(self, link: Any) -> GradientMethod:
        """Set the target and give every parameter a fresh update rule (see Optimizer)."""
        super().setup(link)
        for _, param in self._named_params():
            rule = self.create_update_rule()
            if self._use_fp32_update:
                rule.use_fp32_update()
            param.update_rule = rule
        return self

    def create_update_rule(self) -> UpdateRule:
        """Make the rule of one parameter (subclasses implement it)."""
        raise NotImplementedError(f"{type(self).__name__}.create_update_rule is not implemented")

    def update(self, lossfun: Callable[..., Any] | None = None, *args: Any, **kwds: Any) -> None:
        """Update every parameter from its gradient.

        With ``lossfun``, first compute ``loss = lossfun(*args, **kwds)``, clear the
        target's gradients and run ``loss.backward`` (with the loss scale, if any).
        Then: 'pre' hooks, ``t += 1``, each parameter's rule, 'post' hooks.

        Example:
            >>> import numpy as np, kusari
            >>> import kusari.functions as F
            >>> from kusari import optimizers
            >>> class Target:
            ...     def __init__(self):
            ...         self.w = kusari.Parameter(np.array([1.0, 2.0], np.float32))
            ...
            ...     def namedparams(self):
            ...         yield "/w", self.w
            >>> target = Target()
            >>> opt = optimizers.SGD(lr=0.5).setup(target)
            >>> opt.update(lambda: F.sum(target.w * target.w))
            >>> target.w.array
            array([0., 0.], dtype=float32)
        """
        params = self._named_params()
        if lossfun is not None:
            loss = lossfun(*args, **kwds)
            if not isinstance(loss, Variable):
                raise TypeError(
                    f"{type(self).__name__}.update: lossfun must return the loss as a "
                    f"kusari.Variable, got {type(loss).__name__}"
                )
            self._clear_grads(params)
            loss.backward(loss_scale=self._loss_scale)
            del loss  # frees the graph before the update allocates state
        if self._loss_scaling_is_dynamic:
            self.check_nan_in_grads()
        if self._pre_update_hooks:
            self.call_hooks("pre")
        self.t += 1
        if not self._loss_scaling_isnan:
            where = None
            for path, param in params:
                if param.update_rule is None:
                    continue
                grad = param.grad
                if grad is None:
                    continue
                data = param.array
                if (
                    type(data) is not _ndarray
                    or type(grad) is not _ndarray
                    or grad.shape != data.shape
                    or grad.dtype != data.dtype
                ):
                    where = where or f"{type(self).__name__}.update"
                    check_grad(where, path, data, grad)
                param.update()
        if self._post_update_hooks:
            self.call_hooks("post")
        if self._loss_scaling_is_dynamic:
            self.update_loss_scale()

    def _clear_grads(self, params: list[tuple[str, Variable]]) -> None:
        target = self.target
        if self._use_cleargrads:
            method = getattr(target, "cleargrads", None)
            if callable(method):
                method()
            else:
                for _, param in params:
                    param.cleargrad()
            return
        method = getattr(target, "zerograds", None)
        if callable(method):
            method()
        else:
            for _, param in params:
                param.cleargrad()
            self.reallocate_cleared_grads()

    def reallocate_cleared_grads(self) -> None:
        """Give every initialized parameter whose gradient is None a zero gradient.

        Chainer calls this around every hook, so that parameters without a gradient are
        updated as if it were zero; kusari skips them instead and calls it only for
        :meth:`use_cleargrads` ``(False)``. Call it before :meth:`update` for Chainer's
        behaviour.
        """
        for _, param in self._named_params():
            data = param.array
            if data is not None and param.grad is None:
                if type(data) is _ndarray:
                    param.grad = numpy.zeros_like(data)
                else:
                    with using_device(get_device_from_array(data)):
                        param.grad = array_module(data).zeros_like(data)

    def use_cleargrads(self, use: bool = True) -> None:
        """Deprecated: ``update(lossfun)`` clears gradients with ``cleargrads`` already.

        Args:
            use: False makes it fill gradients with zeros instead (Chainer v1 behaviour).
        """
        warnings.warn(
            "GradientMethod.use_cleargrads is deprecated", DeprecationWarning, stacklevel=2
        )
        self._use_cleargrads = use

    def use_fp32_update(self, flag: bool = True) -> None:
        """Update float16 parameters through float32 master copies (mixed precision).

        Applies to the rules made from now on and to those of the current target.
        """
        self._use_fp32_update = flag
        if self._params is not None:
            for _, param in self._params:
                rule = param.update_rule
                if rule is not None:
                    rule.use_fp32_update(flag)
