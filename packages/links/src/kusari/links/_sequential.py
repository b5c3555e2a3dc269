"""``Sequential``: layers (links and plain callables) applied one after another."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kusari.links._chain import ChainList
from kusari.links._link import Link

__all__ = ["Sequential"]


class Sequential(ChainList):
    """Apply layers in order: ``Sequential(l1, F.relu, l2)(x) == l2(F.relu(l1(x)))``.

    Layers may be links (registered as children, so their parameters are trained and
    saved) or any callables such as ``F.relu``. A layer returning a tuple passes it to
    the next layer as separate arguments. Child links are numbered among the links only
    (``'0'``, ``'1'``, ...), Chainer's file layout.

    Args:
        layers: The layers, in order.

    Example:
        >>> import numpy as np, kusari.functions as F, kusari.links as L
        >>> from kusari.links import Sequential
        >>> net = Sequential(L.Linear(3, 4), F.relu, L.Linear(4, 2))
        >>> net(np.ones((1, 3), np.float32)).shape
        (1, 2)
        >>> [name for name, _ in net.namedparams()]
        ['/0/W', '/0/b', '/1/W', '/1/b']
    """

    def __init__(self, *layers: Link | Callable[..., Any]) -> None:
        super().__init__()
        self.__dict__["_layers"] = []
        for layer in layers:
            self.append(layer)

    def forward(self, *x: Any) -> Any:
        """Run the layers on ``x``."""
        layers = self._layers
        if not layers:
            raise RuntimeError("Sequential.forward: the Sequential has no layers")
        out: Any = x
        for layer in layers:
            out = layer(*out) if type(out) is tuple else layer(out)
        return out

    # -- list interface -----------------------------------------------------------------
    def _sync(self) -> None:
        """Rebuild the child-link list (and names) from the layer list."""
        children = [layer for layer in self._layers if isinstance(layer, Link)]
        for idx, link in enumerate(children):
            link.name = str(idx)
            if self._device is not None:
                link.to_device(self._device)
        self.__dict__["_children"] = children

    @staticmethod
    def _check_layer(layer: Any) -> None:
        if not callable(layer):
            raise TypeError(
                f"Sequential: a layer must be a Link or a callable, got {type(layer).__name__}"
            )

    def insert(self, index: int, layer: Link | Callable[..., Any]) -> None:
        """Insert ``layer`` before position ``index``."""
        self._check_layer(layer)
        self._layers.insert(index, layer)
        self._sync()

    def append(self, layer: Link | Callable[..., Any]) -> None:
        """Add ``layer`` at the end."""
        self._check_layer(layer)
        self._layers.append(layer)
        self._sync()

    add_link = append

    def extend(self, layers: Iterable[Link | Callable[..., Any]]) -> None:
        """Append every layer of ``layers``."""
        for layer in layers:
            self._check_layer(layer)
            self._layers.append(layer)
        self._sync()

    def pop(self, index: int = -1) -> Any:
        """Remove and return the layer at ``index``."""
        layer = self._layers.pop(index)
        self._sync()
        return layer

    def remove(self, layer: Any) -> None:
        """Remove the first occurrence of ``layer``."""
        self._layers.remove(layer)
        self._sync()

    def clear(self) -> None:
        """Remove every layer."""
        self._layers.clear()
        self._sync()

    def index(self, layer: Any) -> int:
        """The position of ``layer``."""
        return self._layers.index(layer)

    def count(self, layer: Any) -> int:
        """How many times ``layer`` occurs."""
        return self._layers.count(layer)

    def count_by_layer_type(self, type_name: str) -> int:
        """How many layers have a class (or function) named ``type_name``."""
        return sum(1 for layer in self._layers if _type_name(layer) == type_name)

    def remove_by_layer_type(self, type_name: str) -> None:
        """Remove every layer whose class (or function) is named ``type_name``."""
        self._layers[:] = [layer for layer in self._layers if _type_name(layer) != type_name]
        self._sync()

    def flatten(self) -> Sequential:
        """A new Sequential with nested Sequentials expanded in place."""
        ret = Sequential()
        for layer in self._layers:
            if isinstance(layer, Sequential):
                ret.extend(layer.flatten()._layers)
            else:
                ret.append(layer)
        return ret

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        return self._layers[index]

    def __setitem__(self, index: int, layer: Any) -> None:
        self._check_layer(layer)
        self._layers[index] = layer
        self._sync()

    def __delitem__(self, index: Any) -> None:
        del self._layers[index]
        self._sync()

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._layers))

    def __len__(self) -> int:
        return len(self._layers)

    def __contains__(self, layer: Any) -> bool:
        return layer in self._layers

    def __add__(self, other: Any) -> Sequential:
        if not isinstance(other, Sequential):
            return NotImplemented
        return Sequential(*self._layers, *other._layers)

    def __iadd__(self, other: Any) -> Sequential:
        if not isinstance(other, Sequential):
            return NotImplemented
        self.extend(other._layers)
        return self

    def copy(self, mode: str = "share") -> Sequential:
        ret = super().copy(mode)
        # Functions are shared; links come from the copied child list, in order.
        links = iter(ret._children)
        ret.__dict__["_layers"] = [
            next(links) if isinstance(layer, Link) else layer for layer in self._layers
        ]
        return ret

    def _repr_children(self) -> list[tuple[str, Any]]:
        return [(str(i), layer) for i, layer in enumerate(self._layers)]


def _type_name(layer: Any) -> str:
    if isinstance(layer, Link):
        return type(layer).__name__
    return getattr(layer, "__name__", type(layer).__name__)
