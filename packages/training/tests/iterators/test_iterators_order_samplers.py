"""ShuffleOrderSampler: permutations and a random state that survives serialization."""

import numpy
import pytest

from kusari.iterators import OrderSampler, ShuffleOrderSampler


@pytest.mark.parametrize(
    "make",
    [
        lambda: numpy.random.RandomState(7),
        lambda: numpy.random.default_rng(7),
        lambda: numpy.random.Generator(numpy.random.MT19937(7)),
    ],
)
def test_state_round_trip(tools, make):
    sampler = ShuffleOrderSampler(make())
    first = sampler(numpy.arange(10), 0)
    assert sorted(first.tolist()) == list(range(10))
    saved = {}
    sampler.serialize(tools.DictSerializer(saved))
    expected = [sampler(numpy.arange(10), 0).tolist() for _ in range(3)]
    other = ShuffleOrderSampler(make())
    other.serialize(tools.DictDeserializer(saved))
    assert [other(numpy.arange(10), 0).tolist() for _ in range(3)] == expected


def test_matches_numpy_permutation_and_global_state():
    assert (
        ShuffleOrderSampler(numpy.random.RandomState(0))(numpy.arange(6), 3).tolist()
        == numpy.random.RandomState(0).permutation(6).tolist()
    )
    numpy.random.seed(4)
    expected = numpy.random.permutation(5).tolist()
    numpy.random.seed(4)
    assert ShuffleOrderSampler()(numpy.arange(5), 0).tolist() == expected
    sampler = ShuffleOrderSampler()
    state = sampler.get_state()
    a = numpy.random.rand()
    sampler.set_state(state)  # the global generator is the sampler's
    assert numpy.random.rand() == a


def test_errors():
    with pytest.raises(
        TypeError,
        match="ShuffleOrderSampler: expected a numpy.random.RandomState or Generator, got int",
    ):
        ShuffleOrderSampler(3)
    with pytest.raises(ValueError, match="expected a saved state of shape .628,., got .3,."):
        ShuffleOrderSampler(numpy.random.RandomState(0)).set_state(numpy.zeros(3))
    with pytest.raises(NotImplementedError):
        OrderSampler()(numpy.arange(2), 0)
