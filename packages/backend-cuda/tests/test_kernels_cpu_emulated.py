"""Every kernel against kusari's generic NumPy code, run through the host C++ emulator.

The CUDA operation strings are compiled as host C++ (see ``conftest.fake_cupy``) and
applied to NumPy arrays, so index arithmetic, layouts and the Python wrappers are
checked on machines without a GPU. ``test_gpu_kernels.py`` repeats the same cases on a
real device.
"""

from __future__ import annotations

import numpy as np
import pytest

from kusari_backend_cuda.kernels import KERNELS


def test_kernel_matches_the_generic_implementation(
    fake_cupy, kernel_case, kernel_dtype, outputs_match
):
    rng = np.random.default_rng(0)
    args = kernel_case.make(rng, np.dtype(kernel_dtype))
    want = kernel_case.ref(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    got = kernel_case.run(KERNELS[kernel_case.kernel], args)
    outputs_match(
        kernel_case, got, want if isinstance(want, tuple) else (want,), kernel_dtype, np.asarray
    )


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_dropout_mask_and_output(fake_cupy, dtype):
    x = np.random.default_rng(1).standard_normal((200, 50)).astype(dtype)
    np.random.seed(3)
    y, mask = KERNELS["dropout"](x, 0.25)
    assert y.dtype == mask.dtype == x.dtype and y.shape == mask.shape == x.shape
    scale = np.dtype(dtype).type(1 / 0.75)
    assert set(np.unique(mask)) <= {0, scale}
    np.testing.assert_allclose(y, x * mask, rtol=1e-3 if dtype == "float16" else 1e-6)
    assert abs((mask == 0).mean() - 0.25) < 0.02
    np.random.seed(3)
    _, again = KERNELS["dropout"](x, 0.25)
    np.testing.assert_array_equal(mask, again)  # the RNG's seed decides the mask


def test_dropout_ratio_zero_keeps_everything(fake_cupy):
    x = np.arange(6, dtype=np.float32)
    y, mask = KERNELS["dropout"](x, 0.0)
    np.testing.assert_array_equal(mask, np.ones(6, np.float32))
    np.testing.assert_array_equal(y, x)


def test_convolution_in_batch_chunks_matches_one_chunk(fake_cupy, monkeypatch):
    from kusari_backend_cuda.kernels import convolution

    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 2, 6, 6)).astype(np.float32)
    W = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    gy = rng.standard_normal((5, 3, 4, 4)).astype(np.float32)
    args = ((1, 1), (0, 0), (1, 1), 1)
    whole = (
        KERNELS["convolution_2d"](x, W, None, *args, False),
        KERNELS["convolution_2d_grad_w"](x, gy, (3, 3), *args),
        KERNELS["deconvolution_2d"](gy, W, None, (1, 1), (0, 0), (6, 6), (1, 1), 1),
    )
    monkeypatch.setattr(convolution, "COL_BYTES", 2 * 3 * 3 * 16 * 4 * 2)  # two items a chunk
    chunked = (
        KERNELS["convolution_2d"](x, W, None, *args, False),
        KERNELS["convolution_2d_grad_w"](x, gy, (3, 3), *args),
        KERNELS["deconvolution_2d"](gy, W, None, (1, 1), (0, 0), (6, 6), (1, 1), 1),
    )
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_empty_batches(fake_cupy):
    x = np.zeros((0, 2, 5, 5), np.float32)
    W = np.ones((3, 2, 3, 3), np.float32)
    assert KERNELS["convolution_2d"](x, W, None, (1, 1), (0, 0), (1, 1), 1, False).shape == (
        0,
        3,
        3,
        3,
    )
    gw = KERNELS["convolution_2d_grad_w"](
        x, np.zeros((0, 3, 3, 3), np.float32), (3, 3), (1, 1), (0, 0), (1, 1), 1
    )
    np.testing.assert_array_equal(gw, np.zeros((3, 2, 3, 3), np.float32))
    gx = KERNELS["deconvolution_2d"](
        np.zeros((0, 3, 3, 3), np.float32), W, None, (1, 1), (0, 0), (5, 5), (1, 1), 1
    )
    assert gx.shape == (0, 2, 5, 5)
    assert KERNELS["softmax"](np.zeros((0, 3), np.float32), 1).shape == (0, 3)


def test_functions_with_the_kernels_plugged_in_match_the_generic_code(
    fake_cupy, function_case, function_dtype, run_function, monkeypatch
):
    """The kernels installed on the NumPy backend (emulated) serve kusari functions exactly
    as core calls them: conventions, layouts and dtypes of what comes back."""
    tol = {"float16": 5e-2, "float32": 1e-4, "float64": 1e-9}[function_dtype]
    used = set()

    def spy(name, fn):
        def call(*args, **kwargs):
            used.add(name)
            return fn(*args, **kwargs)

        return call

    kernels = {name: spy(name, fn) for name, fn in KERNELS.items()}
    with_kernels = run_function(
        function_case, function_dtype, np.asarray, np.asarray, kernels, monkeypatch
    )
    assert used, f"{function_case}: no kernel was called"
    generic = run_function(
        function_case, function_dtype, np.asarray, np.asarray, False, monkeypatch
    )
    assert len(with_kernels) == len(generic)
    for k, (a, b) in enumerate(zip(with_kernels, generic)):
        assert a.shape == b.shape and a.dtype == b.dtype, (function_case, k, a.dtype, b.dtype)
        np.testing.assert_allclose(
            a.astype(np.float64),
            b.astype(np.float64),
            rtol=tol,
            atol=tol,
            err_msg=f"{function_case} output {k}",
        )
