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

from kusari.links._chain import Chain, ChainList
from kusari.links._link import Link
from kusari.links._sequential import Sequential
from kusari.links._version import __version__
from kusari.links.activation import Maxout, PReLU
from kusari.links.connection import (
    GRU,
    LSTM,
    Bias,
    Convolution2D,
    Deconvolution2D,
    DilatedConvolution2D,
    EmbedID,
    Highway,
    Linear,
    NStepBiGRU,
    NStepBiLSTM,
    NStepBiRNNReLU,
    NStepBiRNNTanh,
    NStepGRU,
    NStepLSTM,
    NStepRNNReLU,
    NStepRNNTanh,
    Scale,
    StatefulGRU,
    StatelessGRU,
    StatelessLSTM,
)
from kusari.links.model import (
    Classifier,
    ResNet50Layers,
    ResNet101Layers,
    ResNet152Layers,
    VGG16Layers,
    VGG19Layers,
)
from kusari.links.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
)

__all__ = [
    "__version__",
    # containers
    "Link",
    "Chain",
    "ChainList",
    "Sequential",
    # connection
    "Bias",
    "Convolution2D",
    "Deconvolution2D",
    "DilatedConvolution2D",
    "EmbedID",
    "GRU",
    "Highway",
    "LSTM",
    "Linear",
    "NStepBiGRU",
    "NStepBiLSTM",
    "NStepBiRNNReLU",
    "NStepBiRNNTanh",
    "NStepGRU",
    "NStepLSTM",
    "NStepRNNReLU",
    "NStepRNNTanh",
    "Scale",
    "StatefulGRU",
    "StatelessGRU",
    "StatelessLSTM",
    # activation
    "Maxout",
    "PReLU",
    # normalization
    "BatchNormalization",
    "GroupNormalization",
    "LayerNormalization",
    # models
    "Classifier",
    "ResNet50Layers",
    "ResNet101Layers",
    "ResNet152Layers",
    "VGG16Layers",
    "VGG19Layers",
]
