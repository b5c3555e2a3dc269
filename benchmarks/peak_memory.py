"""Peak memory of one DeepCNN training step, kusari vs PyTorch CPU, each in a fresh process.

Each measurement is a new Python process that imports its framework only (NumPy and
kusari, or NumPy and torch), makes the random batch (64×3×32×32), reads its resident set
size as the baseline, then builds the DeepCNN classifier with Adam (``deepcnn_iter.py``'s
models) and runs one training step: forward, backward, update. The figure is the peak
RSS at the end (``getrusage(RUSAGE_SELF).ru_maxrss``) minus the baseline: parameters,
gradients, optimizer state, activations kept for backward and whatever the framework
allocates lazily on first use. The baseline is the current RSS, not the peak so far:
imports peak transiently above where they settle, and that transient would otherwise
hide part of the step's growth. Runs alternate between the two frameworks.

Run: ``python benchmarks/peak_memory.py [--quick]``.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import sys  # noqa: E402

from _timing import child_reply, interleave, maxrss, report, row, rss_now, run_child  # noqa: E402

TARGET = 1.0
MIB = 2**20


def child(framework: str) -> None:
    """Measure one training step of ``framework`` in this (fresh) process."""
    import deepcnn_iter as d
    import numpy as np

    if framework == "torch":
        import torch

        torch.set_num_threads(1)
    np.random.seed(0)
    x, t = d.make_data()
    base, base_now = maxrss(), rss_now()
    if framework == "kusari":
        model, step = d.kusari_setup(x, t)
        step()
        n_params = sum(p.size for p in model.params())
    else:
        model, step = d.torch_setup(x, t)
        step()
        n_params = sum(p.numel() for p in model.parameters())
    child_reply(
        {
            "framework": framework,
            "baseline_maxrss": base,
            "baseline_rss": base_now,
            "peak_maxrss": maxrss(),
            "growth": maxrss() - base_now,
            "n_params": n_params,
        }
    )


def main() -> None:
    quick = "--quick" in sys.argv
    reps = 1 if quick else 3
    script = os.path.abspath(__file__)
    seen: dict[str, list[dict]] = {"kusari": [], "torch": []}

    def measure(framework: str):
        def run() -> float:
            res = run_child(script, ["--child", framework])
            seen[framework].append(res)
            return res["growth"]

        return run

    growth = interleave({"kusari": measure("kusari"), "torch": measure("torch")}, reps)
    r = row(
        "peak_memory (deepcnn step)",
        "MiB",
        growth["kusari"],
        growth["torch"],
        TARGET,
        scale=1 / MIB,
    )
    n_params = seen["torch"][0]["n_params"]
    report(
        "peak_memory",
        [r],
        quick,
        reps=reps,
        n_params={fw: runs[0]["n_params"] for fw, runs in seen.items()},
        params_grads_adam_mib=round(n_params * 4 * 4 / MIB, 1),
        baseline_rss_mib={fw: round(runs[0]["baseline_rss"] / MIB, 1) for fw, runs in seen.items()},
        growth_mib={fw: [round(g / MIB, 1) for g in growth[fw]] for fw in growth},
    )


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
