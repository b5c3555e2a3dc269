"""MeanSummary: the lean running mean, interchangeable with core's DictSummary."""

from __future__ import annotations

import numpy
import pytest

import kusari
from kusari import serializers
from kusari.reporter import DictSummary
from kusari.training._summary import MeanSummary


def test_means_weights_and_skipped_values():
    s = MeanSummary()
    s.add({"a": numpy.float32(1.0), "b": kusari.Variable(numpy.asarray(2.0, numpy.float32))})
    s.add({"a": numpy.asarray(3.0), "b": (4.0, 3), "v": numpy.ones(3), "t": "text"})
    s.add({"a": 5, "c": 1.0}, keys=["a", "missing"])
    assert s.compute_mean() == {"a": 3.0, "b": pytest.approx((2 + 12) / 4)}
    stats = s.make_statistics()
    assert stats["a.std"] == pytest.approx(numpy.std([1, 3, 5]))
    assert not MeanSummary() and s


def test_same_means_as_dict_summary():
    rs = numpy.random.RandomState(0)
    ours, core = MeanSummary(), DictSummary()
    for _ in range(50):
        obs = {"x": numpy.float32(rs.rand()), "y": rs.rand()}
        ours.add(obs)
        core.add(obs)
    for key, value in core.compute_mean().items():
        assert ours.compute_mean()[key] == pytest.approx(float(value), rel=1e-6)


@pytest.mark.parametrize("direction", ["ours->core", "core->ours", "ours->ours"])
def test_snapshot_layout_is_dict_summary_s(direction):
    source = MeanSummary() if direction.startswith("ours") else DictSummary()
    for v in (1.0, 2.0, 6.0):
        source.add({"main/loss": v, "n": 2 * v})
    target = DictSummary() if direction.endswith("core") else MeanSummary()
    s = serializers.DictionarySerializer()
    s.save(source)
    serializers.NpzDeserializer(s.target).load(target)
    assert {k: float(v) for k, v in target.compute_mean().items()} == {"main/loss": 3.0, "n": 6.0}
