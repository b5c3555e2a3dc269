"""VGG16 and VGG19 (Simonyan & Zisserman, 2014) with named intermediate layers."""

from __future__ import annotations

from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.links.connection.convolution_2d import Convolution2D
from kusari.links.connection.linear import Linear
from kusari.links.model.vision._common import LayerPicker, find_pretrained, prepare
from kusari.serializers import load_npz

__all__ = ["VGGLayers", "VGG16Layers", "VGG19Layers", "prepare"]

_CONVS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_WIDTHS = (64, 128, 256, 512, 512)


def _max_pool(x: Any) -> Any:
    return F.max_pooling_2d(x, ksize=2)


def _softmax(x: Any) -> Any:
    return F.softmax(x, axis=1)


class VGGLayers(LayerPicker):
    """VGG network whose ``forward`` returns the outputs of the layers you name.

    Layers: ``conv1_1`` ... ``conv5_3`` (``conv5_4`` for VGG19; each followed by ReLU),
    ``pool1`` ... ``pool5``, ``fc6``, ``fc7`` (ReLU and dropout), ``fc8`` and ``prob``
    (softmax). Parameter names and shapes are Chainer's, so NPZ files written by
    Chainer's ``VGG16Layers`` load as they are. ``fc6``'s input size is inferred from
    the first input (25088 for 224x224 images, as in the original), so smaller images
    work too.

    Args:
        pretrained_model: ``'auto'`` loads ``VGG_ILSVRC_{16,19}_layers.npz`` from
            ``<dataset root>/pfnet/chainer/models`` (an error says where to put it if it
            is missing); a path loads that NPZ; None initializes randomly
            (Normal(0.01) weights, zero biases).
        n_layers: 16 or 19.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> model = L.VGG16Layers(pretrained_model=None)
        >>> out = model(np.zeros((1, 3, 32, 32), np.float32), layers=["pool5", "prob"])
        >>> out["pool5"].shape, out["prob"].shape
        ((1, 512, 1, 1), (1, 1000))
    """

    default_extract_layers = ("fc7",)

    def __init__(self, pretrained_model: str | None = "auto", n_layers: int = 16) -> None:
        super().__init__()
        if n_layers not in _CONVS:
            raise ValueError(f"VGGLayers: n_layers must be 16 or 19; got {n_layers!r}")
        self.n_layers = n_layers
        if pretrained_model:
            # Every value is overwritten by the file: skip drawing random numbers.
            w_init: Any = initializers.Zero()
        else:
            w_init = initializers.Normal(0.01)
        b_init = initializers.Zero()
        self._conv_names: list[list[str]] = []
        with self.init_scope():
            in_ch = 3
            for block, (n_conv, width) in enumerate(zip(_CONVS[n_layers], _WIDTHS), start=1):
                names = []
                for i in range(1, n_conv + 1):
                    name = f"conv{block}_{i}"
                    setattr(
                        self,
                        name,
                        Convolution2D(in_ch, width, 3, 1, 1, initialW=w_init, initial_bias=b_init),
                    )
                    names.append(name)
                    in_ch = width
                self._conv_names.append(names)
            self.fc6 = Linear(None, 4096, initialW=w_init, initial_bias=b_init)
            self.fc7 = Linear(4096, 4096, initialW=w_init, initial_bias=b_init)
            self.fc8 = Linear(4096, 1000, initialW=w_init, initial_bias=b_init)
        if pretrained_model == "auto":
            original = (
                f"VGG_ILSVRC_{n_layers}_layers.caffemodel from "
                "http://www.robots.ox.ac.uk/~vgg/research/very_deep/"
            )
            name = f"VGG_ILSVRC_{n_layers}_layers.npz"
            load_npz(find_pretrained(type(self).__name__, name, original), self)
        elif pretrained_model:
            load_npz(pretrained_model, self)

    @property
    def functions(self) -> dict[str, list[Any]]:
        stages: dict[str, list[Any]] = {}
        for block, names in enumerate(self._conv_names, start=1):
            for name in names:
                stages[name] = [getattr(self, name), F.relu]
            stages[f"pool{block}"] = [_max_pool]
        stages["fc6"] = [self.fc6, F.relu, F.dropout]
        stages["fc7"] = [self.fc7, F.relu, F.dropout]
        stages["fc8"] = [self.fc8]
        stages["prob"] = [_softmax]
        return stages


class VGG16Layers(VGGLayers):
    """VGG16 (13 convolutions, 3 fully connected layers); see :class:`VGGLayers`."""

    def __init__(self, pretrained_model: str | None = "auto") -> None:
        super().__init__(pretrained_model, 16)


class VGG19Layers(VGGLayers):
    """VGG19 (16 convolutions, 3 fully connected layers); see :class:`VGGLayers`."""

    def __init__(self, pretrained_model: str | None = "auto") -> None:
        super().__init__(pretrained_model, 19)
