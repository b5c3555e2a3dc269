"""Constant-valued initializers, generate_array, get_initializer and sampling filters."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kusari import initializers as I
from kusari.configuration import using_config


def test_constant_scalar_and_broadcast_array():
    a = np.empty((2, 3), np.float32)
    I.Constant(2.5)(a)
    np.testing.assert_array_equal(a, np.full((2, 3), 2.5, np.float32))
    I.Constant(np.array([1.0, 2.0, 3.0]))(a)
    np.testing.assert_array_equal(a, [[1, 2, 3], [1, 2, 3]])
    I.Constant([[4], [5]])(a)
    np.testing.assert_array_equal(a, [[4, 4, 4], [5, 5, 5]])


def test_constant_fills_integer_arrays():
    a = np.empty(3, np.int32)
    I.Constant(7, dtype=np.int32)(a)
    np.testing.assert_array_equal(a, [7, 7, 7])
    I.Zero()(a)
    np.testing.assert_array_equal(a, 0)
    I.One()(a)
    np.testing.assert_array_equal(a, 1)


def test_constant_shape_mismatch():
    with pytest.raises(
        ValueError,
        match=r"Constant: fill_value of shape \(4,\) cannot fill an array of shape \(2, 3\)",
    ):
        I.Constant(np.ones(4))(np.empty((2, 3)))
    with pytest.raises(
        ValueError, match=r"fill_value of shape \(2, 3\) cannot fill an array of shape \(3,\)"
    ):
        I.Constant(np.ones((2, 3)))(np.empty(3))


def test_constant_bad_fill_value():
    with pytest.raises(
        TypeError, match="Constant: fill_value must be a scalar or an array, got str"
    ):
        I.Constant("1")
    with pytest.raises(
        TypeError, match="Constant: fill_value must be a scalar or an array, got dict"
    ):
        I.Constant({})


def test_nan_needs_floats():
    a = np.zeros(2, np.float16)
    I.NaN()(a)
    assert np.isnan(a).all()
    with pytest.raises(
        ValueError, match="NaN: cannot make nan in an array of dtype int32; use a floating dtype"
    ):
        I.NaN(dtype=np.int32)
    with pytest.raises(
        ValueError, match="NaN: cannot put nan into an array of dtype int64; use a floating dtype"
    ):
        I.NaN()(np.zeros(2, np.int64))


def test_zero_one_nan_are_constants():
    for init, value in [(I.Zero(), 0.0), (I.One(), 1.0)]:
        assert isinstance(init, I.Constant) and init.fill_value == value
    assert isinstance(I.NaN(np.float64), I.Constant) and I.NaN(np.float64).dtype == np.float64


def test_constant_dtype_mismatch():
    with pytest.raises(ValueError, match="One: expected an array of dtype float64 .* got float32"):
        I.One(np.float64)(np.empty(2, np.float32))


def test_identity_matches_torch_eye():
    a = np.empty((4, 4), np.float32)
    I.Identity(0.5)(a)
    np.testing.assert_array_equal(a, torch.nn.init.eye_(torch.empty(4, 4)).numpy() * 0.5)
    b = np.empty((3, 3), np.int64)
    I.Identity(2)(b)
    np.testing.assert_array_equal(b, 2 * np.eye(3, dtype=np.int64))


@pytest.mark.parametrize("shape", [(2, 3), (3,), (2, 2, 2)])
def test_identity_needs_square_matrix(shape):
    with pytest.raises(
        ValueError,
        match=r"Identity: expected a square 2-D array \(n, n\), got shape "
        + str(shape).replace("(", r"\(").replace(")", r"\)"),
    ):
        I.Identity()(np.empty(shape))


def test_generate_array_default_dtype_follows_config():
    a = I.generate_array(I.One(), (2, 3), np)
    assert a.dtype == np.float32 and a.shape == (2, 3)
    np.testing.assert_array_equal(a, 1)
    with using_config("dtype", np.float16):
        assert I.generate_array(I.LeCunNormal(), (3, 4), np).dtype == np.float16
    assert I.generate_array(I.Zero(), 5, np).shape == (5,)


def test_generate_array_dtype_sources():
    assert I.generate_array(I.Normal(dtype=np.float64), (2,), np).dtype == np.float64
    assert I.generate_array(I.Normal(), (2,), np, dtype=np.float16).dtype == np.float16
    assert (
        I.generate_array(I.Normal(0.1, dtype="float64"), (2,), np, dtype=np.float64).dtype
        == np.float64
    )
    with pytest.raises(
        ValueError,
        match=r"generate_array: dtype float16 conflicts with the initializer's dtype float64 "
        r"\(Normal\)",
    ):
        I.generate_array(I.Normal(dtype=np.float64), (2,), np, dtype=np.float16)


def test_generate_array_with_plain_callable_and_device():
    def twos(array):
        array[...] = 2

    a = I.generate_array(twos, (2,), np, device="@numpy")
    np.testing.assert_array_equal(a, [2, 2])
    assert a.dtype == np.float32


def test_generate_array_seeded_twice_is_identical():
    np.random.seed(3)
    a = I.generate_array(I.GlorotNormal(), (5, 4), np)
    np.random.seed(3)
    b = I.generate_array(I.GlorotNormal(), (5, 4), np)
    np.testing.assert_array_equal(a, b)


def test_get_initializer():
    assert type(I.get_initializer(None)) is I.LeCunNormal
    assert I.get_initializer(None).scale == 1.0
    c = I.get_initializer(0.25)
    assert type(c) is I.Constant and c.fill_value == 0.25
    arr = np.arange(3.0)
    c = I.get_initializer(arr)
    assert type(c) is I.Constant and c.fill_value is arr
    he = I.HeNormal()
    assert I.get_initializer(he) is he

    def fill(a):
        a[...] = 0

    assert I.get_initializer(fill) is fill
    assert I._get_initializer is I.get_initializer
    with pytest.raises(
        TypeError,
        match="get_initializer: expected None, a scalar, an array or an initializer .* got str",
    ):
        I.get_initializer("he")


def test_base_initializer_is_abstract():
    with pytest.raises(NotImplementedError, match="Initializer must implement __call__"):
        I.Initializer()(np.empty(2))


def test_repr_names_the_settings():
    assert repr(I.HeNormal(0.5)) == "HeNormal(scale=0.5, fan_option='fan_in')"


def test_upsampling_filter_values():
    w = np.empty((3, 3, 4, 4), np.float32)
    I.UpsamplingDeconvFilter()(w)
    tent = np.array([0.25, 0.75, 0.75, 0.25])
    for i in range(3):
        for j in range(3):
            expected = np.outer(tent, tent) if i == j else np.zeros((4, 4))
            np.testing.assert_allclose(w[i, j], expected)


def test_downsampling_filter_sums_to_one_and_single_output_channel():
    w = np.empty((2, 1, 3, 3))
    I.DownsamplingConvFilter()(w)
    tent = np.array([0.5, 1.0, 0.5])
    for i in range(2):
        np.testing.assert_allclose(w[i, 0], np.outer(tent, tent) / 4.0)


def test_sampling_filter_errors():
    with pytest.raises(
        ValueError,
        match=r"UpsamplingDeconvFilter: the two channel axes must be equal .* "
        r"got shape \(2, 3, 4, 4\)",
    ):
        I.UpsamplingDeconvFilter()(np.empty((2, 3, 4, 4)))
    with pytest.raises(ValueError, match="DownsamplingConvFilter: expected a filter of shape"):
        I.DownsamplingConvFilter()(np.empty((2, 2)))
    with pytest.raises(ValueError, match="interpolation must be 'linear', got 'cubic'"):
        I.UpsamplingDeconvFilter("cubic")


def test_parameter_initialization_is_seed_reproducible():
    import kusari

    np.random.seed(7)
    p = kusari.Parameter(I.HeNormal(), (5, 4))
    np.random.seed(7)
    expected = np.random.normal(loc=0.0, scale=np.sqrt(2 / 4), size=(5, 4)).astype(np.float32)
    np.testing.assert_array_equal(p.array, expected)
    lazy = kusari.Parameter(I.Constant(3.0))
    assert lazy.array is None
    lazy.initialize((2,))
    np.testing.assert_array_equal(lazy.array, np.full(2, 3.0, np.float32))
