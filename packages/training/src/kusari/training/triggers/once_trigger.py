"""``OnceTrigger``: fire at the first call only."""

from __future__ import annotations

from typing import Any

__all__ = ["OnceTrigger"]


class OnceTrigger:
    """Fires once, at its first call; with ``call_on_resume`` also once after a resume.

    Args:
        call_on_resume: Fire again at the first call after loading a snapshot.

    Example:
        >>> t = OnceTrigger()
        >>> t(None), t(None), t.finished
        (True, False, True)
    """

    def __init__(self, call_on_resume: bool = False) -> None:
        self._flag_first = True
        self._flag_resumed = bool(call_on_resume)

    @property
    def finished(self) -> bool:
        """True once it has fired (and will not fire again)."""
        return not (self._flag_first or self._flag_resumed)

    def __call__(self, trainer: Any) -> bool:
        """True on the first call."""
        fire = not self.finished
        self._flag_first = False
        self._flag_resumed = False
        return fire

    def serialize(self, serializer: Any) -> None:
        """Save or load whether it has fired."""
        self._flag_first = bool(serializer("_flag_first", self._flag_first))
