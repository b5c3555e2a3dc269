"""Pre-trained image models (the model zoo)."""

from kusari.links.model.vision.resnet import (
    ResNet50Layers,
    ResNet101Layers,
    ResNet152Layers,
    ResNetLayers,
)
from kusari.links.model.vision.vgg import VGG16Layers, VGG19Layers, VGGLayers

__all__ = [
    "ResNetLayers",
    "ResNet50Layers",
    "ResNet101Layers",
    "ResNet152Layers",
    "VGGLayers",
    "VGG16Layers",
    "VGG19Layers",
]
