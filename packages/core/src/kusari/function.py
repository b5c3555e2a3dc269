"""Old-style ``Function`` (Chainer v1): forward and backward on arrays.

One adapter, :class:`FunctionAdapter`, runs a ``Function`` as a
:class:`~kusari.FunctionNode`. Such functions are differentiable once; asking for a
second derivative raises an error that says so.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.configuration import config
from kusari.function_node import FunctionNode
from kusari.variable import Variable, _new_variable

__all__ = ["Function", "FunctionAdapter"]


class Function:
    """Base class of old-style functions: override ``forward`` and ``backward`` on arrays.

    ``forward(inputs)`` returns a tuple of arrays; ``backward(inputs, grad_outputs)``
    returns one gradient array (or None) per input. ``forward_cpu``/``forward_gpu`` and
    ``backward_cpu``/``backward_gpu`` are called when ``forward``/``backward`` are not
    overridden. All inputs are retained by default (call :meth:`retain_inputs` to narrow).

    Example:
        >>> import numpy as np, kusari
        >>> class Double(kusari.Function):
        ...     def forward(self, inputs):
        ...         return (inputs[0] * 2,)
        ...
        ...     def backward(self, inputs, grad_outputs):
        ...         return (grad_outputs[0] * 2,)
        >>> x = kusari.Variable(np.array([1.0, 2.0]))
        >>> y = Double()(x)
        >>> y.grad = np.ones(2)
        >>> y.backward()
        >>> x.grad
        array([2., 2.])
    """

    node: FunctionAdapter | None = None

    def __call__(self, *inputs: Any) -> Any:
        node = FunctionAdapter(self)
        self.node = node
        ret = node.apply(inputs)
        return ret[0] if len(ret) == 1 else ret

    @property
    def label(self) -> str:
        return type(self).__name__

    @property
    def inputs(self) -> tuple[Any, ...]:
        return () if self.node is None else self.node.inputs

    @property
    def outputs(self) -> tuple[Any, ...]:
        return () if self.node is None else self.node.outputs

    @property
    def rank(self) -> int:
        return 0 if self.node is None else self.node.rank

    @property
    def output_data(self) -> tuple[Any, ...]:
        return () if self.node is None else self.node.output_data

    def forward(self, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        if all(isinstance(x, numpy.ndarray) for x in inputs):
            return self.forward_cpu(inputs)
        return self.forward_gpu(inputs)

    def forward_cpu(self, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        raise NotImplementedError(f"{self.label}: forward is not implemented")

    def forward_gpu(self, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        raise NotImplementedError(f"{self.label}: forward_gpu is not implemented")

    def backward(self, inputs: tuple[Any, ...], grad_outputs: tuple[Any, ...]) -> tuple[Any, ...]:
        if all(isinstance(x, numpy.ndarray) for x in inputs):
            return self.backward_cpu(inputs, grad_outputs)
        return self.backward_gpu(inputs, grad_outputs)

    def backward_cpu(
        self, inputs: tuple[Any, ...], grad_outputs: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        raise NotImplementedError(f"{self.label}: backward is not implemented")

    def backward_gpu(
        self, inputs: tuple[Any, ...], grad_outputs: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        raise NotImplementedError(f"{self.label}: backward_gpu is not implemented")

    def retain_inputs(self, indexes: Any) -> None:
        self.node.retain_inputs(indexes)

    def retain_outputs(self, indexes: Any, retain_after_backward: bool = False) -> None:
        self.node.retain_outputs(indexes)

    def check_type_forward(self, in_types: Any) -> None:
        """Chainer-compatible no-op."""

    def unchain(self) -> None:
        if self.node is not None:
            self.node.unchain()


class FunctionAdapter(FunctionNode):
    """Runs an old-style :class:`Function` as a FunctionNode."""

    def __init__(self, function: Function) -> None:
        self._function = function

    @property
    def function(self) -> Function:
        return self._function

    @property
    def label(self) -> str:
        return self._function.label

    def forward(self, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        self.retain_inputs(range(len(inputs)))
        outputs = self._function.forward(inputs)
        return tuple(outputs)

    def backward(
        self, target_input_indexes: tuple[int, ...], grad_outputs: tuple[Variable | None, ...]
    ) -> tuple[Variable | None, ...]:
        idx = self._input_indexes_to_retain or ()
        in_data = [None] * len(self.inputs)
        for i in idx:
            in_data[i] = self.inputs[i].data
        gys = tuple(None if g is None else g.array for g in grad_outputs)
        gxs = self._function.backward(tuple(in_data), gys)
        if not isinstance(gxs, (tuple, list)):
            raise TypeError(f"{self.label}.backward must return a tuple of arrays")
        if len(gxs) != len(self.inputs):
            raise ValueError(
                f"{self.label}.backward returned {len(gxs)} gradients for {len(self.inputs)} inputs"
            )
        out: list[Variable | None] = []
        for i in target_input_indexes:
            g = gxs[i]
            if g is None:
                out.append(None)
                continue
            if isinstance(g, numpy.generic):
                g = numpy.asarray(g)
            if config.enable_backprop:
                # Double backprop asked for: mark the result as a dead end that explains itself.
                (v,) = _NotTwiceDifferentiable(self.label).apply(
                    [g] + [gy for gy in grad_outputs if gy is not None]
                )
            else:
                v = _new_variable(g)
            out.append(v)
        return tuple(out)


class _NotTwiceDifferentiable(FunctionNode):
    def __init__(self, label: str) -> None:
        self._label = label

    def forward(self, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        return (inputs[0],)

    def backward(self, target_input_indexes: Any, grad_outputs: Any) -> Any:
        raise RuntimeError(
            f"{self._label} is an old-style kusari.Function, which is differentiable only once; "
            f"double backprop through it is not supported.\n"
            f"help: rewrite it as a kusari.FunctionNode whose backward uses kusari.functions"
        )
