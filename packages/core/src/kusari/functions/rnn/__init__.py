"""Recurrent network functions."""

from kusari.functions.rnn.lstm import lstm

__all__ = ["lstm"]
