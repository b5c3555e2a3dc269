"""The MNIST example end to end: a smoke run on tiny data in the real cache format, the
missing-data message, and (slow, where Debian's Fashion-MNIST is installed) the demo's
accuracy."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

pytest.importorskip("kusari.links", reason="the example needs kusari-links")
pytest.importorskip("kusari.optimizers", reason="the example needs kusari-optimizers")

SCRIPT = Path(__file__).resolve().parents[3] / "examples" / "mnist" / "train_mnist.py"
FASHION = Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")


def write_mnist_cache(root: Path, n_train: int = 300, n_test: int = 100) -> None:
    """kusari's MNIST cache files (uint8 images and labels) with learnable classes."""
    rs = numpy.random.RandomState(0)
    (root / "mnist").mkdir(parents=True)
    for split, n in (("train", n_train), ("test", n_test)):
        y = rs.randint(0, 10, n).astype(numpy.uint8)
        x = rs.randint(0, 40, (n, 784)).astype(numpy.uint8)
        for i, label in enumerate(y.tolist()):  # a bright stripe per class
            x[i, label * 78 : label * 78 + 78] = 250
        numpy.savez(root / "mnist" / f"{split}.npz", x=x, y=y)


def run(
    args: list[str], root: Path, cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess:
    env = dict(os.environ, KUSARI_DATASET_ROOT=str(root), MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_smoke_run_writes_every_result(tmp_path):
    write_mnist_cache(tmp_path / "data")
    out = tmp_path / "result"
    proc = run(
        ["--dataset", "mnist", "--epoch", "2", "--batchsize", "20", "--out", str(out)],
        tmp_path / "data",
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "epoch       main/loss   main/accuracy  validation/main/loss" in proc.stdout
    assert "test image 0 predicted as" in proc.stdout
    assert {
        "log",
        "loss.png",
        "accuracy.png",
        "cg.dot",
        "snapshot_epoch-1",
        "snapshot_epoch-2",
        "model_epoch-1",
        "model_epoch-2",
    } <= set(os.listdir(out))
    log = json.loads((out / "log").read_text())
    assert [e["epoch"] for e in log] == [1, 2]
    assert log[-1]["validation/main/accuracy"] > 0.5  # the stripes are easy to learn
    assert (out / "loss.png").read_bytes()[:4] == b"\x89PNG"
    assert "SoftmaxCrossEntropy" in (out / "cg.dot").read_text()
    # --resume continues from a trainer snapshot: one more epoch, same log prefix
    proc = run(
        [
            "--dataset",
            "mnist",
            "--epoch",
            "3",
            "--batchsize",
            "20",
            "--out",
            str(out),
            "--resume",
            str(out / "snapshot_epoch-2"),
            "--no-progress",
        ],
        tmp_path / "data",
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    resumed = json.loads((out / "log").read_text())
    assert resumed[:2] == log and resumed[2]["epoch"] == 3


def test_missing_data_says_what_to_do(monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("train_mnist_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from kusari.dataset import DownloadError

    def unavailable(**kwargs):
        raise DownloadError("no URL could deliver train-images-idx3-ubyte.gz")

    monkeypatch.setattr(module.datasets, "get_fashion_mnist", unavailable)
    with pytest.raises(SystemExit) as exc:
        module.load_data("fashion-mnist")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "sudo apt-get install dataset-fashion-mnist" in err
    assert "/usr/share/datasets/fashion-mnist/" in err


@pytest.mark.slow
@pytest.mark.skipif(not FASHION.exists(), reason="Debian's dataset-fashion-mnist is not installed")
def test_demo_reaches_85_percent_on_fashion_mnist(tmp_path):
    proc = run(
        ["--epoch", "5", "--out", str(tmp_path / "result"), "--no-progress"],
        tmp_path / "empty-root",
        tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    log = json.loads((tmp_path / "result" / "log").read_text())
    assert log[-1]["validation/main/accuracy"] >= 0.85, log[-1]
