"""convolution_2d/deconvolution_2d on both memory layouts, through every GEMM strategy.

The kernels in ``_conv_gemm``/``_conv_backward`` pick a strategy from the geometry and the
input's memory layout (channels-first patches for NCHW inputs with few channels,
channels-last ones otherwise; the input gradient by the flipped-kernel convolution,
sharing its patches with the filter gradient, or by col2im per tap). Each case below is pinned
to a strategy (asserted) and checked against PyTorch with NCHW- and NHWC-stored inputs and
upstream gradients, and numerically in float64.
"""

import numpy as np
import pytest
import torch

import kusari.functions as F
from kusari import Variable
from kusari.functions.connection import _conv, _conv_backward, _conv_gemm
from kusari.functions.connection._conv_gemm import ConvGeometry
from kusari.gradient_check import check_backward

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def nhwc(a):
    """``a`` with the same values, stored channels-last."""
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def stored_nhwc(a):
    return a.transpose(0, 2, 3, 1).flags.c_contiguous


def geometry(xs, ws, s, p, d, g):
    s, p, d = (_conv.pair(v, "v", "test") for v in (s, p, d))
    oh = _conv.get_conv_outsize(xs[2], ws[2], s[0], p[0], False, d[0])
    ow = _conv.get_conv_outsize(xs[3], ws[3], s[1], p[1], False, d[1])
    return ConvGeometry(xs, ws, s, p, d, g, (oh, ow))


# x shape, W shape, stride, pad, dilate, groups, and the backward strategy it must take.
CASES = {
    "flip_both": ((2, 16, 6, 7), (8, 16, 3, 3), 1, 1, 1, 1, "both"),
    "flip_both_groups": ((2, 64, 5, 6), (64, 32, 3, 3), 1, 1, 1, 2, "both"),
    "flip_both_dilated": ((2, 8, 7, 7), (6, 8, 3, 2), 1, (2, 1), (2, 1), 1, "both"),
    "depthwise_flip": ((2, 8, 6, 6), (16, 1, 3, 3), 1, 1, 1, 8, "flip"),
    "groups_few_channels_flip": ((2, 12, 5, 6), (12, 4, 3, 3), 1, 1, 1, 3, "flip"),
    "col2im_taps_s1": ((2, 6, 9, 8), (16, 6, 5, 5), 1, 0, 1, 1, "col2im_taps"),
    "col2im_taps_groups_dilated": ((2, 4, 9, 9), (12, 2, 3, 3), 1, 1, 2, 2, "col2im_taps"),
    "col2im_taps_s2": ((2, 3, 9, 8), (5, 3, 3, 3), 2, 1, 1, 1, "col2im_taps"),
    "col2im_major_one_channel": ((2, 1, 9, 9), (3, 1, 4, 4), 1, 0, 1, 1, "col2im_major"),
    "col2im_major_depthwise_s2": ((2, 8, 5, 5), (8, 1, 3, 3), 2, 1, 1, 8, "col2im_major"),
    "col2im_major_wide_gy": ((2, 3, 9, 9), (20, 3, 3, 3), 2, 1, 1, 1, "col2im_major"),
    "col2im_rows_s2": ((2, 16, 7, 7), (8, 16, 3, 3), 2, 1, 1, 1, "col2im_rows"),
    "pointwise": ((2, 12, 4, 5), (6, 12, 1, 1), 1, 0, 1, 1, "pointwise"),
    "pointwise_groups": ((2, 12, 4, 4), (6, 4, 1, 1), 1, 0, 1, 3, "pointwise"),
}


def strategy(xs, ws, s, p, d, g):
    geo = geometry(xs, ws, s, p, d, g)
    if geo.pointwise:
        return "pointwise"
    gy = nhwc(np.zeros((xs[0], ws[0], geo.oh, geo.ow)))  # the backward makes gy NHWC
    ratio = _conv_backward.FLIP_COST_RATIO + 1
    flip = _conv_backward._flip_geometry(gy, np.zeros(ws), geo, ratio)
    if flip is None:
        if geo.cg >= _conv_backward.COL2IM_MIN_RUN:
            return "col2im_rows"
        og = geo.o // geo.g
        if geo.cg > 1 and og <= _conv_backward.COL2IM_TAP_GEMM_MAX_OG:
            return "col2im_taps"
        return "col2im_major"
    # Groups of few channels take channels-first patches: the flipped convolution and
    # the filter gradient then run separately.
    return "flip" if _conv_gemm._first_major(gy, flip[1]) else "both"


def kusari_grads(x, W, b, gy, kept=None, **kw):
    xv, Wv, bv = Variable(x), Variable(W), Variable(b)
    y = F.convolution_2d(xv, Wv, bv, **kw)
    if kept is not None:  # whether the forward kept its patch matrix for the backward
        assert (y.creator.kept is not None) == kept
    y.grad = gy
    y.backward()
    return y.array, xv.grad, Wv.grad, bv.grad


def torch_grads(x, W, b, gy, stride, pad, dilate, groups):
    t = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in (x, W, b)]
    y = torch.nn.functional.conv2d(*t, stride=stride, padding=pad, dilation=dilate, groups=groups)
    y.backward(torch.tensor(np.ascontiguousarray(gy)))
    return [y.detach().numpy()] + [a.grad.numpy() for a in t]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("x_layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("gy_layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("keep", [True, False])
def test_conv_layouts_match_torch(monkeypatch, name, x_layout, gy_layout, keep):
    xs, ws, s, p, d, g, expect = CASES[name]
    assert strategy(xs, ws, s, p, d, g) == expect
    if not keep:  # patches rebuilt in the backward (the "both" path where it applies)
        monkeypatch.setattr(_conv_gemm, "KEEP_COL_BYTES", 0)
    x, W, b = randn(*xs), randn(*ws), randn(ws[0])
    if x_layout == "nhwc":
        x = nhwc(x)
    geo = geometry(xs, ws, s, p, d, g)
    gy = randn(xs[0], ws[0], geo.oh, geo.ow)
    if gy_layout == "nhwc":
        gy = nhwc(gy)
    # Stride-1 groups of few channels run on the flat layout, which keeps nothing.
    flat = g > 1 and geo.cg < _conv_gemm.FIRST_MAJOR_MAX_GROUP_CHANNELS and geo.sy == 1
    kept = keep and expect != "pointwise" and not flat
    got = kusari_grads(x, W, b, gy, kept, stride=s, pad=p, dilate=d, groups=g)
    want = torch_grads(x, W, b, gy, s, p, d, g)
    for name_, k, t in zip(("y", "gx", "gW", "gb"), got, want):
        np.testing.assert_allclose(k, t, rtol=1e-10, atol=1e-10, err_msg=name_)
    if expect == "pointwise":  # a 1x1 convolution keeps its operands' layouts
        assert stored_nhwc(got[0]) == (x_layout == "nhwc")
        assert got[0].flags.c_contiguous == (x_layout == "nchw")
        if x_layout == gy_layout:
            assert stored_nhwc(got[1]) == (x_layout == "nhwc")
    elif not flat:  # results come back channels-last (the flat layout is channels-first)
        assert stored_nhwc(got[0]) and stored_nhwc(got[1])
    assert got[2].flags.c_contiguous  # the filter gradient keeps W's layout


@pytest.mark.parametrize(
    "name",
    [
        "flip_both_groups",
        "col2im_taps_groups_dilated",
        "col2im_major_depthwise_s2",
        "col2im_rows_s2",
    ],
)
@pytest.mark.parametrize("keep", [True, False])
def test_conv_layouts_numerical_grads(monkeypatch, name, keep):
    if not keep:
        monkeypatch.setattr(_conv_gemm, "KEEP_COL_BYTES", 0)
    xs, ws, s, p, d, g, _ = CASES[name]
    x, W = nhwc(randn(*xs)), randn(*ws)

    def f(x, W):
        return F.convolution_2d(x, W, None, s, p, dilate=d, groups=g)

    check_backward(f, (x, W), nhwc(randn(*f(x, W).shape)))


def test_first_major_patches_for_few_nchw_channels():
    # An NCHW image batch with 3 channels reads channels-first patches; the same values
    # stored channels-last read channels-last ones. Both match torch in float32.
    xs, ws = (3, 3, 10, 9), (7, 3, 3, 3)
    geo = geometry(xs, ws, 1, 1, 1, 1)
    x, W, b = randn(*xs, dtype=np.float32), randn(*ws, dtype=np.float32), randn(7, dtype=np.float32)
    assert _conv_gemm._first_major(x, geo) and not _conv_gemm._first_major(nhwc(x), geo)
    gy = randn(3, 7, 10, 9, dtype=np.float32)
    want = torch_grads(x, W, b, gy, 1, 1, 1, 1)
    for xin in (x, nhwc(x)):
        got = kusari_grads(xin, W, b, gy, pad=1)
        for k, t in zip(got, want):
            np.testing.assert_allclose(k, t, rtol=1e-4, atol=1e-4)


def test_backward_both_matches_the_separate_kernels():
    xs, ws, s, p, d, g, _ = CASES["flip_both_groups"]
    geo = geometry(xs, ws, s, p, d, g)
    x, W, gy = nhwc(randn(*xs)), randn(*ws), nhwc(randn(xs[0], ws[0], geo.oh, geo.ow))
    gx, gw = _conv_backward.backward_both(x, gy, W, geo)
    np.testing.assert_allclose(gx, _conv_backward.backward_data(gy, W, geo), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gw, _conv_gemm.grad_weight(x, gy, geo), rtol=1e-12, atol=1e-12)
    # Where the flipped form does not apply (stride 2), it declines.
    geo2 = geometry(xs, ws, 2, p, d, g)
    gy2 = randn(xs[0], ws[0], geo2.oh, geo2.ow)
    assert _conv_backward.backward_both(x, gy2, W, geo2) is None


@pytest.mark.parametrize(
    "name", ["flip_both", "col2im_taps_s1", "col2im_major_wide_gy", "col2im_rows_s2"]
)
def test_conv_row_block_pieces_agree(monkeypatch, name):
    # A one-byte budget splits every item into one-output-row pieces.
    xs, ws, s, p, d, g, _ = CASES[name]
    x, W, b = nhwc(randn(*xs)), randn(*ws), randn(ws[0])
    geo = geometry(xs, ws, s, p, d, g)
    gy = nhwc(randn(xs[0], ws[0], geo.oh, geo.ow))
    full = kusari_grads(x, W, b, gy, stride=s, pad=p, dilate=d, groups=g)
    monkeypatch.setattr(_conv, "COL_CHUNK_BYTES", 1)
    monkeypatch.setattr(_conv_gemm, "KEEP_COL_BYTES", 0)
    assert len(list(_conv_gemm._pieces(geo, 8))) == xs[0] * geo.oh
    small = kusari_grads(x, W, b, gy, stride=s, pad=p, dilate=d, groups=g)
    for a, c in zip(full, small):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x_layout", ["nchw", "nhwc"])
@pytest.mark.parametrize(
    "xs,ws,s,p,g",
    [
        ((2, 16, 4, 5), (16, 3, 3, 3), 1, 1, 1),  # flipped convolution (many channels)
        ((2, 4, 4, 4), (4, 3, 3, 3), 2, 1, 1),  # col2im, strided
        ((2, 4, 3, 3), (4, 2, 3, 3), 1, 0, 2),  # grouped
    ],
)
def test_deconvolution_2d_layouts_match_torch(x_layout, xs, ws, s, p, g):
    x, W, b = randn(*xs), randn(*ws), randn(ws[1] * g)
    if x_layout == "nhwc":
        x = nhwc(x)
    xv, Wv, bv = Variable(x), Variable(W), Variable(b)
    y = F.deconvolution_2d(xv, Wv, bv, s, p, groups=g)
    gy = nhwc(randn(*y.shape))
    y.grad = gy
    y.backward()
    t = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in (x, W, b)]
    ty = torch.nn.functional.conv_transpose2d(*t, stride=s, padding=p, groups=g)
    ty.backward(torch.tensor(np.ascontiguousarray(gy)))
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    for k, tt in zip((xv.grad, Wv.grad, bv.grad), t):
        np.testing.assert_allclose(k, tt.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("layout", ["nchw", "nhwc", "strided"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_channel_sum(layout, dtype):
    a = randn(3, 5, 40, 40).astype(dtype) + 3.0
    if layout == "nhwc":
        a = nhwc(a)
    elif layout == "strided":
        a = a[:, :, ::2]
    got = _conv_gemm.channel_sum(a)
    assert got.dtype == dtype and got.shape == (5,)
    want = a.astype(np.float64).sum(axis=(0, 2, 3))
    rtol = {np.float16: 1e-2, np.float32: 1e-6, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=rtol)


def test_kept_patches_are_reused_and_released(monkeypatch):
    # The forward keeps a small patch matrix; the backward hands its buffer back, and the
    # next forward of that size reuses it instead of allocating (no page faults).
    monkeypatch.setattr(_conv_gemm, "_spare", {})
    x, W = randn(2, 3, 6, 6), randn(4, 3, 3, 3)
    xv = Variable(x)
    y = F.convolution_2d(xv, W, pad=1)
    buf = y.creator.kept[2]
    assert not _conv_gemm._spare.get((buf.size, buf.dtype.str))
    y.grad = np.ones(y.shape)
    y.backward()
    assert y.creator.kept is None
    assert _conv_gemm._spare[(buf.size, buf.dtype.str)] == [buf]
    y2 = F.convolution_2d(xv, W, pad=1)
    assert y2.creator.kept[2] is buf and not _conv_gemm._spare[(buf.size, buf.dtype.str)]
    np.testing.assert_allclose(y2.array, y.array, rtol=1e-12)
    # Above the size limit nothing is kept.
    monkeypatch.setattr(_conv_gemm, "KEEP_COL_BYTES", 100)
    assert F.convolution_2d(xv, W, pad=1).creator.kept is None


@pytest.mark.parametrize(
    "xs,ws,s,p",
    [
        ((0, 3, 5, 5), (4, 3, 3, 3), 1, 1),  # channels-first patches, kept
        ((0, 16, 5, 5), (8, 16, 3, 3), 1, 1),  # channels-last
        ((0, 4, 5, 5), (4, 4, 1, 1), 1, 0),  # pointwise
        ((0, 3, 5, 5), (4, 3, 3, 3), 2, 1),  # col2im
    ],
)
def test_conv_empty_batch(xs, ws, s, p):
    x, W, b = Variable(np.zeros(xs)), Variable(randn(*ws)), Variable(randn(ws[0]))
    y = F.convolution_2d(x, W, b, s, p)
    y.grad = np.ones(y.shape)
    y.backward()
    assert y.shape[0] == 0 and x.grad.shape == xs
    np.testing.assert_array_equal(W.grad, np.zeros(ws))
    np.testing.assert_array_equal(b.grad, np.zeros(ws[0]))
    d = F.deconvolution_2d(Variable(np.zeros((0, ws[0], 3, 3))), W, stride=s, pad=p)
    assert d.shape[:2] == (0, xs[1])
