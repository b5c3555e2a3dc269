"""F.lstm against PyTorch's LSTM cell, numerical gradients and double backprop.

Gate layout: Chainer reads x (B, 4H) as x.reshape(B, H, 4) with a, i, f, o along the last
axis (a = cell input, PyTorch's "g"). PyTorch lays its gates out as four blocks of H rows
in the order i, f, g, o. A PyTorch weight W (4H, in) becomes the Chainer weight

    W.reshape(4, H, in)[[2, 0, 1, 3]].transpose(1, 0, 2).reshape(4 * H, in)

and the same permutation applies to biases (in = 1). `to_chainer_layout` below is that
permutation; the links package needs it to load PyTorch LSTM weights into L.LSTM.
"""

import numpy as np
import pytest
import torch

import kusari
import kusari.functions as F
from kusari import Variable
from kusari.gradient_check import check_backward, check_double_backward
from kusari.testing.oracle import check_oracle

rng = np.random.default_rng(4)


def to_chainer_layout(w, h):
    """PyTorch gate blocks (i, f, g, o) -> Chainer's interleaved (a, i, f, o) per unit."""
    rest = w.shape[1:]
    return w.reshape((4, h) + rest)[[2, 0, 1, 3]].swapaxes(0, 1).reshape((4 * h,) + rest)


def _torch_cell(c, x):
    b, h = c.shape
    gates = x.reshape(b, h, 4).permute(0, 2, 1)[:, [1, 2, 0, 3]].reshape(b, 4 * h)
    eye = torch.eye(4 * h, dtype=x.dtype)
    hy, cy = torch.lstm_cell(
        gates, (torch.zeros_like(c), c), eye, torch.zeros(4 * h, h, dtype=x.dtype)
    )
    return cy, hy


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_oracle_cell(dtype):
    c = rng.standard_normal((3, 5)).astype(dtype)
    x = (rng.standard_normal((3, 20)) * 2).astype(dtype)
    check_oracle(lambda c, x: F.lstm(c, x), _torch_cell, [c, x])


def test_matches_torch_lstmcell_with_permuted_weights_over_a_sequence():
    n_in, h, b, steps = 3, 4, 2, 5
    cell = torch.nn.LSTMCell(n_in, h).double()
    w = to_chainer_layout(cell.weight_ih.detach().numpy(), h)
    u = to_chainer_layout(cell.weight_hh.detach().numpy(), h)
    bias = to_chainer_layout((cell.bias_ih + cell.bias_hh).detach().numpy(), h)
    xs = rng.standard_normal((steps, b, n_in))
    ht = torch.zeros(b, h, dtype=torch.float64)
    ct = torch.zeros(b, h, dtype=torch.float64)
    hk = Variable(np.zeros((b, h)))
    ck = Variable(np.zeros((b, h)))
    wv, uv, bv = Variable(w), Variable(u), Variable(bias)
    for t in range(steps):
        ht, ct = cell(torch.tensor(xs[t]), (ht, ct))
        ck, hk = F.lstm(ck, F.matmul(xs[t], wv, transb=True) + F.matmul(hk, uv, transb=True) + bv)
    np.testing.assert_allclose(hk.array, ht.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ck.array, ct.detach().numpy(), rtol=1e-12, atol=1e-12)
    (ht.sum() + ct.sum()).backward()
    kusari.backward([hk, ck], [np.ones((b, h))] * 2)
    np.testing.assert_allclose(
        wv.grad, to_chainer_layout(cell.weight_ih.grad.numpy(), h), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        uv.grad, to_chainer_layout(cell.weight_hh.grad.numpy(), h), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        bv.grad, to_chainer_layout(cell.bias_ih.grad.numpy(), h), rtol=1e-10, atol=1e-12
    )


def test_gate_order_by_hand():
    # unit 0 gets a=1, i=2, f=3, o=4 (adjacent), unit 1 all zeros
    x = np.array([[1.0, 2.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0]])
    c_prev = np.array([[0.5, -1.0]])
    c, h = F.lstm(c_prev, x)

    def sig(z):
        return 1 / (1 + np.exp(-z))

    c0 = np.tanh(1) * sig(2) + sig(3) * 0.5
    c1 = 0.0 * 0.5 + 0.5 * -1.0
    np.testing.assert_allclose(c.array, [[c0, c1]])
    np.testing.assert_allclose(h.array, [[sig(4) * np.tanh(c0), 0.5 * np.tanh(c1)]])


@pytest.mark.parametrize("b,big", [(3, 3), (2, 5)])
def test_backward_and_double_backward(b, big):
    c = rng.standard_normal((big, 4))
    x = rng.standard_normal((b, 16))
    gys = (rng.standard_normal((big, 4)), rng.standard_normal((b, 4)))
    ggs = (rng.standard_normal(c.shape), rng.standard_normal(x.shape))
    check_backward(F.lstm, (c, x), gys)
    check_double_backward(F.lstm, (c, x), gys, ggs)


def test_smaller_batch_passes_extra_rows_through():
    c = rng.standard_normal((4, 3))
    x = rng.standard_normal((2, 12))
    cn, h = F.lstm(c, x)
    assert h.shape == (2, 3)
    np.testing.assert_array_equal(cn.array[2:], c[2:])
    full_c, full_h = F.lstm(c[:2], x)
    np.testing.assert_array_equal(cn.array[:2], full_c.array)
    np.testing.assert_array_equal(h.array, full_h.array)


@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.parametrize("b", [2, 3])
def test_one_output_unused(which, b):
    c = rng.standard_normal((3, 2))
    x = rng.standard_normal((b, 8))
    res = []
    for double in (False, True):
        cv, xv = Variable(c), Variable(x)
        out = F.lstm(cv, xv)[which]
        res.append(
            kusari.grad(
                [out], [cv, xv], [Variable(np.ones(out.shape))], enable_double_backprop=double
            )
        )
    for a, d in zip(*res):
        np.testing.assert_allclose(a.array, d.array, rtol=1e-12, atol=1e-14)
    check_backward(
        lambda c, x: F.lstm(c, x)[which],
        (c, x),
        rng.standard_normal((3, 2) if which == 0 else (b, 2)),
    )


def test_extra_trailing_dims():
    c = rng.standard_normal((2, 3, 2))
    x = rng.standard_normal((2, 12, 2))
    cn, h = F.lstm(c, x)
    for k in range(2):
        ck, hk = F.lstm(c[:, :, k], x[:, :, k])
        np.testing.assert_allclose(cn.array[:, :, k], ck.array)
        np.testing.assert_allclose(h.array[:, :, k], hk.array)
    check_backward(F.lstm, (c, x), (rng.standard_normal(c.shape), rng.standard_normal(c.shape)))


def test_backward_twice_over_the_same_graph():
    cv, xv = Variable(rng.standard_normal((2, 3))), Variable(rng.standard_normal((2, 12)))
    c, h = F.lstm(cv, xv)
    g1 = kusari.grad([h], [xv], [Variable(np.ones((2, 3)))])[0].array
    g2 = kusari.grad([h], [xv], [Variable(np.ones((2, 3)))])[0].array
    np.testing.assert_array_equal(g1, g2)


def test_float16_and_float32_keep_dtype():
    for dt in (np.float16, np.float32):
        cv = Variable(np.zeros((2, 3), dt))
        xv = Variable(rng.standard_normal((2, 12)).astype(dt))
        c, h = F.lstm(cv, xv)
        assert c.dtype == dt and h.dtype == dt
        kusari.backward([c, h], [np.ones((2, 3), dt)] * 2)
        assert xv.grad.dtype == dt and cv.grad.dtype == dt


def test_bad_inputs():
    with pytest.raises(
        ValueError,
        match=r"lstm: expected c_prev of shape \(B, H, ...\) and x of "
        r"shape .* got c_prev \(2, 3\) and x \(2, 10\)",
    ):
        F.lstm(np.zeros((2, 3), np.float32), np.zeros((2, 10), np.float32))
    with pytest.raises(ValueError, match="lstm: expected"):
        F.lstm(np.zeros((2, 3), np.float32), np.zeros((3, 12), np.float32))
    with pytest.raises(TypeError, match="lstm: expected x of a floating-point dtype"):
        F.lstm(np.zeros((2, 3), np.float32), np.zeros((2, 12), np.int32))
    with pytest.raises(TypeError, match="lstm: c_prev and x must share a dtype"):
        F.lstm(np.zeros((2, 3), np.float32), np.zeros((2, 12), np.float64))
