"""One truncated-BPTT iteration of an LSTM language model, kusari vs PyTorch CPU.

EmbedID(10 000 → 650) → LSTM(650) → Linear(650 → 10 000), batch 20, 35 steps forward
(softmax cross-entropy summed over the steps), one backward, one SGD update, on random
tokens; the state carries over between iterations and the graph is cut after each
backward (``unchain_backward`` / ``detach``), as in Chainer's PTB example. kusari runs
``L.LSTM`` one step at a time; PyTorch runs the same loop with ``nn.LSTMCell`` (the
like-for-like comparison, target ≤ 1.0) and, for reference, the fused ``nn.LSTM`` over the
whole sequence. All three start from the same weights; their first losses are compared.
kusari and torch run in separate worker processes (see ``_timing.py``).

Run: ``python benchmarks/lstm_lm.py [--quick]``.
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
VOCAB, UNITS, BATCH, BPTT = 10_000, 650, 20, 35
N_BATCHES = 4
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


def corpus() -> np.ndarray:
    """Random token batches: (N_BATCHES, BPTT + 1, BATCH) int32."""
    rng = np.random.default_rng(0)
    return rng.integers(0, VOCAB, (N_BATCHES, BPTT + 1, BATCH)).astype(np.int32)


def gates_to_torch(w: np.ndarray) -> np.ndarray:
    """Reorder Chainer's gate rows (per unit: a, i, f, o) to torch's blocks (i, f, g, o)."""
    rows = w.reshape(UNITS, 4, *w.shape[1:])[:, [1, 2, 0, 3]]
    return np.ascontiguousarray(np.moveaxis(rows, 1, 0).reshape(w.shape))


def kusari_worker(weights: str) -> dict:
    """Handlers of the kusari worker; its model's initial weights go to ``weights``."""
    from kusari import optimizers

    np.random.seed(0)
    model = RNNLM()
    lstm = model.lstm
    np.savez(
        weights,
        embed=model.embed.W.array,
        w_ih=gates_to_torch(lstm.upward.W.array),
        w_hh=gates_to_torch(lstm.lateral.W.array),
        b_ih=gates_to_torch(lstm.upward.b.array),
        out_w=model.out.W.array,
        out_b=model.out.b.array,
    )
    opt = optimizers.SGD(lr=LR)
    opt.setup(model)
    data = corpus()
    count = [0]

    def step() -> dict:
        c = data[count[0] % N_BATCHES]
        count[0] += 1

        def run() -> None:
            loss = 0
            for k in range(BPTT):
                loss += F.softmax_cross_entropy(model(c[k]), c[k + 1])
            model.cleargrads()
            loss.backward()
            loss.unchain_backward()
            opt.update()
            out["loss"] = float(loss.array)

        out: dict = {}
        out["t"] = timed(run)
        return out

    return {"step": step}


def torch_worker(weights: str) -> dict:
    """Handlers of the torch worker: ``cell`` (LSTMCell loop) and ``fused`` (nn.LSTM)."""
    import torch

    torch.set_num_threads(1)
    nn = torch.nn
    lossf = nn.functional.cross_entropy
    w = {k: torch.from_numpy(v) for k, v in np.load(weights).items()}
    data = torch.from_numpy(corpus().astype(np.int64))

    def build(fused: bool):
        m = nn.ModuleDict(
            {
                "embed": nn.Embedding(VOCAB, UNITS),
                "rnn": nn.LSTM(UNITS, UNITS) if fused else nn.LSTMCell(UNITS, UNITS),
                "out": nn.Linear(UNITS, VOCAB),
            }
        )
        sfx = "_l0" if fused else ""
        with torch.no_grad():
            m["embed"].weight.copy_(w["embed"])
            getattr(m["rnn"], "weight_ih" + sfx).copy_(w["w_ih"])
            getattr(m["rnn"], "weight_hh" + sfx).copy_(w["w_hh"])
            getattr(m["rnn"], "bias_ih" + sfx).copy_(w["b_ih"])
            getattr(m["rnn"], "bias_hh" + sfx).zero_()  # kusari has one bias
            m["out"].weight.copy_(w["out_w"])
            m["out"].bias.copy_(w["out_b"])
        opt = torch.optim.SGD(m.parameters(), lr=LR)
        state: dict = {"hc": None, "count": 0}

        def run(c: torch.Tensor) -> torch.Tensor:
            xs, ts = c[:-1], c[1:]
            if fused:
                y, hc = m["rnn"](m["embed"](xs), state["hc"])
                loss = lossf(m["out"](y.reshape(-1, UNITS)), ts.reshape(-1)) * BPTT
            else:
                hc = state["hc"]
                loss = 0
                for k in range(BPTT):
                    hc = m["rnn"](m["embed"](xs[k]), hc)
                    loss = loss + lossf(m["out"](hc[0]), ts[k])
            opt.zero_grad()
            loss.backward()
            opt.step()
            state["hc"] = tuple(s.detach() for s in hc)
            return loss

        def step() -> dict:
            c = data[state["count"] % N_BATCHES]
            state["count"] += 1
            out: dict = {}
            out["t"] = timed(lambda: out.update(loss=float(run(c).detach())))
            return out

        return step

    return {"cell": build(fused=False), "fused": build(fused=True)}


def main() -> None:
    quick = "--quick" in sys.argv
    reps = 2 if quick else 4
    with tempfile.TemporaryDirectory(prefix="kusari-bench-") as tmp:
        weights = str(Path(tmp) / "weights.npz")
        with Worker(__file__, "kusari", [weights]) as kw:
            kw.ready()  # weights written
            with Worker(__file__, "torch", [weights]) as tw:
                # The first iteration is the warm-up and the check that the three compute
                # the same loss from the same weights and a zero state.
                first = {
                    "kusari": kw.call("step")["loss"],
                    "torch_cell": tw.call("cell")["loss"],
                    "torch_fused": tw.call("fused")["loss"],
                }
                times = interleave(
                    {
                        "kusari": kw.timer("step"),
                        "torch_cell": tw.timer("cell"),
                        "torch_fused": tw.timer("fused"),
                    },
                    reps,
                )
    rows = [
        row("lstm_lm (vs LSTMCell loop)", "s/iter", times["kusari"], times["torch_cell"], TARGET),
        row("lstm_lm (vs fused nn.LSTM)", "s/iter", times["kusari"], times["torch_fused"], None),
    ]
    loss_gap = max(abs(first["kusari"] - v) / abs(v) for v in first.values())
    report(
        "lstm_lm",
        rows,
        quick,
        first_loss=first,
        first_loss_rel_gap=loss_gap,
        losses_match=loss_gap < 1e-4,
        reps=reps,
        batch=BATCH,
        bptt=BPTT,
        vocab=VOCAB,
        units=UNITS,
        optimizer=f"SGD lr {LR}",
    )


if __name__ == "__main__":
    if (w := worker_args()) is not None:
        serve((kusari_worker if w[0] == "kusari" else torch_worker)(w[1][0]))
    else:
        main()
