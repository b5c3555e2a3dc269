"""Models: the classifier wrapper and the pre-trained image models."""

from kusari.links.model.classifier import Classifier
from kusari.links.model.vision import (
    ResNet50Layers,
    ResNet101Layers,
    ResNet152Layers,
    VGG16Layers,
    VGG19Layers,
)

__all__ = [
    "Classifier",
    "ResNet50Layers",
    "ResNet101Layers",
    "ResNet152Layers",
    "VGG16Layers",
    "VGG19Layers",
]
