"""Time per training iteration of the tutorial's DeepCNN, kusari vs PyTorch CPU.

The "Dive into Chainer" DeepCNN: eight ConvBlocks (3×3 conv, pad 1, no bias, He-normal
weights → BatchNormalization → ReLU; max-pool 2 and dropout 0.25 after the 2nd, 4th and
8th), two LinearBlocks (1024 units, ReLU, dropout 0.5) and a Linear to 10 classes, as
``L.Classifier`` trained with Adam on random 3×32×32 inputs, batch 64. The network is
heavy on one core, so only a few iterations are timed. The torch twin gets the kusari
weights after the warm-up iteration (which also sizes the ``None`` inputs).

Run: ``python benchmarks/deepcnn_iter.py [--quick]``. The model classes are imported
by ``peak_memory.py``.
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
TARGET = 1.3
BATCH = 64
CHANNELS = [(64, False), (64, True), (128, False), (128, True),
            (256, False), (256, False), (256, False), (256, True)]


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
        super().__init__(*[ConvBlock(c, p) for c, p in CHANNELS],
                         LinearBlock(), LinearBlock(), L.Linear(None, n_output))

    def forward(self, x):
        for f in self.children():
            x = f(x)
        return x


def torch_deepcnn(n_output: int = 10) -> torch.nn.Sequential:
    """The same network in torch (Chainer's BN: eps 2e-5, running-average decay 0.9)."""
    nn = torch.nn
    layers: list = []
    c_in = 3
    for c, pool_drop in CHANNELS:
        layers += [nn.Conv2d(c_in, c, 3, 1, 1, bias=False),
                   nn.BatchNorm2d(c, eps=2e-5, momentum=0.1), nn.ReLU()]
        if pool_drop:
            layers += [nn.MaxPool2d(2, 2), nn.Dropout(0.25)]
        c_in = c
    layers += [nn.Flatten(), nn.Linear(256 * 4 * 4, 1024), nn.ReLU(), nn.Dropout(0.5),
               nn.Linear(1024, 1024), nn.ReLU(), nn.Dropout(0.5), nn.Linear(1024, n_output)]
    return nn.Sequential(*layers)


def copy_weights(model: DeepCNN, tmodel: torch.nn.Sequential) -> None:
    """Copy kusari's parameters and BN statistics into the torch twin, layer by layer."""
    mods = iter(m for m in tmodel if isinstance(
        m, (torch.nn.Conv2d, torch.nn.BatchNorm2d, torch.nn.Linear)))
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


def torch_setup(x: np.ndarray, t: np.ndarray, model: torch.nn.Module | None = None):
    """Model, optimizer and a one-iteration step function for torch."""
    model = torch_deepcnn() if model is None else model
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
    xt, tt = torch.from_numpy(x), torch.from_numpy(t.astype(np.int64))

    def step() -> None:
        loss = torch.nn.functional.cross_entropy(model(xt), tt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return model, step


def main() -> None:
    quick = "--quick" in sys.argv
    reps, iters = (2, 1) if quick else (4, 2)
    np.random.seed(0)
    x, t = make_data()
    model, k_step = kusari_setup(x, t)
    k_step()  # warm-up: sizes the None inputs, creates Adam state
    tmodel = torch_deepcnn()
    copy_weights(model.predictor, tmodel)
    _, t_step = torch_setup(x, t, tmodel)
    t_step()

    def many(step):
        def run() -> float:
            return timed(lambda: [step() for _ in range(iters)]) / iters
        return run

    times = interleave({"kusari": many(k_step), "torch": many(t_step)}, reps)
    r = row("deepcnn_iter", "s/iter", times["kusari"], times["torch"], TARGET)
    report("deepcnn_iter", [r], quick, reps=reps, iters_per_rep=iters, batch=BATCH)


if __name__ == "__main__":
    main()
