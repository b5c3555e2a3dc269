"""Run every benchmark and gather their results into one table.

Each benchmark runs as its own process (``python benchmarks/<name>.py [--quick]``) and
writes ``<out>/<name>.json``; this script then writes ``<out>/summary.md`` (one Markdown
table, kusari ÷ PyTorch per row, with the machine and versions) and ``<out>/summary.json``.
``<out>`` is ``$KUSARI_BENCH_OUT`` or ``bench-results/``. A benchmark that fails is
reported (its old JSON is removed first, so a stale result never shows) and the others
still run; the exit status is 1 if any failed, and with ``--strict`` also if any target
was missed.

Run: ``python benchmarks/run_all.py [--quick] [--strict] [--only=a,b] [--summarize]``
(``--summarize`` rebuilds the summary from the JSON already there without running).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _timing import ROOT, out_dir

__all__ = ["BENCHMARKS", "main", "rows_of", "summarize"]

BENCHMARKS = [
    "op_overhead",
    "ops",
    "mlp_epoch",
    "lenet_epoch",
    "deepcnn_iter",
    "lstm_lm",
    "peak_memory",
    "scaling",
]
HERE = Path(__file__).resolve().parent


def rows_of(name: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Table rows from one benchmark's JSON (the ``rows`` layout, or op_overhead's own)."""
    if "rows" in data:
        return [dict(r, workload=name) for r in data["rows"]]
    if "kusari_us" in data:  # op_overhead.py writes one flat record
        target = data.get("target")
        ratio = data["ratio"]
        return [
            {
                "workload": name,
                "name": name,
                "unit": "µs/iter",
                "kusari": data["kusari_us"],
                "torch": data["torch_us"],
                "ratio": ratio,
                "target": target,
                "status": "info" if target is None else ("ok" if ratio <= target else "MISSED"),
            }
        ]
    return [
        {
            "workload": name,
            "name": name,
            "unit": "",
            "kusari": None,
            "torch": None,
            "ratio": None,
            "target": None,
            "status": "unreadable result",
        }
    ]


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.4g}"


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    for mod in ("numpy", "torch", "kusari"):
        code = f"import {mod}; print(getattr({mod}, '__version__', '?'))"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        versions[mod] = proc.stdout.strip() or "not importable"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "versions": versions,
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def summarize(runs: dict[str, dict[str, Any]], quick: bool) -> dict[str, Any]:
    """Write summary.md and summary.json from the JSON files in the output folder.

    Args:
        runs: Benchmark name → ``{"rc", "seconds"}`` of this run (empty when only
            summarizing).
        quick: Whether the run used ``--quick``.

    Returns:
        The summary written to summary.json.
    """
    out = out_dir()
    rows, results = [], {}
    for name in BENCHMARKS:
        path = out / f"{name}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        results[name] = data
        rows.extend(rows_of(name, data))
    summary = {
        "quick": quick,
        "machine": _machine(),
        "runs": runs,
        "rows": rows,
        "details": {n: d.get("extra", {}) for n, d in results.items()},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    m = summary["machine"]
    lines = [
        f"# kusari vs PyTorch CPU ({'quick' if quick else 'full'} run)",
        "",
        f"{m['date']} · commit {m['commit']} · {m['cpu']} ({m['cores']} cores, load "
        f"{', '.join(f'{x:.1f}' for x in m['load_average'] or [])}) · "
        + " · ".join(f"{k} {v}" for k, v in m["versions"].items()),
        "",
        "One thread on both sides; ratio = kusari ÷ PyTorch, median of the paired "
        "repetitions (lower is better for kusari). Rows whose target is — are "
        "informative; rows marked (kusari; torch for reference) give kusari's own figure "
        "as the ratio.",
        "",
        "| workload | measure | unit | kusari | PyTorch | ratio | target | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = "—" if r["target"] is None else f"≤ {r['target']}"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        lines.append(
            f"| {r['workload']} | {r['name']} | {r['unit']} | {_fmt(r['kusari'])} | "
            f"{_fmt(r['torch'])} | {ratio} | {target} | {r['status']} |"
        )
    if runs:
        lines += ["", "| benchmark | exit | wall s |", "|---|---|---|"]
        lines += [f"| {n} | {v['rc']} | {v['seconds']:.1f} |" for n, v in runs.items()]
        lines.append(f"| total | | {sum(v['seconds'] for v in runs.values()):.1f} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    return summary


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    only = [n for a in argv if a.startswith("--only=") for n in a.split("=", 1)[1].split(",")]
    names = [n for n in BENCHMARKS if not only or n in only]
    runs: dict[str, dict[str, Any]] = {}
    if "--summarize" not in argv:
        out = out_dir()
        for name in names:
            script = HERE / f"{name}.py"
            if not script.exists():
                print(f"== {name}: no {script.name}, skipped", flush=True)
                continue
            (out / f"{name}.json").unlink(missing_ok=True)
            print(f"== {name}", flush=True)
            t0 = time.perf_counter()
            rc = subprocess.run(
                [sys.executable, str(script), *(["--quick"] if quick else [])], cwd=ROOT
            ).returncode
            runs[name] = {"rc": rc, "seconds": time.perf_counter() - t0}
            if rc != 0:
                print(f"== {name} FAILED (exit {rc})", flush=True)
    summary = summarize(runs, quick)
    print((out_dir() / "summary.md").read_text())
    failed = [n for n, v in runs.items() if v["rc"] != 0]
    missed = [f"{r['workload']}: {r['name']}" for r in summary["rows"] if r["status"] == "MISSED"]
    if failed:
        print("failed:", ", ".join(failed))
    if missed:
        print("missed targets:", "; ".join(missed))
    return 1 if failed or ("--strict" in argv and missed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
