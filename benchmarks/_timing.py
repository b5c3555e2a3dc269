"""Helpers shared by the training benchmarks: interleaved timing, memory probes, JSON.

Every benchmark script pins BLAS/OpenMP to one thread *before* importing NumPy or torch
(the variables are read when the libraries load), then imports this module.

Each framework runs in its own long-lived worker process (:class:`Worker`, :func:`serve`)
and the parent interleaves them. Importing torch creates ~150 000 garbage-collected
Python objects; in a shared process every full collection triggered by kusari's graph
objects would walk them too, making kusari's per-op cost depend on torch being loaded. Results are
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
    "clock",
    "CLOCK_NAME",
    "Worker",
    "serve",
    "worker_args",
]

ROOT = Path(__file__).resolve().parent.parent


def out_dir() -> Path:
    """The folder results go to (``$KUSARI_BENCH_OUT`` or ``<repo>/bench-results``)."""
    path = Path(os.environ.get("KUSARI_BENCH_OUT", ROOT / "bench-results"))
    path.mkdir(parents=True, exist_ok=True)
    return path


# CPU time of this process, not wall time: the machines these run on are shared, and a
# single-threaded benchmark's CPU time does not count the time other processes hold the
# core (wall time here swings 2-3x with the load). KUSARI_BENCH_CLOCK=wall switches back.
CLOCK_NAME = "wall" if os.environ.get("KUSARI_BENCH_CLOCK") == "wall" else "cpu"
clock = time.perf_counter if CLOCK_NAME == "wall" else time.process_time


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of ``fn`` takes (process CPU time unless KUSARI_BENCH_CLOCK=wall)."""
    t0 = clock()
    fn()
    return clock() - t0


def interleave(
    runners: dict[str, Callable[[], float]], reps: int, setup: Callable[[int], Any] | None = None
) -> dict[str, list[float]]:
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


def row(
    name: str,
    unit: str,
    kusari: list[float],
    torch: list[float],
    target: float | None,
    scale: float = 1.0,
) -> dict[str, Any]:
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
    data = {"workload": workload, "quick": quick, "clock": CLOCK_NAME, "rows": rows, "extra": extra}
    (out_dir() / f"{workload}.json").write_text(json.dumps(data, indent=2) + "\n")
    print("| workload | unit | kusari | PyTorch | ratio | target |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        target = "—" if r["target"] is None else f"≤ {r['target']} ({r['status']})"
        print(
            f"| {r['name']} | {r['unit']} | {r['kusari']:.4g} | {r['torch']:.4g} | "
            f"{r['ratio']:.2f}× | {target} |"
        )
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
    proc = subprocess.run(
        [sys.executable, script, *args], capture_output=True, text=True, env=full_env, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{script} {' '.join(args)} failed (exit {proc.returncode}):\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_reply(data: dict[str, Any]) -> None:
    """Print ``data`` as the child's last output line (read by :func:`run_child`)."""
    sys.stdout.flush()
    print(json.dumps(data), flush=True)


_REPLY = "@@kusari-bench@@"


class Worker:
    """A benchmark worker process: ``python <script> --worker <name> [args]``.

    The worker answers JSON commands on its stdin with one marked JSON line on stdout
    (anything else it prints passes through), so one framework's imports, garbage and
    allocator state never touch the other's.

    Args:
        script: The benchmark script (it calls :func:`serve` when given ``--worker``).
        name: The worker's name, passed after ``--worker`` (``kusari`` or ``torch``).
        args: Extra command-line arguments (``--quick``).
        env: Extra environment variables.
    """

    def __init__(
        self,
        script: str,
        name: str,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.name = name
        self._proc = subprocess.Popen(
            [sys.executable, script, "--worker", name, *(args or [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=full_env,
        )

    def call(self, cmd: str, **kwargs: Any) -> dict[str, Any]:
        """Run ``cmd`` in the worker with ``kwargs`` and return its JSON answer."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps({"cmd": cmd, **kwargs}) + "\n")
        self._proc.stdin.flush()
        for line in self._proc.stdout:
            if line.startswith(_REPLY):
                reply = json.loads(line[len(_REPLY) :])
                if "error" in reply:
                    raise RuntimeError(f"{self.name} worker, {cmd}: {reply['error']}")
                return reply
            print(line, end="")
        raise RuntimeError(f"{self.name} worker died during {cmd} (exit {self._proc.wait()})")

    def ready(self) -> None:
        """Wait until the worker has finished its set-up (its warm-up included)."""
        self.call("ping")

    def timer(self, cmd: str, **kwargs: Any) -> Callable[[], float]:
        """A runner for :func:`interleave`: calls ``cmd`` and returns its ``"t"``."""
        return lambda: self.call(cmd, **kwargs)["t"]

    def close(self) -> None:
        """End the worker (closing its stdin ends its command loop)."""
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=60)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is not None:
            self._proc.kill()
        self.close()


def worker_args() -> tuple[str, list[str]] | None:
    """``(name, other args)`` when this process was started as a worker, else None."""
    if len(sys.argv) >= 3 and sys.argv[1] == "--worker":
        return sys.argv[2], sys.argv[3:]
    return None


def serve(handlers: dict[str, Callable[..., dict[str, Any]]]) -> None:
    """Worker side: answer commands from stdin until it closes.

    Each line is ``{"cmd": name, **kwargs}``; ``handlers[name](**kwargs)`` returns the
    answer dict. An exception is sent back with its traceback instead of killing the
    worker silently.
    """
    import traceback

    handlers = {"ping": dict, **handlers}
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            reply = handlers[msg.pop("cmd")](**msg)
        except Exception:
            reply = {"error": traceback.format_exc()}
        sys.stdout.flush()
        print(_REPLY + json.dumps(reply), flush=True)
