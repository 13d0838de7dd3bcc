"""The benchmarks' baselines must compute what byhand computes, or their ratios mean nothing."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_lesson  # noqa: E402


def test_the_numpy_loop_of_the_lesson_benchmark_trains_exactly_like_byhand():
    x, y = bench_lesson.data()
    model = bench_lesson.lesson_model("tanh", seed=3)
    params = model.get_weights()  # copies: [W1, b1, W2, b2, W3, b3]
    history = model.fit(x, y, batch_size=len(x), epochs=20, verbose=0)
    last_loss = bench_lesson.train_numpy(x, y, params, epochs=20)
    for theirs, ours in zip(params, model.get_weights(), strict=True):
        np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)
    assert abs(last_loss - history.history["loss"][-1]) < 1e-6
    assert history.history["loss"][-1] < history.history["loss"][0]  # it did train
