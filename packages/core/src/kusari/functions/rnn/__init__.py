"""Recurrent network functions."""

from kusari.functions.rnn.lstm import lstm
from kusari.functions.rnn.slstm import slstm

__all__ = ["lstm", "slstm"]
