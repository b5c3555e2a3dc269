#!/usr/bin/env python
"""Train the tutorial's CNNs on CIFAR-10 with kusari's Trainer.

From the "Dive into Chainer" tutorial, section "Let's write more complicated CNNs":
``MyModel`` (three convolutions, two linear layers) and ``DeepCNN`` (a ChainList of
``ConvBlock``s with batch normalization, max pooling and dropout, then ``LinearBlock``s),
trained by the tutorial's ``train`` function with Adam, an Evaluator in test mode,
LogReport, PrintReport and PlotReport; then a few test images are classified.

Usage:
    python examples/cifar/train_cifar.py --model deepcnn --epoch 10
    python examples/cifar/train_cifar.py --model mymodel --train-size 5000 --epoch 2

CIFAR-10 is read from ``$KUSARI_DATASET_ROOT/cifar`` (``cifar-10-python.tar.gz``, or
kusari's cache of it), or downloaded when the network allows. On a CPU DeepCNN is slow:
use ``--train-size`` to try it on a subset.
"""

from __future__ import annotations

import argparse
import os
import sys

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import datasets, iterators, optimizers, serializers, training
from kusari.dataset import DownloadError
from kusari.training import extensions

CLS_NAMES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]


class MyModel(chainer.Chain):
    def __init__(self, n_out):
        super().__init__(
            conv1=L.Convolution2D(None, 32, 3, 3, 1),
            conv2=L.Convolution2D(32, 64, 3, 3, 1),
            conv3=L.Convolution2D(64, 128, 3, 3, 1),
            fc4=L.Linear(None, 1000),
            fc5=L.Linear(1000, n_out),
        )

    def __call__(self, x):
        h = F.relu(self.conv1(x))
        h = F.relu(self.conv2(h))
        h = F.relu(self.conv3(h))
        h = F.relu(self.fc4(h))
        return self.fc5(h)


class ConvBlock(chainer.Chain):
    def __init__(self, n_ch, pool_drop=False):
        w = chainer.initializers.HeNormal()
        super().__init__(
            conv=L.Convolution2D(None, n_ch, 3, 1, 1, nobias=True, initialW=w),
            bn=L.BatchNormalization(n_ch),
        )
        self.train = True
        self.pool_drop = pool_drop

    def __call__(self, x):
        h = F.relu(self.bn(self.conv(x)))
        if self.pool_drop:
            h = F.max_pooling_2d(h, 2, 2)
            h = F.dropout(h, ratio=0.25)  # Chainer 2+: config.train decides
        return h


class LinearBlock(chainer.Chain):
    def __init__(self):
        w = chainer.initializers.HeNormal()
        super().__init__(fc=L.Linear(None, 1024, initialW=w))
        self.train = True

    def __call__(self, x):
        return F.dropout(F.relu(self.fc(x)), ratio=0.5)


class DeepCNN(chainer.ChainList):
    def __init__(self, n_output):
        super().__init__(
            ConvBlock(64),
            ConvBlock(64, True),
            ConvBlock(128),
            ConvBlock(128, True),
            ConvBlock(256),
            ConvBlock(256),
            ConvBlock(256),
            ConvBlock(256, True),
            LinearBlock(),
            LinearBlock(),
            L.Linear(None, n_output),
        )
        self._train = True

    @property
    def train(self):
        return self._train

    @train.setter
    def train(self, val):
        self._train = val
        for c in self.children():
            c.train = val

    def __call__(self, x):
        for f in self.children():
            x = f(x)
        return x


class TestModeEvaluator(extensions.Evaluator):
    def evaluate(self):
        model = self.get_target("main")
        model.train = False
        ret = super().evaluate()
        model.train = True
        return ret


def get_device(text):
    """The device named by ``--device``, or exit with the reason it cannot be used."""
    spec = int(text) if text.lstrip("-").isdigit() else text
    try:
        return chainer.get_device(spec)
    except (TypeError, ValueError, RuntimeError) as exc:
        sys.exit(f"error: --device {text}: {exc}")


def get_data(args):
    try:
        train, test = datasets.get_cifar10()
    except (DownloadError, OSError) as exc:
        from kusari.dataset import get_dataset_root

        print(
            f"error: {exc}\n\nCIFAR-10 was not found and could not be downloaded: put "
            f"cifar-10-python.tar.gz into {get_dataset_root()}/cifar/",
            file=sys.stderr,
        )
        sys.exit(2)
    if args.train_size:
        train = datasets.SubDataset(train, 0, min(args.train_size, len(train)))
    if args.test_size:
        test = datasets.SubDataset(test, 0, min(args.test_size, len(test)))
    return train, test


def train(model_object, args, batchsize=64, gpu_id=-1, max_epoch=20):
    # 1. Dataset
    train, test = get_data(args)

    # 2. Iterator
    train_iter = iterators.SerialIterator(train, batchsize)
    test_iter = iterators.SerialIterator(test, batchsize, False, False)

    # 3. Model
    model = L.Classifier(model_object)

    # 4. Optimizer
    optimizer = optimizers.Adam()
    optimizer.setup(model)

    # 5. Updater
    updater = training.StandardUpdater(train_iter, optimizer, device=gpu_id)

    # 6. Trainer
    out = args.out or f"{model_object.__class__.__name__}_cifar10_result"
    trainer = training.Trainer(updater, (max_epoch, "epoch"), out=out)

    # 7. Evaluator
    trainer.extend(extensions.LogReport())
    trainer.extend(TestModeEvaluator(test_iter, model, device=gpu_id))
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
    trainer.extend(extensions.snapshot(filename="snapshot_epoch-{.updater.epoch}", autoload=True))
    if not args.no_progress:
        trainer.extend(extensions.ProgressBar(update_interval=10))
    trainer.run()
    del trainer
    return model, test


def predict(model, test, image_id):
    x, t = test[image_id]
    with chainer.using_config("train", False), chainer.no_backprop_mode():
        y = model.predictor(x[None, ...]).data.argmax(axis=1)[0]
    print(f"image {image_id}: predicted_label: {CLS_NAMES[int(y)]}, answer: {CLS_NAMES[int(t)]}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="kusari example: CNNs on CIFAR-10")
    parser.add_argument("--model", choices=["deepcnn", "mymodel"], default="deepcnn")
    parser.add_argument("--batchsize", "-b", type=int, default=64)
    parser.add_argument("--epoch", "-e", type=int, default=10)
    parser.add_argument(
        "--device", "-d", default="-1", help="-1 or @numpy for the CPU, 0 or @cupy:0 for GPU 0"
    )
    parser.add_argument(
        "--out",
        "-o",
        default="",
        help="output directory (default <Model>_cifar10_result); an existing "
        "snapshot in it is resumed",
    )
    parser.add_argument("--train-size", type=int, default=None, help="use the first N examples")
    parser.add_argument("--test-size", type=int, default=None, help="use the first N test images")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    device = get_device(args.device)
    model_object = DeepCNN(10) if args.model == "deepcnn" else MyModel(10)
    model, test = train(
        model_object, args, batchsize=args.batchsize, gpu_id=device, max_epoch=args.epoch
    )
    model.to_cpu()
    for i in range(min(5, len(test))):
        predict(model, test, i)
    out = args.out or f"{model_object.__class__.__name__}_cifar10_result"
    serializers.save_npz(os.path.join(out, "model.npz"), model.predictor)
    print("saved the trained predictor to", os.path.join(out, "model.npz"))


if __name__ == "__main__":
    main()
