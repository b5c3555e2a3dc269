import numpy as np
import pytest

import kusari
from kusari import DictSummary, Reporter, Summary, Variable


def test_report_with_observer_prefix_and_detach():
    reporter = Reporter()
    observer = object()
    reporter.add_observer("main", observer)
    obs = {}
    v = Variable(np.array(2.0, np.float32)) * 3
    with reporter.scope(obs):
        kusari.report({"loss": v}, observer)
        kusari.report({"lr": 0.1})
    assert set(obs) == {"main/loss", "lr"}
    assert obs["main/loss"].creator is None
    np.testing.assert_array_equal(obs["main/loss"].array, 6.0)


def test_unregistered_observer_is_an_error_and_report_without_reporter_is_noop():
    kusari.report({"x": 1})
    reporter = Reporter()
    with reporter.scope({}), pytest.raises(KeyError, match="not registered"):
        kusari.report({"x": 1}, object())


def test_report_scope_and_current_reporter():
    reporter = Reporter()
    outer, inner = {}, {}
    with reporter.scope(outer):
        assert kusari.get_current_reporter() is reporter
        with kusari.report_scope(inner):
            kusari.report({"a": 1})
        kusari.report({"b": 2})
    assert inner == {"a": 1} and outer == {"b": 2}


def test_summary_statistics():
    s = Summary()
    for v in [1.0, 2.0, 3.0, 4.0]:
        s.add(v)
    mean, std = s.make_statistics()
    assert mean == 2.5 and np.isclose(std, np.std([1, 2, 3, 4]))
    d = DictSummary()
    d.add({"a": 1.0, "b": np.float32(2.0), "skip": np.zeros(3)})
    d.add({"a": 3.0, "b": Variable(np.array(4.0, np.float32))})
    means = d.compute_mean()
    assert means["a"] == 2.0 and means["b"] == 3.0 and "skip" not in means
    assert "a.std" in d.make_statistics()


def test_dict_summary_weights_key_filter_and_skipped_values():
    s = DictSummary()
    s.add({"a": np.float32(1.0), "b": Variable(np.asarray(2.0, np.float32))})
    s.add({"a": np.asarray(3.0), "b": (4.0, 3), "v": np.ones(3), "t": "text", "u": np.str_("x")})
    s.add({"a": 5, "c": 1.0}, keys=["a", "missing"])
    assert s.compute_mean() == {"a": 3.0, "b": pytest.approx((2 + 12) / 4)}
    assert s.make_statistics()["a.std"] == pytest.approx(np.std([1, 3, 5]))
    assert not DictSummary() and s


def test_dict_summary_snapshot_round_trip():
    from kusari import serializers

    source = DictSummary()
    for v in (1.0, 2.0, 6.0):
        source.add({"main/loss": v, "n": 2 * v})
    target = DictSummary()
    s = serializers.DictionarySerializer()
    s.save(source)
    serializers.NpzDeserializer(s.target).load(target)
    assert {k: float(v) for k, v in target.compute_mean().items()} == {"main/loss": 3.0, "n": 6.0}
