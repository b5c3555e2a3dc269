#!/usr/bin/env python
"""Train a two-layer LSTM language model on the Penn Treebank with kusari's Trainer.

The model embeds each word, runs it through two LSTMs with dropout and predicts the next
word. Training uses truncated backpropagation through time: a custom updater
(``BPTTUpdater``, overriding ``update_core``) accumulates the loss over ``--bproplen``
steps, backpropagates, cuts the graph and updates. ``ParallelSequentialIterator`` reads
``--batchsize`` evenly spaced positions of the corpus in parallel. Validation perplexity
is computed by an Evaluator on a copy of the model whose state is reset before each
sweep.

Usage:
    python examples/ptb/train_ptb.py --epoch 39 --unit 650
    python examples/ptb/train_ptb.py --train-size 20000 --epoch 1      # a quick try

The corpus (``ptb.train.txt``, ``ptb.valid.txt``, ``ptb.test.txt``) is read from
``$KUSARI_DATASET_ROOT/ptb`` or downloaded when the network allows.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import datasets, optimizers, serializers, training
from kusari.dataset import DownloadError, Iterator
from kusari.training import extensions


class RNNForLM(chainer.Chain):
    """Embedding, two LSTMs and a linear read-out, with dropout between them."""

    def __init__(self, n_vocab, n_units):
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units)
            self.l1 = L.LSTM(n_units, n_units)
            self.l2 = L.LSTM(n_units, n_units)
            self.l3 = L.Linear(n_units, n_vocab)
        for param in self.params():  # small uniform weights work well for this model
            param.array[...] = np.random.uniform(-0.1, 0.1, param.shape)

    def reset_state(self):
        self.l1.reset_state()
        self.l2.reset_state()

    def forward(self, x):
        h0 = self.embed(x)
        h1 = self.l1(F.dropout(h0))
        h2 = self.l2(F.dropout(h1))
        return self.l3(F.dropout(h2))


class ParallelSequentialIterator(Iterator):
    """Batches of (current word, next word) at ``batch_size`` evenly spaced positions.

    Position ``k`` of the batch starts at ``k * len(dataset) // batch_size`` and moves one
    word per iteration, wrapping around; an epoch is ``len(dataset)`` words.
    """

    def __init__(self, dataset, batch_size, repeat=True):
        self.dataset = dataset
        self.batch_size = batch_size
        self.repeat = repeat
        self.offsets = [i * len(dataset) // batch_size for i in range(batch_size)]
        self.reset()

    def reset(self):
        self.epoch = 0
        self.is_new_epoch = False
        self.iteration = 0
        self._previous_epoch_detail = -1.0

    def __next__(self):
        length = len(self.dataset)
        if not self.repeat and self.iteration * self.batch_size >= length:
            raise StopIteration
        self._previous_epoch_detail = self.epoch_detail
        cur_words = self._words_at(self.iteration)
        next_words = self._words_at(self.iteration + 1)
        self.iteration += 1
        epoch = self.iteration * self.batch_size // length
        self.is_new_epoch = self.epoch < epoch
        self.epoch = epoch
        return list(zip(cur_words, next_words))

    next = __next__

    @property
    def epoch_detail(self):
        return self.iteration * self.batch_size / len(self.dataset)

    @property
    def previous_epoch_detail(self):
        return None if self._previous_epoch_detail < 0 else self._previous_epoch_detail

    def _words_at(self, iteration):
        return [self.dataset[(offset + iteration) % len(self.dataset)] for offset in self.offsets]

    def serialize(self, serializer):
        self.iteration = int(serializer("iteration", self.iteration))
        self.epoch = int(serializer("epoch", self.epoch))
        self._previous_epoch_detail = float(
            serializer("previous_epoch_detail", self._previous_epoch_detail)
        )


class BPTTUpdater(training.updaters.StandardUpdater):
    """Truncated backpropagation through time over ``bprop_len`` steps per update."""

    def __init__(self, train_iter, optimizer, bprop_len, device):
        super().__init__(train_iter, optimizer, device=device)
        self.bprop_len = bprop_len

    def update_core(self):
        loss = 0
        train_iter = self.get_iterator("main")
        optimizer = self.get_optimizer("main")
        for _ in range(self.bprop_len):
            batch = train_iter.__next__()
            x, t = self.converter(batch, self.input_device)
            loss += optimizer.target(x, t)
        optimizer.target.cleargrads()
        loss.backward()
        loss.unchain_backward()  # truncate: the next segment starts a new graph
        optimizer.update()


def compute_perplexity(result):
    result["perplexity"] = float(np.exp(result["main/loss"]))
    if "validation/main/loss" in result:
        result["val_perplexity"] = float(np.exp(result["validation/main/loss"]))


def get_device(text):
    """The device named by ``--device``, or exit with the reason it cannot be used."""
    spec = int(text) if text.lstrip("-").isdigit() else text
    try:
        return chainer.get_device(spec)
    except (TypeError, ValueError, RuntimeError) as exc:
        sys.exit(f"error: --device {text}: {exc}")


def load_corpus(args):
    try:
        train, val, test = datasets.get_ptb_words()
    except (DownloadError, OSError) as exc:
        from kusari.dataset import get_dataset_root

        print(
            f"error: {exc}\n\nPenn Treebank was not found and could not be downloaded: put "
            f"ptb.train.txt, ptb.valid.txt and ptb.test.txt into {get_dataset_root()}/ptb/",
            file=sys.stderr,
        )
        sys.exit(2)
    n_vocab = max(train.max(), val.max(), test.max()) + 1
    if args.train_size:
        train = train[: args.train_size]
    if args.valid_size:
        val = val[: args.valid_size]
        test = test[: args.valid_size]
    return train, val, test, int(n_vocab)


def main(argv=None):
    parser = argparse.ArgumentParser(description="kusari example: LSTM language model on PTB")
    parser.add_argument("--batchsize", "-b", type=int, default=20, help="parallel sequences")
    parser.add_argument("--bproplen", "-l", type=int, default=35, help="steps per BPTT update")
    parser.add_argument("--epoch", "-e", type=int, default=39)
    parser.add_argument("--unit", "-u", type=int, default=650, help="LSTM units")
    parser.add_argument("--gradclip", "-c", type=float, default=5, help="gradient norm limit")
    parser.add_argument(
        "--device", "-d", default="-1", help="-1 or @numpy for the CPU, 0 or @cupy:0 for GPU 0"
    )
    parser.add_argument("--out", "-o", default="result_ptb")
    parser.add_argument("--resume", "-r", default="", help="a trainer snapshot to resume from")
    parser.add_argument("--train-size", type=int, default=None, help="use the first N words")
    parser.add_argument(
        "--valid-size",
        type=int,
        default=None,
        help="use the first N words of the validation and test sets",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    device = get_device(args.device)

    train, val, test, n_vocab = load_corpus(args)
    print(
        f"vocabulary: {n_vocab} words; train {len(train)}, valid {len(val)}, test {len(test)} words"
    )

    train_iter = ParallelSequentialIterator(train, args.batchsize)
    val_iter = ParallelSequentialIterator(val, 1, repeat=False)
    test_iter = ParallelSequentialIterator(test, 1, repeat=False)

    rnn = RNNForLM(n_vocab, args.unit)
    model = L.Classifier(rnn)
    model.compute_accuracy = False  # perplexity is what matters here
    optimizer = optimizers.SGD(lr=1.0)
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.GradientClipping(args.gradclip))

    updater = BPTTUpdater(train_iter, optimizer, args.bproplen, device)
    trainer = training.Trainer(updater, (args.epoch, "epoch"), out=args.out)

    eval_model = model.copy()  # shares the parameters, keeps its own LSTM state
    eval_rnn = eval_model.predictor
    trainer.extend(
        extensions.Evaluator(
            val_iter, eval_model, device=device, eval_hook=lambda _: eval_rnn.reset_state()
        )
    )  # each sweep starts from a clean state
    interval = 10 if len(train) < 200_000 else 500
    trainer.extend(
        extensions.LogReport(postprocess=compute_perplexity, trigger=(interval, "iteration"))
    )
    trainer.extend(
        extensions.PrintReport(["epoch", "iteration", "perplexity", "val_perplexity"]),
        trigger=(interval, "iteration"),
    )
    trainer.extend(extensions.snapshot(filename="snapshot_epoch-{.updater.epoch}"))
    trainer.extend(extensions.snapshot_object(model, "model_epoch-{.updater.epoch}"))
    if not args.no_progress:
        trainer.extend(extensions.ProgressBar(update_interval=1 if len(train) < 200_000 else 10))
    if args.resume:
        serializers.load_npz(args.resume, trainer)
    trainer.run()

    print("test")
    eval_rnn.reset_state()
    evaluator = extensions.Evaluator(test_iter, eval_model, device=device)
    result = evaluator()
    print("test perplexity: {:.2f}".format(float(np.exp(float(result["main/loss"])))))


if __name__ == "__main__":
    main()
