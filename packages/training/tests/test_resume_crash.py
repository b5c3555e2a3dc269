"""Crash-safe resume: a training process killed with SIGKILL at random moments (and once
in the middle of a snapshot write) and restarted each time ends with exactly the
parameters of an uninterrupted run.

The child script below trains a small MLP with dropout (NumPy's global generator),
a shuffling SerialIterator over a dataset whose size is not a multiple of the batch size
(batches span epochs), MomentumSGD or Adam, and ``snapshot(autoload=True)`` every few
iterations, with a LogReport and an ExponentialShift whose states are resumed too.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy
import pytest

pytest.importorskip("kusari.links", reason="the crash-resume test trains a kusari.links model")
pytest.importorskip("kusari.optimizers", reason="the crash-resume test needs kusari.optimizers")

ITERATIONS = 60

CHILD = textwrap.dedent(
    """
    import io, os, sys, time
    import numpy as np
    import kusari
    import kusari.functions as F
    import kusari.links as L
    from kusari import iterators, optimizers, serializers, training
    from kusari.datasets import TupleDataset
    from kusari.training import extensions

    out, optimizer_name, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
    slow_write = os.environ.get("KUSARI_TEST_SLOW_WRITE") == "1"

    np.random.seed(1)  # initializers and dropout draw from the global generator
    data = np.random.RandomState(0)
    x = data.randn(95, 8).astype(np.float32)
    t = (x[:, 0] + x[:, 1] > 0).astype(np.int32) + (x[:, 2] > 1).astype(np.int32)

    class MLP(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(8, 16)
                self.l2 = L.Linear(16, 3)

        def forward(self, x):
            return self.l2(F.dropout(F.relu(self.l1(x)), ratio=0.3))

    model = L.Classifier(MLP())
    if optimizer_name == "adam":
        optimizer = optimizers.Adam(alpha=0.01)
    else:
        optimizer = optimizers.MomentumSGD(lr=0.1)
    optimizer.setup(model)
    if optimizer_name == "adam":
        # shuffling from its own generator: only the trainer snapshot restores the global
        # one that dropout draws from
        sampler = iterators.ShuffleOrderSampler(np.random.RandomState(5))
        it = iterators.SerialIterator(TupleDataset(x, t), 10, order_sampler=sampler)
    else:
        it = iterators.SerialIterator(TupleDataset(x, t), 10, shuffle=True)
    updater = training.StandardUpdater(it, optimizer, device=-1)
    trainer = training.Trainer(updater, (iterations, "iteration"), out=out)

    def savefun(path, target):
        buf = io.BytesIO()
        serializers.save_npz(buf, target)
        data = buf.getvalue()
        with open(path, "wb") as f:
            f.write(data[: len(data) // 2])
            f.flush()
            if slow_write:
                print("MIDWRITE", path, flush=True)
                time.sleep(30)
            f.write(data[len(data) // 2 :])

    trainer.extend(
        extensions.snapshot(savefun=savefun, autoload=True, n_retains=2),
        trigger=(4, "iteration"),
    )
    trainer.extend(extensions.LogReport(trigger=(5, "iteration")))
    attr = "alpha" if optimizer_name == "adam" else "lr"
    trainer.extend(extensions.ExponentialShift(attr, 0.97), trigger=(3, "iteration"))

    def report_start(trainer):  # runs after autoload restored the snapshot
        print("START", trainer.updater.iteration, flush=True)

    @training.make_extension(trigger=(1, "iteration"), initializer=report_start)
    def heartbeat(trainer):
        print("ITER", trainer.updater.iteration, flush=True)
        time.sleep(0.004)  # spread the iterations so random kills land anywhere

    trainer.extend(heartbeat)
    trainer.run()
    serializers.save_npz(os.path.join(out, "final.npz"), model)
    log = trainer.get_extension("LogReport").log
    np.save(os.path.join(out, "losses.npy"), np.array([e["main/loss"] for e in log]))
    print("DONE", flush=True)
    """
)


def _start(script: Path, out: Path, optimizer: str, slow_write: bool = False) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    env["KUSARI_TEST_SLOW_WRITE"] = "1" if slow_write else "0"
    return subprocess.Popen(
        [sys.executable, str(script), str(out), optimizer, str(ITERATIONS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _run_to_end(script: Path, out: Path, optimizer: str) -> int:
    """Run the child until it finishes; return the iteration it started from."""
    proc = _start(script, out, optimizer)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "DONE" in stdout
    return int(stdout.split("START ", 1)[1].split()[0])


def _kill_when(proc: subprocess.Popen, wanted: str, extra_delay: float, starts: list[int]) -> bool:
    """Read the child's lines until one starts with ``wanted``; then SIGKILL it.

    Appends the iteration the child started from to ``starts``. Returns False when the
    child finished before that line appeared.
    """
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("START "):
            starts.append(int(line.split()[1]))
        if line.startswith(wanted):
            time.sleep(extra_delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return True
    proc.wait(timeout=60)
    return False


def _params(path: Path) -> dict[str, numpy.ndarray]:
    with numpy.load(path) as npz:
        return {k: npz[k] for k in npz.files}


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_killed_and_restarted_training_matches_uninterrupted_run(tmp_path, optimizer):
    script = tmp_path / "train.py"
    script.write_text(CHILD)
    reference, crashed = tmp_path / "reference", tmp_path / "crashed"
    assert _run_to_end(script, reference, optimizer) == 0

    rng = random.Random(20240601 + len(optimizer))
    kills, starts = [], []
    # Random kills at random iterations, each a random fraction of an iteration late.
    for target in sorted(rng.sample(range(2, ITERATIONS - 2), 4)):
        proc = _start(script, crashed, optimizer)
        kills.append(_kill_when(proc, f"ITER {target}\n", rng.uniform(0.0, 0.006), starts))
    # One kill in the middle of a snapshot write: half a file sits in a temporary file.
    proc = _start(script, crashed, optimizer, slow_write=True)
    assert _kill_when(proc, "MIDWRITE", 0.05, starts)
    leftovers = [p.name for p in crashed.iterdir() if p.name.startswith(".snapshot_iter_")]
    assert leftovers, "the killed write should have left its temporary file"
    assert all(kills), "every random kill should have hit a running training"

    last_start = _run_to_end(script, crashed, optimizer)
    # Every restart after the first resumed from a snapshot (a multiple of 4), never
    # from the half-written one, and never went back to the start.
    assert starts[0] == 0 and all(s > 0 and s % 4 == 0 for s in starts[1:]), starts
    assert last_start > 0 and last_start % 4 == 0, last_start
    # autoload removed the half-written temporary file instead of loading it
    assert not [p.name for p in crashed.iterdir() if p.name.startswith(".snapshot_iter_")]
    snapshots = sorted(p.name for p in crashed.iterdir() if p.name.startswith("snapshot_iter_"))
    assert len(snapshots) == 2  # n_retains

    expected, actual = _params(reference / "final.npz"), _params(crashed / "final.npz")
    assert expected.keys() == actual.keys()
    for key in expected:
        assert expected[key].dtype == actual[key].dtype
        assert numpy.array_equal(expected[key], actual[key]), key  # bit for bit
    # The log, with its running means restored mid-interval, matches exactly too.
    numpy.testing.assert_array_equal(
        numpy.load(reference / "losses.npy"), numpy.load(crashed / "losses.npy")
    )
