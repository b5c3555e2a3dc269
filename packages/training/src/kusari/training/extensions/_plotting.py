"""Lazy matplotlib access for the extensions that draw, and atomic PNG writes."""

from __future__ import annotations

import io
import warnings
from typing import Any

from kusari.serializers._atomic import write_atomically

__all__ = ["available", "new_figure", "save_png"]

_state: dict[str, Any] = {"checked": False, "ok": False, "warned": False}


def available(owner: str) -> bool:
    """Whether matplotlib can be imported; warns once (naming ``owner``) when not."""
    if not _state["checked"]:
        try:
            import matplotlib  # noqa: F401
            from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
        except ImportError:
            _state["ok"] = False
        else:
            _state["ok"] = True
        _state["checked"] = True
    if not _state["ok"] and not _state["warned"]:
        warnings.warn(
            f"{owner}: matplotlib is not installed, so no plot is drawn; help: pip install "
            "matplotlib",
            stacklevel=3,
        )
        _state["warned"] = True
    return _state["ok"]


def new_figure(**kwargs: Any) -> Any:
    """A Figure drawn by the Agg canvas: no pyplot, no GUI, no global backend switch."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def save_png(owner: str, fig: Any, path: str, **kwargs: Any) -> None:
    """Render ``fig`` to PNG and write it to ``path`` atomically."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", **kwargs)
    data = buf.getvalue()

    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:
            f.write(data)

    write_atomically(owner, path, write)
