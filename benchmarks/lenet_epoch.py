"""One epoch of LeNet5 (sigmoid) with Adam on 10 000 Fashion-MNIST images, kusari vs PyTorch.

The ConvNet tutorial's model: conv 1→6 k5, max-pool 2, conv 6→16 k5, max-pool 2,
conv 16→120 k4, fc 84, fc 10, sigmoid after every hidden layer; Adam (alpha 1e-3),
batch 64, the first 10 000 training images. kusari runs ``L.Classifier(LeNet5())`` with
``SerialIterator`` and ``StandardUpdater``; PyTorch runs the same network from the same
initial weights over the same shuffled order in a plain loop. Test accuracy after the
epoch is reported for both as a check that they trained the same thing. Each framework
runs in its own worker process (see ``_timing.py``).

Run: ``python benchmarks/lenet_epoch.py [--quick]``.
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

TARGET = 1.2
BATCH = 64
N_TRAIN = 10_000
ARRAYS = ("x_train", "t_train", "x_test", "t_test")
LAYERS = ("conv1", "conv2", "conv3", "fc4", "fc5")


class LeNet5(kusari.Chain):
    """The ConvNet tutorial's LeNet5 (logits in training mode, softmax otherwise)."""

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(in_channels=1, out_channels=6, ksize=5, stride=1)
            self.conv2 = L.Convolution2D(in_channels=6, out_channels=16, ksize=5, stride=1)
            self.conv3 = L.Convolution2D(in_channels=16, out_channels=120, ksize=4, stride=1)
            self.fc4 = L.Linear(None, 84)
            self.fc5 = L.Linear(84, 10)

    def forward(self, x):
        h = F.sigmoid(self.conv1(x))
        h = F.max_pooling_2d(h, 2, 2)
        h = F.sigmoid(self.conv2(h))
        h = F.max_pooling_2d(h, 2, 2)
        h = F.sigmoid(self.conv3(h))
        h = F.sigmoid(self.fc4(h))
        if kusari.config.train:
            return self.fc5(h)
        return F.softmax(self.fc5(h))


def load_arrays(data_dir: str) -> dict[str, np.ndarray]:
    return {name: np.load(Path(data_dir) / f"{name}.npy") for name in ARRAYS}


def accuracy(predict, x: np.ndarray, t: np.ndarray, chunk: int = 1000) -> float:
    hits = 0
    for i in range(0, len(x), chunk):
        hits += int((predict(x[i : i + chunk]).argmax(axis=1) == t[i : i + chunk]).sum())
    return hits / len(x)


def kusari_worker(data_dir: str) -> dict:
    """Handlers of the kusari worker: Classifier, Adam, SerialIterator, StandardUpdater."""
    from kusari import iterators, optimizers, training
    from kusari.datasets import TupleDataset

    a = load_arrays(data_dir)
    train = TupleDataset(a["x_train"], a["t_train"])
    state: dict = {}

    def predict(x):
        with kusari.using_config("train", False), kusari.no_backprop_mode():
            return state["model"].predictor(x).array

    def prepare(seed: int, weights: str) -> dict:
        np.random.seed(seed)
        model = L.Classifier(LeNet5())
        with kusari.no_backprop_mode():
            model.predictor(a["x_train"][:1])  # fc4's input size takes shape here
        p = model.predictor
        np.savez(
            weights,
            **{f"{n}.{k}": getattr(getattr(p, n), k).array for n in LAYERS for k in ("W", "b")},
        )
        state.update(model=model, seed=seed)
        return {}

    def epoch(n_iter: int | None = None) -> dict:
        model = state["model"]
        sampler = iterators.ShuffleOrderSampler(np.random.RandomState(state["seed"]))
        it = iterators.SerialIterator(train, BATCH, order_sampler=sampler)
        opt = optimizers.Adam()
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
        acc = None if n_iter is not None else accuracy(predict, a["x_test"], a["t_test"])
        return {"t": t, "acc": acc}

    return {"prepare": prepare, "epoch": epoch}


def torch_worker(data_dir: str) -> dict:
    """Handlers of the torch worker: the same network and order in a plain loop."""
    import torch

    torch.set_num_threads(1)
    nn = torch.nn
    a = load_arrays(data_dir)
    x_train = a["x_train"]
    t_train64 = a["t_train"].astype(np.int64)
    state: dict = {}

    def predict(x):
        with torch.no_grad():
            return state["model"](torch.from_numpy(x)).numpy()

    def prepare(seed: int, weights: str) -> dict:
        model = nn.Sequential(
            nn.Conv2d(1, 6, 5),
            nn.Sigmoid(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5),
            nn.Sigmoid(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(16, 120, 4),
            nn.Sigmoid(),
            nn.Flatten(),
            nn.Linear(120, 84),
            nn.Sigmoid(),
            nn.Linear(84, 10),
        )
        w = np.load(weights)
        with torch.no_grad():  # same layouts as kusari: (out, in, kh, kw) and (out, in)
            for name, i in zip(LAYERS, (0, 3, 6, 9, 11)):
                model[i].weight.copy_(torch.from_numpy(w[f"{name}.W"]))
                model[i].bias.copy_(torch.from_numpy(w[f"{name}.b"]))
        state.update(model=model, seed=seed)
        return {}

    def epoch(n_iter: int | None = None) -> dict:
        model = state["model"]
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
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
        if n_iter is not None:
            return {"t": t, "acc": None}
        model.eval()
        acc = accuracy(predict, a["x_test"], a["t_test"])
        model.train()
        return {"t": t, "acc": acc}

    return {"prepare": prepare, "epoch": epoch}


def main() -> None:
    from kusari.dataset import concat_examples
    from kusari.datasets import get_fashion_mnist

    quick = "--quick" in sys.argv
    reps = 2 if quick else 4
    train, test = get_fashion_mnist(ndim=3)
    x_train, t_train = concat_examples(train[:N_TRAIN])
    x_test, t_test = concat_examples(test[:])
    if quick:  # the accuracy check is a side product; 2 000 test images will do
        x_test, t_test = x_test[:2000], t_test[:2000]
    with tempfile.TemporaryDirectory(prefix="kusari-bench-") as tmp:
        for name, arr in zip(ARRAYS, (x_train, t_train, x_test, t_test)):
            np.save(Path(tmp) / f"{name}.npy", arr)
        weights = str(Path(tmp) / "weights.npz")
        with Worker(__file__, "kusari", [tmp]) as kw, Worker(__file__, "torch", [tmp]) as tw:
            acc: dict[str, list[float]] = {"kusari": [], "torch": []}

            def prepare(rep: int) -> None:
                kw.call("prepare", seed=rep, weights=weights)
                tw.call("prepare", seed=rep, weights=weights)

            def run(worker: Worker):
                def go() -> float:
                    res = worker.call("epoch")
                    acc[worker.name].append(res["acc"])
                    return res["t"]

                return go

            prepare(1000)  # warm-up, not measured
            kw.call("epoch", n_iter=10)
            tw.call("epoch", n_iter=10)
            times = interleave({"kusari": run(kw), "torch": run(tw)}, reps, setup=prepare)
    gaps = [abs(a - b) for a, b in zip(acc["kusari"], acc["torch"])]
    r = row("lenet_epoch", "s/epoch", times["kusari"], times["torch"], TARGET)
    report(
        "lenet_epoch",
        [r],
        quick,
        test_accuracy_kusari=acc["kusari"],
        test_accuracy_torch=acc["torch"],
        max_accuracy_gap_points=round(max(gaps) * 100, 3),
        reps=reps,
        batch=BATCH,
        images=N_TRAIN,
        test_images=len(x_test),
    )


if __name__ == "__main__":
    if (w := worker_args()) is not None:
        serve((kusari_worker if w[0] == "kusari" else torch_worker)(w[1][0]))
    else:
        main()
