"""How fast does byhand train? One epoch of an MNIST-sized MLP, against two baselines.

    python benchmarks/bench_mlp.py            # or: make bench
    python benchmarks/bench_mlp.py --rounds 5

The task: a 784-256-128-10 ReLU network, softmax cross-entropy, batch 128, Adam, float32,
one epoch over 60,000 synthetic MNIST-sized examples. Three contestants time that epoch:

* byhand   - Sequential(...).fit(x, y, epochs=1, batch_size=128)
* torch    - the same network and optimizer in PyTorch on the CPU (only if torch is installed)
* matmuls  - only the epoch's matrix products (3 forward, 5 backward per batch) in NumPy:
             a floor no NumPy engine can beat, so byhand / matmuls shows its overhead

Each contestant runs in its own process, interleaved with the others (see harness.py), and
reports its own peak memory (max RSS). bench_lesson.py times the small networks of the lessons.
"""

from __future__ import annotations

import time

import numpy as np
from harness import command_line, interleaved, torch_installed

N, D, H1, H2, K, BATCH = 60_000, 784, 256, 128, 10, 128


def data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((N, D), dtype=np.float32)
    y = rng.integers(0, K, size=N)
    return x, y


def run_byhand():
    from byhand.layers import Dense
    from byhand.losses import SparseCategoricalCrossentropy
    from byhand.model import Input, Sequential
    from byhand.optimizers import Adam

    x, y = data()
    model = Sequential(
        [Input((D,)), Dense(H1, activation="relu"), Dense(H2, activation="relu"), Dense(K)],
        seed=0,
    )
    model.compile(optimizer=Adam(), loss=SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x[: BATCH * 4], y[: BATCH * 4], batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    return time.perf_counter() - start


def run_torch():
    import torch

    torch.manual_seed(0)
    x, y = data()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    model = torch.nn.Sequential(
        torch.nn.Linear(D, H1), torch.nn.ReLU(),
        torch.nn.Linear(H1, H2), torch.nn.ReLU(),
        torch.nn.Linear(H2, K),
    )  # fmt: skip
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch(n):
        order = torch.randperm(n)
        for i in range(0, n, BATCH):
            index = order[i : i + BATCH]
            optimizer.zero_grad()
            loss_fn(model(xt[index]), yt[index]).backward()
            optimizer.step()

    epoch(BATCH * 4)  # warm-up
    start = time.perf_counter()
    epoch(N)
    return time.perf_counter() - start


def run_matmuls():
    x, _ = data()
    rng = np.random.default_rng(0)
    w1, w2, w3 = (rng.standard_normal(s, dtype=np.float32) for s in [(D, H1), (H1, H2), (H2, K)])
    start = time.perf_counter()
    order = rng.permutation(N)
    for i in range(0, N, BATCH):
        xb = x[order[i : i + BATCH]]
        h1 = xb @ w1  # forward
        h2 = h1 @ w2
        out = h2 @ w3
        d2 = out @ w3.T  # backward: dx of layers 3 and 2, dW of all three
        d1 = d2 @ w2.T
        _ = h2.T @ out, h1.T @ d2, xb.T @ d1
    return time.perf_counter() - start


CONTESTANTS = {
    "byhand": run_byhand,
    "torch": run_torch,
    "matmuls": run_matmuls,
}


def main():
    rounds = command_line(__doc__, CONTESTANTS)
    names = ["byhand"] + (["torch"] if torch_installed() else []) + ["matmuls"]
    result = interleaved(__file__, names, rounds)
    median = {name: result[name]["seconds"] for name in names}
    peak = {name: result[name]["peak_mb"] for name in names}
    dataset_mb = N * D * 4 / 2**20
    print(f"\nmedian of {rounds} interleaved rounds, one epoch of 784-256-128-10, batch 128")
    for name in names:
        print(f"  {name:8s} {median[name]:7.3f} s   peak memory {peak[name]:6.0f} MB")
    print(f"  byhand / matmuls alone = {median['byhand'] / median['matmuls']:.2f}  (target <= 1.6)")
    if "torch" in median:
        print(
            f"  byhand / PyTorch CPU   = {median['byhand'] / median['torch']:.2f}  (target <= 0.85)"
        )
    limit = 2 * dataset_mb + 150
    print(f"  byhand peak memory     = {peak['byhand']:.0f} MB  (target < {limit:.0f} MB: "
          f"twice the {dataset_mb:.0f} MB dataset + 150 MB)")  # fmt: skip


if __name__ == "__main__":
    main()
