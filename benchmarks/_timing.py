"""Helpers shared by the training benchmarks: interleaved timing, memory probes, JSON.

Every benchmark script pins BLAS/OpenMP to one thread *before* importing NumPy or torch
(the variables are read when the libraries load), then imports this module. Results are
one JSON file per workload under ``$KUSARI_BENCH_OUT`` (default ``bench-results/``), each
holding a list of ``rows`` that ``run_all.py`` turns into one Markdown table.

A row is ``{"name", "unit", "kusari", "torch", "ratio", "target", "status"}``: times are
medians over repetitions, ``ratio`` is the median of the per-repetition ratios
(kusari ÷ PyTorch measured back to back, so machine noise shared by a pair cancels).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "ROOT",
    "out_dir",
    "interleave",
    "row",
    "report",
    "rss_now",
    "maxrss",
    "run_child",
    "child_reply",
    "timed",
]

ROOT = Path(__file__).resolve().parent.parent


def out_dir() -> Path:
    """The folder results go to (``$KUSARI_BENCH_OUT`` or ``<repo>/bench-results``)."""
    path = Path(os.environ.get("KUSARI_BENCH_OUT", ROOT / "bench-results"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of ``fn`` takes."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleave(runners: dict[str, Callable[[], float]], reps: int,
               setup: Callable[[int], Any] | None = None) -> dict[str, list[float]]:
    """Call each runner once per repetition, alternating the order between repetitions.

    Each runner returns the seconds of the work it measured (so it can leave set-up and
    checks out of the timing). Reversing the order every other repetition keeps a
    systematic "second one runs on a warmer cache" effect out of the ratio.

    Args:
        runners: Name → callable returning seconds.
        reps: Number of repetitions.
        setup: Called with the repetition index before its runners (untimed), e.g. to
            build fresh twin models.

    Returns:
        Name → list of ``reps`` measurements, in repetition order.
    """
    names = list(runners)
    times: dict[str, list[float]] = {n: [] for n in names}
    for rep in range(reps):
        if setup is not None:
            setup(rep)
        for name in names if rep % 2 == 0 else reversed(names):
            times[name].append(runners[name]())
    return times


def row(name: str, unit: str, kusari: list[float], torch: list[float], target: float | None,
        scale: float = 1.0) -> dict[str, Any]:
    """Summarize paired measurements into one table row.

    Args:
        name: Row label.
        unit: Unit of the reported medians (after ``scale``).
        kusari: kusari measurements, one per repetition.
        torch: PyTorch measurements, paired with ``kusari`` by index.
        target: Highest acceptable ratio, or None for an informative row.
        scale: Factor from the measurement to ``unit`` (1e3 for seconds → ms).

    Returns:
        The row dict (see the module docstring).
    """
    ratios = [k / t for k, t in zip(kusari, torch)]
    ratio = statistics.median(ratios)
    status = "info" if target is None else ("ok" if ratio <= target else "MISSED")
    return {
        "name": name,
        "unit": unit,
        "kusari": statistics.median(kusari) * scale,
        "torch": statistics.median(torch) * scale,
        "ratio": ratio,
        "ratios": ratios,
        "target": target,
        "status": status,
    }


def report(workload: str, rows: list[dict[str, Any]], quick: bool, **extra: Any) -> dict[str, Any]:
    """Write ``<workload>.json`` and print the rows as a Markdown table.

    Args:
        workload: File stem and workload name.
        rows: Rows made by :func:`row` (or by hand with the same keys).
        quick: Whether this was a ``--quick`` run.
        **extra: Anything else worth keeping (accuracies, sizes, memory breakdowns).

    Returns:
        The dict written.
    """
    data = {"workload": workload, "quick": quick, "rows": rows, "extra": extra}
    (out_dir() / f"{workload}.json").write_text(json.dumps(data, indent=2) + "\n")
    print("| workload | unit | kusari | PyTorch | ratio | target |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        target = "—" if r["target"] is None else f"≤ {r['target']} ({r['status']})"
        print(f"| {r['name']} | {r['unit']} | {r['kusari']:.4g} | {r['torch']:.4g} | "
              f"{r['ratio']:.2f}× | {target} |")
    for key, value in extra.items():
        print(f"{key}: {value}")
    return data


def rss_now() -> int:
    """Current resident set size of this process, in bytes (Linux ``/proc``)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def maxrss() -> int:
    """Peak resident set size of this process so far, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_child(script: str, args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python <script> <args>`` in a fresh process and return the JSON it printed last.

    Used for memory measurements, which need a process whose peak RSS nothing else
    has raised.
    """
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                          env=full_env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{script} {' '.join(args)} failed (exit {proc.returncode}):\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_reply(data: dict[str, Any]) -> None:
    """Print ``data`` as the child's last output line (read by :func:`run_child`)."""
    sys.stdout.flush()
    print(json.dumps(data), flush=True)
