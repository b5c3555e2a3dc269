"""The serialization protocol and the value conversions every format shares.

An object takes part by defining ``serialize(serializer)``: it calls
``serializer(key, value)`` for each value it owns and ``child.serialize(serializer[name])``
for each child. The same method saves and loads: a :class:`Serializer` stores ``value``
and returns it; a :class:`Deserializer` returns the stored value (filling arrays in
place), so ``self.t = serializer('t', self.t)`` works both ways.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy

__all__ = ["AbstractSerializer", "Serializer", "Deserializer"]

#: What a deserializer's reader returns for a stored None.
NONE = object()

_variable_type: type | None = None


def _variable_class() -> type:
    global _variable_type
    if _variable_type is None:
        import kusari  # late: kusari/__init__ may import this package first

        _variable_type = kusari.Variable
    return _variable_type


class AbstractSerializer:
    """Base of serializers and deserializers: a position in the tree of saved values."""

    def __getitem__(self, key: str) -> AbstractSerializer:
        """The (de)serializer of the child named ``key``."""
        raise NotImplementedError

    def __call__(self, key: str, value: Any) -> Any:
        """Save or load the value named ``key``; see :class:`Serializer`/:class:`Deserializer`."""
        raise NotImplementedError


class Serializer(AbstractSerializer):
    """Base of serializers: ``serializer(key, value)`` stores ``value`` and returns it."""

    def save(self, obj: Any) -> None:
        """Save ``obj`` by calling ``obj.serialize(self)``."""
        _serialize(obj, self)


class Deserializer(AbstractSerializer):
    """Base of deserializers: ``deserializer(key, value)`` returns the stored value.

    Arrays (and Variables' arrays) are filled in place; a stored None gives None.
    """

    def load(self, obj: Any) -> None:
        """Load ``obj`` by calling ``obj.serialize(self)``."""
        _serialize(obj, self)


def _serialize(obj: Any, serializer: AbstractSerializer) -> None:
    method = getattr(obj, "serialize", None)
    if not callable(method):
        raise TypeError(
            f"{type(serializer).__name__}: expected an object with a serialize(serializer) "
            f"method (a Link, Optimizer, Trainer, iterator, ...), got {type(obj).__name__}"
        )
    method(serializer)


def child_path(path: str, key: str) -> str:
    """The path of child ``key`` under ``path`` (``'a/'`` + ``'/b/'`` → ``'a/b/'``)."""
    if not isinstance(key, str):
        raise TypeError(f"serializer[key]: key must be a str, got {type(key).__name__} {key!r}")
    return path + key.strip("/") + "/"


def value_key(path: str, key: str) -> str:
    """The full key of value ``key`` under ``path``."""
    if not isinstance(key, str):
        raise TypeError(f"serializer(key, value): key must be a str, got {type(key).__name__}")
    return path + key.lstrip("/")


def normalize_path(path: str) -> str:
    """``'updater/model:main'`` → ``'updater/model:main/'``; ``''`` stays ``''``."""
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, got {type(path).__name__} {path!r}")
    path = path.strip("/")
    return path + "/" if path else ""


def to_host_array(owner: str, key: str, value: Any) -> Any:
    """Turn a value given to ``serializer(key, value)`` into a NumPy array, or None."""
    if isinstance(value, numpy.ndarray):
        arr = value
    elif value is None:
        return None
    elif isinstance(value, _variable_class()):
        return to_host_array(owner, key, value.array)
    elif isinstance(value, (numbers.Number, numpy.generic, str, bytes, list, tuple)):
        arr = numpy.asarray(value)
    else:
        from kusari.backend import backend_of, is_array

        if not is_array(value):
            raise TypeError(
                f"{owner}: cannot serialize {key!r}: expected an array, a Variable, a scalar, "
                f"a str or None, got {type(value).__name__}"
            )
        arr = numpy.asarray(backend_of(value).to_host(value))
    if arr.dtype.hasobject:
        raise TypeError(
            f"{owner}: cannot serialize {key!r}: its value makes an object array "
            f"({type(value).__name__}); only numeric, bool and string values can be stored"
        )
    return arr


def _shape_dtype(a: Any) -> str:
    return f"shape {tuple(a.shape)} and dtype {a.dtype}"


def _copy_into(owner: str, key: str, where: str, target: Any, loaded: numpy.ndarray) -> None:
    if tuple(target.shape) != loaded.shape or not numpy.can_cast(
        loaded.dtype, target.dtype, "same_kind"
    ):
        raise ValueError(
            f"{owner}: cannot load {key!r} from {where}: the target has "
            f"{_shape_dtype(target)}, the file holds {_shape_dtype(loaded)}"
        )
    if isinstance(target, numpy.ndarray):
        numpy.copyto(target, loaded, casting="same_kind")
    else:  # a device array: cast on the host, then one transfer
        from kusari.backend import copyto

        copyto(target, loaded.astype(target.dtype, copy=False))


# Python scalar type -> dtype kinds it may be loaded from without losing meaning.
_SCALAR_KINDS = {bool: "b", int: "biu", float: "biuf", complex: "biufc", str: "US", bytes: "S"}


def _to_scalar(owner: str, key: str, where: str, value: Any, loaded: numpy.ndarray) -> Any:
    if isinstance(value, numpy.generic):
        convert: Any = type(value)
        ok = numpy.can_cast(loaded.dtype, value.dtype, "same_kind")
    else:  # bool comes before int in _SCALAR_KINDS, so True maps to bool
        convert = next((t for t in _SCALAR_KINDS if isinstance(value, t)), None)
        ok = convert is not None and loaded.dtype.kind in _SCALAR_KINDS[convert]
    if not ok or loaded.size != 1:
        raise TypeError(
            f"{owner}: cannot load {key!r} from {where} into a {type(value).__name__}: "
            f"the file holds {_shape_dtype(loaded)}"
        )
    item = loaded.reshape(())[()]
    if convert is str and isinstance(item, bytes):  # text saved as bytes (Python 2 era)
        return item.decode("utf-8")
    return convert(item)


def assign(owner: str, key: str, where: str, value: Any, loaded: Any) -> Any:
    """What ``deserializer(key, value)`` returns once ``loaded`` has been read.

    ``loaded`` is a NumPy array or :data:`NONE`. Arrays and Variables are filled in place
    (an uninitialized Parameter is initialized to the stored shape first); scalars are
    converted to ``value``'s type; ``value=None`` returns the stored array as is.
    """
    if loaded is NONE:
        return None
    if value is None:
        return loaded
    if isinstance(value, numpy.ndarray):
        _copy_into(owner, key, where, value, loaded)
        return value
    if isinstance(value, _variable_class()):
        if value.array is None:
            if hasattr(value, "initialize"):
                value.initialize(loaded.shape)
            else:
                value.array = loaded.copy()
                return value
        _copy_into(owner, key, where, value.array, loaded)
        return value
    if isinstance(value, (numbers.Number, numpy.generic, str, bytes)):
        return _to_scalar(owner, key, where, value, loaded)
    if isinstance(value, (list, tuple)):
        return type(value)(loaded.tolist())
    from kusari.backend import is_array

    if is_array(value):
        _copy_into(owner, key, where, value, loaded)
        return value
    raise TypeError(
        f"{owner}: cannot load {key!r} into a {type(value).__name__}; expected an array, "
        "a Variable, a scalar, a str or None"
    )


IgnoreNames = str | Callable[[str], bool] | Iterable[str | Callable[[str], bool]] | None


def normalize_ignore_names(owner: str, ignore_names: Any) -> tuple[Any, ...]:
    """Chainer's forms (a name, a callable, or a list of them) as a tuple."""
    if ignore_names is None:
        return ()
    if isinstance(ignore_names, str) or callable(ignore_names):
        ignore_names = (ignore_names,)
    try:
        names = tuple(ignore_names)
    except TypeError:
        names = (ignore_names,)
    for name in names:
        if not (isinstance(name, str) or callable(name)):
            raise TypeError(
                f"{owner}: ignore_names must be a name, a callable taking a key, or a list "
                f"of them; got an item of type {type(name).__name__}"
            )
    return names


def is_ignored(names: tuple[Any, ...], key: str) -> bool:
    """Whether the full key ``key`` matches one of the normalized ``ignore_names``."""
    return any(name == key if isinstance(name, str) else name(key) for name in names)
