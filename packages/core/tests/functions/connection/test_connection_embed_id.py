"""embed_id against torch's embedding; bilinear against an einsum reference."""

import numpy as np
import pytest
import torch

import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_embed_id_oracle(dtype):
    x = np.array([[0, 3, 3], [1, 4, 0]], np.int32)  # repeated ids accumulate gradients
    W = randn(5, 4, dtype=dtype)
    check_oracle(
        lambda W: F.embed_id(x, W),
        lambda W: torch.nn.functional.embedding(torch.from_numpy(x.astype(np.int64)), W),
        [W],
    )


def test_embed_id_ignore_label():
    x = np.array([2, -1, 0, -1, 2])
    W = randn(3, 2, dtype=np.float32)
    Wv = Variable(W)
    y = F.embed_id(x, Wv, ignore_label=-1)
    np.testing.assert_array_equal(y.array[[1, 3]], 0)
    np.testing.assert_array_equal(y.array[[0, 2, 4]], W[[2, 0, 2]])
    y.grad = np.ones_like(y.array)
    y.backward()
    np.testing.assert_array_equal(Wv.grad, [[1, 1], [0, 0], [2, 2]])
    # torch's padding_idx is the same rule for an index inside the table.
    check_oracle(
        lambda W: F.embed_id(np.array([0, 1, 1, 2]), W, ignore_label=1),
        lambda W: (
            torch.nn.functional.embedding(torch.tensor([0, 1, 1, 2]), W, padding_idx=1)
            * torch.tensor([[1.0], [0.0], [0.0], [1.0]], dtype=W.dtype)
        ),
        [randn(3, 2)],
    )


def test_embed_id_grads():
    x = np.array([[1, 0], [2, 1]])
    W = randn(3, 4)

    def f(W):
        return F.embed_id(x, W, ignore_label=2)

    gy = randn(2, 2, 4)
    check_backward(f, (W,), gy)
    check_double_backward(f, (W,), gy, (randn(3, 4),))


def test_embed_id_float16_and_multi_dim_rows():
    W = randn(4, 2, 3, dtype=np.float16)
    y = F.embed_id(np.array([3, 1]), W)
    assert y.dtype == np.float16 and y.shape == (2, 2, 3)
    Wv = Variable(W)
    y = F.embed_id(np.array([3, 3]), Wv)
    y.grad = np.ones_like(y.array)
    y.backward()
    np.testing.assert_array_equal(Wv.grad[3], 2)


def test_embed_id_bad_inputs():
    W = randn(3, 2, dtype=np.float32)
    with pytest.raises(ValueError, match=r"embed_id: ids must be in \[0, 3\)"):
        F.embed_id(np.array([0, 3]), W)
    with pytest.raises(ValueError, match="embed_id: ids must be in"):
        F.embed_id(np.array([0, -2]), W, ignore_label=-1)
    with pytest.raises(TypeError, match="embed_id: x must hold integer ids; got dtype float32"):
        F.embed_id(np.array([0.0], np.float32), W)
    with pytest.raises(TypeError, match="embed_id: W must have a float dtype"):
        F.embed_id(np.array([0]), np.ones((3, 2), np.int32))


def test_bilinear_values_and_grads():
    e1, e2, W = randn(3, 2), randn(3, 4), randn(2, 4, 5)
    V1, V2, b = randn(2, 5), randn(4, 5), randn(5)
    y = F.bilinear(e1, e2, W, V1, V2, b)
    ref = np.einsum("ij,ik,jkl->il", e1, e2, W) + e1 @ V1 + e2 @ V2 + b
    np.testing.assert_allclose(y.array, ref, rtol=1e-12)
    check_oracle(
        lambda a, c, W: F.bilinear(a, c, W),
        lambda a, c, W: torch.einsum("ij,ik,jkl->il", a, c, W),
        [e1.astype(np.float32), e2.astype(np.float32), W.astype(np.float32)],
    )
    gy = randn(3, 5)
    check_backward(F.bilinear, (e1, e2, W, V1, V2, b), gy)
    check_double_backward(
        lambda a, c, W: F.bilinear(a, c, W),
        (e1, e2, W),
        gy,
        (randn(3, 2), randn(3, 4), randn(2, 4, 5)),
    )


def test_bilinear_bad_inputs():
    e1, e2 = randn(3, 2, dtype=np.float32), randn(3, 4, dtype=np.float32)
    with pytest.raises(ValueError, match=r"bilinear: W must have shape \(2, 4, L\)"):
        F.bilinear(e1, e2, randn(4, 2, 5, dtype=np.float32))
    with pytest.raises(ValueError, match="bilinear: V1, V2 and b must be given together"):
        F.bilinear(e1, e2, randn(2, 4, 5, dtype=np.float32), randn(2, 5, dtype=np.float32))
    with pytest.raises(ValueError, match="bilinear: e1 and e2 must be"):
        F.bilinear(e1, randn(2, 4, dtype=np.float32), randn(2, 4, 5, dtype=np.float32))
