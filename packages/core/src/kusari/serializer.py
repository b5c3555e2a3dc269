"""Chainer's ``chainer.serializer`` module: the serializer base classes."""

from kusari.serializers import AbstractSerializer, Deserializer, Serializer

__all__ = ["AbstractSerializer", "Serializer", "Deserializer"]
