"""How fast does byhand train the small networks of the lessons? Against two baselines.

    python benchmarks/bench_lesson.py            # or: make bench
    python benchmarks/bench_lesson.py --rounds 5

The task: a 2-16-16-1 network (tanh, tanh, sigmoid), binary cross-entropy, Adam with
learning rate 0.01, float32, 1,000 full-batch epochs on 1,000 points (the target: under
0.3 s). Networks this small spend their time in NumPy's fixed cost per call, not in
arithmetic, so the contestants are:

* byhand        - Sequential(...).fit(x, y, batch_size=1000, epochs=1000, verbose=0)
* byhand_relu   - the same with ReLU hidden layers (np.tanh is the costliest call here)
* numpy         - the same formulas as byhand, written out as one loop of NumPy calls
                  with no checks and no objects: the floor for any NumPy engine, so
                  byhand / numpy is the price of its layers, checks and Keras-like API
* torch         - the same network in PyTorch on the CPU (only if torch is installed)

Each runs in its own process, interleaved with the others; see harness.py.
"""

from __future__ import annotations

import math
import time

import numpy as np
from harness import command_line, interleaved, torch_installed

N, D, H, EPOCHS, LEARNING_RATE = 1000, 2, 16, 1000, 0.01


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, D)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:] > 0).astype(np.float32)  # XOR of the signs: not linearly separable
    return x, y


def lesson_model(activation="tanh", seed=0):
    """The byhand network of this benchmark, compiled."""
    from byhand.layers import Dense
    from byhand.model import Input, Sequential
    from byhand.optimizers import Adam

    model = Sequential(
        [Input((D,)), Dense(H, activation=activation), Dense(H, activation=activation),
         Dense(1, activation="sigmoid")],
        seed=seed,
    )  # fmt: skip
    model.compile(optimizer=Adam(learning_rate=LEARNING_RATE), loss="binary_crossentropy")
    return model


def run_byhand(activation="tanh"):
    x, y = data()
    model = lesson_model(activation)
    start = time.perf_counter()
    model.fit(x, y, batch_size=N, epochs=EPOCHS, verbose=0)
    return time.perf_counter() - start


def run_numpy():
    rng = np.random.default_rng(0)

    def glorot(fan_in, fan_out):
        limit = math.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)

    params = [glorot(D, H), np.zeros(H, np.float32), glorot(H, H), np.zeros(H, np.float32),
              glorot(H, 1), np.zeros(1, np.float32)]  # fmt: skip
    start = time.perf_counter()
    train_numpy(*data(), params, EPOCHS)
    return time.perf_counter() - start


def train_numpy(x, y, params, epochs):
    """byhand's arithmetic for this network, inlined: the same calls in the same order, with
    no checks and no objects. Updates params = [W1, b1, W2, b2, W3, b3] in place; returns
    the last loss. (tests/test_benchmarks.py checks that it matches byhand's fit.)"""
    W1, b1, W2, b2, W3, b3 = params
    ends = np.cumsum([0] + [w.size for w in params]).tolist()
    m, v, s, g = (np.zeros(ends[-1], np.float32) for _ in range(4))
    ones, eps, beta_1, beta_2 = np.ones(len(x), np.float32), 1e-7, 0.9, 0.999
    for t in range(1, epochs + 1):
        z1 = x @ W1
        z1 += b1
        a1 = np.tanh(z1)
        z2 = a1 @ W2
        z2 += b2
        a2 = np.tanh(z2)
        z3 = a2 @ W3
        z3 += b3
        e = np.exp(-np.abs(z3))
        p = np.where(z3 >= 0, 1, e) / (1 + e)  # stable sigmoid
        q = np.clip(p, eps, 1 - eps)
        losses = -(y * np.log(q) + (1 - y) * np.log(1 - q))
        loss = float(losses.sum() / losses.size)  # the loss fit reports
        dp = (q == p) * (q - y) / (q * (1 - q)) / p.size
        dz3 = dp * p * (1 - p)  # sigmoid's backward
        dW3, db3 = a2.T @ dz3, ones @ dz3
        dz2 = np.dot(dz3, W3.T) * (1 - a2 * a2)  # tanh's backward
        dW2, db2 = a1.T @ dz2, ones @ dz2
        dz1 = np.dot(dz2, W2.T) * (1 - a1 * a1)
        dW1, db1 = x.T @ dz1, ones @ dz1
        np.concatenate([a.reshape(-1) for a in (dW1, db1, dW2, db2, dW3, db3)], out=g)
        m *= beta_1  # Adam, as byhand.optimizers.Adam computes it
        m += np.multiply(g, 1 - beta_1, out=s)
        v *= beta_2
        v += np.multiply(np.square(g, out=s), 1 - beta_2, out=s)
        alpha = LEARNING_RATE * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        np.sqrt(v, out=s)
        s += eps
        np.divide(m, s, out=s)
        np.multiply(s, alpha, out=s)
        for w, a, b in zip(params, ends[:-1], ends[1:], strict=True):
            w -= s[a:b].reshape(w.shape)
    return loss


def run_torch():
    import torch

    torch.manual_seed(0)
    x, y = (torch.from_numpy(a) for a in data())
    model = torch.nn.Sequential(
        torch.nn.Linear(D, H), torch.nn.Tanh(), torch.nn.Linear(H, H), torch.nn.Tanh(),
        torch.nn.Linear(H, 1), torch.nn.Sigmoid(),
    )  # fmt: skip
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7)
    loss_fn = torch.nn.BCELoss()
    start = time.perf_counter()
    for _ in range(EPOCHS):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()  # the loss a training loop reports
    return time.perf_counter() - start


CONTESTANTS = {
    "byhand": run_byhand,
    "byhand_relu": lambda: run_byhand("relu"),
    "numpy": run_numpy,
    "torch": run_torch,
}


def main():
    rounds = command_line(__doc__, CONTESTANTS)
    names = ["byhand", "byhand_relu", "numpy"] + (["torch"] if torch_installed() else [])
    result = interleaved(__file__, names, rounds)
    seconds = {name: result[name]["seconds"] for name in names}
    print(f"\nmedian of {rounds} interleaved rounds, {EPOCHS} full-batch epochs of 2-16-16-1")
    for name in names:
        print(f"  {name:12s} {seconds[name]:7.3f} s")
    print(f"  byhand (tanh)            = {seconds['byhand']:.3f} s  (target < 0.3 s)")
    print(f"  byhand (relu)            = {seconds['byhand_relu']:.3f} s")
    print(f"  byhand / NumPy loop      = {seconds['byhand'] / seconds['numpy']:.2f}")
    if "torch" in seconds:
        print(f"  byhand / PyTorch CPU     = {seconds['byhand'] / seconds['torch']:.2f}")


if __name__ == "__main__":
    main()
