"""GPU tests of the kernels: each against NumPy, and each kusari function with the kernels
against the same function's generic ``xp`` code on CuPy (kernels switched off) and on
NumPy, forward and gradients, in float16, float32 and float64.

Skipped unless CuPy finds a CUDA device (marker ``gpu``).
"""

from __future__ import annotations

import numpy as np
import pytest

cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
try:
    _has_gpu = bool(cupy.is_available())
except Exception:  # pragma: no cover - broken driver installs
    _has_gpu = False

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not _has_gpu, reason="no usable CUDA device")]

import kusari  # noqa: E402
import kusari.functions as F  # noqa: E402
from kusari_backend_cuda.kernels import KERNELS  # noqa: E402

GRAD_TOL = {"float16": (5e-2, 5e-2), "float32": (1e-4, 1e-4), "float64": (1e-9, 1e-9)}


def _to_gpu(a):
    return cupy.asarray(a) if isinstance(a, np.ndarray) else a


def test_kernel_matches_numpy_reference(kernel_case, kernel_dtype, outputs_match):
    rng = np.random.default_rng(0)
    args = kernel_case.make(rng, np.dtype(kernel_dtype))
    want = kernel_case.ref(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    gargs = [_to_gpu(a) for a in args]
    got = kernel_case.run(KERNELS[kernel_case.kernel], gargs)
    for g in got:
        assert isinstance(g, cupy.ndarray), f"{kernel_case.id}: returned {type(g)}"
    outputs_match(
        kernel_case, got, want if isinstance(want, tuple) else (want,), kernel_dtype, cupy.asnumpy
    )


def test_every_kernel_is_registered_for_cupy_arrays():
    x = cupy.zeros(2, cupy.float32)
    for name, fn in KERNELS.items():
        assert kusari.backend.get_kernel(name, x) is fn, name
    assert kusari.backend.get_kernel("softmax", np.zeros(2, np.float32)) is None


# --- kusari functions: kernels vs generic xp on CuPy vs NumPy ------------------------------


def test_function_with_kernels_matches_generic_cupy_and_numpy(
    function_case, function_dtype, run_function, monkeypatch
):
    def on_gpu(kernels):
        return run_function(
            function_case, function_dtype, cupy.asarray, cupy.asnumpy, kernels, monkeypatch
        )

    with_kernels, generic = on_gpu(None), on_gpu(False)
    host = run_function(function_case, function_dtype, np.asarray, np.asarray, None, monkeypatch)
    rtol, atol = GRAD_TOL[function_dtype]
    assert len(with_kernels) == len(generic) == len(host)
    for k, (a, b, c) in enumerate(zip(with_kernels, generic, host)):
        assert a.shape == b.shape == c.shape and a.dtype == b.dtype == c.dtype, (function_case, k)
        for other, label in ((b, "generic CuPy"), (c, "NumPy")):
            np.testing.assert_allclose(
                a.astype(np.float64),
                other.astype(np.float64),
                rtol=rtol,
                atol=atol,
                err_msg=f"{function_case} output {k} vs {label}",
            )


def test_batch_normalization_updates_running_statistics_like_numpy():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 3, 2, 2)).astype(np.float32) * 2 + 1
    gamma, beta = np.ones(3, np.float32), np.zeros(3, np.float32)
    stats = {}
    for xp in (np, cupy):
        mean, var = xp.zeros(3, xp.float32), xp.ones(3, xp.float32)
        F.batch_normalization(
            xp.asarray(x), xp.asarray(gamma), xp.asarray(beta), running_mean=mean, running_var=var
        )
        stats[xp.__name__] = (cupy.asnumpy(mean), cupy.asnumpy(var))
    for a, b in zip(stats["cupy"], stats["numpy"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_dropout_on_the_gpu(dtype):
    x = cupy.asarray(np.random.default_rng(3).standard_normal((300, 40)).astype(dtype))
    v = kusari.Variable(x)
    cupy.random.seed(5)
    with kusari.using_config("train", True):
        y, mask = F.dropout(v, 0.3, return_mask=True)
    assert isinstance(mask, cupy.ndarray) and mask.dtype == x.dtype
    m = cupy.asnumpy(mask)
    assert set(np.unique(m)) <= {0, np.dtype(dtype).type(1 / 0.7)}
    assert abs((m == 0).mean() - 0.3) < 0.02
    np.testing.assert_allclose(cupy.asnumpy(y.array), cupy.asnumpy(x) * m, rtol=1e-3)
    y.grad = cupy.ones_like(x)
    y.backward()
    np.testing.assert_array_equal(cupy.asnumpy(v.grad), m)
    cupy.random.seed(5)
    with kusari.using_config("train", True):
        _, again = F.dropout(v, 0.3, return_mask=True)
    np.testing.assert_array_equal(cupy.asnumpy(again), m)


def test_large_convolution_runs_in_chunks(monkeypatch):
    from kusari_backend_cuda.kernels import convolution

    rng = np.random.default_rng(4)
    x = cupy.asarray(rng.standard_normal((9, 3, 10, 10)).astype(np.float32))
    W = cupy.asarray(rng.standard_normal((5, 3, 3, 3)).astype(np.float32))
    whole = F.convolution_2d(x, W, pad=1).array
    monkeypatch.setattr(convolution, "COL_BYTES", 3 * 9 * 100 * 4 * 2)
    chunked = F.convolution_2d(x, W, pad=1).array
    np.testing.assert_allclose(cupy.asnumpy(whole), cupy.asnumpy(chunked), rtol=1e-5, atol=1e-5)
