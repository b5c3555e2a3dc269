"""One training epoch of the tutorial MLP on Fashion-MNIST, kusari vs PyTorch CPU.

784-100-100-10 with ReLU, softmax cross-entropy, SGD lr 0.01, batch 128, one epoch of the
60 000 training images (the "Dive into Chainer" tutorial). The kusari side is the stack a
user runs: ``L.Classifier(MLP())``, ``optimizers.SGD``, ``iterators.SerialIterator`` and
``training.StandardUpdater``; the timed part is the updater loop over one epoch. The
PyTorch side reads the same NumPy arrays through a plain shuffled-index loop (no
DataLoader). Both start from the same weights and visit the examples in the same order,
so their test accuracies after the epoch must agree (within 1 point). Each framework
runs in its own worker process (see ``_timing.py``); the parent interleaves them.

Run: ``python benchmarks/mlp_epoch.py [--quick]`` (``--quick``: fewer repetitions).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _timing import Worker, interleave, report, row, serve, timed, worker_args  # noqa: E402

import kusari  # noqa: E402
import kusari.functions as F  # noqa: E402
import kusari.links as L  # noqa: E402

TARGET = 1.0
BATCH = 128
LR = 0.01
ARRAYS = ("x_train", "t_train", "x_test", "t_test")


class MLP(kusari.Chain):
    """The tutorial's three-layer perceptron."""

    def __init__(self, n_mid_units: int = 100, n_out: int = 10) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_mid_units)
            self.l2 = L.Linear(None, n_mid_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, x):
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


def load_arrays(data_dir: str) -> dict[str, np.ndarray]:
    return {name: np.load(Path(data_dir) / f"{name}.npy") for name in ARRAYS}


def kusari_worker(data_dir: str) -> dict:
    """Handlers of the kusari worker: the user's training stack, timed over one epoch."""
    from kusari import iterators, optimizers, training
    from kusari.datasets import TupleDataset

    a = load_arrays(data_dir)
    train = TupleDataset(a["x_train"], a["t_train"])  # what get_fashion_mnist() returns
    state: dict = {}

    def prepare(seed: int, weights: str) -> dict:
        np.random.seed(seed)
        model = L.Classifier(MLP())
        with kusari.no_backprop_mode():
            model.predictor(a["x_train"][:1])  # the None input sizes take shape here
        p = model.predictor
        np.savez(
            weights,
            **{
                f"{n}.{k}": getattr(getattr(p, n), k).array
                for n in ("l1", "l2", "l3")
                for k in ("W", "b")
            },
        )
        state.update(model=model, seed=seed)
        return {}

    def epoch(n_iter: int | None = None) -> dict:
        model = state["model"]
        sampler = iterators.ShuffleOrderSampler(np.random.RandomState(state["seed"]))
        it = iterators.SerialIterator(train, BATCH, order_sampler=sampler)
        opt = optimizers.SGD(lr=LR)
        opt.setup(model)
        updater = training.StandardUpdater(it, opt)

        def loop() -> None:
            if n_iter is not None:
                for _ in range(n_iter):
                    updater.update()
                return
            while it.epoch < 1:
                updater.update()

        t = timed(loop)
        with kusari.using_config("train", False), kusari.no_backprop_mode():
            y = model.predictor(a["x_test"]).array
        return {"t": t, "acc": float((y.argmax(axis=1) == a["t_test"]).mean())}

    return {"prepare": prepare, "epoch": epoch}


def torch_worker(data_dir: str) -> dict:
    """Handlers of the torch worker: the same network in a plain shuffled-index loop."""
    import torch

    torch.set_num_threads(1)
    nn = torch.nn
    a = load_arrays(data_dir)
    x_train, x_test, t_test = a["x_train"], a["x_test"], a["t_test"]
    t_train64 = a["t_train"].astype(np.int64)  # what a torch user converts once, up front
    state: dict = {}

    def prepare(seed: int, weights: str) -> dict:
        model = nn.Sequential(
            nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10)
        )
        w = np.load(weights)
        with torch.no_grad():
            for name, mod in zip(("l1", "l2", "l3"), (model[0], model[2], model[4])):
                mod.weight.copy_(torch.from_numpy(w[f"{name}.W"]))
                mod.bias.copy_(torch.from_numpy(w[f"{name}.b"]))
        state.update(model=model, seed=seed)
        return {}

    def epoch(n_iter: int | None = None) -> dict:
        model = state["model"]
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        lossf = nn.functional.cross_entropy
        order = np.random.RandomState(state["seed"]).permutation(len(x_train))
        if n_iter is not None:
            order = order[: n_iter * BATCH]

        def loop() -> None:
            for i in range(0, len(order), BATCH):
                idx = order[i : i + BATCH]
                loss = lossf(
                    model(torch.from_numpy(x_train[idx])), torch.from_numpy(t_train64[idx])
                )
                opt.zero_grad()
                loss.backward()
                opt.step()

        t = timed(loop)
        with torch.no_grad():
            y = model(torch.from_numpy(x_test)).numpy()
        return {"t": t, "acc": float((y.argmax(axis=1) == t_test).mean())}

    return {"prepare": prepare, "epoch": epoch}


def main() -> None:
    from kusari.dataset import concat_examples
    from kusari.datasets import get_fashion_mnist

    quick = "--quick" in sys.argv
    reps = 2 if quick else 4
    train, test = get_fashion_mnist()
    with tempfile.TemporaryDirectory(prefix="kusari-bench-") as tmp:
        for name, arr in zip(ARRAYS, (*concat_examples(train[:]), *concat_examples(test[:]))):
            np.save(Path(tmp) / f"{name}.npy", arr)
        weights = str(Path(tmp) / "weights.npz")
        with Worker(__file__, "kusari", [tmp]) as kw, Worker(__file__, "torch", [tmp]) as tw:
            acc: dict[str, list[float]] = {"kusari": [], "torch": []}

            def prepare(rep: int) -> None:
                kw.call("prepare", seed=rep, weights=weights)  # fresh model, saved
                tw.call("prepare", seed=rep, weights=weights)  # its twin, loaded

            def run(worker: Worker):
                def go() -> float:
                    res = worker.call("epoch")
                    acc[worker.name].append(res["acc"])
                    return res["t"]

                return go

            prepare(1000)  # warm-up (page faults, BLAS buffers, lazy imports), not measured
            kw.call("epoch", n_iter=50)
            tw.call("epoch", n_iter=50)
            times = interleave({"kusari": run(kw), "torch": run(tw)}, reps, setup=prepare)
    gaps = [abs(a - b) for a, b in zip(acc["kusari"], acc["torch"])]
    r = row("mlp_epoch", "s/epoch", times["kusari"], times["torch"], TARGET)
    report(
        "mlp_epoch",
        [r],
        quick,
        test_accuracy_kusari=acc["kusari"],
        test_accuracy_torch=acc["torch"],
        max_accuracy_gap_points=round(max(gaps) * 100, 3),
        accuracy_match=max(gaps) <= 0.01,
        reps=reps,
        batch=BATCH,
        images=len(train),
    )
    if max(gaps) > 0.01:
        print(f"WARNING: test accuracies differ by {max(gaps) * 100:.2f} points (> 1)")


if __name__ == "__main__":
    if (w := worker_args()) is not None:
        serve((kusari_worker if w[0] == "kusari" else torch_worker)(w[1][0]))
    else:
        main()
