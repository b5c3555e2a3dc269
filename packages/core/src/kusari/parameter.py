"""``Parameter``: the Variable a Link owns and an optimizer updates."""

from __future__ import annotations

from typing import Any

import numpy

from kusari.backends import _registry
from kusari.variable import Variable

__all__ = ["Parameter"]

_ndarray = numpy.ndarray


class Parameter(Variable):
    """A Variable that a Link owns and an optimizer updates.

    Args:
        initializer: An array, a scalar, an :class:`~kusari.initializers.Initializer` or
            None (NaN-filled data when ``shape`` is given, else uninitialized).
        shape: The shape to initialize now; without it the parameter stays uninitialized
            until :meth:`initialize` (lazy shapes such as ``L.Linear(None, 100)``).
        name: The parameter's name (the attribute name inside a Link).

    Example:
        >>> from kusari import Parameter, initializers
        >>> p = Parameter(initializers.Constant(2.0), (2,))
        >>> p.array
        array([2., 2.], dtype=float32)
    """

    __slots__ = ("initializer", "update_rule", "_initial_device")

    def __init__(self, initializer: Any = None, shape: Any = None, name: str | None = None) -> None:
        self.update_rule = None
        self._initial_device = None
        if initializer is None:
            from kusari.initializers import NaN

            initializer = NaN()
        elif isinstance(initializer, (int, float)) and not isinstance(initializer, bool):
            from kusari.initializers import Constant

            initializer = Constant(initializer)
        if isinstance(initializer, _ndarray) or (
            not callable(initializer) and _registry.backend_of_type(type(initializer)) is not None
        ):
            super().__init__(initializer, name=name)
            self.initializer = initializer
            return
        self.initializer = initializer
        super().__init__(None, name=name)
        if shape is not None:
            self.initialize(shape)

    @property
    def is_initialized(self) -> bool:
        return self._data is not None

    def initialize(self, shape: Any) -> None:
        """Allocate and fill the array with the initializer (on the link's device)."""
        from kusari import initializers

        device = self._initial_device
        xp = numpy if device is None else device.xp
        data = initializers.generate_array(self.initializer, shape, xp, device=device)
        if device is not None:
            data = device.send(data)  # a backend whose xp is NumPy still owns its arrays
        self._data = data
        node = self._node
        if node is not None:
            node.grad_var = None
            node.shape = data.shape
            node.dtype = data.dtype

    def to_device(self, device: Any) -> Parameter:
        from kusari.backend import get_device

        dev = get_device(device)
        self._initial_device = None if dev.name == "@numpy" else dev
        super().to_device(dev)
        return self

    def update(self) -> None:
        """Run the parameter's update rule (set by an optimizer's ``setup``)."""
        if self.update_rule is not None:
            self.update_rule.update(self)

    def __reduce__(self):
        # copy.deepcopy and pickle: data, gradient, name, initializer and rule; no graph.
        return (
            _rebuild_parameter,
            (self._data, self.grad, self.name, self.initializer, self.update_rule),
        )


def _rebuild_parameter(data: Any, grad: Any, name: Any, initializer: Any, rule: Any) -> Parameter:
    p = Parameter(data if data is not None else initializer, name=name)
    p.initializer = initializer
    if grad is not None:
        p.grad = grad
    p.update_rule = rule
    return p
