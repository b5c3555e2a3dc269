"""``FunctionNode``: one differentiable operation, and the backward engine.

A subclass implements :meth:`FunctionNode.forward` on arrays and
:meth:`FunctionNode.backward` on Variables (so backward is differentiable again).
:meth:`FunctionNode.apply` runs forward and, when backprop is enabled and some input
requires a gradient, links the outputs into the graph.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import numpy

from kusari.backends import _registry
from kusari.configuration import config
from kusari.function_hook import FunctionHook, _hooks
from kusari.variable import Variable, VariableNode, _check_array, _new_variable

__all__ = ["FunctionNode", "backward", "grad", "FunctionHook"]

# The engine and hooks live in their own modules; these names stay importable from here.


_ndarray = numpy.ndarray
_wref = weakref.ref
_object_new = object.__new__


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


from kusari._backward import backward, grad  # noqa: E402


def _wire_operators() -> None:
    import kusari.variable
    from kusari.functions.math import basic_math

    kusari.variable._bm = basic_math


_wire_operators()
