"""``FunctionNode``: one differentiable operation, and the backward engine.

A subclass implements :meth:`FunctionNode.forward` on arrays and
:meth:`FunctionNode.backward` on Variables (so backward is differentiable again).
:meth:`FunctionNode.apply` runs forward and, when backprop is enabled and some input
requires a gradient, links the outputs into the graph.
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import numpy

from kusari.backends import _registry
from kusari.configuration import config
from kusari.variable import Variable, VariableNode, _check_array, _new_variable

__all__ = ["FunctionNode", "backward", "grad", "FunctionHook"]

_ndarray = numpy.ndarray
_wref = weakref.ref
_object_new = object.__new__
_hooks: dict[str, Any] = {}  # active FunctionHooks by name; empty → no cost
_MISSING = object()


def _new_node(creator: FunctionNode, rank: int, y: Any) -> VariableNode:
    n = _object_new(VariableNode)
    n.shape = y.shape
    n.dtype = y.dtype
    n.creator = creator
    n.rank = rank
    n.grad_var = None
    n.requires_grad = True
    n.name = None
    n.data = None
    n._loss_scale = None
    return n


class FunctionNode:
    """Base class of differentiable operations.

    Attributes:
        inputs: The input :class:`~kusari.variable.VariableNode` objects (set by apply).
        outputs: Weak references to the output nodes.
        rank: 1 + the largest rank among the inputs; backward visits high ranks first.

    Example:
        >>> import numpy as np, kusari
        >>> class Square(kusari.FunctionNode):
        ...     def forward(self, inputs):
        ...         self.retain_inputs((0,))
        ...         return (inputs[0] ** 2,)
        ...
        ...     def backward(self, indexes, grad_outputs):
        ...         (x,) = self.get_retained_inputs()
        ...         return (2 * x * grad_outputs[0],)
        >>> x = kusari.Variable(np.array([3.0]))
        >>> (y,) = Square().apply((x,))
        >>> y.backward()
        >>> x.grad
        array([6.])
    """

    inputs: tuple[VariableNode, ...] = ()
    outputs: tuple[Any, ...] = ()
    rank: int = 0
    _input_indexes_to_retain: tuple[int, ...] | None = None
    _output_indexes_to_retain: tuple[int, ...] | None = None
    _retained_output_data: tuple[Any, ...] | None = None
    lazy_grad_sum = False

    # -- forward ------------------------------------------------------------------------
    def apply(self, inputs: Sequence[Any]) -> tuple[Variable, ...]:
        """Run forward on ``inputs`` (Variables or arrays) and return output Variables."""
        # The hot path: every line here runs once per operation.
        try:
            in_data = tuple([x._data for x in inputs])
        except AttributeError:  # some inputs are bare arrays
            inputs = [x if isinstance(x, Variable) else _constant(x, self) for x in inputs]
            in_data = tuple([x._data for x in inputs])
        if len(in_data) > 1:
            t0 = type(in_data[0])
            for a in in_data:
                if type(a) is not t0:
                    _check_same_backend(self, in_data)
                    break
        if _hooks:
            for hook in _hooks.values():
                hook.forward_preprocess(self, in_data)
        outputs = self.forward(in_data)
        if type(outputs) is not tuple:
            outputs = _fix_outputs(self, outputs)
        for y in outputs:
            if type(y) is not _ndarray:
                outputs = _fix_output_arrays(self, outputs)
                break
        if config.debug:
            _check_nan(self, outputs)
        if _hooks:
            for hook in _hooks.values():
                hook.forward_postprocess(self, in_data)

        requires_grad = False
        for x in inputs:
            if x._requires_grad:
                requires_grad = True
                break
        if not (requires_grad and config.enable_backprop):
            ret = []
            for y in outputs:
                v = _object_new(Variable)
                v._data = y
                v._node = None
                v._requires_grad = requires_grad
                ret.append(v)
            return tuple(ret)

        rank = 0
        nodes = []
        for x in inputs:
            n = x._node
            if n is None:
                n = x.node
            nodes.append(n)
            if n.rank > rank:
                rank = n.rank
        rank += 1
        self.rank = rank
        self.inputs = tuple(nodes)
        ret = []
        out_refs = []
        for y in outputs:
            v = _object_new(Variable)
            v._data = y
            v._requires_grad = True
            n = v._node = _new_node(self, rank, y)
            out_refs.append(_wref(n))
            ret.append(v)
        self.outputs = tuple(out_refs)
        idx = self._input_indexes_to_retain
        if idx is not None:
            for i in idx:
                nodes[i].data = in_data[i]
        idx = self._output_indexes_to_retain
        if idx is not None:
            self._retained_output_data = tuple([outputs[i] for i in idx])
        return tuple(ret)

    def forward(self, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        """Compute the outputs from the input arrays; return a tuple of arrays.

        The default calls :meth:`forward_cpu` for NumPy arrays and :meth:`forward_gpu`
        otherwise (Chainer compatibility); new code overrides this one method and writes
        it against ``kusari.backend.get_array_module(*inputs)``.
        """
        if type(inputs[0]) is _ndarray if inputs else True:
            return self.forward_cpu(inputs)
        return self.forward_gpu(inputs)

    def forward_cpu(self, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        raise NotImplementedError(f"{self.label}: forward is not implemented")

    def forward_gpu(self, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        raise NotImplementedError(f"{self.label}: forward_gpu is not implemented")

    def backward(
        self, target_input_indexes: tuple[int, ...], grad_outputs: tuple[Variable | None, ...]
    ) -> tuple[Variable | None, ...]:
        """Return gradients (Variables or None) for the inputs in ``target_input_indexes``.

        Return either one entry per target index or one per input. ``grad_outputs``
        holds None for outputs that received no gradient.
        """
        raise NotImplementedError(
            f"{self.label}: backward is not implemented, so it cannot be differentiated"
        )

    # -- retention ----------------------------------------------------------------------
    #: Optional fast path: ``backward_arrays(target_input_indexes, grad_outputs)`` on bare
    #: arrays (None for missing gradients), returning arrays. Used instead of
    #: :meth:`backward` when no double backprop is requested; hot ops define it, and their
    #: tests check it against the Variable-level backward.
    backward_arrays = None

    def retain_inputs(self, indexes: Iterable[int]) -> None:
        """Keep these inputs' arrays for backward (call from forward)."""
        self._input_indexes_to_retain = tuple(indexes)

    def retain_outputs(self, indexes: Iterable[int]) -> None:
        """Keep these outputs' arrays for backward (call from forward)."""
        self._output_indexes_to_retain = tuple(indexes)

    def get_retained_inputs(self) -> tuple[Variable, ...]:
        """The retained inputs as Variables connected to the graph (for double backprop)."""
        idx = self._input_indexes_to_retain
        if idx is None:
            return ()
        inputs = self.inputs
        return tuple([inputs[i].get_variable() for i in idx])

    def get_retained_outputs(self) -> tuple[Variable, ...]:
        """The retained outputs as Variables whose creator is this node."""
        idx = self._output_indexes_to_retain
        if idx is None:
            return ()
        ret = []
        outputs = list(self.outputs)
        for data, i in zip(self._retained_output_data, idx):
            node = outputs[i]()
            if node is None:
                # The output Variable and every consumer are gone; recreate its node.
                node = _new_node(self, self.rank, data)
                outputs[i] = _wref(node)
            node.data = data
            ret.append(node.get_variable())
        self.outputs = tuple(outputs)
        return tuple(ret)

    # -- misc ---------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """A short name for graph dumps and error messages (the class name)."""
        return type(self).__name__

    @property
    def output_data(self) -> tuple[Any, ...]:
        return self._retained_output_data or ()

    def check_type_forward(self, in_types: Any) -> None:
        """Chainer-compatible hook; kusari functions validate inputs in their wrappers."""

    def unchain(self) -> None:
        """Cut this node out of the graph (its outputs become leaves)."""
        for ref in self.outputs:
            node = ref()
            if node is not None:
                node.unchain()
        self.inputs = ()

    def __call__(self, *inputs: Any) -> Any:
        ret = self.apply(inputs)
        return ret[0] if len(ret) == 1 else ret


def _constant(x: Any, func: FunctionNode) -> Variable:
    if type(x) is not _ndarray:
        if x is None or isinstance(x, (int, float, bool, numpy.generic)):
            raise TypeError(
                f"{func.label}: inputs must be Variables or arrays; got {type(x).__name__} {x!r}"
            )
        _check_array(x, func.label)
    v = _new_variable(x)
    v._requires_grad = False
    return v


def _fix_outputs(func: FunctionNode, outputs: Any) -> tuple[Any, ...]:
    if isinstance(outputs, list):
        return tuple(outputs)
    raise TypeError(
        f"{func.label}.forward must return a tuple of arrays; got {type(outputs).__name__}"
    )


def _fix_output_arrays(func: FunctionNode, outputs: tuple[Any, ...]) -> tuple[Any, ...]:
    fixed = []
    for y in outputs:
        if type(y) is not _ndarray:
            if isinstance(y, numpy.generic):
                y = numpy.asarray(y)
            elif _registry.backend_of_type(type(y)) is None:
                raise TypeError(
                    f"{func.label}.forward returned {type(y).__name__}; expected arrays"
                )
        fixed.append(y)
    return tuple(fixed)


def _check_same_backend(func: FunctionNode, in_data: tuple[Any, ...]) -> None:
    seen: dict[str, Any] = {}
    for a in in_data:
        if a is None:
            continue
        if isinstance(a, numpy.generic):
            continue
        b = _registry.backend_of(a)
        seen.setdefault(b.name, a)
    if len(seen) > 1:
        from kusari.backend import get_device_from_array

        where = ", ".join(
            f"{get_device_from_array(a).name} ({type(a).__module__}.{type(a).__name__})"
            for a in seen.values()
        )
        raise ValueError(
            f"{func.label}: inputs live on different backends: {where}.\n"
            f"help: move them to one device first, e.g. kusari.get_device('@numpy').send(x) "
            f"or variable.to_device('@numpy')"
        )


def _check_nan(func: FunctionNode, outputs: tuple[Any, ...]) -> None:
    for y in outputs:
        xp = _registry.backend_of(y).xp
        if y.dtype.kind == "f" and bool(xp.isnan(y).any()):
            raise RuntimeError(f"{func.label}: NaN detected in forward output (config.debug is on)")


# ---------------------------------------------------------------------------------------
# The backward engine
# ---------------------------------------------------------------------------------------


def _backward_main(
    roots: list[tuple[VariableNode, Variable]],
    retain_grad: bool,
    enable_double_backprop: bool,
    loss_scale: float | None,
    targets: Sequence[VariableNode] | None = None,
) -> dict[VariableNode, Variable]:
    """Propagate gradients from ``roots`` (node, gradient pairs) through the graph.

    Leaves accumulate into their ``grad_var`` (Chainer semantics) unless ``targets`` is
    given, in which case the gradients of the target nodes are returned instead and no
    variable is touched.

    Without double backprop, gradients travel as bare arrays and a node's
    :meth:`FunctionNode.backward_arrays` (when it has one) is used instead of its
    Variable-level backward: no graph is built, so wrapping every intermediate gradient
    in a Variable would be pure overhead.
    """
    double = enable_double_backprop
    if double:

        def wrap(g: Any) -> Any:
            return g

        def unwrap(g: Any) -> Any:
            return g
    else:
        wrap = _new_variable

        def unwrap(g: Any) -> Any:
            return g._data

    grads: dict[VariableNode, Any] = {}
    heap: list[tuple[int, int, FunctionNode]] = []
    seen: set[int] = set()
    counter = 0
    target_set = None if targets is None else set(targets)
    collected: dict[VariableNode, Any] = {}
    # Arrays already handed to a leaf; a second leaf getting the same array gets a copy,
    # so in-place optimizer hooks on one gradient never change another.
    given: set[int] = {id(g._data) for _, g in roots}
    # Arrays this pass allocated by summing gradients: nobody else holds them, so later
    # contributions are added in place (a weight used at 35 time steps costs 2
    # allocations, not 35). An id leaves the set when its array is handed on.
    owned: set[int] = set()

    def accumulate(prev: Any, gx: Any) -> Any:
        if double:
            return prev + gx
        if id(prev) in owned and prev.shape == gx.shape:
            prev += gx
            return prev
        out = prev + gx
        owned.add(id(out))
        return out

    for node, g in roots:
        g = unwrap(g)
        if target_set is not None and node in target_set:
            prev = collected.get(node)
            collected[node] = g if prev is None else prev + g
        prev = grads.get(node)
        grads[node] = g if prev is None else prev + g
        f = node.creator
        if f is not None and id(f) not in seen:
            seen.add(id(f))
            heapq.heappush(heap, (-f.rank, counter, f))
            counter += 1

    # Set the flag by hand: a generator-based context manager costs microseconds here.
    local = config.__dict__
    old_flag = local.get("enable_backprop", _MISSING)
    local["enable_backprop"] = double
    try:
        while heap:
            func = heapq.heappop(heap)[2]
            gys = []
            any_grad = False
            for ref in func.outputs:
                n = ref()
                gy = None if n is None else grads.pop(n, None)
                if owned and gy is not None:
                    owned.discard(id(gy))
                if gy is not None:
                    any_grad = True
                    if retain_grad:
                        n.grad_var = wrap(gy)
                gys.append(gy)
            if not any_grad:
                continue
            in_nodes = func.inputs
            target_idx = tuple([i for i, x in enumerate(in_nodes) if x.requires_grad])
            if not target_idx:
                continue
            gys = tuple(gys)
            if _hooks:
                for hook in _hooks.values():
                    hook.backward_preprocess(func, (), gys)
            fast = None if double else func.backward_arrays
            if fast is not None:
                gxs = fast(target_idx, gys)
            elif double:
                gxs = func.backward(target_idx, gys)
            else:
                gxs = func.backward(
                    target_idx, tuple([None if g is None else _new_variable(g) for g in gys])
                )
                gxs = [g._data if isinstance(g, Variable) else g for g in gxs]
            if len(gxs) != len(target_idx):
                if len(gxs) != len(in_nodes):
                    raise ValueError(
                        f"{func.label}.backward returned {len(gxs)} gradients; expected "
                        f"{len(target_idx)} (one per target index) or {len(in_nodes)} "
                        f"(one per input)"
                    )
                gxs = [gxs[i] for i in target_idx]
            for i, gx in zip(target_idx, gxs):
                if gx is None:
                    continue
                if double and not isinstance(gx, Variable):
                    gx = _new_variable(gx)
                x = in_nodes[i]
                if target_set is not None and x in target_set:
                    prev = collected.get(x)
                    collected[x] = gx if prev is None else prev + gx
                c = x.creator
                if c is None:
                    if target_set is not None:
                        continue
                    prev = x.grad_var
                    if prev is None:
                        data = gx._data if double else gx
                        # Leaf gradients are written in place by optimizer hooks: never hand
                        # out an array shared with another leaf, or a read-only view.
                        if id(data) in given or (
                            type(data) is _ndarray and not data.flags.writeable
                        ):
                            gx = gx * 1 if double else data.copy()
                        given.add(id(gx._data if double else gx))
                        x.grad_var = wrap(gx)
                    else:
                        if double:
                            x.grad_var = prev + gx
                        else:
                            acc = accumulate(prev._data, gx)
                            if acc is not prev._data:
                                x.grad_var = _new_variable(acc)
                    if loss_scale is not None:
                        x._loss_scale = loss_scale
                    continue
                prev = grads.get(x)
                grads[x] = gx if prev is None else accumulate(prev, gx)
                if id(c) not in seen:
                    seen.add(id(c))
                    heapq.heappush(heap, (-c.rank, counter, c))
                    counter += 1
            if _hooks:
                for hook in _hooks.values():
                    hook.backward_postprocess(func, (), gys)
    finally:
        if old_flag is _MISSING:
            del local["enable_backprop"]
        else:
            local["enable_backprop"] = old_flag
    if double:
        return collected
    return {n: _new_variable(g) for n, g in collected.items()}


def _unchain_backward(node: VariableNode) -> None:
    stack = [node]
    seen = set()
    while stack:
        n = stack.pop()
        f = n.creator
        if f is None or id(f) in seen:
            continue
        seen.add(id(f))
        stack.extend(f.inputs)
        f.unchain()
        n.unchain()


def backward(
    outputs: Sequence[Variable], grad_outputs: Sequence[Any] | None = None, **kwargs: Any
) -> None:
    """Backpropagate from several outputs at once (gradients are summed where paths meet).

    Args:
        outputs: The Variables to start from.
        grad_outputs: Their initial gradients (arrays or Variables); None entries use
            the variable's ``grad`` or ones for a one-element output.
        **kwargs: ``retain_grad``, ``enable_double_backprop``, ``loss_scale``.
    """
    retain_grad = kwargs.pop("retain_grad", False)
    double = kwargs.pop("enable_double_backprop", False)
    loss_scale = kwargs.pop("loss_scale", None)
    if kwargs:
        raise TypeError(f"kusari.backward: unexpected arguments {sorted(kwargs)}")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"kusari.backward: got {len(outputs)} outputs but {len(grad_outputs)} grad_outputs"
        )
    roots = []
    for y, gy in zip(outputs, grad_outputs):
        roots.append((y.node, _initial_grad(y, gy, "kusari.backward", loss_scale)))
    _backward_main(roots, retain_grad, double, loss_scale)


def _initial_grad(y: Variable, gy: Any, where: str, loss_scale: float | None) -> Variable:
    if gy is None:
        gy = y.grad_var
    if gy is None:
        if y.size != 1:
            raise ValueError(
                f"{where}: output of shape {y.shape} is not a scalar and has no gradient; "
                f"pass its grad_outputs entry"
            )
        gy = _new_variable(y.xp.ones_like(y.array))
    elif not isinstance(gy, Variable):
        gy = _new_variable(gy)
    if gy.shape != y.shape:
        raise ValueError(
            f"{where}: gradient shape {gy.shape} does not match output shape {y.shape}"
        )
    if loss_scale is not None:
        gy = _new_variable(gy.array * loss_scale)
    return gy


def grad(
    outputs: Sequence[Variable],
    inputs: Sequence[Variable],
    grad_outputs: Sequence[Any] | None = None,
    grad_inputs: Sequence[Any] | None = None,
    set_grad: bool = False,
    retain_grad: bool = False,
    enable_double_backprop: bool = False,
    loss_scale: float | None = None,
) -> list[Any]:
    """Gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.

    Args:
        outputs: Variables to differentiate.
        inputs: Variables to differentiate with respect to.
        grad_outputs: Initial gradients of the outputs (None → ones for scalars).
        grad_inputs: Gradients added to the results (Chainer semantics).
        set_grad: Also store the results in ``inputs[i].grad_var``.
        retain_grad: Keep intermediate gradients on the graph's variables.
        enable_double_backprop: Make the results differentiable.
        loss_scale: Scale the initial gradients.

    Returns:
        A list with one gradient Variable (or None) per input.

    Example:
        >>> import numpy as np, kusari
        >>> x = kusari.Variable(np.array([2.0]))
        >>> (gx,) = kusari.grad([x**3], [x])
        >>> gx.array
        array([12.])
    """
    if not isinstance(outputs, (list, tuple)) or not isinstance(inputs, (list, tuple)):
        raise TypeError("kusari.grad: outputs and inputs must be lists or tuples of Variables")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    roots = [
        (y.node, _initial_grad(y, gy, "kusari.grad", loss_scale))
        for y, gy in zip(outputs, grad_outputs)
    ]
    nodes = [x.node for x in inputs]
    got = _backward_main(roots, retain_grad, enable_double_backprop, loss_scale, targets=nodes)
    result = [got.get(n) for n in nodes]
    if grad_inputs is not None:
        for k, gi in enumerate(grad_inputs):
            if gi is None:
                continue
            gi = gi if isinstance(gi, Variable) else _new_variable(gi)
            result[k] = gi if result[k] is None else result[k] + gi
    if set_grad:
        for x, g in zip(inputs, result):
            x.node.grad_var = g
    return result


class FunctionHook:
    """Base class of function hooks (called around every forward/backward while active).

    Use as a context manager (``with MyHook(): ...``) or ``hook.add()``/``hook.delete()``.
    """

    name = "FunctionHook"

    def __enter__(self) -> FunctionHook:
        self.add()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.delete()

    def add(self) -> None:
        if self.name in _hooks:
            raise KeyError(f"function hook {self.name!r} already exists")
        _hooks[self.name] = self

    def delete(self) -> None:
        _hooks.pop(self.name, None)

    def forward_preprocess(self, function: FunctionNode, in_data: tuple[Any, ...]) -> None: ...
    def forward_postprocess(self, function: FunctionNode, in_data: tuple[Any, ...]) -> None: ...
    def backward_preprocess(self, function: FunctionNode, in_data: Any, out_grad: Any) -> None: ...
    def backward_postprocess(self, function: FunctionNode, in_data: Any, out_grad: Any) -> None: ...


def _wire_operators() -> None:
    import kusari.variable
    from kusari.functions.math import basic_math

    kusari.variable._bm = basic_math


_wire_operators()
