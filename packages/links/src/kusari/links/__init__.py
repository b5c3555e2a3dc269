"""``kusari.links`` (imported as ``L``): Link, Chain, ChainList, Sequential and layers.

Example:
    >>> import numpy as np
    >>> import kusari.links as L
    >>> layer = L.Linear(3, 2)
    >>> layer(np.ones((4, 3), np.float32)).shape
    (4, 2)
"""

# kusari-core may be missing even though the `kusari` namespace directory exists
# (uninstalling core leaves it behind), so check for a real core module first.
try:
    import kusari._version  # noqa: F401
except ImportError:  # pragma: no cover - exercised by the packaging test in a subprocess
    raise ImportError(
        "kusari-links needs kusari-core, which is not installed: pip install kusari-core"
    ) from None

from kusari.links import activation, connection, model, normalization  # noqa: E402
from kusari.links._chain import Chain, ChainList  # noqa: E402
from kusari.links._link import Link  # noqa: E402
from kusari.links._sequential import Sequential  # noqa: E402
from kusari.links._version import __version__  # noqa: E402
from kusari.links.activation import *  # noqa: E402, F403
from kusari.links.connection import *  # noqa: E402, F403
from kusari.links.model import *  # noqa: E402, F403
from kusari.links.normalization import *  # noqa: E402, F403

__all__ = [
    "__version__",
    "Link",
    "Chain",
    "ChainList",
    "Sequential",
    *activation.__all__,
    *connection.__all__,
    *normalization.__all__,
    *model.__all__,
]
