"""``Chain`` (named child links) and ``ChainList`` (numbered child links)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kusari.links._link import Link
from kusari.variable import Parameter

__all__ = ["Chain", "ChainList"]


class Chain(Link):
    """A link holding named child links, the usual base class of models.

    Children are registered by assignment inside ``with self.init_scope():`` or, in
    Chainer v1 style, as keyword arguments of the constructor. Parameter paths join
    names with ``/`` (``/l1/W``), which is also the layout of saved files.

    Args:
        links: (Chainer v1) child links by name, registered as by :meth:`add_link`.

    Example:
        >>> import kusari, kusari.links as L
        >>> class MLP(kusari.Chain):
        ...     def __init__(self):
        ...         super().__init__(l1=L.Linear(4, 3), l2=L.Linear(3, 2))
        ...
        ...     def forward(self, x):
        ...         return self.l2(self.l1(x))
        >>> sorted(name for name, _ in MLP().namedparams())
        ['/l1/W', '/l1/b', '/l2/W', '/l2/b']
    """

    _children: list[str] | tuple[()] = ()

    def __init__(self, **links: Link) -> None:
        super().__init__()
        self.__dict__["_children"] = []
        for name, link in links.items():
            self.add_link(name, link)

    def __getitem__(self, name: str) -> Any:
        """``chain['l1']`` is ``chain.l1``."""
        return getattr(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Link):
            if name not in self._children:
                if not self._within_init_scope:
                    # Outside init_scope a link stays a plain attribute (Chainer's rule),
                    # which models use to hold a frozen teacher or a shared module.
                    object.__setattr__(self, name, value)
                    return
                if name in self._params:
                    self._params.remove(name)
                self._forget(name)
                self._children.append(name)
            value.name = name
            if self._device is not None:
                value.to_device(self._device)
            object.__setattr__(self, name, value)
            return
        if name in self._children and not isinstance(value, Parameter):
            raise TypeError(
                f"{type(self).__name__}.{name} is a registered child link; expected a Link, "
                f"got {type(value).__name__}\nhelp: `del chain.{name}` first to unregister it"
            )
        super().__setattr__(name, value)

    def _forget(self, name: str) -> None:
        super()._forget(name)
        if name in self._children:
            self._children.remove(name)

    def add_link(self, name: str, link: Link) -> None:
        """Register ``link`` as the child ``name`` (older API; prefer ``init_scope``)."""
        if name in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}.add_link: cannot register a new link {name!r}: "
                "the attribute exists"
            )
        if not isinstance(link, Link):
            raise TypeError(
                f"{type(self).__name__}.add_link: expected a Link for {name!r}, got "
                f"{type(link).__name__}"
            )
        with self.init_scope():
            setattr(self, name, link)

    # -- traversal ----------------------------------------------------------------------
    def params(self, include_uninit: bool = True) -> Iterator[Parameter]:
        yield from Link.params(self, include_uninit)
        d = self.__dict__
        for name in self._children:
            yield from d[name].params(include_uninit)

    def namedparams(self, include_uninit: bool = True) -> Iterator[tuple[str, Parameter]]:
        yield from Link.namedparams(self, include_uninit)
        d = self.__dict__
        for name in self._children:
            prefix = "/" + name
            for path, p in d[name].namedparams(include_uninit):
                yield prefix + path, p

    def links(self, skipself: bool = False) -> Iterator[Link]:
        if not skipself:
            yield self
        d = self.__dict__
        for name in self._children:
            yield from d[name].links()

    def namedlinks(self, skipself: bool = False) -> Iterator[tuple[str, Link]]:
        if not skipself:
            yield "/", self
        d = self.__dict__
        for name in self._children:
            child = d[name]
            prefix = "/" + name
            yield prefix, child
            for path, link in child.namedlinks(skipself=True):
                yield prefix + path, link

    def children(self) -> Iterator[Link]:
        """Yield the child links in registration order."""
        d = self.__dict__
        for name in list(self._children):
            yield d[name]

    def copy(self, mode: str = "share") -> Chain:
        ret = super().copy(mode)
        if mode == "share":
            rd = ret.__dict__
            rd["_children"] = list(self._children)
            for name in self._children:
                child = rd[name].copy("share")
                child.name = name
                rd[name] = child
        return ret

    def serialize(self, serializer: Any) -> None:
        super().serialize(serializer)
        d = self.__dict__
        for name in self._children:
            d[name].serialize(serializer[name])

    def _repr_children(self) -> list[tuple[str, Any]]:
        d = self.__dict__
        return [(name, d[name]) for name in self._children]


class ChainList(Link):
    """A link holding a list of child links, named ``'0'``, ``'1'``, ...

    Args:
        links: The initial child links, in order.

    Example:
        >>> import kusari, kusari.links as L
        >>> net = kusari.ChainList(L.Linear(4, 3), L.Linear(3, 2))
        >>> len(net), [name for name, _ in net.namedparams()]
        (2, ['/0/W', '/0/b', '/1/W', '/1/b'])
    """

    _children: list[Link] | tuple[()] = ()

    def __init__(self, *links: Link) -> None:
        super().__init__()
        self.__dict__["_children"] = []
        for link in links:
            self.add_link(link)

    def __setattr__(self, name: str, value: Any) -> None:
        if self._within_init_scope and isinstance(value, Link):
            raise TypeError(
                f"{type(self).__name__}: a ChainList cannot register the link {name!r} by "
                "attribute assignment\nhelp: use add_link(link) or append(link)"
            )
        super().__setattr__(name, value)

    def __getitem__(self, index: Any) -> Any:
        """The child at ``index`` (a list for a slice)."""
        return self._children[index]

    def __iter__(self) -> Iterator[Link]:
        return iter(self._children)

    def __len__(self) -> int:
        return len(self._children)

    def add_link(self, link: Link) -> None:
        """Append ``link`` as the next child (named by its index)."""
        if not isinstance(link, Link):
            raise TypeError(
                f"{type(self).__name__}.add_link: expected a Link, got {type(link).__name__}"
            )
        link.name = str(len(self._children))
        if self._device is not None:
            link.to_device(self._device)
        self._children.append(link)

    def append(self, link: Link) -> None:
        """Same as :meth:`add_link`."""
        self.add_link(link)

    # -- traversal ----------------------------------------------------------------------
    def params(self, include_uninit: bool = True) -> Iterator[Parameter]:
        yield from Link.params(self, include_uninit)
        for child in self._children:
            yield from child.params(include_uninit)

    def namedparams(self, include_uninit: bool = True) -> Iterator[tuple[str, Parameter]]:
        yield from Link.namedparams(self, include_uninit)
        for idx, child in enumerate(self._children):
            prefix = f"/{idx}"
            for path, p in child.namedparams(include_uninit):
                yield prefix + path, p

    def links(self, skipself: bool = False) -> Iterator[Link]:
        if not skipself:
            yield self
        for child in self._children:
            yield from child.links()

    def namedlinks(self, skipself: bool = False) -> Iterator[tuple[str, Link]]:
        if not skipself:
            yield "/", self
        for idx, child in enumerate(self._children):
            prefix = f"/{idx}"
            yield prefix, child
            for path, link in child.namedlinks(skipself=True):
                yield prefix + path, link

    def children(self) -> Iterator[Link]:
        """Yield the child links in order."""
        yield from list(self._children)

    def copy(self, mode: str = "share") -> ChainList:
        ret = super().copy(mode)
        if mode == "share":
            children = []
            for idx, child in enumerate(self._children):
                c = child.copy("share")
                c.name = str(idx)
                children.append(c)
            ret.__dict__["_children"] = children
        return ret

    def serialize(self, serializer: Any) -> None:
        super().serialize(serializer)
        for idx, child in enumerate(self._children):
            child.serialize(serializer[str(idx)])

    def _repr_children(self) -> list[tuple[str, Any]]:
        return [(str(i), c) for i, c in enumerate(self._children)]
