"""ResNet-50/101/152 (He et al., 2016) with named intermediate layers."""

from __future__ import annotations

from typing import Any

import kusari.functions as F
from kusari import initializers
from kusari.links._chain import Chain
from kusari.links.connection.convolution_2d import Convolution2D
from kusari.links.connection.linear import Linear
from kusari.links.model.vision._common import LayerPicker, find_pretrained, prepare
from kusari.links.normalization.batch_normalization import BatchNormalization
from kusari.serializers import load_npz

__all__ = [
    "ResNetLayers",
    "ResNet50Layers",
    "ResNet101Layers",
    "ResNet152Layers",
    "BuildingBlock",
    "BottleneckA",
    "BottleneckB",
    "prepare",
]

_BLOCKS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}


class BottleneckA(Chain):
    """First bottleneck of a stage: 1x1 → 3x3 → 1x1 plus a projected shortcut.

    ``downsample_fb`` puts the stride on the 3x3 convolution (Facebook's variant)
    instead of the first 1x1 (the original MSRA model).
    """

    def __init__(
        self,
        in_channels: int,
        mid_channels: int,
        out_channels: int,
        stride: int = 2,
        initialW: Any = None,
        downsample_fb: bool = False,
    ) -> None:
        super().__init__()
        s1, s3 = (1, stride) if downsample_fb else (stride, 1)
        with self.init_scope():
            self.conv1 = Convolution2D(
                in_channels, mid_channels, 1, s1, 0, initialW=initialW, nobias=True
            )
            self.bn1 = BatchNormalization(mid_channels)
            self.conv2 = Convolution2D(
                mid_channels, mid_channels, 3, s3, 1, initialW=initialW, nobias=True
            )
            self.bn2 = BatchNormalization(mid_channels)
            self.conv3 = Convolution2D(
                mid_channels, out_channels, 1, 1, 0, initialW=initialW, nobias=True
            )
            self.bn3 = BatchNormalization(out_channels)
            self.conv4 = Convolution2D(
                in_channels, out_channels, 1, stride, 0, initialW=initialW, nobias=True
            )
            self.bn4 = BatchNormalization(out_channels)

    def forward(self, x: Any) -> Any:
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return F.relu(h + self.bn4(self.conv4(x)))


class BottleneckB(Chain):
    """Later bottlenecks of a stage: 1x1 → 3x3 → 1x1 plus the identity shortcut."""

    def __init__(self, in_channels: int, mid_channels: int, initialW: Any = None) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1 = Convolution2D(
                in_channels, mid_channels, 1, 1, 0, initialW=initialW, nobias=True
            )
            self.bn1 = BatchNormalization(mid_channels)
            self.conv2 = Convolution2D(
                mid_channels, mid_channels, 3, 1, 1, initialW=initialW, nobias=True
            )
            self.bn2 = BatchNormalization(mid_channels)
            self.conv3 = Convolution2D(
                mid_channels, in_channels, 1, 1, 0, initialW=initialW, nobias=True
            )
            self.bn3 = BatchNormalization(in_channels)

    def forward(self, x: Any) -> Any:
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        return F.relu(self.bn3(self.conv3(h)) + x)


class BuildingBlock(Chain):
    """A ResNet stage: one :class:`BottleneckA` (``a``) then ``BottleneckB``s (``b1``...)."""

    def __init__(
        self,
        n_layer: int,
        in_channels: int,
        mid_channels: int,
        out_channels: int,
        stride: int,
        initialW: Any = None,
        downsample_fb: bool = False,
    ) -> None:
        super().__init__()
        with self.init_scope():
            self.a = BottleneckA(
                in_channels, mid_channels, out_channels, stride, initialW, downsample_fb
            )
            for i in range(1, n_layer):
                setattr(self, f"b{i}", BottleneckB(out_channels, mid_channels, initialW))
        self._forward = ["a"] + [f"b{i}" for i in range(1, n_layer)]

    def forward(self, x: Any) -> Any:
        for name in self._forward:
            x = getattr(self, name)(x)
        return x


def _max_pool(x: Any) -> Any:
    return F.max_pooling_2d(x, ksize=3, stride=2)


def _global_average_pooling_2d(x: Any) -> Any:
    n, channels, rows, cols = x.shape
    h = F.average_pooling_2d(x, (rows, cols), stride=1)
    return F.reshape(h, (n, channels))


class ResNetLayers(LayerPicker):
    """ResNet whose ``forward`` returns the outputs of the layers you name.

    Layers: ``conv1`` (convolution, batch normalization, ReLU), ``pool1``, ``res2`` ...
    ``res5``, ``pool5`` (global average pooling), ``fc6`` and ``prob`` (softmax).
    Parameter names are Chainer's (``res2/a/conv1/W``, ``res2/a/bn1/avg_mean``, ...),
    so NPZ files written by Chainer's ``ResNet50Layers`` load as they are.

    Args:
        pretrained_model: ``'auto'`` loads ``ResNet-{n}-model.npz`` from
            ``<dataset root>/pfnet/chainer/models`` (an error says where to put it if it
            is missing); a path loads that NPZ; None initializes randomly (HeNormal).
        n_layers: 50, 101 or 152.
        downsample_fb: Stride on the 3x3 convolutions (Facebook's variant).
    """

    default_extract_layers = ("pool5",)

    def __init__(
        self, pretrained_model: str | None, n_layers: int, downsample_fb: bool = False
    ) -> None:
        super().__init__()
        if n_layers not in _BLOCKS:
            raise ValueError(f"ResNetLayers: n_layers must be 50, 101 or 152; got {n_layers!r}")
        self.n_layers = n_layers
        w_init: Any = initializers.Zero() if pretrained_model else initializers.HeNormal(1.0)
        blocks = _BLOCKS[n_layers]
        with self.init_scope():
            self.conv1 = Convolution2D(3, 64, 7, 2, 3, initialW=w_init)
            self.bn1 = BatchNormalization(64)
            self.res2 = BuildingBlock(blocks[0], 64, 64, 256, 1, w_init, downsample_fb)
            self.res3 = BuildingBlock(blocks[1], 256, 128, 512, 2, w_init, downsample_fb)
            self.res4 = BuildingBlock(blocks[2], 512, 256, 1024, 2, w_init, downsample_fb)
            self.res5 = BuildingBlock(blocks[3], 1024, 512, 2048, 2, w_init, downsample_fb)
            self.fc6 = Linear(2048, 1000)
        if pretrained_model == "auto":
            path = find_pretrained(
                type(self).__name__,
                f"ResNet-{n_layers}-model.npz",
                f"ResNet-{n_layers}-model.caffemodel from "
                "https://github.com/KaimingHe/deep-residual-networks",
            )
            load_npz(path, self)
        elif pretrained_model:
            load_npz(pretrained_model, self)

    @property
    def functions(self) -> dict[str, list[Any]]:
        return {
            "conv1": [self.conv1, self.bn1, F.relu],
            "pool1": [_max_pool],
            "res2": [self.res2],
            "res3": [self.res3],
            "res4": [self.res4],
            "res5": [self.res5],
            "pool5": [_global_average_pooling_2d],
            "fc6": [self.fc6],
            "prob": [_softmax],
        }


def _softmax(x: Any) -> Any:
    return F.softmax(x, axis=1)


class ResNet50Layers(ResNetLayers):
    """ResNet-50; see :class:`ResNetLayers`.

    Example:
        >>> import numpy as np, kusari.links as L
        >>> model = L.ResNet50Layers(pretrained_model=None)
        >>> model(np.zeros((2, 3, 32, 32), np.float32), layers=["pool5"])["pool5"].shape
        (2, 2048)
    """

    def __init__(self, pretrained_model: str | None = "auto", downsample_fb: bool = False) -> None:
        super().__init__(pretrained_model, 50, downsample_fb)


class ResNet101Layers(ResNetLayers):
    """ResNet-101; see :class:`ResNetLayers`."""

    def __init__(self, pretrained_model: str | None = "auto", downsample_fb: bool = False) -> None:
        super().__init__(pretrained_model, 101, downsample_fb)


class ResNet152Layers(ResNetLayers):
    """ResNet-152; see :class:`ResNetLayers`."""

    def __init__(self, pretrained_model: str | None = "auto", downsample_fb: bool = False) -> None:
        super().__init__(pretrained_model, 152, downsample_fb)
