"""Activation functions."""

from kusari.functions.activation.crelu import crelu
from kusari.functions.activation.elu import elu, selu
from kusari.functions.activation.gelu import gelu
from kusari.functions.activation.leaky_relu import leaky_relu, prelu
from kusari.functions.activation.maxout import maxout
from kusari.functions.activation.relu import clipped_relu, relu, relu6
from kusari.functions.activation.sigmoid import hard_sigmoid, sigmoid
from kusari.functions.activation.softmax import log_softmax, softmax
from kusari.functions.activation.softplus import softplus, swish
from kusari.functions.activation.tanh import tanh

__all__ = [
    "clipped_relu",
    "crelu",
    "elu",
    "gelu",
    "hard_sigmoid",
    "leaky_relu",
    "log_softmax",
    "maxout",
    "prelu",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "softmax",
    "softplus",
    "swish",
    "tanh",
]
