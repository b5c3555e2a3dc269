"""Linear against torch.nn.Linear; lazy shapes, initializers, dtypes, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kusari
import kusari.links as L
from kusari import initializers


@pytest.mark.parametrize("nobias", [False, True])
def test_matches_torch(torch_check, identity, rng, nobias):
    layer = L.Linear(5, 3, nobias=nobias)
    ref = torch.nn.Linear(5, 3, bias=not nobias)
    params = [(layer.W, ref.weight, identity)]
    if not nobias:
        layer.b.array[...] = rng.standard_normal(3)
        params.append((layer.b, ref.bias, identity))
    x = rng.standard_normal((4, 5)).astype(np.float32)
    torch_check(layer, ref, [x], params)


def test_lazy_input_flattens_trailing_axes(torch_check, identity, rng):
    layer = L.Linear(None, 3)
    assert layer.b.shape == (3,) and layer.W.array is None and layer.in_size is None
    x = rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
    layer(x)
    assert layer.W.shape == (3, 12) and layer.in_size == 12
    ref = torch.nn.Linear(12, 3)
    torch_check(
        layer,
        lambda t: ref(t.reshape(2, -1)),
        [x],
        [(layer.W, ref.weight, identity), (layer.b, ref.bias, identity)],
    )


def test_out_size_only_and_n_batch_axes(rng):
    layer = L.Linear(4)
    assert layer.out_size == 4 and layer.in_size is None
    y = layer(rng.standard_normal((2, 3, 5)).astype(np.float32), n_batch_axes=2)
    assert y.shape == (2, 3, 4) and layer.W.shape == (4, 5)


def test_default_initializers_follow_chainer():
    np.random.seed(0)
    layer = L.Linear(400, 300)
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32
    np.testing.assert_array_equal(layer.b.array, np.zeros(300))
    # LeCunNormal: std sqrt(1 / fan_in)
    assert abs(layer.W.array.std() - np.sqrt(1 / 400)) < 0.002
    assert abs(layer.W.array.mean()) < 0.002


def test_initial_values_and_initializers():
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    layer = L.Linear(3, 2, initialW=w, initial_bias=np.array([1, 2], np.float32))
    np.testing.assert_array_equal(layer.W.array, w)
    np.testing.assert_array_equal(layer.b.array, [1, 2])
    layer = L.Linear(3, 2, initialW=initializers.HeNormal(), initial_bias=0.5)
    np.testing.assert_array_equal(layer.b.array, [0.5, 0.5])
    assert isinstance(layer.W.initializer, initializers.HeNormal)


def test_dtype_follows_config_and_initializer():
    with kusari.using_config("dtype", np.float64):
        layer = L.Linear(3, 2)
    assert layer.W.dtype == np.float64 and layer.b.dtype == np.float64
    layer = L.Linear(3, 2, initialW=initializers.Normal(dtype=np.float16))
    assert layer.W.dtype == np.float16


def test_tutorial_linear_values():
    f = L.Linear(3, 2)
    x = kusari.Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = f(x)
    np.testing.assert_allclose(y.array, x.array @ f.W.array.T + f.b.array, rtol=1e-6)
    y.grad = np.ones((2, 2), dtype=np.float32)
    y.backward()
    np.testing.assert_array_equal(f.W.grad, [[5, 7, 9], [5, 7, 9]])
    np.testing.assert_array_equal(f.b.grad, [2, 2])


def test_wrong_in_size_names_the_layer(rng):
    with pytest.raises(
        ValueError,
        match=r"Linear\(in_size=3, out_size=2, nobias=False\): "
        r"linear: x has 4 features",
    ):
        L.Linear(3, 2)(rng.standard_normal((5, 4)).astype(np.float32))


def test_wrong_dtype_names_the_layer():
    with pytest.raises(TypeError, match=r"Linear\(in_size=3.*W must have x's dtype float64"):
        L.Linear(3, 2)(np.zeros((1, 3)))


def test_lazy_input_without_feature_axes():
    with pytest.raises(ValueError, match=r"needs axes after its 1 batch axes.*shape \(5,\)"):
        L.Linear(None, 2)(np.zeros(5, np.float32))


@pytest.mark.parametrize("args", [(0, 2), (3, -1), (2.5, 2), (3, None)])
def test_bad_sizes(args):
    with pytest.raises(ValueError, match="Linear: (in|out)_size must be a positive int"):
        L.Linear(*args) if args[1] is not None else L.Linear(None, None)
