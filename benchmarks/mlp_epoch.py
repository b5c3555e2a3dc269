"""One training epoch of the tutorial MLP on Fashion-MNIST, kusari vs PyTorch CPU.

784-100-100-10 with ReLU, softmax cross-entropy, SGD lr 0.01, batch 128, one epoch of the
60 000 training images (the "Dive into Chainer" tutorial). The kusari side is the stack a
user runs: ``L.Classifier(MLP())``, ``optimizers.SGD``, ``iterators.SerialIterator`` and
``training.StandardUpdater``; the timed part is the updater loop over one epoch. The
PyTorch side reads the same NumPy arrays through a plain shuffled-index loop (no
DataLoader). Both start from the same weights and visit the examples in the same order,
so their test accuracies after the epoch must agree (within 1 point).

Run: ``python benchmarks/mlp_epoch.py [--quick]`` (``--quick``: fewer repetitions).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _timing import interleave, report, row, timed  # noqa: E402

import kusari  # noqa: E402
import kusari.functions as F  # noqa: E402
import kusari.links as L  # noqa: E402
from kusari import iterators, optimizers, training  # noqa: E402
from kusari.dataset import concat_examples  # noqa: E402
from kusari.datasets import get_fashion_mnist  # noqa: E402
from kusari.iterators.order_samplers import ShuffleOrderSampler  # noqa: E402

torch.set_num_threads(1)
TARGET = 1.0
BATCH = 128
LR = 0.01


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


def torch_mlp() -> torch.nn.Sequential:
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                         nn.Linear(100, 10))


def copy_linears(links: list, modules: list) -> None:
    """Give the torch Linear modules the kusari Linear links' weights."""
    with torch.no_grad():
        for link, mod in zip(links, modules):
            mod.weight.copy_(torch.from_numpy(link.W.array))
            mod.bias.copy_(torch.from_numpy(link.b.array))


def kusari_accuracy(predictor, x: np.ndarray, t: np.ndarray) -> float:
    with kusari.using_config("train", False), kusari.no_backprop_mode():
        y = predictor(x).array
    return float((y.argmax(axis=1) == t).mean())


def torch_accuracy(model, x: np.ndarray, t: np.ndarray) -> float:
    model.eval()
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy()
    model.train()
    return float((y.argmax(axis=1) == t).mean())


def main() -> None:
    quick = "--quick" in sys.argv
    reps = 2 if quick else 4
    train, test = get_fashion_mnist()
    x_train, t_train = concat_examples(train[:])
    x_test, t_test = concat_examples(test[:])
    t_train64 = t_train.astype(np.int64)  # what a torch user converts once, up front
    acc: dict[str, list[float]] = {"kusari": [], "torch": []}
    state: dict = {}

    def prepare(seed: int) -> None:
        """Fresh kusari model, and a torch model holding the same initial weights."""
        np.random.seed(seed)
        model = L.Classifier(MLP())
        with kusari.no_backprop_mode():
            model.predictor(x_train[:1])  # the None input sizes take shape here
        tmodel = torch_mlp()
        p = model.predictor
        copy_linears([p.l1, p.l2, p.l3], [tmodel[0], tmodel[2], tmodel[4]])
        state.update(model=model, tmodel=tmodel, seed=seed)

    def kusari_epoch(n_iter: int | None = None) -> float:
        model, seed = state["model"], state["seed"]
        it = iterators.SerialIterator(
            train, BATCH, order_sampler=ShuffleOrderSampler(np.random.RandomState(seed)))
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
        if n_iter is None:
            acc["kusari"].append(kusari_accuracy(model.predictor, x_test, t_test))
        return t

    def torch_epoch(n_iter: int | None = None) -> float:
        model, seed = state["tmodel"], state["seed"]
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        lossf = torch.nn.functional.cross_entropy
        order = np.random.RandomState(seed).permutation(len(x_train))
        if n_iter is not None:
            order = order[:n_iter * BATCH]

        def loop() -> None:
            for i in range(0, len(order), BATCH):
                idx = order[i:i + BATCH]
                x = torch.from_numpy(x_train[idx])
                t = torch.from_numpy(t_train64[idx])
                loss = lossf(model(x), t)
                opt.zero_grad()
                loss.backward()
                opt.step()

        t = timed(loop)
        if n_iter is None:
            acc["torch"].append(torch_accuracy(model, x_test, t_test))
        return t

    prepare(1000)  # warm-up (page faults, BLAS buffers, lazy imports), not measured
    kusari_epoch(50)
    torch_epoch(50)
    times = interleave({"kusari": kusari_epoch, "torch": torch_epoch}, reps, setup=prepare)
    gaps = [abs(a - b) for a, b in zip(acc["kusari"], acc["torch"])]
    r = row("mlp_epoch", "s/epoch", times["kusari"], times["torch"], TARGET)
    report("mlp_epoch", [r], quick,
           test_accuracy_kusari=acc["kusari"], test_accuracy_torch=acc["torch"],
           max_accuracy_gap_points=round(max(gaps) * 100, 3), accuracy_match=max(gaps) <= 0.01,
           reps=reps, batch=BATCH, images=len(x_train))
    if max(gaps) > 0.01:
        print(f"WARNING: test accuracies differ by {max(gaps) * 100:.2f} points (> 1)")


if __name__ == "__main__":
    main()
