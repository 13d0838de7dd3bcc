"""Hidden tests of the Chapter 9 exercise set (exercises/09_callbacks.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden). The
grader sends a student's function numbers and arrays, never a callback object or a random
generator, so the callbacks are tested through functions of the notebook that build them:
`stopping_epochs(values, patience, mode)` replays recorded values through PatientStopping
(which calls early_stopping_update), `fit_with_patient_stopping(seed, patience)` runs a real
small training with it, `rates_during_fit(...)` records the rates of a run scheduled by
step_decay, `replay_keep_best(values, steps, mode)` and `fit_keeping_the_best(seed, epochs)`
run keep_best (through the KeepBest callback in the second), and
`log_uniform_from_seed(seed, low, high, n)` calls log_uniform with
np.random.default_rng(seed).

Inputs differ from the public cases in byhand.exercises.callbacks. Expected values are worked
in the comments or come from that module's reference functions; the real runs are repeated
here, in the grader, with `training_run` (the same seeded data, network and order of batches:
a callback that only watches does not change training), and early stopping's expected epoch
is the course library's EarlyStopping on that run. log_uniform is tested by its
distribution, not by its values: any correct way of drawing passes.
"""

import math

import numpy as np

from byhand.callbacks import EarlyStopping
from byhand.exercises import assert_close
from byhand.exercises.callbacks import (
    reference_early_stopping_update,
    reference_epochs_run,
    reference_improves,
    training_run,
)
from byhand.grading import Through, points

# Course modules that do what these exercises ask: a function that uses one earns nothing.
# The grader matches these names in the notebook's code and never imports them. The
# callbacks' base class, byhand.callbacks.Callback, and LearningRateScheduler, which only
# calls the student's schedule, stay allowed; so does training_run.
ANSWER_MODULES = (
    "byhand.callbacks.early_stopping",  # EarlyStopping: the wait, the patience, the stop
    "byhand.callbacks.EarlyStopping",  # the same class, as byhand.callbacks exports it
    "byhand.callbacks.model_checkpoint",  # ModelCheckpoint(save_best_only=True)
    "byhand.callbacks.ModelCheckpoint",
    "byhand.callbacks.monitor",  # Monitor.improves: min, max and min_delta
    "byhand.callbacks.ReduceLROnPlateau",  # patience and a best value, for the rate
    "byhand.schedules",  # StepDecay, ExponentialDecay: the schedules
    "byhand.exercises.callbacks.reference_improves",  # this set's reference functions
    "byhand.exercises.callbacks.reference_early_stopping_update",
    "byhand.exercises.callbacks.reference_epochs_run",
    "byhand.exercises.callbacks.reference_step_decay",
    "byhand.exercises.callbacks.reference_keep_best",
    "byhand.exercises.callbacks.reference_log_uniform",
    "scipy.stats",  # loguniform (reciprocal) samples log-uniformly
    "sklearn",  # sklearn.utils.fixes.loguniform
    "keras",  # keras.callbacks, keras.optimizers.schedules
    "tensorflow",
    "torch",  # torch.optim.lr_scheduler.StepLR
)

UPDATE_NAMES = ("best", "wait", "stop")
KEEP_NAMES = ("best", "best_weights")


# --- improves: 3 points ----------------------------------------------------------------


@points(1)
def test_improves_for_losses(improves):
    # mode "min": 0.29 < 0.3; 0.31 is worse; 0.3 ties; anything beats +inf; −2 < −1.5
    for number, (value, best, expected) in enumerate(
        [(0.29, 0.3, True), (0.31, 0.3, False), (0.3, 0.3, False), (7.5, math.inf, True),
         (-2.0, -1.5, True), (-1.0, -1.5, False)], 1):  # fmt: skip
        what = f"improves, mode 'min', call {number} of 6"
        assert_close(improves(value, best, "min", 0.0), expected, what)


@points(1)
def test_improves_for_accuracies(improves):
    # mode "max": 0.75 > 0.7; 0.65 is worse; 0.7 ties; anything beats −inf
    for number, (value, best, expected) in enumerate(
        [(0.75, 0.7, True), (0.65, 0.7, False), (0.7, 0.7, False), (0.25, -math.inf, True),
         (0.5, 0.125, True)], 1):  # fmt: skip
        what = f"improves, mode 'max', call {number} of 5"
        assert_close(improves(value, best, "max", 0.0), expected, what)


@points(1)
def test_improves_by_more_than_min_delta(improves):
    # min, δ = 0.01: 0.285 + 0.01 < 0.3 yes; 0.295 + 0.01 < 0.3 no; 0.305 no
    # max, δ = 0.02: 0.73 − 0.02 > 0.7 yes; 0.71 − 0.02 > 0.7 no; 0.69 no
    calls = [(0.285, 0.3, "min", 0.01), (0.295, 0.3, "min", 0.01), (0.305, 0.3, "min", 0.01),
             (0.73, 0.7, "max", 0.02), (0.71, 0.7, "max", 0.02),
             (0.69, 0.7, "max", 0.02)]  # fmt: skip
    for number, args in enumerate(calls, 1):
        what = f"improves with min_delta > 0, call {number} of 6"
        assert_close(improves(*args), reference_improves(*args), what)


# --- early_stopping_update: 5 points ---------------------------------------------------


@points(1)
def test_early_stopping_update_on_single_epochs(early_stopping_update):
    calls = [
        (0.61, 0.6, 0, 4, "min"),  # worse: (0.6, 1, False)
        (0.62, 0.6, 3, 4, "min"),  # the 4th epoch without improvement: (0.6, 4, True)
        (0.55, 0.6, 3, 4, "min"),  # better: (0.55, 0, False)
        (0.7, 0.8, 0, 0, "max"),  # patience 0: the first epoch without improvement stops
        (0.85, 0.8, 2, 3, "max"),  # better accuracy: (0.85, 0, False)
        (0.8, 0.8, 2, 3, "max"),  # a tie, the 3rd epoch without improvement: stop
    ]
    for number, args in enumerate(calls, 1):
        what = f"early_stopping_update, call {number} of {len(calls)}"
        expected = reference_early_stopping_update(*args)
        assert_close(early_stopping_update(*args), expected, what, names=UPDATE_NAMES)


def _replay_check(stopping_epochs, sequences, mode, what):
    for number, (values, patience) in enumerate(sequences, 1):
        expected = reference_epochs_run(values, patience, mode)
        received = stopping_epochs(values, patience, mode)
        assert_close(received, expected, f"{what}, sequence {number} of {len(sequences)}")


@points(1, exercise="early_stopping_update")
def test_early_stopping_on_recorded_losses(stopping_epochs):
    stopping_epochs = Through(stopping_epochs, "early_stopping_update")
    losses = [0.9, 0.7, 0.72, 0.69, 0.71, 0.73, 0.68, 0.7, 0.74, 0.75, 0.76, 0.8]
    # patience 1: epoch 2 does not improve, stop after 3; patience 2: best 0.69 at epoch 3,
    # epochs 4 and 5 do not improve, stop after 6; patience 3: 0.68 at epoch 6 resets the
    # wait, 7, 8, 9 do not improve, stop after 10; patience 6: all 12 epochs run
    sequences = [(losses, 1), (losses, 2), (losses, 3), (losses, 6)]
    _replay_check(stopping_epochs, sequences, "min", "epochs run, recorded val_loss")


@points(1, exercise="early_stopping_update")
def test_early_stopping_on_recorded_accuracies(stopping_epochs):
    stopping_epochs = Through(stopping_epochs, "early_stopping_update")
    accuracies = [0.5, 0.6, 0.6, 0.58, 0.65, 0.64, 0.66, 0.66, 0.66, 0.62, 0.7]
    # mode "max": patience 2: ties at epoch 2, 3 is worse: stop after 4; patience 3: 0.66 at
    # epoch 6, then two ties and a drop: stop after 10; patience 5: all 11 run
    sequences = [(accuracies, 2), (accuracies, 3), (accuracies, 5)]
    _replay_check(stopping_epochs, sequences, "max", "epochs run, recorded val_accuracy")


@points(1, exercise="early_stopping_update")
def test_early_stopping_with_patience_zero_and_long_runs(stopping_epochs):
    stopping_epochs = Through(stopping_epochs, "early_stopping_update")
    rng = np.random.default_rng(901)
    noisy = (1.0 / np.arange(1, 31) + 0.05 * rng.normal(size=30)).tolist()
    sequences = [([0.5, 0.4, 0.3, 0.35, 0.2], 0), (noisy, 2), (noisy, 4), (noisy, 9)]
    _replay_check(stopping_epochs, sequences, "min", "epochs run, longer recorded runs")


@points(1, exercise="early_stopping_update")
def test_early_stopping_inside_fit(fit_with_patient_stopping):
    fit_with_patient_stopping = Through(fit_with_patient_stopping, "early_stopping_update")
    # the same small runs, here with the library's EarlyStopping: the epochs they last
    for seed, patience in ((2, 1), (2, 3), (5, 2)):
        stopper = EarlyStopping(monitor="val_loss", patience=patience)
        _, history, _ = training_run(seed, 15, callbacks=[stopper])
        what = "epochs run by fit with PatientStopping on val_loss, a small real run"
        assert_close(fit_with_patient_stopping(seed, patience), len(history.epoch), what)


# --- step_decay: 4 points --------------------------------------------------------------


def _chained(step_decay, initial, drop, k, epochs):
    """The rates step_decay gives epoch after epoch, each fed the one before (as fit does)."""
    rates, lr = [], initial
    for epoch in range(epochs):
        lr = step_decay(epoch, lr, drop, k)
        rates.append(lr)
    return np.array(rates, dtype=float)


def _closed_form(initial, drop, k, epochs):
    return initial * drop ** (np.arange(epochs) // k)


@points(1)
def test_step_decay_epoch_after_epoch(step_decay):
    # η0 = 0.2, drop 0.25 every 4 epochs: 0.2 for epochs 0-3, 0.05 for 4-7, 0.0125 for 8-11
    received = _chained(step_decay, 0.2, 0.25, 4, 14)
    assert_close(received, _closed_form(0.2, 0.25, 4, 14), "step_decay over 14 epochs")


@points(1)
def test_step_decay_every_epoch_and_never(step_decay):
    # k = 1: a drop at every epoch from 1 on, η0 · drop^e; drop = 1: the rate never changes
    received = _chained(step_decay, 0.01, 0.9, 1, 8)
    assert_close(received, _closed_form(0.01, 0.9, 1, 8), "step_decay with epochs_per_drop 1")
    assert_close(_chained(step_decay, 0.3, 1.0, 2, 5), np.full(5, 0.3), "step_decay, drop 1")


@points(1)
def test_step_decay_single_epochs(step_decay):
    # k = 10: epoch 9 keeps 0.004; epoch 10 drops to 0.004 · 0.3 = 0.0012; epoch 20 from
    # 0.0012 to 0.00036; epoch 15 keeps 0.0012; epoch 0 keeps 0.004
    calls = [((9, 0.004, 0.3, 10), 0.004), ((10, 0.004, 0.3, 10), 0.004 * 0.3),
             ((20, 0.0012, 0.3, 10), 0.0012 * 0.3), ((15, 0.0012, 0.3, 10), 0.0012),
             ((0, 0.004, 0.3, 10), 0.004)]  # fmt: skip
    for number, (args, expected) in enumerate(calls, 1):
        assert_close(step_decay(*args), expected, f"step_decay, call {number} of 5")


@points(1, exercise="step_decay")
def test_step_decay_inside_fit(rates_during_fit):
    rates_during_fit = Through(rates_during_fit, "step_decay")
    # LearningRateScheduler feeds each epoch the rate of the one before: 0.4 for epochs 0-1,
    # 0.12 for 2-3, 0.036 for 4-5, 0.0108 for 6
    expected = _closed_form(0.4, 0.3, 2, 7)
    assert_close(rates_during_fit(0.4, 0.3, 2, 7), expected, "rates recorded by fit", rtol=1e-9)


# --- keep_best: 4 points ---------------------------------------------------------------

_OLD = [np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([[0.0, 3.0], [1.0, -2.0]])]
_NEW = [np.array([[1.5, 0.0], [-2.0, 0.75]]), np.array([[4.0, 1.0], [0.0, 0.5]])]


@points(1)
def test_keep_best_for_losses(keep_best):
    # 0.2 < 0.25: the new weights; 0.3 > 0.25 and the tie 0.25: the old ones stay
    for number, (value, keeps_new) in enumerate([(0.2, True), (0.3, False), (0.25, False)], 1):
        expected = (value, _NEW) if keeps_new else (0.25, _OLD)
        what = f"keep_best, mode 'min', call {number} of 3"
        assert_close(keep_best(value, 0.25, _OLD, _NEW, "min"), expected, what, names=KEEP_NAMES)
    what = "keep_best, the first epoch (best = +inf, best_weights = None)"
    assert_close(keep_best(1.25, math.inf, None, _NEW, "min"), (1.25, _NEW), what,
                 names=KEEP_NAMES)  # fmt: skip


@points(1)
def test_keep_best_for_accuracies(keep_best):
    for number, (value, keeps_new) in enumerate([(0.9, True), (0.8, False), (0.85, False)], 1):
        expected = (value, _NEW) if keeps_new else (0.85, _OLD)
        what = f"keep_best, mode 'max', call {number} of 3"
        assert_close(keep_best(value, 0.85, _OLD, _NEW, "max"), expected, what, names=KEEP_NAMES)


@points(1, exercise="keep_best")
def test_keep_best_keeps_copies_while_training_goes_on(replay_keep_best):
    replay_keep_best = Through(replay_keep_best, "keep_best")
    steps = np.random.default_rng(902).normal(size=(8, 5))
    for values, mode in (([0.9, 0.7, 0.75, 0.6, 0.65, 0.62, 0.7, 0.8], "min"),
                         ([0.1, 0.3, 0.2, 0.5, 0.45, 0.5, 0.4, 0.35], "max")):  # fmt: skip
        best_epoch = int(np.argmin(values) if mode == "min" else np.argmax(values))
        expected = (values[best_epoch], steps[: best_epoch + 1].sum(axis=0))
        what = f"keep_best over a replayed run whose weights change in place, mode {mode!r}"
        assert_close(replay_keep_best(values, steps, mode), expected, what, names=KEEP_NAMES)


@points(1, exercise="keep_best")
def test_keep_best_inside_fit(fit_keeping_the_best):
    fit_keeping_the_best = Through(fit_keeping_the_best, "keep_best")
    for seed, epochs in ((4, 12), (3, 10)):
        _, history, _ = training_run(seed, epochs)
        best = min(history.history["val_loss"])
        what = "(best val_loss, val_loss after restoring the kept weights), a small real run"
        assert_close(fit_keeping_the_best(seed, epochs), (best, best), what, rtol=1e-6,
                     names=("best", "val_loss after restoring"))  # fmt: skip


# --- log_uniform: 4 points -------------------------------------------------------------


def _samples(log_uniform_from_seed, seed, low, high, n, what):
    """The samples as a float array [n]; AssertionError (saying so) if they are not."""
    received = log_uniform_from_seed(seed, low, high, n)
    array = np.asarray(received, dtype=float) if _numeric(received) else None
    assert array is not None and array.shape == (n,), (
        f"{what}: expected an array of n numbers (shape [n]); received "
        + (f"shape {array.shape}" if array is not None else f"a {type(received).__name__}")
    )
    return array


def _numeric(value):
    try:
        return np.asarray(value).dtype.kind in "iuf"
    except (TypeError, ValueError):
        return False


def _ks_to_uniform(u):
    """Kolmogorov-Smirnov distance between the sample u in [0, 1] and the uniform law."""
    u = np.sort(u)
    n = len(u)
    ranks = np.arange(1, n + 1)
    return float(max(np.max(ranks / n - u), np.max(u - (ranks - 1) / n)))


@points(1, exercise="log_uniform")
def test_log_uniform_stays_within_its_bounds(log_uniform_from_seed):
    log_uniform_from_seed = Through(log_uniform_from_seed, "log_uniform")
    for low, high in ((1e-5, 1e-2), (0.5, 8.0), (3.0, 3000.0)):
        x = _samples(log_uniform_from_seed, 903, low, high, 500, "log_uniform")
        assert np.all(np.isfinite(x)), "log_uniform: some samples are NaN or infinite"
        inside = (x >= low * (1 - 1e-12)) & (x <= high * (1 + 1e-12))
        assert inside.all(), "log_uniform: some samples fall outside [low, high]"
        spread = np.log(x.max() / x.min()) / np.log(high / low)
        assert spread > 0.9, "log_uniform: the samples cover only part of [low, high]"


@points(1, exercise="log_uniform")
def test_log_uniform_has_a_uniform_logarithm(log_uniform_from_seed):
    log_uniform_from_seed = Through(log_uniform_from_seed, "log_uniform")
    n = 4000
    for seed, low, high in ((904, 1e-4, 1e-1), (905, 2.0, 50.0)):
        x = _samples(log_uniform_from_seed, seed, low, high, n, "log_uniform")
        with np.errstate(all="ignore"):
            u = (np.log(x) - np.log(low)) / (np.log(high) - np.log(low))
        # Kolmogorov-Smirnov: a uniform sample of 4000 is this far off with probability
        # 0.001 (1.95 / √n); a uniform draw on the rate is some 0.6 off
        assert np.all(np.isfinite(u)) and _ks_to_uniform(u) < 1.95 / np.sqrt(n), (
            "log_uniform: the logarithm of the samples is not uniform between log(low) and "
            "log(high)"
        )


@points(1, exercise="log_uniform")
def test_log_uniform_gives_each_decade_its_share(log_uniform_from_seed):
    log_uniform_from_seed = Through(log_uniform_from_seed, "log_uniform")
    n = 3000
    x = _samples(log_uniform_from_seed, 906, 1e-6, 1e-2, n, "log_uniform")
    counts = np.histogram(x, bins=[1e-6, 1e-5, 1e-4, 1e-3, 1e-2])[0]
    # four decades, 750 samples expected in each; the binomial standard deviation is 23.7,
    # so 100 is more than 4 of them
    assert counts.sum() == n and np.all(np.abs(counts - n / 4) < 100), (
        "log_uniform: the decades between low and high do not get equal shares of the samples"
    )


@points(1, exercise="log_uniform")
def test_log_uniform_draws_from_the_generator_it_is_given(log_uniform_from_seed):
    log_uniform_from_seed = Through(log_uniform_from_seed, "log_uniform")
    a = _samples(log_uniform_from_seed, 907, 1e-3, 1.0, 50, "log_uniform")
    b = _samples(log_uniform_from_seed, 907, 1e-3, 1.0, 50, "log_uniform")
    c = _samples(log_uniform_from_seed, 908, 1e-3, 1.0, 50, "log_uniform")
    assert np.array_equal(a, b), "log_uniform: the same seed gave different samples (use rng)"
    assert not np.allclose(a, c), "log_uniform: two seeds gave the same samples (use rng)"
    assert len(np.unique(a)) == 50, "log_uniform: the samples repeat"
    inside = (a >= 1e-3 * (1 - 1e-12)) & (a <= 1 + 1e-12)
    assert inside.all(), "log_uniform: some samples fall outside [low, high]"
