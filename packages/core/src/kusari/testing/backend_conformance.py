"""A conformance suite any kusari backend runs against itself.

A backend's test suite subclasses :class:`BackendConformanceTests` and names its device;
pytest then checks transfers, dispatch and every listed function's forward and backward
against the NumPy backend:

    from kusari.testing.backend_conformance import BackendConformanceTests

    class TestMyBackend(BackendConformanceTests):
        device = "@mybackend"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy
import pytest

import kusari
import kusari.functions as F
from kusari.backend import get_array_module, get_device

__all__ = ["BackendConformanceTests", "Case", "CASES"]


@dataclass(frozen=True)
class Case:
    """One function call to compare across backends.

    Attributes:
        name: Test id.
        fn: Takes ``F`` and the input Variables; returns a Variable or a tuple.
        shapes: Shapes of the float inputs (drawn from a seeded normal distribution).
        ints: Integer inputs ``(shape, high)``, passed after the float inputs.
        positive: Make float inputs positive (log, sqrt).
        needs: Names in ``kusari.functions`` the case needs (skipped when missing).
    """

    name: str
    fn: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    ints: tuple[tuple[tuple[int, ...], int], ...] = ()
    positive: bool = False
    needs: tuple[str, ...] = field(default=())


CASES = [
    Case("add", lambda F, a, b: a + b, ((3, 4), (4,))),
    Case("sub_mul_div", lambda F, a, b: (a - b) * a / (b * b + 1), ((3, 4), (3, 4))),
    Case("pow", lambda F, a: a**3 - 2.0**a, ((5,),)),
    Case("matmul", lambda F, a, b: a @ b, ((3, 4), (4, 2))),
    Case("getitem", lambda F, a: a[1:, [0, 0, 2]], ((3, 4),)),
    Case("reshape_T", lambda F, a: a.reshape(2, 6).T, ((3, 4),)),
    Case("exp_log", lambda F, a: F.log(F.exp(a) + 1), ((6,),)),
    Case("relu", lambda F, a: F.relu(a), ((4, 5),), needs=("relu",)),
    Case("sigmoid", lambda F, a: F.sigmoid(a), ((4, 5),), needs=("sigmoid",)),
    Case("tanh", lambda F, a: F.tanh(a), ((4, 5),), needs=("tanh",)),
    Case("softmax", lambda F, a: F.softmax(a), ((4, 5),), needs=("softmax",)),
    Case("log_softmax", lambda F, a: F.log_softmax(a), ((4, 5),), needs=("log_softmax",)),
    Case(
        "sum_mean",
        lambda F, a: F.sum(a, axis=1) + F.mean(a, axis=1),
        ((4, 5),),
        needs=("sum", "mean"),
    ),
    Case("max", lambda F, a: F.max(a, axis=0), ((4, 5),), needs=("max",)),
    Case("linear", lambda F, x, w, b: F.linear(x, w, b), ((3, 4), (5, 4), (5,)), needs=("linear",)),
    Case(
        "conv2d",
        lambda F, x, w, b: F.convolution_2d(x, w, b, stride=1, pad=1),
        ((2, 3, 6, 6), (4, 3, 3, 3), (4,)),
        needs=("convolution_2d",),
    ),
    Case(
        "deconv2d",
        lambda F, x, w: F.deconvolution_2d(x, w, stride=2),
        ((2, 3, 4, 4), (3, 2, 3, 3)),
        needs=("deconvolution_2d",),
    ),
    Case(
        "max_pool",
        lambda F, x: F.max_pooling_2d(x, 2, 2),
        ((2, 3, 6, 6),),
        needs=("max_pooling_2d",),
    ),
    Case(
        "avg_pool",
        lambda F, x: F.average_pooling_2d(x, 2, 2),
        ((2, 3, 6, 6),),
        needs=("average_pooling_2d",),
    ),
    Case(
        "batch_norm",
        lambda F, x, g, b: F.batch_normalization(x, g, b),
        ((4, 3, 5, 5), (3,), (3,)),
        needs=("batch_normalization",),
    ),
    Case(
        "concat_split",
        lambda F, a, b: F.split_axis(F.concat((a, b), axis=1), 3, axis=1),
        ((2, 3), (2, 3)),
        needs=("concat", "split_axis"),
    ),
    Case(
        "softmax_ce",
        lambda F, x, t: F.softmax_cross_entropy(x, t),
        ((6, 5),),
        ints=(((6,), 5),),
        needs=("softmax_cross_entropy",),
    ),
    Case(
        "embed_id",
        lambda F, w, t: F.embed_id(t, w),
        ((7, 3),),
        ints=(((4,), 7),),
        needs=("embed_id",),
    ),
    Case("lstm", lambda F, c, x: F.lstm(c, x), ((2, 3), (2, 12)), needs=("lstm",)),
    Case(
        "mse",
        lambda F, a, b: F.mean_squared_error(a, b),
        ((3, 4), (3, 4)),
        needs=("mean_squared_error",),
    ),
]


def _host(a: Any) -> numpy.ndarray:
    return get_device("@numpy").send(a)


def _outputs(y: Any) -> tuple[Any, ...]:
    return y if isinstance(y, tuple) else (y,)


class BackendConformanceTests:
    """Mixin of conformance tests; set ``device`` (and tolerances) in the subclass."""

    device: str = "@numpy"
    atol: float = 1e-5
    rtol: float = 1e-4
    dtypes: tuple[Any, ...] = (numpy.float32, numpy.float64)

    def _device(self) -> Any:
        return get_device(self.device)

    def test_transfer_round_trip(self) -> None:
        d = self._device()
        for dtype in (*self.dtypes, numpy.int32):
            a = numpy.arange(12, dtype=dtype).reshape(3, 4)
            b = d.send(a)
            assert kusari.get_device_from_array(b) == d
            back = _host(b)
            assert back.dtype == a.dtype and back.shape == a.shape
            numpy.testing.assert_array_equal(back, a)

    def test_variable_device_and_array_module(self) -> None:
        d = self._device()
        v = kusari.Variable(d.send(numpy.ones(3, numpy.float32)))
        assert v.device == d
        assert get_array_module(v) is d.xp
        v.to_device("@numpy")
        assert type(v.array) is numpy.ndarray
        v.to_device(d)
        assert v.device == d

    @pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
    def test_function_matches_numpy(self, case: Case) -> None:
        missing = [n for n in case.needs if not hasattr(F, n)]
        if missing:
            pytest.skip(f"kusari.functions lacks {missing}")
        d = self._device()
        for dtype in self.dtypes:
            rng = numpy.random.default_rng(0)
            floats = [rng.standard_normal(s).astype(dtype) for s in case.shapes]
            if case.positive:
                floats = [abs(f) + 0.5 for f in floats]
            ints = [rng.integers(0, high, s).astype(numpy.int32) for s, high in case.ints]
            results = []
            for dev in (get_device("@numpy"), d):
                xs = [kusari.Variable(dev.send(f.copy())) for f in floats]
                consts = [dev.send(i.copy()) for i in ints]
                ys = _outputs(case.fn(F, *xs, *consts))
                grng = numpy.random.default_rng(1)
                gys = [grng.standard_normal(y.shape).astype(y.dtype) for y in ys]
                kusari.backward(list(ys), [dev.send(g) for g in gys])
                results.append(([_host(y.array) for y in ys], [_host(x.grad) for x in xs]))
            (ref_y, ref_g), (got_y, got_g) = results
            for r, g in zip(ref_y + ref_g, got_y + got_g):
                assert r.dtype == g.dtype and r.shape == g.shape
                numpy.testing.assert_allclose(g, r, atol=self.atol, rtol=self.rtol)

    def test_mixing_with_numpy_is_a_clear_error(self) -> None:
        d = self._device()
        if d == get_device("@numpy"):
            pytest.skip("the NumPy backend cannot mix with itself")
        a = kusari.Variable(d.send(numpy.ones(2, numpy.float32)))
        b = kusari.Variable(numpy.ones(2, numpy.float32))
        with pytest.raises(ValueError, match="different backends"):
            a + b
