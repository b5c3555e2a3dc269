"""``Link``: a callable that owns Parameters and persistent values.

Parameters are registered by assigning :class:`~kusari.Parameter` objects inside
``with self.init_scope():`` (or through the older :meth:`Link.add_param`); persistent
values (running statistics, counters) through :meth:`Link.add_persistent` and
:meth:`Link.register_persistent`. Registered names are kept in plain lists, so the
per-step walks optimizers make (:meth:`Link.params`, :meth:`Link.namedparams`) are
generators over precomputed names.
"""

from __future__ import annotations

import contextlib
import copy as _copy
from collections.abc import Iterator
from typing import Any

import numpy

from kusari import initializers
from kusari.backend import Device, copyto, get_device, is_array
from kusari.links._link_ops import ParamOps
from kusari.variable import Parameter

__all__ = ["Link"]

_NUMPY_DEVICE: Device | None = None


def _numpy_device() -> Device:
    global _NUMPY_DEVICE
    if _NUMPY_DEVICE is None:
        _NUMPY_DEVICE = get_device("@numpy")
    return _NUMPY_DEVICE


def _is_shape(value: Any) -> bool:
    if value is None or isinstance(value, (int, numpy.integer)):
        return True
    return isinstance(value, (tuple, list)) and all(
        isinstance(v, (int, numpy.integer)) for v in value
    )


def _share_param(param: Parameter) -> Parameter:
    """A new Parameter object sharing ``param``'s array (no gradient)."""
    data = param.array
    new = Parameter(data if data is not None else param.initializer, name=param.name)
    new.initializer = param.initializer
    new.update_rule = param.update_rule
    new._initial_device = param._initial_device
    return new


class Link(ParamOps):
    """Building block of models: a callable owning Parameters and persistent values.

    Subclasses register Parameters by assigning them inside ``with self.init_scope():``
    and implement :meth:`forward`; calling the link calls ``forward``.

    Args:
        params: (Chainer v1) parameter names mapped to a shape or ``(shape, dtype)``;
            each becomes an uninitialized-by-NaN Parameter through :meth:`add_param`.

    Attributes:
        name: The link's name in its parent (set on registration), or None.

    Example:
        >>> import numpy as np, kusari
        >>> class Scale(kusari.Link):
        ...     def __init__(self):
        ...         super().__init__()
        ...         with self.init_scope():
        ...             self.w = kusari.Parameter(np.full(2, 3.0, np.float32))
        ...
        ...     def forward(self, x):
        ...         return x * self.w
        >>> Scale()(np.ones(2, np.float32)).array
        array([3., 3.], dtype=float32)
    """

    # Class-level defaults make attribute assignment safe before ``__init__`` ran
    # (subclasses sometimes set plain attributes before calling ``super().__init__()``).
    _within_init_scope = False
    _params: list[str] | tuple[()] = ()
    _persistent: list[str] | tuple[()] = ()
    _device: Device | None = None
    name: str | None = None

    def __init__(self, **params: Any) -> None:
        d = self.__dict__
        d["_params"] = []
        d["_persistent"] = []
        d["_device"] = None
        d["_within_init_scope"] = False
        d["name"] = None
        for pname, value in params.items():
            shape, dtype = (value, numpy.float32) if _is_shape(value) else value
            self.add_param(pname, shape, dtype=dtype)

    # -- calling ------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # The hot path (every layer of every step): a plain delegation, nothing else.
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the link's output; subclasses implement this (or ``__call__``)."""
        raise NotImplementedError(
            f"{type(self).__name__}: forward is not implemented; define "
            "forward(self, x) (or __call__) in the subclass"
        )

    # -- registration -------------------------------------------------------------------
    @property
    def within_init_scope(self) -> bool:
        """Whether attribute assignment currently registers Parameters (and links)."""
        return self._within_init_scope

    @contextlib.contextmanager
    def init_scope(self) -> Iterator[None]:
        """Inside this block, assigning a Parameter (or a Link, in a Chain) registers it.

        Example:
            >>> import kusari
            >>> link = kusari.Link()
            >>> with link.init_scope():
            ...     link.W = kusari.Parameter(0.0, (2, 3))
            >>> [name for name, _ in link.namedparams()]
            ['/W']
        """
        d = self.__dict__
        if not isinstance(d.get("_params"), list):
            raise RuntimeError(
                f"{type(self).__name__}.init_scope: the Link was not initialized; call "
                "super().__init__() at the start of __init__"
            )
        old = d["_within_init_scope"]
        d["_within_init_scope"] = True
        try:
            yield
        finally:
            d["_within_init_scope"] = old

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Parameter):
            self._set_param(name, value)
        elif name in self._params:
            raise TypeError(
                f"{type(self).__name__}.{name} is a registered parameter; expected a "
                f"kusari.Parameter, got {type(value).__name__}\nhelp: assign to "
                f"{type(self).__name__}.{name}.array to change its values, or "
                f"`del link.{name}` first"
            )
        object.__setattr__(self, name, value)

    def _set_param(self, name: str, param: Parameter) -> None:
        if name not in self._params:
            if not self._within_init_scope:
                raise ValueError(
                    f"{type(self).__name__}: cannot assign the Parameter {name!r} outside "
                    "`with self.init_scope():`; it would not be registered, so optimizers "
                    "and serializers would not see it\nhelp: assign it inside "
                    "`with self.init_scope():`"
                )
            self._forget(name)
            self._params.append(name)
        param.name = name
        if self._device is not None:
            param.to_device(self._device)

    def _forget(self, name: str) -> None:
        """Drop ``name`` from every registry (it is about to be re-registered)."""
        if name in self._persistent:
            self._persistent.remove(name)

    def __delattr__(self, name: str) -> None:
        if name in self._params:
            self._params.remove(name)
        self._forget(name)
        object.__delattr__(self, name)

    def add_param(
        self, name: str, shape: Any = None, dtype: Any = numpy.float32, initializer: Any = None
    ) -> None:
        """Register a new Parameter (older API; prefer assignment in ``init_scope``).

        Args:
            name: The attribute name.
            shape: The shape; None leaves the parameter uninitialized.
            dtype: The dtype when ``initializer`` is None (the array is NaN-filled).
            initializer: An initializer, scalar or array; its dtype wins over ``dtype``.
        """
        if name in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}.add_param: cannot register a new parameter "
                f"{name!r}: the attribute exists"
            )
        if initializer is None:
            initializer = initializers.NaN(dtype)
        param = Parameter(initializer, shape)
        with self.init_scope():
            setattr(self, name, param)

    def add_persistent(self, name: str, value: Any) -> None:
        """Register a new persistent value (saved and loaded, not optimized).

        Example:
            >>> import kusari
            >>> link = kusari.Link()
            >>> link.add_persistent("count", 0)
            >>> link.count
            0
        """
        if name in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}.add_persistent: cannot register a new persistent "
                f"value {name!r}: the attribute exists"
            )
        self.__dict__[name] = value
        self._persistent.append(name)

    def register_persistent(self, name: str) -> None:
        """Mark the existing attribute ``name`` as persistent (a parameter is demoted)."""
        if not hasattr(self, name):
            raise AttributeError(
                f"{type(self).__name__}.register_persistent: no attribute {name!r} to register"
            )
        if name in self._params:
            self._params.remove(name)
        if name not in self._persistent:
            self._persistent.append(name)

    # -- traversal ----------------------------------------------------------------------
    def params(self, include_uninit: bool = True) -> Iterator[Parameter]:
        """Yield every Parameter in the hierarchy (own first, then children's)."""
        d = self.__dict__
        for name in self._params:
            p = d[name]
            if include_uninit or p._data is not None:
                yield p

    def namedparams(self, include_uninit: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Yield ``('/path/name', Parameter)`` for every Parameter in the hierarchy."""
        d = self.__dict__
        for name in self._params:
            p = d[name]
            if include_uninit or p._data is not None:
                yield "/" + name, p

    def links(self, skipself: bool = False) -> Iterator[Link]:
        """Yield this link (unless ``skipself``) and every link below it."""
        if not skipself:
            yield self

    def namedlinks(self, skipself: bool = False) -> Iterator[tuple[str, Link]]:
        """Yield ``(path, link)`` pairs; this link's path is ``'/'``."""
        if not skipself:
            yield "/", self

    def children(self) -> Iterator[Link]:
        """Yield the direct child links (none for a plain Link)."""
        return iter(())

    # -- serialization ------------------------------------------------------------------
    def serialize(self, serializer: Any) -> None:
        """Save or load parameters and persistents (children via ``serializer[name]``)."""
        d = self.__dict__
        for name in self._params:
            p = d[name]
            data = serializer(name, p._data)
            if p._data is None and data is not None:
                # Loading into a lazily shaped parameter: the file decides its shape.
                p.initialize(data.shape)
                copyto(p._data, numpy.asarray(data) if not is_array(data) else data)
        for name in self._persistent:
            d[name] = serializer(name, d[name])

    # -- copies -------------------------------------------------------------------------
    def copy(self, mode: str = "share") -> Link:
        """Copy the hierarchy.

        Args:
            mode: ``'share'`` (new link objects sharing the parameter arrays),
                ``'copy'`` (deep copy: same values, independent arrays) or ``'init'``
                (deep copy, then every initialized parameter re-drawn from its
                initializer).

        Returns:
            The copy; its ``name`` is None.
        """
        if mode == "share":
            ret = _copy.copy(self)
            rd = ret.__dict__
            rd["_params"] = list(self._params)
            rd["_persistent"] = list(self._persistent)
            rd["name"] = None
            for name in self._params:
                rd[name] = _share_param(rd[name])
            return ret
        if mode == "copy":
            ret = _copy.deepcopy(self)
        elif mode == "init":
            ret = _copy.deepcopy(self)
            for p in ret.params(include_uninit=False):
                if callable(p.initializer):  # a Parameter made from an array keeps it
                    p.initialize(p.shape)
        else:
            raise ValueError(
                f"{type(self).__name__}.copy: mode must be 'share', 'copy' or 'init'; got {mode!r}"
            )
        ret.__dict__["name"] = None
        return ret

    def __deepcopy__(self, memo: dict[int, Any]) -> Link:
        cls = type(self)
        new = cls.__new__(cls)
        memo[id(self)] = new
        nd = new.__dict__
        for key, value in self.__dict__.items():
            # Devices hold backend modules, which cannot (and need not) be copied.
            nd[key] = value if key == "_device" else _copy.deepcopy(value, memo)
        sd = self.__dict__
        for name in self._params:
            p = nd[name]
            p._initial_device = self._device
            # Parameter's pickling keeps only the array once initialized; bring the
            # initializer along so copy(mode='init') can draw fresh values.
            p.initializer = _copy.deepcopy(sd[name].initializer, memo)
        return new

    def repeat(self, n_repeat: int, mode: str = "init") -> Any:
        """A :class:`~kusari.links.Sequential` of ``n_repeat`` copies (see :meth:`copy`).

        Example:
            >>> import kusari.links as L
            >>> len(L.Linear(3, 3).repeat(4))
            4
        """
        from kusari.links._sequential import Sequential

        if mode not in ("init", "copy", "share"):
            raise ValueError(
                f"{type(self).__name__}.repeat: mode must be 'init', 'copy' or 'share'; "
                f"got {mode!r}"
            )
        ret = Sequential()
        for _ in range(max(int(n_repeat), 0)):
            ret.append(self.copy(mode))
        return ret

    # -- devices ------------------------------------------------------------------------
    @property
    def device(self) -> Device:
        """The device holding this link's arrays."""
        return self._device if self._device is not None else _numpy_device()

    @property
    def xp(self) -> Any:
        """The array module of this link's device (``numpy`` on the host)."""
        return numpy if self._device is None else self._device.xp

    def to_device(self, device: Any) -> Link:
        """Move parameters and persistent arrays (of the whole hierarchy) to ``device``.

        Parameters still waiting for their shape are created there later.

        Returns:
            self
        """
        dev = get_device(device)
        for link in self.links():
            link._to_device_own(dev)
        return self

    def _to_device_own(self, dev: Device) -> None:
        d = self.__dict__
        for name in self._params:
            d[name].to_device(dev)
        for name in self._persistent:
            value = d[name]
            if is_array(value):
                d[name] = dev.send(value)
        d["_device"] = None if dev.name == "@numpy" else dev

    def to_cpu(self) -> Link:
        """Move everything to the host (NumPy); returns self."""
        return self.to_device("@numpy")

    def to_gpu(self, device: Any = None) -> Link:
        """Move everything to a CUDA device (needs kusari-backend-cuda); returns self."""
        from kusari.backends import cuda

        return self.to_device(cuda._device_spec(device))

    # -- repr ---------------------------------------------------------------------------
    @property
    def printable_specs(self) -> Iterator[tuple[str, Any]]:
        """``(name, value)`` pairs shown in the repr (layers list their sizes)."""
        return iter(())

    def _repr_head(self) -> str:
        specs = ", ".join(f"{k}={v!r}" for k, v in self.printable_specs)
        return f"{type(self).__name__}({specs})"

    def _repr_children(self) -> list[tuple[str, Any]]:
        return []

    def _repr_lines(self) -> list[str]:
        items = self._repr_children()
        if not items:
            return [self._repr_head()]
        lines = [type(self).__name__ + "("]
        for key, child in items:
            sub = child._repr_lines() if isinstance(child, Link) else [_callable_name(child)]
            sub[0] = f"({key}): " + sub[0]
            sub[-1] += ","
            lines.extend("  " + s for s in sub)
        lines.append(")")
        return lines

    def __repr__(self) -> str:
        lines = self._repr_lines()
        # The root shows where the class lives (kusari.links.connection.linear.Linear).
        module = type(self).__module__
        if module and module != "builtins":
            lines[0] = f"{module}.{lines[0]}"
        return "\n".join(lines)


def _callable_name(f: Any) -> str:
    name = getattr(f, "__name__", None)
    return f"<function {name}>" if isinstance(name, str) else repr(f)
