"""Statistics, reproducibility and dtype handling of the random initializers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from kusari import initializers as I

BIG = (600, 500)  # 300k draws: the sample std is within ~0.2% of the true one


def _fill(init, shape=BIG, dtype=np.float64):
    a = np.empty(shape, dtype=dtype)
    init(a)
    return a


@pytest.mark.parametrize("shape", [(3, 4), (64, 3, 5, 5), (10, 7, 2, 3, 4), (5, 0), (1, 1)])
def test_get_fans_matches_torch(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert I.get_fans(shape) == expected
    assert I.get_fans(list(shape)) == expected


@pytest.mark.parametrize("shape", [(), (5,)])
def test_get_fans_needs_two_dims(shape):
    with pytest.raises(
        ValueError,
        match=r"get_fans: .*at least 2 dimensions.*"
        + str(shape).replace("(", r"\(").replace(")", r"\)"),
    ):
        I.get_fans(shape)


def test_get_fans_rejects_non_shape():
    with pytest.raises(ValueError, match="get_fans: shape must be a tuple, got int"):
        I.get_fans(5)


NORMAL_CASES = [
    (I.Normal(), BIG, 0.05),
    (I.Normal(0.3), BIG, 0.3),
    (I.LeCunNormal(), BIG, math.sqrt(1 / 500)),
    (I.LeCunNormal(2.0), (60, 20, 5, 5), 2 * math.sqrt(1 / 500)),
    (I.GlorotNormal(), BIG, math.sqrt(2 / 1100)),
    (I.GlorotNormal(0.5), (60, 20, 5, 5), 0.5 * math.sqrt(2 / (500 + 1500))),
    (I.HeNormal(), BIG, math.sqrt(2 / 500)),
    (I.HeNormal(fan_option="fan_out"), BIG, math.sqrt(2 / 600)),
    (I.HeNormal(1 / math.sqrt(2)), (60, 20, 5, 5), math.sqrt(1 / 500)),
]


@pytest.mark.parametrize("init, shape, std", NORMAL_CASES, ids=lambda c: repr(c))
def test_normal_family_statistics(init, shape, std):
    init.rng = np.random.default_rng(1)
    a = _fill(init, shape)
    assert abs(a.mean()) < 4 * std / math.sqrt(a.size)
    assert a.std() == pytest.approx(std, rel=0.01)
    # a normal distribution has ~68.3% of its mass within one standard deviation
    assert np.mean(np.abs(a) < std) == pytest.approx(0.6827, abs=0.01)


UNIFORM_CASES = [
    (I.Uniform(), BIG, 0.05),
    (I.Uniform(2.0), BIG, 2.0),
    (I.LeCunUniform(), BIG, math.sqrt(3 / 500)),
    (I.GlorotUniform(), BIG, math.sqrt(6 / 1100)),
    (I.GlorotUniform(), (60, 20, 5, 5), math.sqrt(6 / 2000)),
    (I.HeUniform(), BIG, math.sqrt(6 / 500)),
    (I.HeUniform(fan_option="fan_out"), BIG, math.sqrt(6 / 600)),
]


@pytest.mark.parametrize("init, shape, bound", UNIFORM_CASES, ids=lambda c: repr(c))
def test_uniform_family_statistics(init, shape, bound):
    init.rng = np.random.default_rng(2)
    a = _fill(init, shape)
    assert -bound <= a.min() < -0.99 * bound
    assert 0.99 * bound < a.max() <= bound
    assert a.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (I.HeNormal(), lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="relu")),
        (I.GlorotNormal(), torch.nn.init.xavier_normal_),
        (I.GlorotUniform(), torch.nn.init.xavier_uniform_),
        (I.HeUniform(), lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu")),
    ],
)
def test_std_matches_torch(ours, theirs):
    torch.manual_seed(0)
    t = theirs(torch.empty(64, 32, 7, 7, dtype=torch.float64)).numpy()
    ours.rng = np.random.default_rng(0)
    a = _fill(ours, t.shape)
    assert a.std() == pytest.approx(t.std(), rel=0.02)


def test_global_rng_reproduces_chainer_stream():
    # Chainer draws numpy.random.normal(loc=0, scale=s, size=shape) from the global RNG.
    np.random.seed(0)
    a = _fill(I.LeCunNormal(), (4, 3), np.float32)
    np.random.seed(0)
    expected = np.random.normal(loc=0.0, scale=math.sqrt(1 / 3), size=(4, 3)).astype(np.float32)
    np.testing.assert_array_equal(a, expected)
    np.random.seed(0)
    b = _fill(I.GlorotUniform(), (4, 3), np.float32)
    np.random.seed(0)
    expected = np.random.uniform(low=-math.sqrt(6 / 7), high=math.sqrt(6 / 7), size=(4, 3))
    np.testing.assert_array_equal(b, expected.astype(np.float32))


@pytest.mark.parametrize("make_rng", [np.random.default_rng, np.random.RandomState])
@pytest.mark.parametrize("cls", [I.Normal, I.Uniform, I.HeNormal, I.LeCunUniform, I.Orthogonal])
def test_explicit_rng_is_reproducible_and_leaves_global_state(make_rng, cls):
    state = np.random.get_state()[1].copy()
    a = _fill(cls(rng=make_rng(5)), (6, 8))
    b = _fill(cls(rng=make_rng(5)), (6, 8))
    c = _fill(cls(rng=make_rng(6)), (6, 8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_bad_rng_is_a_type_error():
    with pytest.raises(TypeError, match="Normal: rng must be a numpy.random.Generator.*got int"):
        I.Normal(rng=0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    "cls", [I.Normal, I.LeCunNormal, I.GlorotUniform, I.HeNormal, I.Orthogonal]
)
def test_float_dtypes(dtype, cls):
    a = _fill(cls(dtype=dtype, rng=np.random.default_rng(0)), (40, 50), dtype)
    assert a.dtype == dtype and np.isfinite(a).all() and a.std() > 0
    assert cls(dtype=dtype).dtype == np.dtype(dtype)


def test_dtype_mismatch_names_both():
    with pytest.raises(
        ValueError,
        match=r"HeNormal: expected an array of dtype float16 .* got float32 with shape \(2, 3\)",
    ):
        I.HeNormal(dtype=np.float16)(np.empty((2, 3), np.float32))


@pytest.mark.parametrize("cls", [I.Normal, I.Uniform, I.LeCunNormal, I.GlorotUniform, I.Orthogonal])
def test_integer_dtype_is_refused(cls):
    with pytest.raises(
        ValueError, match=f"{cls.__name__}: dtype must be a floating type .* got int32"
    ):
        cls(dtype=np.int32)
    with pytest.raises(
        ValueError,
        match=f"{cls.__name__}: random initial values need a floating array .* got int64",
    ):
        cls()(np.zeros((3, 3), dtype=np.int64))


def test_bad_dtype_spec_is_a_type_error():
    with pytest.raises(TypeError, match="Normal: dtype must be a NumPy dtype specifier"):
        I.Normal(dtype=object())


@pytest.mark.parametrize("scale", [-1.0, "1", None, True])
def test_bad_scale(scale):
    with pytest.raises(ValueError, match="LeCunNormal: scale must be a real number >= 0"):
        I.LeCunNormal(scale)


def test_bad_fan_option():
    with pytest.raises(
        ValueError, match="HeNormal: fan_option must be 'fan_in' or 'fan_out', got 'fan'"
    ):
        I.HeNormal(fan_option="fan")
    with pytest.raises(ValueError, match="HeUniform: fan_option"):
        I.HeUniform(fan_option=None)


@pytest.mark.parametrize(
    "cls", [I.LeCunNormal, I.GlorotNormal, I.HeNormal, I.LeCunUniform, I.HeUniform]
)
def test_fan_initializers_need_two_dims(cls):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: get_fans: .*got \(7,\)"):
        cls()(np.empty(7))


@pytest.mark.parametrize("cls", [I.LeCunNormal, I.GlorotUniform, I.HeNormal])
def test_empty_weight_is_left_alone(cls):
    a = np.empty((3, 0, 2))
    cls()(a)  # fan_in is 0: nothing to fill, and no division by zero
    assert a.shape == (3, 0, 2)


@pytest.mark.parametrize(
    "shape, scale", [((3, 7), 1.0), ((7, 3), 1.0), ((5, 5), 1.1), ((4, 2, 3, 3), 0.5), ((6,), 2.0)]
)
def test_orthogonal_is_orthonormal(shape, scale):
    w = _fill(I.Orthogonal(scale, rng=np.random.default_rng(3)), shape)
    m = w.reshape(shape[0], -1)
    rows, cols = m.shape
    if rows <= cols:  # orthonormal rows
        np.testing.assert_allclose(m @ m.T, scale**2 * np.eye(rows), atol=1e-12)
    if rows >= cols:  # orthonormal columns
        np.testing.assert_allclose(m.T @ m, scale**2 * np.eye(cols), atol=1e-12)


def test_orthogonal_matches_torch_properties_in_float32():
    t = torch.nn.init.orthogonal_(torch.empty(16, 40), gain=1.1).numpy()
    w = _fill(I.Orthogonal(), (16, 40), np.float32)
    np.testing.assert_allclose(w @ w.T, t @ t.T, atol=1e-5)


def test_orthogonal_0d_is_plus_or_minus_scale():
    seen = set()
    for seed in range(20):
        a = np.empty((), np.float64)
        I.Orthogonal(0.5, rng=np.random.default_rng(seed))(a)
        seen.add(float(a))
    assert seen == {0.5, -0.5}


@pytest.mark.parametrize(
    "mode, shape, words",
    [
        ("projection", (5, 3), "5 vectors of dimension 3, more vectors than dimensions"),
        ("embedding", (3, 5), "3 vectors of dimension 5, fewer vectors than dimensions"),
        ("basis", (3, 2, 2), "3 vectors of dimension 4"),
    ],
)
def test_orthogonal_modes_refuse_wrong_shapes(mode, shape, words):
    with pytest.raises(ValueError, match=f"Orthogonal: cannot make an orthogonal {mode} .*{words}"):
        I.Orthogonal(mode=mode)(np.empty(shape))


@pytest.mark.parametrize(
    "mode, shape", [("projection", (3, 5)), ("embedding", (5, 3)), ("basis", (4, 2, 2))]
)
def test_orthogonal_modes_accept_right_shapes(mode, shape):
    I.Orthogonal(mode=mode)(np.empty(shape))


def test_orthogonal_errors():
    with pytest.raises(ValueError, match="Orthogonal: mode must be one of 'auto'.* got 'square'"):
        I.Orthogonal(mode="square")
    with pytest.raises(
        ValueError, match=r"Orthogonal: the array to fill must be non-empty, got shape \(0, 3\)"
    ):
        I.Orthogonal()(np.empty((0, 3)))
