"""Connection layers: fully connected, convolutions, embeddings, recurrent units."""

from kusari.links.connection.bias import Bias
from kusari.links.connection.convolution_2d import Convolution2D
from kusari.links.connection.deconvolution_2d import Deconvolution2D
from kusari.links.connection.dilated_convolution_2d import DilatedConvolution2D
from kusari.links.connection.embed_id import EmbedID
from kusari.links.connection.gru import GRU, StatefulGRU, StatelessGRU
from kusari.links.connection.highway import Highway
from kusari.links.connection.linear import Linear
from kusari.links.connection.lstm import LSTM, StatelessLSTM
from kusari.links.connection.n_step_rnn import (
    NStepBiGRU,
    NStepBiLSTM,
    NStepBiRNNReLU,
    NStepBiRNNTanh,
    NStepGRU,
    NStepLSTM,
    NStepRNNReLU,
    NStepRNNTanh,
)
from kusari.links.connection.scale import Scale

__all__ = [
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
]
