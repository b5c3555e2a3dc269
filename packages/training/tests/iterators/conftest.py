"""Fixtures for the iterator tests: dict-based serializers following Chainer's protocol and
helpers recording batches with the epoch properties."""

import types

import numpy
import pytest


class DictSerializer:
    """Saves ``value`` under ``path + key``; returns it unchanged."""

    def __init__(self, target=None, path=""):
        self.target = {} if target is None else target
        self.path = path

    def __getitem__(self, key):
        return DictSerializer(self.target, self.path + key + "/")

    def __call__(self, key, value):
        self.target[self.path + key] = numpy.array(value)  # a copy, like writing a file
        return value


class DictDeserializer:
    """Returns the stored value; like Chainer's NpzDeserializer it copies into arrays."""

    def __init__(self, target, path=""):
        self.target = target
        self.path = path

    def __getitem__(self, key):
        return DictDeserializer(self.target, self.path + key + "/")

    def __call__(self, key, value):
        stored = self.target[self.path + key]  # KeyError when missing, like Chainer
        if isinstance(value, numpy.ndarray):
            numpy.copyto(value, stored)
            return value
        if value is None:
            return stored
        return type(value)(stored.item())


def labels(batch):
    """The int label of each example of a TupleDataset batch."""
    return [int(example[1]) for example in batch]


def record(it, n):
    """``n`` steps: labels and every epoch property after each batch."""
    out = []
    for _ in range(n):
        batch = next(it)
        out.append(
            (
                labels(batch),
                it.epoch,
                it.is_new_epoch,
                it.current_position,
                it.epoch_detail,
                it.previous_epoch_detail,
            )
        )
    return out


@pytest.fixture
def tools():
    """The serializers and recording helpers above."""
    return types.SimpleNamespace(
        DictSerializer=DictSerializer,
        DictDeserializer=DictDeserializer,
        labels=labels,
        record=record,
    )
