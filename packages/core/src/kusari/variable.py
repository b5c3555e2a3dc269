"""``Variable`` and ``Parameter``: arrays that remember how they were computed.

A :class:`Variable` wraps an array and, when it was produced by a
:class:`~kusari.FunctionNode` while backprop was enabled, a :class:`VariableNode` that
links it into the computational graph. The graph holds nodes, never Variables, so an
intermediate array is freed as soon as Python drops its Variable unless a function
asked to retain it for backward.
"""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backends import _registry

__all__ = ["Variable", "VariableNode", "Parameter", "as_variable", "as_array"]

_ndarray = numpy.ndarray


class VariableNode:
    """A Variable's place in the graph: its creator, rank, gradient and retained data.

    Attributes:
        creator: The :class:`~kusari.FunctionNode` that produced the variable, or None.
        rank: 0 for leaves, the creator's rank otherwise (backward runs high ranks first).
        grad_var: The gradient as a Variable, or None.
        requires_grad: Whether gradients flow into this node.
        data: The array, only while a function retains it for backward.
    """

    __slots__ = (
        "creator",
        "rank",
        "grad_var",
        "requires_grad",
        "name",
        "data",
        "_loss_scale",
        "shape",
        "dtype",
        "__weakref__",
    )

    def __init__(
        self,
        creator: Any = None,
        requires_grad: bool = True,
        name: str | None = None,
        shape: tuple[int, ...] | None = None,
        dtype: Any = None,
    ):
        self.shape = shape
        self.dtype = dtype
        self.creator = creator
        self.rank = 0 if creator is None else creator.rank
        self.grad_var = None
        self.requires_grad = requires_grad
        self.name = name
        self.data = None
        self._loss_scale = None

    @property
    def creator_node(self) -> Any:  # Chainer's spelling
        return self.creator

    @property
    def grad(self) -> Any:
        return None if self.grad_var is None else self.grad_var._data

    def get_variable(self) -> Variable:
        """A Variable sharing this node (so gradients computed through it reach the graph)."""
        v = _new_variable(self.data)
        v._requires_grad = self.requires_grad
        v._node = self
        return v

    def set_creator(self, creator: Any) -> None:
        self.creator = creator
        self.rank = 0 if creator is None else creator.rank

    def unchain(self) -> None:
        self.creator = None
        self.rank = 0

    def __repr__(self) -> str:
        creator = type(self.creator).__name__ if self.creator else None
        return f"<VariableNode {self.name or ''} creator={creator}>"


def _check_array(array: Any, what: str) -> None:
    if array is None or type(array) is _ndarray:
        return
    if isinstance(array, numpy.generic) or _registry.backend_of_type(type(array)) is None:
        raise TypeError(
            f"{what}: expected an array (numpy.ndarray or an installed backend's array) or None; "
            f"got {type(array).__module__}.{type(array).__qualname__}"
            + (
                "\nhelp: wrap scalars with numpy.asarray(x, dtype=numpy.float32)"
                if isinstance(array, (int, float, numpy.generic))
                else ""
            )
        )


def _new_variable(data: Any) -> Variable:
    v = _object_new(Variable)
    v._data = data
    v._node = None
    v._requires_grad = True
    return v


_object_new = object.__new__


class Variable:
    """An array with a gradient and a place in the computational graph.

    Args:
        data: The initial array (``numpy.ndarray`` or another backend's array) or None.
        name: A name shown in reprs and graph dumps.
        grad: The initial gradient array.
        requires_grad: Whether backward computes a gradient for this variable.

    Example:
        >>> import numpy as np
        >>> from kusari import Variable
        >>> x = Variable(np.array([5], dtype=np.float32))
        >>> y = x**2 - 2 * x + 1
        >>> y.backward()
        >>> x.grad
        array([8.], dtype=float32)
    """

    __slots__ = ("_data", "_node", "_requires_grad", "__weakref__")
    # Make NumPy defer binary operators to ours (``array * variable`` → ``__rmul__``).
    __array_ufunc__ = None
    __array_priority__ = 200

    def __init__(
        self,
        data: Any = None,
        *,
        name: str | None = None,
        grad: Any = None,
        requires_grad: bool = True,
    ) -> None:
        if data is not None and type(data) is not _ndarray:
            _check_array(data, "Variable")
        self._data = data
        self._requires_grad = requires_grad
        self._node = None
        if name is not None or grad is not None:
            node = self.node
            node.name = name
            if grad is not None:
                self.grad = grad

    # -- graph --------------------------------------------------------------------------
    @property
    def node(self) -> VariableNode:
        """The graph node of this variable (created on first use)."""
        node = self._node
        if node is None:
            data = self._data
            node = self._node = VariableNode(
                None,
                self._requires_grad,
                None,
                None if data is None else data.shape,
                None if data is None else data.dtype,
            )
        return node

    @property
    def creator(self) -> Any:
        """The FunctionNode that produced this variable, or None for a leaf."""
        node = self._node
        return None if node is None else node.creator

    @creator.setter
    def creator(self, func: Any) -> None:
        self.node.set_creator(func)

    creator_node = creator

    @property
    def rank(self) -> int:
        node = self._node
        return 0 if node is None else node.rank

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._requires_grad = value
        if self._node is not None:
            self._node.requires_grad = value

    @property
    def name(self) -> str | None:
        node = self._node
        return None if node is None else node.name

    @name.setter
    def name(self, value: str | None) -> None:
        self.node.name = value

    # -- data ---------------------------------------------------------------------------
    @property
    def array(self) -> Any:
        """The underlying array."""
        return self._data

    @array.setter
    def array(self, value: Any) -> None:
        if value is not None and type(value) is not _ndarray:
            _check_array(value, "Variable.array")
        self._data = value
        node = self._node
        if node is not None:
            if node.data is not None:
                node.data = value
            if value is not None:
                node.shape = value.shape
                node.dtype = value.dtype

    data = array

    @property
    def grad_var(self) -> Variable | None:
        """The gradient as a Variable (differentiable after double backprop)."""
        node = self._node
        return None if node is None else node.grad_var

    @grad_var.setter
    def grad_var(self, g: Variable | None) -> None:
        if g is not None:
            self._check_grad(g._data)
        self.node.grad_var = g

    @property
    def grad(self) -> Any:
        """The gradient array, or None."""
        node = self._node
        if node is None or node.grad_var is None:
            return None
        return node.grad_var._data

    @grad.setter
    def grad(self, g: Any) -> None:
        if g is None:
            if self._node is not None:
                self._node.grad_var = None
            return
        self._check_grad(g)
        self.node.grad_var = _new_variable(g)

    def _check_grad(self, g: Any) -> None:
        if g is None:
            return
        if type(g) is not _ndarray:
            _check_array(g, "Variable.grad")
        data = self._data
        if data is None:
            return
        if type(g) is not type(data):
            raise TypeError(
                f"Variable.grad: the gradient must live where the data does; "
                f"expected {type(data).__module__}.{type(data).__name__}, got "
                f"{type(g).__module__}.{type(g).__name__}"
            )
        if g.dtype != data.dtype:
            raise TypeError(f"Variable.grad: expected dtype {data.dtype}, got {g.dtype}")
        if g.shape != data.shape:
            raise ValueError(f"Variable.grad: expected shape {data.shape}, got {g.shape}")

    @property
    def _loss_scale(self) -> Any:
        node = self._node
        return None if node is None else node._loss_scale

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> Any:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    def __len__(self) -> int:
        return len(self._data)

    @property
    def xp(self) -> Any:
        """The array module of this variable's backend."""
        if self._data is None:
            return numpy
        return _registry.backend_of(self._data).xp

    @property
    def device(self) -> Any:
        """The :class:`~kusari.backend.Device` holding the array."""
        from kusari.backend import get_device, get_device_from_array

        return get_device("@numpy") if self._data is None else get_device_from_array(self._data)

    @property
    def label(self) -> str:
        if self._data is None:
            return "None"
        shape = "()" if self._data.shape == () else str(self._data.shape)
        return f"{shape}, {self._data.dtype}"

    # -- gradients ----------------------------------------------------------------------
    def cleargrad(self) -> None:
        """Drop the gradient (set it to None)."""
        if self._node is not None:
            self._node.grad_var = None

    def zerograd(self) -> None:
        """Fill the gradient with zeros (deprecated in Chainer; prefer :meth:`cleargrad`)."""
        import warnings

        warnings.warn(
            "Variable.zerograd is deprecated; use cleargrad", DeprecationWarning, stacklevel=2
        )
        if self._data is None:
            return
        g = self.grad
        if g is None:
            self.grad = self.xp.zeros_like(self._data)
        else:
            g.fill(0)

    def addgrad(self, var: Variable) -> None:
        """Add ``var``'s gradient into this variable's gradient (across devices)."""
        g = var.grad
        if g is None:
            return
        from kusari.backend import get_device_from_array

        if self._data is not None:
            g = get_device_from_array(self._data).send(g)
        mine = self.grad
        self.grad = g.copy() if mine is None else mine + g

    def backward(
        self,
        retain_grad: bool = False,
        enable_double_backprop: bool = False,
        loss_scale: float | None = None,
    ) -> None:
        """Backpropagate from this variable to every leaf of its graph.

        Args:
            retain_grad: Keep the gradients of intermediate variables.
            enable_double_backprop: Build a graph of the backward computation, so the
                gradients can be differentiated again.
            loss_scale: Multiply the initial gradient (for float16 training); optimizers
                divide parameter gradients by it.
        """
        from kusari._backward import _backward_main

        node = self.node
        gy = node.grad_var
        if gy is None:
            data = self._data
            if data is None:
                raise ValueError("Variable.backward: the variable has no array")
            if data.size != 1:
                raise ValueError(
                    f"Variable.backward: this variable has shape {data.shape}, not a scalar, and "
                    f"its gradient is not set.\nhelp: reduce it first (F.sum(y)) or set y.grad "
                    f"to an array of shape {data.shape}"
                )
            gy = node.grad_var = _new_variable(self.xp.ones_like(data))
        if loss_scale is not None:
            gy = _new_variable(gy._data * loss_scale)
        _backward_main([(node, gy)], retain_grad, enable_double_backprop, loss_scale)

    def unchain(self) -> None:
        """Cut the link to the creator: this variable becomes a leaf."""
        if self._node is not None:
            self._node.unchain()

    def unchain_backward(self) -> None:
        """Delete every reference backward would follow from this variable."""
        from kusari._backward import _unchain_backward

        if self._node is not None:
            _unchain_backward(self._node)

    def retain_data(self) -> None:
        """Keep the array on the graph node (so the graph can reproduce it)."""
        self.node.data = self._data

    # -- devices ------------------------------------------------------------------------
    def to_device(self, device: Any) -> Variable:
        """Move the array and gradient to ``device`` in place; returns self."""
        from kusari.backend import get_device

        dev = get_device(device)
        self._data = dev.send(self._data)
        node = self._node
        if node is not None:
            if node.grad_var is not None:
                node.grad_var = _new_variable(dev.send(node.grad_var._data))
            if node.data is not None:
                node.data = self._data
        return self

    def to_cpu(self) -> Variable:
        """Move to the host (NumPy)."""
        return self.to_device("@numpy")

    def to_gpu(self, device: Any = None) -> Variable:
        """Move to a CUDA device (needs kusari-backend-cuda)."""
        from kusari.backends import cuda

        return self.to_device(cuda._device_spec(device))

    # -- repr ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        name = self.name
        prefix = f"variable {name}(" if name else "variable("
        data = self._data
        if data is None:
            return prefix + "None)"
        host = data if type(data) is _ndarray else _registry.backend_of(data).to_host(data)
        return prefix + numpy.array2string(host, separator=", ", prefix=prefix) + ")"

    def __str__(self) -> str:
        name = self.name
        return f"variable {name}({self._data})" if name else f"variable({self._data})"

    def summary(self) -> str:
        return f"<variable {self.name or ''}> {self.label}"

    def __bool__(self) -> bool:
        raise TypeError("kusari.Variable has no truth value; compare variable.array instead")

    def __hash__(self) -> int:
        return object.__hash__(self)

    def _not_comparable(self, other: Any) -> Any:
        raise NotImplementedError(
            "kusari.Variable does not support comparison; compare the arrays (x.array < y.array)"
        )

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _not_comparable

    # -- operators (implemented in kusari.functions.math.basic_math) ---------------------
    def __add__(self, other: Any) -> Variable:
        return _bm._add(self, other)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Variable:
        return _bm._sub(self, other)

    def __rsub__(self, other: Any) -> Variable:
        return _bm._rsub(self, other)

    def __mul__(self, other: Any) -> Variable:
        return _bm._mul(self, other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Variable:
        return _bm._div(self, other)

    def __rtruediv__(self, other: Any) -> Variable:
        return _bm._rdiv(self, other)

    def __floordiv__(self, other: Any) -> Variable:
        return _bm._floordiv(self, other)

    def __rfloordiv__(self, other: Any) -> Variable:
        return _bm._rfloordiv(self, other)

    def __pow__(self, other: Any) -> Variable:
        return _bm._pow(self, other)

    def __rpow__(self, other: Any) -> Variable:
        return _bm._rpow(self, other)

    def __matmul__(self, other: Any) -> Variable:
        return _bm._matmul(self, other)

    def __rmatmul__(self, other: Any) -> Variable:
        return _bm._rmatmul(self, other)

    def __neg__(self) -> Variable:
        return _bm.neg(self)

    def __pos__(self) -> Variable:
        return self

    def __abs__(self) -> Variable:
        return _bm.absolute(self)

    def __getitem__(self, slices: Any) -> Variable:
        return _bm._getitem(self, slices)

    def reshape(self, *shape: Any) -> Variable:
        """``F.reshape(self, shape)``; accepts ``reshape(2, 3)`` and ``reshape((2, 3))``."""
        return _bm._reshape(self, *shape)

    def transpose(self, *axes: Any) -> Variable:
        """``F.transpose(self, axes)``; no axes reverses them."""
        return _bm._transpose(self, *axes)

    @property
    def T(self) -> Variable:
        """The transpose (axes reversed)."""
        return _bm._transpose(self)


def as_variable(obj: Any) -> Variable:
    """Return ``obj`` if it is a Variable, else a Variable wrapping it with requires_grad off.

    Example:
        >>> import numpy as np, kusari
        >>> kusari.as_variable(np.zeros(2, np.float32)).requires_grad
        False
    """
    if isinstance(obj, Variable):
        return obj
    if type(obj) is not _ndarray:
        _check_array(obj, "as_variable")
    v = _new_variable(obj)
    v._requires_grad = False
    return v


def as_array(obj: Any) -> Any:
    """The array of a Variable, or ``obj`` itself if it is already an array."""
    return obj._data if isinstance(obj, Variable) else obj


from kusari.parameter import Parameter  # noqa: E402  (a Variable subclass: needs Variable)

# The operators' implementations (kusari.functions.math.basic_math) need FunctionNode,
# which needs this module: kusari.function_node fills this in at the end of its import.
_bm: Any = None
