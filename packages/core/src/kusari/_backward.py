"""The backward engine: ``kusari.backward``, ``kusari.grad`` and ``Variable.backward``.

Backward pops FunctionNodes from a heap by rank, so each runs once, after every
gradient of its outputs has been summed. Leaf gradients accumulate across calls
(Chainer semantics); intermediate gradients are dropped unless ``retain_grad``.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy

from kusari._deferred import DeferredGrad
from kusari.configuration import config
from kusari.function_hook import _hooks
from kusari.variable import Variable, VariableNode, _new_variable

if TYPE_CHECKING:
    from kusari.function_node import FunctionNode

__all__ = ["backward", "grad"]

_ndarray = numpy.ndarray
_MISSING = object()


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
    hooks = _hooks
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
    # Deferred contributions per leaf, combined after the pass (see kusari._deferred).
    pending: dict[VariableNode, list[DeferredGrad]] = {}

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
            if hooks:
                for hook in hooks.values():
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
                if isinstance(gx, DeferredGrad):
                    if x.creator is None and target_set is None:
                        terms = pending.get(x)
                        if terms is None:
                            pending[x] = [gx]
                        else:
                            terms.append(gx)
                        continue
                    gx = gx.materialize()
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
            if hooks:
                for hook in hooks.values():
                    hook.backward_postprocess(func, (), gys)
        for x, terms in pending.items():
            total = _combine(terms)
            owned.add(id(total))
            prev = x.grad_var
            x.grad_var = _new_variable(total if prev is None else accumulate(prev._data, total))
            if loss_scale is not None:
                x._loss_scale = loss_scale
    finally:
        if old_flag is _MISSING:
            del local["enable_backprop"]
        else:
            local["enable_backprop"] = old_flag
    if double:
        return collected
    return {n: _new_variable(g) for n, g in collected.items()}


def _combine(terms: list[DeferredGrad]) -> Any:
    """The sum of deferred terms, each kind combined in one kernel."""
    if len(terms) == 1:
        return terms[0].materialize()
    by_kind: dict[tuple[type, Any], list[DeferredGrad]] = {}
    for t in terms:
        by_kind.setdefault((type(t), getattr(t, "shape", None)), []).append(t)
    total = None
    for (kind, _), group in by_kind.items():
        part = kind.combine(group)
        total = part if total is None else total + part
    return total


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
