"""Operations on all parameters of a link hierarchy, built on ``namedparams()``.

:class:`ParamOps` is a private base of :class:`~kusari.links.Link`; it keeps the
gradient and value utilities (``cleargrads``, ``copyparams``, ``count_params``, the
update switches) out of the registration machinery.
"""

from __future__ import annotations

import copy as _copy
import warnings
from typing import Any

from kusari.backend import copyto, is_array
from kusari.variable import Parameter

__all__ = ["ParamOps"]


class ParamOps:
    """Methods of :class:`~kusari.links.Link` that walk its parameters."""

    # Link supplies params(), namedparams(), namedlinks() and _persistent.

    # -- gradients and values -----------------------------------------------------------
    def cleargrads(self) -> None:
        """Set every parameter's gradient to None (call before each backward)."""
        for p in self.params():
            p.cleargrad()

    def zerograds(self) -> None:
        """Fill every gradient with zeros (deprecated: use :meth:`cleargrads`)."""
        warnings.warn(
            "Link.zerograds is deprecated; use Link.cleargrads", DeprecationWarning, stacklevel=2
        )
        for p in self.params():
            if p._data is None:
                continue
            g = p.grad
            if g is None:
                p.grad = p.xp.zeros_like(p._data)
            else:
                g.fill(0)

    def addgrads(self, link: Any) -> None:
        """Add the gradients of ``link`` (same structure, any device) into this link's."""
        src = dict(link.namedparams())
        for path, p in self.namedparams():
            p.addgrad(self._counterpart(src, path, "addgrads"))

    def copyparams(self, link: Any, copy_persistent: bool = True) -> None:
        """Copy parameter arrays (and persistent values) from ``link``, across devices."""
        src = dict(link.namedparams())
        for path, p in self.namedparams():
            other = self._counterpart(src, path, "copyparams").array
            if other is None:
                continue
            if p.array is None:
                p.initialize(other.shape)
            copyto(p.array, other)
        if copy_persistent:
            src_links = dict(link.namedlinks())
            for path, mine in self.namedlinks():
                theirs = src_links.get(path)
                if theirs is None:
                    continue
                d, s = mine.__dict__, theirs.__dict__
                for name in mine._persistent:
                    value = s.get(name)
                    if is_array(d[name]) and is_array(value) and d[name].shape == value.shape:
                        copyto(d[name], value)
                    else:
                        d[name] = _copy.deepcopy(value)

    def _counterpart(self, src: dict[str, Parameter], path: str, what: str) -> Parameter:
        try:
            return src[path]
        except KeyError:
            raise ValueError(
                f"{type(self).__name__}.{what}: the source link has no parameter {path!r}; "
                "both links must have the same structure"
            ) from None

    def count_params(self) -> int:
        """The number of scalars in all initialized parameters (warns about the others).

        Example:
            >>> import kusari.links as L
            >>> L.Linear(3, 2).count_params()
            8
        """
        total = 0
        for path, p in self.namedparams():
            if p._data is None:
                warnings.warn(
                    f"{type(self).__name__}.count_params: parameter {path!r} is not initialized "
                    "yet and is not counted",
                    stacklevel=2,
                )
                continue
            total += p._data.size
        return total

    # -- update switches ----------------------------------------------------------------
    def disable_update(self) -> None:
        """Disable the update rules (set by an optimizer's setup) of every parameter."""
        for p in self.params():
            if p.update_rule is not None:
                p.update_rule.enabled = False

    def enable_update(self) -> None:
        """Enable the update rules of every parameter."""
        for p in self.params():
            if p.update_rule is not None:
                p.update_rule.enabled = True

    @property
    def update_enabled(self) -> bool:
        """True when at least one parameter has an enabled update rule."""
        return any(p.update_rule is not None and p.update_rule.enabled for p in self.params())
