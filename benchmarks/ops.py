"""Heavy ops, forward + backward: kusari vs PyTorch CPU in the same run, one thread.

Workloads (shapes from the LeNet/CIFAR-style models the issue names):

- convolution_2d: LeNet conv1 (64,1,28,28)*(6,1,5,5), conv2 (64,6,12,12)*(16,6,5,5),
  and a 3x3 64→64 layer on 32x32 maps with pad 1, batch 64;
- max_pooling_2d (64,64,32,32), k2 s2;
- batch_normalization (64,64,32,32) in training mode;
- linear, batch 128, 784→100 (and batch 1 as an informative row);
- softmax_cross_entropy, 128×10.

Each repetition times one forward+backward (several for the tiny ops) in kusari and in
PyTorch back to back, alternating which goes first; the table shows median times and
the median of the paired ratios. Ops that do not exist yet are skipped with a note.

Times are process CPU time (``--wall`` for wall-clock time): both sides run on one
thread, so they agree on an idle machine, and CPU time stays meaningful on a shared one.

Run: ``python benchmarks/ops.py [--quick] [--wall] [--only=NAME]`` (or ``nox -s bench``;
``--only`` keeps the rows whose name contains NAME); results go to
``bench-results/ops.json`` and a Markdown table on stdout.
"""

from __future__ import annotations

import os

# Pin every BLAS/OpenMP pool to one thread before NumPy or torch load.
for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = "1"

import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _timing  # noqa: E402

import kusari  # noqa: E402
import kusari.functions as F  # noqa: E402

torch.set_num_threads(1)
tF = torch.nn.functional

TARGET = {
    "linear": 1.0,
    "convolution_2d": 1.3,
    "max_pooling_2d": 1.5,
    "batch_normalization": 1.5,
    "softmax_cross_entropy": None,
}


class Case:
    """One workload: twin step functions over the same data, each returning seconds."""

    def __init__(
        self, name: str, op: str, make: Callable[[], tuple[Any, Any]], inner: int = 1
    ) -> None:
        self.name = name
        self.op = op
        self.make = make
        self.inner = inner


def _timed_loop(
    step: Callable[[], None], inner: int, clock: Callable[[], float]
) -> Callable[[], float]:
    def run() -> float:
        t0 = clock()
        for _ in range(inner):
            step()
        return (clock() - t0) / inner

    return run


def _pair(
    kusari_fn: Callable[..., Any],
    torch_fn: Callable[..., Any],
    arrays: list[np.ndarray],
    grads: list[bool],
) -> tuple[Callable[[], None], Callable[[], None]]:
    """Twin forward+backward steps of ``fn(*inputs)`` with a fixed upstream gradient."""
    kin = [kusari.Variable(a, requires_grad=g) for a, g in zip(arrays, grads)]
    tin = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    out = kusari_fn(*kin)
    gy = (
        None
        if out.size == 1
        else np.random.default_rng(1).standard_normal(out.shape).astype(out.dtype)
    )
    tgy = None if gy is None else torch.from_numpy(gy)

    def k_step() -> None:
        for v in kin:
            v.cleargrad()
        y = kusari_fn(*kin)
        if gy is not None:
            y.grad = gy
        y.backward()

    def t_step() -> None:
        for t in tin:
            t.grad = None
        y = torch_fn(*tin)
        y.backward(tgy)

    return k_step, t_step


def _randn(*shape: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


def conv_case(name: str, xs: tuple[int, ...], ws: tuple[int, ...], pad: int, x_grad: bool) -> Case:
    def make():
        x, W, b = _randn(*xs), _randn(*ws) * 0.1, _randn(ws[0])
        return _pair(
            lambda x, W, b: F.convolution_2d(x, W, b, pad=pad),
            lambda x, W, b: tF.conv2d(x, W, b, padding=pad),
            [x, W, b],
            [x_grad, True, True],
        )

    return Case(name, "convolution_2d", make)


def pool_case() -> Case:
    def make():
        return _pair(
            lambda x: F.max_pooling_2d(x, 2, 2),
            lambda x: tF.max_pool2d(x, 2, 2),
            [_randn(64, 64, 32, 32)],
            [True],
        )

    return Case("max_pooling_2d (64,64,32,32) k2 s2", "max_pooling_2d", make)


def bn_case() -> Case:
    def make():
        x, g, b = _randn(64, 64, 32, 32), np.ones(64, np.float32), np.zeros(64, np.float32)
        return _pair(
            lambda x, g, b: F.batch_normalization(x, g, b),
            lambda x, g, b: tF.batch_norm(x, None, None, g, b, training=True),
            [x, g, b],
            [True, True, True],
        )

    return Case("batch_normalization (64,64,32,32)", "batch_normalization", make)


def linear_case(batch: int, inner: int) -> Case:
    def make():
        x, W, b = _randn(batch, 784), _randn(100, 784) * 0.05, _randn(100)
        return _pair(F.linear, tF.linear, [x, W, b], [False, True, True])

    return Case(f"linear batch {batch}, 784→100", "linear", make, inner)


def sce_case() -> Case:
    def make():
        t = np.random.default_rng(2).integers(0, 10, 128)
        tt = torch.from_numpy(t)
        return _pair(
            lambda x: F.softmax_cross_entropy(x, t),
            lambda x: tF.cross_entropy(x, tt),
            [_randn(128, 10)],
            [True],
        )

    return Case("softmax_cross_entropy 128×10", "softmax_cross_entropy", make, inner=50)


def cases() -> list[Case]:
    return [
        conv_case(
            "convolution_2d LeNet1 (64,1,28,28)*(6,1,5,5)", (64, 1, 28, 28), (6, 1, 5, 5), 0, False
        ),
        conv_case(
            "convolution_2d LeNet2 (64,6,12,12)*(16,6,5,5)", (64, 6, 12, 12), (16, 6, 5, 5), 0, True
        ),
        conv_case(
            "convolution_2d 3x3 64→64 (64,64,32,32) pad 1",
            (64, 64, 32, 32),
            (64, 64, 3, 3),
            1,
            True,
        ),
        pool_case(),
        bn_case(),
        linear_case(128, inner=20),
        linear_case(1, inner=200),
        sce_case(),
    ]


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    reps = 5 if quick else 11
    # Process CPU time by default: both sides are single-threaded, so on an idle machine
    # it equals wall time, and on a shared one it ignores time spent waiting for a core.
    clock = time.perf_counter if "--wall" in argv else time.process_time
    rows, notes = [], {}
    only = [a.split("=", 1)[1] for a in argv if a.startswith("--only=")]
    for case in cases():
        if only and not any(o in case.name for o in only):
            continue
        if not hasattr(F, case.op):
            notes[case.name] = f"skipped: F.{case.op} does not exist yet"
            continue
        k_step, t_step = case.make()
        for step in (k_step, t_step):  # warm up caches and allocators
            step()
        times = _timing.interleave(
            {
                "kusari": _timed_loop(k_step, case.inner, clock),
                "torch": _timed_loop(t_step, case.inner, clock),
            },
            reps,
        )
        target = TARGET[case.op]
        if case.op == "linear" and "batch 1," in case.name:
            target = None  # per-call overhead row, informative
        rows.append(_timing.row(case.name, "ms", times["kusari"], times["torch"], target, 1e3))
    notes["clock"] = "wall" if clock is time.perf_counter else "process CPU time"
    _timing.report("ops", rows, quick, **notes)


if __name__ == "__main__":
    main(sys.argv[1:])
