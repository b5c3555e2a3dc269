#!/usr/bin/env python
"""Train a multi-layer perceptron on Fashion-MNIST (or MNIST) with kusari's Trainer.

This is the first program of the "Dive into Chainer" tutorial, with only its imports
changed (``import kusari as chainer``): a 784-100-100-10 MLP wrapped in
``L.Classifier``, a Trainer with LogReport, snapshots, an Evaluator, PrintReport,
PlotReport (loss.png, accuracy.png), a progress bar and dump_graph (cg.dot). After
training it reloads ``model_epoch-N`` into a fresh MLP with ``load_npz`` and predicts a
test image.

Usage:
    python examples/mnist/train_mnist.py                 # Fashion-MNIST, CPU
    python examples/mnist/train_mnist.py --epoch 20 --out result_mlp
    python examples/mnist/train_mnist.py --resume result/snapshot_epoch-3

Fashion-MNIST comes from Debian's ``dataset-fashion-mnist`` package
(``apt-get install dataset-fashion-mnist``) or from ``$KUSARI_DATASET_ROOT``.
"""

from __future__ import annotations

import argparse
import os
import sys

# These matrices are small: one BLAS thread is fastest, and several thrash when the CPU
# is shared (10x slower here). Set OMP_NUM_THREADS yourself to override.
if not any(v in os.environ for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")):
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = "1"

import numpy as np

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import datasets, iterators, optimizers, serializers, training
from kusari.dataset import DownloadError
from kusari.training import extensions


class MLP(chainer.Chain):
    """Three fully connected layers; input sizes are inferred at the first call."""

    def __init__(self, n_mid_units=100, n_out=10):
        super().__init__(
            l1=L.Linear(None, n_mid_units),
            l2=L.Linear(None, n_mid_units),
            l3=L.Linear(None, n_out),
        )

    def __call__(self, x):
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


DATA_HELP = {
    "fashion-mnist": (
        "Fashion-MNIST was not found. Install Debian's package, which puts the four files "
        "in /usr/share/datasets/fashion-mnist/:\n"
        "    sudo apt-get install dataset-fashion-mnist\n"
        "or copy train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz into {root}/fashion-mnist/"
    ),
    "mnist": (
        "MNIST was not found and could not be downloaded. Copy train-images-idx3-ubyte.gz, "
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz "
        "into {root}/mnist/, or use --dataset fashion-mnist"
    ),
}


def load_data(name):
    """The train and test sets, or exit with instructions when the files are missing."""
    getter = datasets.get_fashion_mnist if name == "fashion-mnist" else datasets.get_mnist
    try:
        return getter(withlabel=True, ndim=1)
    except (DownloadError, OSError) as exc:
        from kusari.dataset import get_dataset_root

        print(
            f"error: {exc}\n\n" + DATA_HELP[name].format(root=get_dataset_root()), file=sys.stderr
        )
        sys.exit(2)


def get_device(text):
    """The device named by ``--device``, or exit with the reason it cannot be used."""
    spec = int(text) if text.lstrip("-").isdigit() else text
    try:
        return chainer.get_device(spec)
    except (TypeError, ValueError, RuntimeError) as exc:
        sys.exit(f"error: --device {text}: {exc}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="kusari example: MLP on (Fashion-)MNIST")
    parser.add_argument("--dataset", choices=["fashion-mnist", "mnist"], default="fashion-mnist")
    parser.add_argument("--batchsize", "-b", type=int, default=100, help="examples per minibatch")
    parser.add_argument("--epoch", "-e", type=int, default=10, help="epochs to train")
    parser.add_argument("--unit", "-u", type=int, default=100, help="units per hidden layer")
    parser.add_argument(
        "--device", "-d", default="-1", help="-1 or @numpy for the CPU, 0 or @cupy:0 for GPU 0"
    )
    parser.add_argument("--out", "-o", default="result", help="directory for logs and snapshots")
    parser.add_argument("--resume", "-r", default="", help="a trainer snapshot to resume from")
    parser.add_argument("--lr", type=float, default=0.05, help="MomentumSGD learning rate")
    parser.add_argument("--train-size", type=int, default=None, help="use the first N examples")
    parser.add_argument("--test-size", type=int, default=None, help="use the first N test images")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--seed", type=int, default=0, help="seed of NumPy's global generator")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    args.device = get_device(args.device)
    np.random.seed(args.seed)  # initial weights and shuffling: the same run every time
    train, test = load_data(args.dataset)
    if args.train_size:
        train = datasets.SubDataset(train, 0, min(args.train_size, len(train)))
    if args.test_size:
        test = datasets.SubDataset(test, 0, min(args.test_size, len(test)))
    print(f"dataset: {args.dataset} ({len(train)} training, {len(test)} test images)")
    print(
        f"device: {args.device}, minibatch: {args.batchsize}, "
        f"epochs: {args.epoch}, hidden units: {args.unit}"
    )

    model = L.Classifier(MLP(args.unit, 10))
    optimizer = optimizers.MomentumSGD(lr=args.lr)
    optimizer.setup(model)

    train_iter = iterators.SerialIterator(train, args.batchsize)
    test_iter = iterators.SerialIterator(test, args.batchsize, repeat=False, shuffle=False)
    updater = training.StandardUpdater(train_iter, optimizer, device=args.device)
    trainer = training.Trainer(updater, (args.epoch, "epoch"), out=args.out)

    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.snapshot(filename="snapshot_epoch-{.updater.epoch}"))
    trainer.extend(
        extensions.snapshot_object(model.predictor, filename="model_epoch-{.updater.epoch}")
    )
    trainer.extend(extensions.Evaluator(test_iter, model, device=args.device))
    trainer.extend(
        extensions.PrintReport(
            [
                "epoch",
                "main/loss",
                "main/accuracy",
                "validation/main/loss",
                "validation/main/accuracy",
                "elapsed_time",
            ]
        )
    )
    trainer.extend(
        extensions.PlotReport(
            ["main/loss", "validation/main/loss"], x_key="epoch", file_name="loss.png"
        )
    )
    trainer.extend(
        extensions.PlotReport(
            ["main/accuracy", "validation/main/accuracy"], x_key="epoch", file_name="accuracy.png"
        )
    )
    trainer.extend(extensions.dump_graph("main/loss"))
    if not args.no_progress:
        trainer.extend(extensions.ProgressBar(update_interval=50))

    if args.resume:
        serializers.load_npz(args.resume, trainer)
    trainer.run()

    # Inference with the saved model, as in section 8 of the tutorial.
    path = os.path.join(args.out, f"model_epoch-{updater.epoch}")
    model = MLP(args.unit, 10)
    serializers.load_npz(path, model)
    x, t = test[0]
    with chainer.using_config("train", False), chainer.no_backprop_mode():
        y = model(x[None, ...])
    accuracy = trainer.get_extension("LogReport").log[-1].get("validation/main/accuracy")
    print(f"final test accuracy: {accuracy:.4f}" if accuracy is not None else "")
    names = datasets.get_fashion_mnist_labels() if args.dataset == "fashion-mnist" else None
    predicted, label = int(y.array.argmax(axis=1)[0]), int(t)
    describe = (lambda i: f"{i} ({names[i]})") if names else str
    print(f"{path}: test image 0 predicted as {describe(predicted)}, true label {describe(label)}")
    print(f"results in {os.path.abspath(args.out)}: log, loss.png, accuracy.png, cg.dot, snapshots")


if __name__ == "__main__":
    main()
