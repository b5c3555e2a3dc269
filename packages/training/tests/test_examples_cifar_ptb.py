"""Smoke runs of the CIFAR-10 and PTB examples on tiny data written in the formats the
data set loaders read (kusari's CIFAR cache archive, PTB text files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

pytest.importorskip("kusari.links", reason="the examples need kusari-links")
pytest.importorskip("kusari.optimizers", reason="the examples need kusari-optimizers")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run(script: str, args: list[str], root: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, KUSARI_DATASET_ROOT=str(root), MPLBACKEND="Agg", OMP_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def write_cifar_cache(root: Path) -> None:
    rs = numpy.random.RandomState(0)
    (root / "cifar").mkdir(parents=True)
    arrays = {}
    for split, n in (("train", 48), ("test", 16)):
        arrays[f"{split}_x"] = rs.randint(0, 256, (n, 3072)).astype(numpy.uint8)
        arrays[f"{split}_y"] = rs.randint(0, 10, n).astype(numpy.uint8)
    numpy.savez(root / "cifar" / "cifar-10.npz", **arrays)


def write_ptb(root: Path) -> None:
    rs = numpy.random.RandomState(0)
    words = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "<unk>", "N"]
    (root / "ptb").mkdir(parents=True)
    for split, lines in (("train", 60), ("valid", 10), ("test", 10)):
        text = "".join(
            " " + " ".join(rs.choice(words, rs.randint(3, 9))) + " \n" for _ in range(lines)
        )
        (root / "ptb" / f"ptb.{split}.txt").write_text(text)


@pytest.mark.parametrize("model", ["deepcnn", "mymodel"])
def test_cifar_example_trains_resumes_and_predicts(tmp_path, model):
    write_cifar_cache(tmp_path / "data")
    out = tmp_path / "out"
    args = ["--model", model, "--batchsize", "16", "--out", str(out), "--no-progress"]
    proc = run("cifar/train_cifar.py", [*args, "--epoch", "1"], tmp_path / "data", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "validation/main/accuracy" in proc.stdout
    assert proc.stdout.count("predicted_label:") == 5
    assert {"log", "loss.png", "accuracy.png", "snapshot_epoch-1", "model.npz"} <= set(
        os.listdir(out)
    )
    # A second run with more epochs picks up the snapshot (autoload) and adds one epoch.
    proc = run("cifar/train_cifar.py", [*args, "--epoch", "2"], tmp_path / "data", tmp_path)
    assert proc.returncode == 0, proc.stderr
    log = json.loads((out / "log").read_text())
    assert [e["epoch"] for e in log] == [1, 2]
    assert all(numpy.isfinite(e["main/loss"]) for e in log)


def test_ptb_example_reports_perplexity(tmp_path):
    write_ptb(tmp_path / "data")
    out = tmp_path / "out"
    args = [
        "--epoch",
        "2",
        "--unit",
        "16",
        "--batchsize",
        "4",
        "--bproplen",
        "5",
        "--out",
        str(out),
    ]
    proc = run("ptb/train_ptb.py", args, tmp_path / "data", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "vocabulary: 10 words" in proc.stdout or "vocabulary: 11 words" in proc.stdout
    assert "test perplexity:" in proc.stdout
    log = json.loads((out / "log").read_text())
    assert log and all(e["perplexity"] == pytest.approx(numpy.exp(e["main/loss"])) for e in log)
    assert any("val_perplexity" in e for e in log)
    # every perplexity is finite and below the vocabulary size times a margin
    assert all(e["perplexity"] < 30 for e in log)
    assert {"snapshot_epoch-1", "snapshot_epoch-2", "model_epoch-2"} <= set(os.listdir(out))
    proc = run(
        "ptb/train_ptb.py",
        [*args[:1], "3", *args[2:], "--resume", str(out / "snapshot_epoch-2"), "--no-progress"],
        tmp_path / "data",
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "log").read_text())[-1]["epoch"] == 3
