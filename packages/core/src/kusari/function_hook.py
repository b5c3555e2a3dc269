"""``FunctionHook``: code called around every function's forward and backward."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kusari.function_node import FunctionNode

__all__ = ["FunctionHook"]

_hooks: dict[str, Any] = {}  # active hooks by name; empty → one dict test per op


class FunctionHook:
    """Base class of function hooks (called around every forward/backward while active).

    Use as a context manager (``with MyHook(): ...``) or ``hook.add()``/``hook.delete()``.
    """

    name = "FunctionHook"

    def __enter__(self) -> FunctionHook:
        self.add()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.delete()

    def add(self) -> None:
        if self.name in _hooks:
            raise KeyError(f"function hook {self.name!r} already exists")
        _hooks[self.name] = self

    def delete(self) -> None:
        _hooks.pop(self.name, None)

    def forward_preprocess(self, function: FunctionNode, in_data: tuple[Any, ...]) -> None: ...
    def forward_postprocess(self, function: FunctionNode, in_data: tuple[Any, ...]) -> None: ...
    def backward_preprocess(self, function: FunctionNode, in_data: Any, out_grad: Any) -> None: ...
    def backward_postprocess(self, function: FunctionNode, in_data: Any, out_grad: Any) -> None: ...
