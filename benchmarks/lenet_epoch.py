"""One epoch of LeNet5 (sigmoid) with Adam on 10 000 Fashion-MNIST images, kusari vs PyTorch.

The ConvNet tutorial's model: conv 1→6 k5, max-pool 2, conv 6→16 k5, max-pool 2,
conv 16→120 k4, fc 84, fc 10, sigmoid after every hidden layer; Adam (alpha 1e-3),
batch 64, the first 10 000 training images. kusari runs ``L.Classifier(LeNet5())`` with
``SerialIterator`` and ``StandardUpdater``; PyTorch runs the same network from the same
initial weights over the same shuffled order in a plain loop. Test accuracy after the
epoch is reported for both as a check that they trained the same thing.

Run: ``python benchmarks/lenet_epoch.py [--quick]``.
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
from kusari.datasets import TupleDataset, get_fashion_mnist  # noqa: E402
from kusari.iterators.order_samplers import ShuffleOrderSampler  # noqa: E402

torch.set_num_threads(1)
TARGET = 1.2
BATCH = 64
N_TRAIN = 10_000


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


def torch_lenet() -> torch.nn.Sequential:
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Sigmoid(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.MaxPool2d(2, 2),
        nn.Conv2d(16, 120, 4), nn.Sigmoid(), nn.Flatten(),
        nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10),
    )


def copy_weights(model: LeNet5, tmodel: torch.nn.Sequential) -> None:
    """Give the torch twin the kusari model's weights (same layouts: out, in, kh, kw)."""
    links = [model.conv1, model.conv2, model.conv3, model.fc4, model.fc5]
    mods = [tmodel[0], tmodel[3], tmodel[6], tmodel[9], tmodel[11]]
    with torch.no_grad():
        for link, mod in zip(links, mods):
            mod.weight.copy_(torch.from_numpy(link.W.array))
            mod.bias.copy_(torch.from_numpy(link.b.array))


def accuracy(predict, x: np.ndarray, t: np.ndarray, chunk: int = 1000) -> float:
    hits = 0
    for i in range(0, len(x), chunk):
        hits += int((predict(x[i:i + chunk]).argmax(axis=1) == t[i:i + chunk]).sum())
    return hits / len(x)


def kusari_predict(model):
    def predict(x):
        with kusari.using_config("train", False), kusari.no_backprop_mode():
            return model(x).array
    return predict


def torch_predict(model):
    def predict(x):
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy()
    return predict


def main() -> None:
    quick = "--quick" in sys.argv
    reps = 2 if quick else 4
    train_all, test = get_fashion_mnist(ndim=3)
    x_train, t_train = concat_examples(train_all[:N_TRAIN])
    x_test, t_test = concat_examples(test[:])
    if quick:  # the accuracy check is a side product; a quarter of the test set will do
        x_test, t_test = x_test[:2500], t_test[:2500]
    train = TupleDataset(x_train, t_train)
    t_train64 = t_train.astype(np.int64)
    acc: dict[str, list[float]] = {"kusari": [], "torch": []}
    state: dict = {}

    def prepare(seed: int) -> None:
        np.random.seed(seed)
        model = L.Classifier(LeNet5())
        with kusari.no_backprop_mode():
            model.predictor(x_train[:1])  # fc4's input size takes shape here
        tmodel = torch_lenet()
        copy_weights(model.predictor, tmodel)
        state.update(model=model, tmodel=tmodel, seed=seed)

    def kusari_epoch(n_iter: int | None = None) -> float:
        model, seed = state["model"], state["seed"]
        it = iterators.SerialIterator(
            train, BATCH, order_sampler=ShuffleOrderSampler(np.random.RandomState(seed)))
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
        if n_iter is None:
            acc["kusari"].append(accuracy(kusari_predict(model.predictor), x_test, t_test))
        return t

    def torch_epoch(n_iter: int | None = None) -> float:
        model, seed = state["tmodel"], state["seed"]
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
        lossf = torch.nn.functional.cross_entropy
        order = np.random.RandomState(seed).permutation(len(x_train))
        if n_iter is not None:
            order = order[:n_iter * BATCH]

        def loop() -> None:
            for i in range(0, len(order), BATCH):
                idx = order[i:i + BATCH]
                loss = lossf(model(torch.from_numpy(x_train[idx])),
                             torch.from_numpy(t_train64[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()

        t = timed(loop)
        if n_iter is None:
            model.eval()
            acc["torch"].append(accuracy(torch_predict(model), x_test, t_test))
            model.train()
        return t

    prepare(1000)  # warm-up, not measured
    kusari_epoch(20)
    torch_epoch(20)
    times = interleave({"kusari": kusari_epoch, "torch": torch_epoch}, reps, setup=prepare)
    gaps = [abs(a - b) for a, b in zip(acc["kusari"], acc["torch"])]
    r = row("lenet_epoch", "s/epoch", times["kusari"], times["torch"], TARGET)
    report("lenet_epoch", [r], quick,
           test_accuracy_kusari=acc["kusari"], test_accuracy_torch=acc["torch"],
           max_accuracy_gap_points=round(max(gaps) * 100, 3), reps=reps, batch=BATCH,
           images=N_TRAIN, test_images=len(x_test))


if __name__ == "__main__":
    main()
