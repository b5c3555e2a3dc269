"""Cost against graph size: per-op time and memory of long chains, and a 1 000-layer MLP.

1. Time: a chain of N cheap ops (``h = h * 1.0001`` on a 10-element array) forward, then
   ``sum`` and backward, for N = 10 … 100 000 (10 000 with ``--quick``). The time per op
   must stay flat as the graph grows: anything quadratic (a list scan per node, a
   growing sort, garbage-collector passes over the whole graph) shows as a rising curve.
   Flatness is µs/op at the largest N ÷ µs/op at N = 1 000, kusari (target ≤ 1.5;
   PyTorch's value is given for reference).
2. Graph memory: the RSS growth while a chain of the largest N is alive, per op, in a
   fresh process per framework.
3. A 1 000-layer MLP (width 32, batch 1 024, ReLU, near-identity weights) forward and
   backward in a fresh process per framework. Each layer keeps one 128 KiB activation for
   backward (ReLU's output is the next Linear's input), so the forward pass should grow
   RSS by about 1 000 × 128 KiB; a framework that also kept the pre-activations or
   the intermediate gradients shows ~2-3× that. The peak is compared with PyTorch
   (target ≤ 1.0), and the RSS after backward while the loss is still referenced shows
   whether backward released the arrays it no longer needed (target: at most a quarter
   of the activations still held; the parameter gradients, 4 MiB, stay). Children run with
   ``MALLOC_MMAP_THRESHOLD_=65536`` so every activation is its own mapping and freeing
   it really lowers the RSS (glibc otherwise keeps freed heap memory, hiding frees).

Each framework runs in its own processes (a timing worker, and a fresh process per memory
measurement) that import only that framework: see ``_timing.py`` for why.

Run: ``python benchmarks/scaling.py [--quick]``.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import sys  # noqa: E402

import numpy as np  # noqa: E402
from _timing import (  # noqa: E402
    Worker,
    child_reply,
    interleave,
    maxrss,
    report,
    row,
    rss_now,
    run_child,
    serve,
    timed,
    worker_args,
)

import kusari  # noqa: E402
import kusari.functions as F  # noqa: E402

FLAT_TARGET = 1.5
MEM_TARGET = 1.0
HELD_TARGET = 0.25  # backward should have released (nearly) every activation it used
DEPTH, WIDTH, MLP_BATCH = 1000, 32, 1024
MIB = 2**20


def kusari_chain(n: int):
    x = kusari.Parameter(np.ones(10, np.float32))

    def run():
        h = x
        for _ in range(n):
            h = h * 1.0001
        loss = F.sum(h)
        x.cleargrad()
        loss.backward()
        return loss

    return run


def _torch():
    import torch

    torch.set_num_threads(1)
    return torch


def torch_chain(n: int):
    x = _torch().ones(10, requires_grad=True)

    def run():
        h = x
        for _ in range(n):
            h = h * 1.0001
        loss = h.sum()
        x.grad = None
        loss.backward()
        return loss

    return run


def chain_memory_child(framework: str, n: int) -> None:
    """RSS growth per op while a chain of ``n`` ops is alive (before backward)."""
    if framework == "kusari":
        h = x = kusari.Parameter(np.ones(10, np.float32))
    else:
        h = x = _torch().ones(10, requires_grad=True)
    base = rss_now()
    for _ in range(n):
        h = h * 1.0001
    alive = rss_now()
    (F.sum(h) if framework == "kusari" else h.sum()).backward()
    child_reply({"bytes_per_op": (alive - base) / n, "grad_ok": bool(x.grad is not None)})


def mlp_memory_child(framework: str) -> None:
    """Forward and backward of the deep narrow MLP; RSS at each stage."""
    rng = np.random.default_rng(0)
    ws = [
        (np.eye(WIDTH) + 1e-3 / np.sqrt(WIDTH) * rng.standard_normal((WIDTH, WIDTH))).astype(
            np.float32
        )
        for _ in range(DEPTH)
    ]
    x = rng.uniform(0, 1, (MLP_BATCH, WIDTH)).astype(np.float32)
    if framework == "kusari":
        ws = [kusari.Parameter(w) for w in ws]
        bs = [kusari.Parameter(np.zeros(WIDTH, np.float32)) for _ in range(DEPTH)]
        linear, relu, total = F.linear, F.relu, F.sum
    else:
        torch = _torch()
        ws = [torch.tensor(w, requires_grad=True) for w in ws]
        bs = [torch.zeros(WIDTH, requires_grad=True) for _ in range(DEPTH)]
        x = torch.from_numpy(x)
        linear, relu, total = torch.nn.functional.linear, torch.relu, torch.sum
    # A small warm-up pass outside the measurement: first-use allocations (BLAS buffers,
    # kernels) are not what this measures.
    total(relu(linear(x[:4], ws[0], bs[0]))).backward()
    for p in (*ws, *bs):
        p.grad = None  # both frameworks accept this (kusari: same as cleargrad())
    base_max, base = maxrss(), rss_now()
    h = x
    for w, b in zip(ws, bs):
        h = relu(linear(h, w, b))
    loss = total(h)
    forward = rss_now()
    loss.backward()
    after_backward = rss_now()
    peak = maxrss()
    del h, loss
    # Peak against the current RSS at the start: imports may have peaked higher before.
    child_reply(
        {
            "forward": forward - base,
            "after_backward": after_backward - base,
            "after_release": rss_now() - base,
            "peak": peak - base,
            "peak_raised": peak > base_max,
            "grad_ok": bool(ws[0].grad is not None),
        }
    )


def chain_worker(name: str) -> dict:
    """Handlers of a timing worker: ``chain(n, loops)`` → seconds per op."""
    make = kusari_chain if name == "kusari" else torch_chain
    chains: dict[int, object] = {}

    def chain(n: int, loops: int) -> dict:
        if n not in chains:
            chains[n] = make(n)
            chains[n]()  # warm-up
        fn = chains[n]
        return {"t": timed(lambda: [fn() for _ in range(loops)]) / (loops * n)}

    return {"chain": chain}


def time_rows(sizes: list[int], reps: int, ops_per_rep: int) -> tuple[list[dict], dict]:
    per_op: dict[str, dict[int, list[float]]] = {"kusari": {}, "torch": {}}
    rows = []
    with Worker(__file__, "kusari") as kw, Worker(__file__, "torch") as tw:
        for n in sizes:
            loops = max(1, ops_per_rep // n)
            times = interleave(
                {
                    "kusari": kw.timer("chain", n=n, loops=loops),
                    "torch": tw.timer("chain", n=n, loops=loops),
                },
                reps,
            )
            per_op["kusari"][n], per_op["torch"][n] = times["kusari"], times["torch"]
            rows.append(
                row(
                    f"chain of {n} ops, fwd+bwd",
                    "µs/op",
                    times["kusari"],
                    times["torch"],
                    None,
                    scale=1e6,
                )
            )
    top = max(sizes)
    flat = {fw: float(np.median(d[top]) / np.median(d[1000])) for fw, d in per_op.items()}
    rows.append(
        {
            "name": f"per-op growth, {top} ÷ 1000 ops (kusari; torch for reference)",
            "unit": "×",
            "kusari": flat["kusari"],
            "torch": flat["torch"],
            "ratio": flat["kusari"],
            "target": FLAT_TARGET,
            "status": "ok" if flat["kusari"] <= FLAT_TARGET else "MISSED",
        }
    )
    return rows, flat


def main() -> None:
    quick = "--quick" in sys.argv
    sizes = [10, 100, 1000, 10_000] + ([] if quick else [100_000])
    rows, flat = time_rows(sizes, reps=2 if quick else 3, ops_per_rep=5000 if quick else 20_000)
    script = os.path.abspath(__file__)
    top = max(sizes)
    chain = {
        fw: run_child(script, ["--child", "chain", fw, str(top)]) for fw in ("kusari", "torch")
    }
    rows.append(
        row(
            f"graph memory, chain of {top}",
            "bytes/op",
            [chain["kusari"]["bytes_per_op"]],
            [chain["torch"]["bytes_per_op"]],
            None,
        )
    )
    env = {"MALLOC_MMAP_THRESHOLD_": "65536"}
    mlp = {fw: run_child(script, ["--child", "mlp", fw], env) for fw in ("kusari", "torch")}
    theory = DEPTH * MLP_BATCH * WIDTH * 4
    rows.append(
        row(
            f"{DEPTH}-layer MLP fwd+bwd peak",
            "MiB",
            [mlp["kusari"]["peak"]],
            [mlp["torch"]["peak"]],
            MEM_TARGET,
            scale=1 / MIB,
        )
    )
    held = {fw: m["after_backward"] / theory for fw, m in mlp.items()}
    rows.append(
        {
            "name": f"{DEPTH}-layer MLP: memory still held after backward (loss alive) "
            "÷ activations (kusari; torch for reference)",
            "unit": "×",
            "kusari": held["kusari"],
            "torch": held["torch"],
            "ratio": held["kusari"],
            "target": HELD_TARGET,
            "status": "ok" if held["kusari"] <= HELD_TARGET else "MISSED",
        }
    )
    report(
        "scaling",
        rows,
        quick,
        flatness=flat,
        mlp_theoretical_activations_mib=round(theory / MIB, 1),
        mlp_mib={
            fw: {k: v if isinstance(v, bool) else round(v / MIB, 1) for k, v in m.items()}
            for fw, m in mlp.items()
        },
        mlp_peak_over_theory={fw: round(m["peak"] / theory, 2) for fw, m in mlp.items()},
        chain_grad_ok={fw: c["grad_ok"] for fw, c in chain.items()},
    )


if __name__ == "__main__":
    if (w := worker_args()) is not None:
        serve(chain_worker(w[0]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "--child":
        if sys.argv[2] == "chain":
            chain_memory_child(sys.argv[3], int(sys.argv[4]))
        else:
            mlp_memory_child(sys.argv[3])
    else:
        main()
