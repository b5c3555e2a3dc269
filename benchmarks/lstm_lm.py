"""One truncated-BPTT iteration of an LSTM language model, kusari vs PyTorch CPU.

EmbedID(10 000 → 650) → LSTM(650) → Linear(650 → 10 000), batch 20, 35 steps forward
(softmax cross-entropy summed over the steps), one backward, one SGD update, on random
tokens; the state carries over between iterations and the graph is cut after each
backward (``unchain_backward`` / ``detach``), as in Chainer's PTB example. kusari runs
``L.LSTM`` one step at a time; PyTorch runs the same loop with ``nn.LSTMCell`` (the
like-for-like comparison, target ≤ 1.0) and, for reference, the fused ``nn.LSTM`` over the
whole sequence. All three start from the same weights; their first losses are compared.

Run: ``python benchmarks/lstm_lm.py [--quick]``.
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
from kusari import optimizers  # noqa: E402

torch.set_num_threads(1)
TARGET = 1.0
VOCAB, UNITS, BATCH, BPTT = 10_000, 650, 20, 35
LR = 0.1  # random tokens: keep SGD tame without gradient clipping


class RNNLM(kusari.Chain):
    """Embedding → LSTM → output projection, one time step per call."""

    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(VOCAB, UNITS)
            self.lstm = L.LSTM(UNITS, UNITS)
            self.out = L.Linear(UNITS, VOCAB)

    def forward(self, x):
        return self.out(self.lstm(self.embed(x)))


def gates_to_torch(w: np.ndarray) -> np.ndarray:
    """Reorder Chainer's gate rows (per unit: a, i, f, o) to torch's blocks (i, f, g, o)."""
    rows = w.reshape(UNITS, 4, *w.shape[1:])[:, [1, 2, 0, 3]]
    return np.ascontiguousarray(np.moveaxis(rows, 1, 0).reshape(w.shape))


class TorchLM(torch.nn.Module):
    """The same model in torch, stepped with LSTMCell or run fused with nn.LSTM."""

    def __init__(self, fused: bool) -> None:
        super().__init__()
        self.fused = fused
        self.embed = torch.nn.Embedding(VOCAB, UNITS)
        self.rnn = torch.nn.LSTM(UNITS, UNITS) if fused else torch.nn.LSTMCell(UNITS, UNITS)
        self.out = torch.nn.Linear(UNITS, VOCAB)

    def load_from(self, model: RNNLM) -> None:
        t = torch.from_numpy
        sfx = "_l0" if self.fused else ""
        with torch.no_grad():
            self.embed.weight.copy_(t(model.embed.W.array))
            getattr(self.rnn, "weight_ih" + sfx).copy_(t(gates_to_torch(model.lstm.upward.W.array)))
            getattr(self.rnn, "weight_hh" + sfx).copy_(
                t(gates_to_torch(model.lstm.lateral.W.array)))
            getattr(self.rnn, "bias_ih" + sfx).copy_(t(gates_to_torch(model.lstm.upward.b.array)))
            getattr(self.rnn, "bias_hh" + sfx).zero_()
            self.out.weight.copy_(t(model.out.W.array))
            self.out.bias.copy_(t(model.out.b.array))


def kusari_trainer(model: RNNLM):
    opt = optimizers.SGD(lr=LR)
    opt.setup(model)

    def step(xs: np.ndarray, ts: np.ndarray) -> float:
        loss = 0
        for k in range(BPTT):
            loss += F.softmax_cross_entropy(model(xs[k]), ts[k])
        model.cleargrads()
        loss.backward()
        loss.unchain_backward()
        opt.update()
        return float(loss.array)

    return step


def torch_trainer(model: TorchLM):
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    lossf = torch.nn.functional.cross_entropy
    state: dict = {"hc": None}

    def step(xs: torch.Tensor, ts: torch.Tensor) -> float:
        if model.fused:
            y, hc = model.rnn(model.embed(xs), state["hc"])
            loss = lossf(model.out(y.reshape(-1, UNITS)), ts.reshape(-1)) * BPTT
        else:
            hc = state["hc"]
            loss = 0
            for k in range(BPTT):
                hc = model.rnn(model.embed(xs[k]), hc)
                loss = loss + lossf(model.out(hc[0]), ts[k])
        opt.zero_grad()
        loss.backward()
        opt.step()
        state["hc"] = tuple(s.detach() for s in hc)
        return float(loss.detach())

    return step


def main() -> None:
    quick = "--quick" in sys.argv
    reps = 2 if quick else 4
    rng = np.random.default_rng(0)
    n_batches = 4
    corpus = rng.integers(0, VOCAB, (n_batches, BPTT + 1, BATCH)).astype(np.int32)
    batches_k = [(c[:-1], c[1:]) for c in corpus]
    corpus64 = torch.from_numpy(corpus.astype(np.int64))
    batches_t = [(c[:-1], c[1:]) for c in corpus64]

    np.random.seed(0)
    model = RNNLM()
    cell, fused = TorchLM(fused=False), TorchLM(fused=True)
    cell.load_from(model)
    fused.load_from(model)
    steps = {"kusari": kusari_trainer(model), "torch_cell": torch_trainer(cell),
             "torch_fused": torch_trainer(fused)}
    # First iteration doubles as the warm-up and the check that all three compute the
    # same loss from the same weights and a zero state.
    first = {name: s(*(batches_k[0] if name == "kusari" else batches_t[0]))
             for name, s in steps.items()}
    counter = {name: 1 for name in steps}

    def runner(name: str):
        data = batches_k if name == "kusari" else batches_t

        def run() -> float:
            i = counter[name] % n_batches
            counter[name] += 1
            return timed(lambda: steps[name](*data[i]))

        return run

    times = interleave({name: runner(name) for name in steps}, reps)
    rows = [
        row("lstm_lm (vs LSTMCell loop)", "s/iter", times["kusari"], times["torch_cell"], TARGET),
        row("lstm_lm (vs fused nn.LSTM)", "s/iter", times["kusari"], times["torch_fused"], None),
    ]
    loss_gap = max(abs(first["kusari"] - v) / abs(v) for v in first.values())
    report("lstm_lm", rows, quick, first_loss=first, first_loss_rel_gap=loss_gap,
           losses_match=loss_gap < 1e-4, reps=reps, batch=BATCH, bptt=BPTT, vocab=VOCAB,
           units=UNITS, optimizer=f"SGD lr {LR}")


if __name__ == "__main__":
    main()
