"""Per-op overhead: a tiny forward+backward step, kusari vs PyTorch CPU in the same run.

batch 1, 10 features: linear → relu → linear → square-sum → backward. Both frameworks
run single-threaded, interleaved, several repetitions; the report is the median time per
iteration and the median of the paired ratios (kusari ÷ PyTorch).

Run: ``python benchmarks/op_overhead.py`` (or ``nox -s bench``).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import kusari  # noqa: E402
import kusari.functions as F  # noqa: E402

torch.set_num_threads(1)
TARGET = 1.0


def kusari_step_factory():
    rng = np.random.default_rng(0)
    w1 = kusari.Parameter(rng.standard_normal((10, 10)).astype(np.float32))
    b1 = kusari.Parameter(np.zeros(10, np.float32))
    w2 = kusari.Parameter(rng.standard_normal((10, 10)).astype(np.float32))
    b2 = kusari.Parameter(np.zeros(10, np.float32))
    x = rng.standard_normal((1, 10)).astype(np.float32)
    params = (w1, b1, w2, b2)

    def step():
        h = F.relu(F.linear(x, w1, b1))
        loss = F.sum(F.square(F.linear(h, w2, b2)))
        for p in params:
            p.cleargrad()
        loss.backward()

    return step


def torch_step_factory():
    g = torch.Generator().manual_seed(0)
    w1 = torch.randn(10, 10, generator=g, requires_grad=True)
    b1 = torch.zeros(10, requires_grad=True)
    w2 = torch.randn(10, 10, generator=g, requires_grad=True)
    b2 = torch.zeros(10, requires_grad=True)
    x = torch.randn(1, 10, generator=g)
    params = (w1, b1, w2, b2)
    lin = torch.nn.functional.linear

    def step():
        h = torch.relu(lin(x, w1, b1))
        loss = lin(h, w2, b2).square().sum()
        for p in params:
            p.grad = None
        loss.backward()

    return step


def time_per_iter(step, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) / n


def run(reps: int = 15, n: int = 2000) -> dict:
    ks, ts = kusari_step_factory(), torch_step_factory()
    for _ in range(300):  # warm up both
        ks()
        ts()
    k_times, t_times, ratios = [], [], []
    for _ in range(reps):
        k = time_per_iter(ks, n)
        t = time_per_iter(ts, n)
        k_times.append(k)
        t_times.append(t)
        ratios.append(k / t)
    return {
        "workload": "op_overhead",
        "kusari_us": statistics.median(k_times) * 1e6,
        "torch_us": statistics.median(t_times) * 1e6,
        "ratio": statistics.median(ratios),
        "target": TARGET,
        "reps": reps,
        "iters_per_rep": n,
    }


def main() -> None:
    quick = "--quick" in sys.argv
    res = run(reps=5 if quick else 15, n=500 if quick else 2000)
    out = Path(os.environ.get("KUSARI_BENCH_OUT", "bench-results"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "op_overhead.json").write_text(json.dumps(res, indent=2) + "\n")
    status = "ok" if res["ratio"] <= TARGET else "MISSED"
    print("| workload | kusari (µs/iter) | PyTorch (µs/iter) | ratio | target |")
    print("|---|---|---|---|---|")
    print(
        f"| op_overhead | {res['kusari_us']:.1f} | {res['torch_us']:.1f} | "
        f"{res['ratio']:.2f}× | ≤ {TARGET} ({status}) |"
    )


if __name__ == "__main__":
    main()
