"""Time per training iteration of the tutorial's DeepCNN, kusari vs PyTorch CPU.

The "Dive into Chainer" DeepCNN: eight ConvBlocks (3×3 conv, pad 1, no bias, He-normal
weights → BatchNormalization → ReLU; max-pool 2 and dropout 0.25 after the 2nd, 4th and
8th), two LinearBlocks (1024 units, ReLU, dropout 0.5) and a Linear to 10 classes, as
``L.Classifier`` trained with Adam on random 3×32×32 inputs, batch 64. The network is
heavy on one core, so only a few iterations are timed. Each framework runs in its own
worker process (see ``_timing.py``); both are built from the same seed-0 batch. The twin
networks are checked equal once (``python benchmarks/deepcnn_iter.py --check``: eval-mode
outputs of kusari and torch from copied weights).

Run: ``python benchmarks/deepcnn_iter.py [--quick]``. The model classes are imported
by ``peak_memory.py``.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import sys  # noqa: E402

import numpy as np  # noqa: E402
from _timing import Worker, interleave, report, row, serve, timed, worker_args  # noqa: E402

import kusari  # noqa: E402
import kusari.functions as F  # noqa: E402
import kusari.links as L  # noqa: E402
from kusari import optimizers  # noqa: E402

TARGET = 1.3
BATCH = 64
CHANNELS = [
    (64, False),
    (64, True),
    (128, False),
    (128, True),
    (256, False),
    (256, False),
    (256, False),
    (256, True),
]


class ConvBlock(kusari.Chain):
    """conv 3×3 (no bias) → batch norm → ReLU, then optionally max-pool 2 and dropout."""

    def __init__(self, n_ch: int, pool_drop: bool = False) -> None:
        w = kusari.initializers.HeNormal()
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(None, n_ch, 3, 1, 1, nobias=True, initialW=w)
            self.bn = L.BatchNormalization(n_ch)
        self.pool_drop = pool_drop

    def forward(self, x):
        h = F.relu(self.bn(self.conv(x)))
        if self.pool_drop:
            h = F.max_pooling_2d(h, 2, 2)
            h = F.dropout(h, ratio=0.25)
        return h


class LinearBlock(kusari.Chain):
    """Linear to 1024 (He-normal) → ReLU → dropout 0.5."""

    def __init__(self) -> None:
        w = kusari.initializers.HeNormal()
        super().__init__()
        with self.init_scope():
            self.fc = L.Linear(None, 1024, initialW=w)

    def forward(self, x):
        return F.dropout(F.relu(self.fc(x)), ratio=0.5)


class DeepCNN(kusari.ChainList):
    """Eight ConvBlocks, two LinearBlocks and the output Linear, applied in order."""

    def __init__(self, n_output: int) -> None:
        super().__init__(
            *[ConvBlock(c, p) for c, p in CHANNELS],
            LinearBlock(),
            LinearBlock(),
            L.Linear(None, n_output),
        )

    def forward(self, x):
        for f in self.children():
            x = f(x)
        return x


def torch_deepcnn(n_output: int = 10):
    """The same network in torch (Chainer's BN: eps 2e-5, running-average decay 0.9)."""
    import torch

    nn = torch.nn
    layers: list = []
    c_in = 3
    for c, pool_drop in CHANNELS:
        layers += [
            nn.Conv2d(c_in, c, 3, 1, 1, bias=False),
            nn.BatchNorm2d(c, eps=2e-5, momentum=0.1),
            nn.ReLU(),
        ]
        if pool_drop:
            layers += [nn.MaxPool2d(2, 2), nn.Dropout(0.25)]
        c_in = c
    layers += [
        nn.Flatten(),
        nn.Linear(256 * 4 * 4, 1024),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(1024, 1024),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(1024, n_output),
    ]
    return nn.Sequential(*layers)


def copy_weights(model: DeepCNN, tmodel) -> None:
    """Copy kusari's parameters and BN statistics into the torch twin, layer by layer."""
    import torch

    mods = iter(
        m for m in tmodel if isinstance(m, (torch.nn.Conv2d, torch.nn.BatchNorm2d, torch.nn.Linear))
    )
    t = torch.from_numpy
    with torch.no_grad():
        for block in model.children():
            if isinstance(block, ConvBlock):
                next(mods).weight.copy_(t(block.conv.W.array))
                bn = next(mods)
                bn.weight.copy_(t(block.bn.gamma.array))
                bn.bias.copy_(t(block.bn.beta.array))
                bn.running_mean.copy_(t(block.bn.avg_mean))
                bn.running_var.copy_(t(block.bn.avg_var))
            else:
                lin = block.fc if isinstance(block, LinearBlock) else block
                mod = next(mods)
                mod.weight.copy_(t(lin.W.array))
                mod.bias.copy_(t(lin.b.array))


def make_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, 3, 32, 32), dtype=np.float32)
    t = rng.integers(0, 10, BATCH).astype(np.int32)
    return x, t


def kusari_setup(x: np.ndarray, t: np.ndarray):
    """Model, optimizer and a one-iteration step function for kusari."""
    model = L.Classifier(DeepCNN(10))
    opt = optimizers.Adam()
    opt.setup(model)
    return model, (lambda: opt.update(model, x, t))


def torch_setup(x: np.ndarray, t: np.ndarray, model=None):
    """Model, optimizer and a one-iteration step function for torch."""
    import torch

    torch.set_num_threads(1)
    model = torch_deepcnn() if model is None else model
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
    xt, tt = torch.from_numpy(x), torch.from_numpy(t.astype(np.int64))

    def step() -> None:
        loss = torch.nn.functional.cross_entropy(model(xt), tt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return model, step


def worker(name: str) -> dict:
    """Handlers of one framework's worker: ``step(n)`` times ``n`` training iterations."""
    np.random.seed(0)
    x, t = make_data()
    _, step = (kusari_setup if name == "kusari" else torch_setup)(x, t)
    step()  # warm-up: sizes kusari's None inputs, creates the Adam state, first-touch

    def steps(n: int) -> dict:
        return {"t": timed(lambda: [step() for _ in range(n)]) / n}

    return {"step": steps}


def check() -> None:
    """Eval-mode outputs of kusari and torch agree once the weights are copied."""
    import torch

    x, t = make_data()
    model, step = kusari_setup(x, t)
    step()
    tmodel = torch_deepcnn()
    copy_weights(model.predictor, tmodel)
    tmodel.eval()
    with kusari.using_config("train", False), kusari.no_backprop_mode():
        yk = model.predictor(x).array
    with torch.no_grad():
        yt = tmodel(torch.from_numpy(x)).numpy()
    gap = float(np.abs(yk - yt).max() / np.abs(yt).max())
    print(f"max relative output gap {gap:.2e}", "ok" if gap < 1e-4 else "MISMATCH")


def main() -> None:
    quick = "--quick" in sys.argv
    reps, iters = (2, 1) if quick else (3, 2)
    with Worker(__file__, "kusari") as kw, Worker(__file__, "torch") as tw:
        kw.ready()
        tw.ready()  # both warm-ups (run in parallel) are over before timing starts
        times = interleave(
            {"kusari": kw.timer("step", n=iters), "torch": tw.timer("step", n=iters)}, reps
        )
    r = row("deepcnn_iter", "s/iter", times["kusari"], times["torch"], TARGET)
    report("deepcnn_iter", [r], quick, reps=reps, iters_per_rep=iters, batch=BATCH)


if __name__ == "__main__":
    if (w := worker_args()) is not None:
        serve(worker(w[0]))
    elif "--check" in sys.argv:
        check()
    else:
        main()
