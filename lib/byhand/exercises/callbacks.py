"""The Chapter 9 exercise set, "Callbacks" (exercises/09_callbacks): cases, check.

The notebook imports this set's own `check`: `from byhand.exercises.callbacks import check`.
The functions to write hold what a callback decides at the end of an epoch; the notebook's
callbacks (subclasses of byhand.callbacks.Callback) call them inside `fit`:

    improves(value, best, mode, min_delta) -> bool
                    mode "min" (losses): value < best − min_delta;
                    mode "max" (accuracies): value > best + min_delta
    early_stopping_update(value, best, wait, patience, mode) -> (best, wait, stop)
                    an improvement: (value, 0, False); otherwise (best, wait + 1,
                    wait + 1 >= patience). Keras's rule: training stops after `patience`
                    epochs in a row without improvement
    step_decay(epoch, lr, drop, epochs_per_drop) -> the learning rate of epoch `epoch`
                    Keras 3's schedule(epoch, lr), epochs counted from 0, lr the rate of the
                    epoch before: lr · drop at epochs k, 2k, 3k, ..., else lr
    keep_best(value, best, best_weights, weights, mode) -> (best, best_weights)
                    an improvement: (value, COPIES of the arrays in `weights`); otherwise
                    (best, best_weights) as they were
    log_uniform(rng, low, high, n) -> [n]          exp(rng.uniform(ln low, ln high, size=n))

A tie is no improvement (Keras compares with < and >). The first epoch's value always improves
on the starting best, +inf for "min" and −inf for "max".

`check("keep_best", keep_best)` also checks that the weights kept are copies: after the call,
the arrays passed in are changed in place, as an optimizer changes a model's weights, and the
kept ones must not follow. `training_run` is the small training problem that the notebook and
the hidden tests share.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from byhand.exercises.cases import Case, Exercise, Mistake
from byhand.exercises.checking import check_exercise, find, report

# --- Reference functions: the expected values of the cases and of the hidden tests ---------


def reference_improves(value, best, mode, min_delta):
    """Whether `value` beats `best` by more than min_delta in the direction of `mode`."""
    if mode == "max":
        return bool(value - min_delta > best)
    return bool(value + min_delta < best)


def reference_early_stopping_update(value, best, wait, patience, mode):
    """EarlyStopping's end of an epoch: (new best, new wait, stop)."""
    if reference_improves(value, best, mode, 0):
        return value, 0, False
    return best, wait + 1, wait + 1 >= patience


def reference_epochs_run(values, patience, mode):
    """How many epochs `fit` runs when early stopping watches the recorded `values`."""
    best, wait = (math.inf if mode == "min" else -math.inf), 0
    for epoch, value in enumerate(values):
        best, wait, stop = reference_early_stopping_update(value, best, wait, patience, mode)
        if stop:
            return epoch + 1
    return len(values)


def reference_step_decay(epoch, lr, drop, epochs_per_drop):
    """lr · drop at epochs k, 2k, ... (counted from 0), else lr, the rate of the epoch before."""
    if epoch > 0 and epoch % epochs_per_drop == 0:
        return lr * drop
    return lr


def reference_keep_best(value, best, best_weights, weights, mode):
    """(value, copies of weights) after an improvement, else (best, best_weights)."""
    if reference_improves(value, best, mode, 0):
        return value, [np.array(w, copy=True) for w in weights]
    return best, best_weights


def reference_log_uniform(rng, low, high, n):
    """n samples whose logarithm is uniform between ln low and ln high."""
    return np.exp(rng.uniform(np.log(low), np.log(high), size=n))


def training_run(seed, epochs, callbacks=None, learning_rate=0.5):
    """A small, fast training run: (model, history, (X_val, y_val)).

    48 examples of 3 features, labels from a noisy line; 32 train the net 3 → 8 (tanh) → 1
    (sigmoid) with SGD in batches of 8, and 16 validate. Its val_loss goes up and down, as
    small runs do, so early stopping and checkpoints have something to do.
    """
    from byhand import Input, Sequential  # here, so that the cases above need NumPy only
    from byhand.layers import Dense
    from byhand.optimizers import SGD

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(48, 3))
    y = (X[:, 0] - 0.5 * X[:, 1] + 0.8 * rng.normal(size=48) > 0).astype(float)
    layers = [Input((3,)), Dense(8, activation="tanh"), Dense(1, activation="sigmoid")]
    model = Sequential(layers, seed=seed)
    model.compile(optimizer=SGD(learning_rate=learning_rate), loss="binary_crossentropy")
    validation = (X[32:], y[32:])
    history = model.fit(X[:32], y[:32], batch_size=8, epochs=epochs, verbose=0,
                        callbacks=callbacks, validation_data=validation)  # fmt: skip
    return model, history, validation


# --- improves ------------------------------------------------------------------------------

MODE_HINT = (
    "in mode 'max' larger is better: an accuracy improves when it goes UP. Here a smaller "
    "value counted as better, as for a loss; compare with > in mode 'max' and < in mode 'min'"
)
TIE_HINT = (
    "a value equal to the best counted as an improvement; a tie is not one (Keras compares "
    "with < and >, not <= and >=)"
)

IMPROVES = Exercise(
    "improves",
    ("value", "best", "mode", "min_delta"),
    (
        # a loss: 0.4 < 0.5
        Case((0.4, 0.5, "min", 0.0), True, "a smaller loss"),
        # 0.5 < 0.5 is False: a tie is no improvement
        Case((0.5, 0.5, "min", 0.0), False, "a loss equal to the best"),
        # an accuracy: 0.91 > 0.9
        Case((0.91, 0.9, "max", 0.0), True, "a larger accuracy, mode 'max'"),
        # 0.85 > 0.9 is False (a loss-minded 0.85 < 0.9 would call it better)
        Case((0.85, 0.9, "max", 0.0), False, "a smaller accuracy, mode 'max'"),
        # 0.52 + 0.05 = 0.57 < 0.5 is False: worse, whatever min_delta
        Case((0.52, 0.5, "min", 0.05), False, "a worse loss, min_delta = 0.05"),
        # 0.48 + 0.05 = 0.53 < 0.5 is False: better by 0.02, less than min_delta
        Case((0.48, 0.5, "min", 0.05), False, "better by less than min_delta"),
        # 0.96 − 0.05 = 0.91 > 0.9: better by 0.06, more than min_delta
        Case((0.96, 0.9, "max", 0.05), True, "better by more than min_delta, mode 'max'"),
        # the first epoch: anything beats +inf
        Case((3.2, math.inf, "min", 0.0), True, "the first epoch, best = +inf"),
    ),
    mistakes=(
        Mistake("always min", MODE_HINT, lambda v, b, m, d: v + d < b),
        Mistake("ties", TIE_HINT, lambda v, b, m, d: v - d >= b if m == "max" else v + d <= b),
        Mistake(
            "no min_delta",
            "min_delta was left out: an improvement must beat the best by MORE than "
            "min_delta (value < best − min_delta in mode 'min', value > best + min_delta in "
            "mode 'max'), so that tiny changes do not count",
            lambda v, b, m, d: v > b if m == "max" else v < b,
        ),
        Mistake(
            "min_delta reversed",
            "min_delta went the wrong way: it made improving EASIER (a value slightly worse "
            "than the best counted). Better by more than min_delta means value < best − "
            "min_delta in mode 'min' and value > best + min_delta in mode 'max'",
            lambda v, b, m, d: v + d > b if m == "max" else v - d < b,
        ),
    ),
)

# --- early_stopping_update -----------------------------------------------------------------

EARLY_STOPPING_UPDATE = Exercise(
    "early_stopping_update",
    ("value", "best", "wait", "patience", "mode"),
    (
        # 0.45 < 0.5 improves: best 0.45, the wait starts again at 0
        Case((0.45, 0.5, 1, 3, "min"), (0.45, 0, False), "an improvement resets the wait"),
        # 0.52 is no improvement: wait 1 + 1 = 2 < patience 3, go on
        Case((0.52, 0.5, 1, 3, "min"), (0.5, 2, False), "the second epoch without improvement"),
        # no improvement: wait 2 + 1 = 3 >= 3, stop (three epochs without improvement)
        Case((0.55, 0.5, 2, 3, "min"), (0.5, 3, True), "the third epoch without improvement"),
        # an accuracy 0.88 < 0.9 is worse in mode "max": wait 1 + 1 = 2 >= 2, stop
        Case((0.88, 0.9, 1, 2, "max"), (0.9, 2, True), "an accuracy that falls, mode 'max'"),
        # a tie is no improvement: wait 0 + 1 = 1 >= patience 1, stop
        Case((0.5, 0.5, 0, 1, "min"), (0.5, 1, True), "a tie, patience 1"),
        # 0.93 > 0.9: best 0.93, wait 4 back to 0
        Case((0.93, 0.9, 4, 5, "max"), (0.93, 0, False), "a better accuracy, mode 'max'"),
    ),
    returns=("best", "wait", "stop"),
    mistakes=(
        Mistake(
            "one late",
            "training stops one epoch late: it must stop at the end of the epoch that makes "
            "`patience` epochs in a row without improvement, when wait + 1 >= patience (count "
            "this epoch first, then compare; > or a test before counting waits one more)",
            lambda v, b, w, p, m: _early_stopping(v, b, w, p, m, stop_at=lambda w, p: w > p),
        ),
        Mistake(
            "one early",
            "training stops one epoch early, after patience − 1 epochs without improvement: "
            "with the wait counted up to include this epoch, stop when wait >= patience",
            lambda v, b, w, p, m: _early_stopping(v, b, w, p, m, stop_at=lambda w, p: w >= p - 1),
        ),
        Mistake(
            "no reset",
            "the wait was not reset after an improvement: it counts the epochs in a row "
            "WITHOUT improvement, so an improvement sets it back to 0",
            lambda v, b, w, p, m: _early_stopping(v, b, w, p, m, reset=False),
        ),
        Mistake(
            "last value",
            "best became this epoch's value although it did not improve: best is the best "
            "value so far, changed only by an improvement (otherwise each epoch is compared "
            "with the one before, not with the best)",
            lambda v, b, w, p, m: _early_stopping(v, b, w, p, m, keep_last=True),
        ),
        Mistake(
            "always min",
            MODE_HINT,
            lambda v, b, w, p, m: _early_stopping(v, b, w, p, "min"),
        ),
        Mistake("ties", TIE_HINT, lambda v, b, w, p, m: _early_stopping(v, b, w, p, m, ties=True)),
    ),
)


def _early_stopping(value, best, wait, patience, mode, stop_at=None, reset=True,
                    keep_last=False, ties=False):  # fmt: skip
    """early_stopping_update with one of the mistakes the keyword arguments name."""
    better = value >= best if mode == "max" else value <= best
    if not ties:
        better = reference_improves(value, best, mode, 0)
    if better:
        return value, 0 if reset else wait, False
    wait += 1
    stop = stop_at(wait, patience) if stop_at else wait >= patience
    return (value if keep_last else best), wait, stop


# --- step_decay ----------------------------------------------------------------------------


def _decay_at(epochs):
    """A step_decay that multiplies by drop at the epochs for which `epochs(e, k)` holds."""
    return lambda e, lr, drop, k: lr * drop if epochs(e, k) else lr


STEP_DECAY = Exercise(
    "step_decay",
    ("epoch", "lr", "drop", "epochs_per_drop"),
    (
        # epoch 0, the first: it keeps the initial rate
        Case((0, 0.1, 0.5, 3), 0.1, "epoch 0, the first"),
        # epochs 0, 1, 2 make the first block of 3: epoch 2 keeps 0.1
        Case((2, 0.1, 0.5, 3), 0.1, "epoch 2, the last of the first block of 3"),
        # epoch 3 starts the second block: 0.1 · 0.5 = 0.05
        Case((3, 0.1, 0.5, 3), 0.05, "epoch 3: the first drop"),
        # epoch 6: lr is already 0.05 (halved at epoch 3), halved once more: 0.025
        Case((6, 0.05, 0.5, 3), 0.025, "epoch 6, lr already dropped once"),
        # epoch 7 is inside the third block (6, 7, 8): keep 0.025
        Case((7, 0.025, 0.5, 3), 0.025, "epoch 7: no drop"),
        # k = 5, drop 0.1: epoch 10 is the second drop, 0.2 · 0.1 = 0.02
        Case((10, 0.2, 0.1, 5), 0.2 * 0.1, "epoch 10, a drop to a tenth every 5 epochs"),
    ),
    mistakes=(
        Mistake(
            "counts from 1",
            "the rate dropped one epoch early, as if epochs were counted from 1: Keras "
            "counts them from 0, so epochs 0, 1, ..., k − 1 keep the rate and epoch k is the "
            "first to drop (epoch % epochs_per_drop == 0, not (epoch + 1) % ...)",
            _decay_at(lambda e, k: (e + 1) % k == 0),
        ),
        Mistake(
            "drops at 0",
            "the rate dropped at epoch 0: the first epoch trains with the initial rate, and "
            "the first drop comes at epoch k (epoch 0 is a multiple of k too: leave it out)",
            _decay_at(lambda e, k: e % k == 0),
        ),
        Mistake(
            "compounded",
            "lr · drop^(epoch // k) is the closed form from the INITIAL rate; lr here is the "
            "rate of the epoch before, which has dropped already, so the drops compound. "
            "Multiply lr by drop once, at the epochs where a drop falls, and return it "
            "unchanged otherwise",
            lambda e, lr, drop, k: lr * drop ** (e // k),
        ),
        Mistake(
            "every epoch",
            "the rate drops at every epoch from k on; it drops once per block of k epochs, at "
            "epochs k, 2k, 3k, ... (epoch % epochs_per_drop == 0)",
            _decay_at(lambda e, k: e >= k),
        ),
    ),
)

# --- keep_best -----------------------------------------------------------------------------

_FIRST = [np.array([1.0, 2.0]), np.array([0.5, -0.5])]
_OLD = [np.array([0.2, 0.4]), np.array([0.0, 1.0])]
_NEW = [np.array([0.3, 0.1]), np.array([-1.0, 2.0])]
_OLD_KEPT = np.array([[0.2, 0.4], [0.0, 1.0]])
_NEW_KEPT = np.array([[0.3, 0.1], [-1.0, 2.0]])


def _copies(weights):
    return [np.array(w, copy=True) for w in weights]


KEEP_BEST = Exercise(
    "keep_best",
    ("value", "best", "best_weights", "weights", "mode"),
    (
        # the first epoch: 0.4 < +inf, keep copies of its weights
        Case(
            (0.4, math.inf, None, _FIRST, "min"),
            (0.4, np.array([[1.0, 2.0], [0.5, -0.5]])),
            "the first epoch, best = +inf",
        ),  # fmt: skip
        # 0.45 is worse than 0.4: keep the best and its weights
        Case((0.45, 0.4, _OLD, _NEW, "min"), (0.4, _OLD_KEPT), "a worse loss"),
        # 0.35 < 0.4: the new weights become the best
        Case((0.35, 0.4, _OLD, _NEW, "min"), (0.35, _NEW_KEPT), "a better loss"),
        # an accuracy 0.8 < 0.9 is worse in mode "max"
        Case((0.8, 0.9, _OLD, _NEW, "max"), (0.9, _OLD_KEPT), "a smaller accuracy, mode 'max'"),
        # 0.95 > 0.9 in mode "max": the new weights
        Case((0.95, 0.9, _OLD, _NEW, "max"), (0.95, _NEW_KEPT), "a larger accuracy, mode 'max'"),
        # a tie keeps the earlier weights
        Case((0.4, 0.4, _OLD, _NEW, "min"), (0.4, _OLD_KEPT), "a loss equal to the best"),
    ),
    returns=("best", "best_weights"),
    mistakes=(
        Mistake(
            "always min",
            MODE_HINT,
            lambda v, b, bw, w, m: reference_keep_best(v, b, bw, w, "min"),
        ),
        Mistake(
            "ties",
            "a value equal to the best replaced the weights kept; a tie is no improvement "
            "(Keras compares with < and >), so on a tie the earlier weights stay",
            lambda v, b, bw, w, m: (
                (v, _copies(w)) if v == b else reference_keep_best(v, b, bw, w, m)
            ),
        ),
        Mistake(
            "best not updated",
            "the weights were kept but best was not updated to this epoch's value: later "
            "epochs are then compared with an old best",
            lambda v, b, bw, w, m: (b, reference_keep_best(v, b, bw, w, m)[1]),
        ),
        Mistake(
            "always the last",
            "these are this epoch's value and weights although they are no better: keep "
            "the new ones only when value improves on best (in the direction of mode), and "
            "otherwise return best and best_weights as they came",
            lambda v, b, bw, w, m: (v, _copies(w)),
        ),
    ),
)

COPY_HINT = (
    "the weights kept are the arrays passed in, not copies: training goes on changing a "
    "model's arrays in place, and the 'best' weights then change with them. Keep copies, "
    "[w.copy() for w in weights]"
)

# --- log_uniform ---------------------------------------------------------------------------


class _Seeded(np.random.Generator):
    """np.random.default_rng(seed) in a public case, shown as that call.

    It equals any generator, so that `check` does not report the generator as an input the
    function changed: drawing from a generator advances its state, as it should. A copy (and
    `check` calls each function on copies of a case's arguments) is a new generator from the
    seed, so whatever drew from this one before, every copy gives the same numbers.
    """

    def __init__(self, seed):
        super().__init__(np.random.PCG64(seed))  # what np.random.default_rng(seed) builds
        self.seed = seed

    def __repr__(self):
        return f"np.random.default_rng({self.seed})"

    def __eq__(self, other):
        return isinstance(other, np.random.Generator)

    def __copy__(self):
        return np.random.default_rng(self.seed)

    def __deepcopy__(self, memo):
        return np.random.default_rng(self.seed)

    __hash__ = None


def _draws(seed, a, b, n):
    return np.random.default_rng(seed).uniform(a, b, size=n)


LOG_UNIFORM = Exercise(
    "log_uniform",
    ("rng", "low", "high", "n"),
    (
        # u = rng(0).uniform(ln 1e-4, ln 0.1, 5): ln 1e-4 = −9.210340, ln 0.1 = −2.302585, so
        # u = −9.210340 + 6.907755 (0.636962, 0.269787, 0.040974, 0.016528, 0.813270)
        #   = (−4.810365, −7.346720, −8.927305, −9.096172, −3.592469); exp:
        #   (0.008145, 0.000645, 0.000133, 0.000112, 0.027530), between 1e-4 and 0.1
        Case(
            (_Seeded(0), 1e-4, 0.1, 5),
            np.exp(np.log(1e-4) + np.log(1e3) * _draws(0, 0, 1, 5)),
            "five learning rates between 1e-4 and 0.1",
            rtol=1e-9,
        ),  # fmt: skip
        # ln 1 = 0, ln 100 = 4.605170: u = 4.605170 (0.511822, 0.950464, 0.144160), exp:
        #   (10.559497, 79.602626, 1.942313)
        Case(
            (_Seeded(1), 1.0, 100.0, 3),
            np.exp(np.log(100.0) * _draws(1, 0, 1, 3)),
            "three samples between 1 and 100",
            rtol=1e-9,
        ),  # fmt: skip
        # low = high / 2: u = ln 0.5 + ln 2 (0.261612, 0.298491, 0.814226, 0.091916), exp:
        #   (0.599409, 0.614929, 0.879177, 0.532892)
        Case(
            (_Seeded(2), 0.5, 1.0, 4),
            np.exp(np.log(0.5) + np.log(2.0) * _draws(2, 0, 1, 4)),
            "a narrow range, [0.5, 1)",
            rtol=1e-9,
        ),  # fmt: skip
    ),
    mistakes=(
        Mistake(
            "uniform rate",
            "these are uniform on the rate itself, so nearly all of them fall in the top "
            "decade (between 0.01 and 0.1 lie 90 % of a uniform draw from 1e-4 to 0.1). "
            "Draw the LOGARITHM uniformly, between log(low) and log(high), then exponentiate",
            lambda rng, lo, hi, n: rng.uniform(lo, hi, size=n),
        ),
        Mistake(
            "log10 then exp",
            "the bases do not match: the bounds are log10(low) and log10(high), but the "
            "samples are exp(...) of them. Use one base throughout: np.exp with np.log, or "
            "10 ** with np.log10",
            lambda rng, lo, hi, n: np.exp(rng.uniform(np.log10(lo), np.log10(hi), size=n)),
        ),
        Mistake(
            "ln then 10 **",
            "the bases do not match: the bounds are natural logarithms, np.log(low) and "
            "np.log(high), but the samples are 10 ** of them. Use one base throughout: "
            "np.exp with np.log, or 10 ** with np.log10",
            lambda rng, lo, hi, n: 10 ** rng.uniform(np.log(lo), np.log(hi), size=n),
        ),
        Mistake(
            "bounds as exponents",
            "low and high are the rates themselves, not their exponents: the exponents to "
            "draw between are log(low) and log(high)",
            lambda rng, lo, hi, n: 10 ** rng.uniform(lo, hi, size=n),
        ),
    ),
)

EXERCISES = (IMPROVES, EARLY_STOPPING_UPDATE, STEP_DECAY, KEEP_BEST, LOG_UNIFORM)


def kept_copies(keep_best):
    """None if keep_best keeps copies of the weights, or the lines saying it does not.

    It is called on the first epoch (best = +inf) with arrays that are then changed in
    place, as an optimizer changes a model's weights; the kept ones must stay as they were.
    """
    weights = [np.array([1.0, -2.0]), np.array([0.5])]
    try:
        _, kept = keep_best(0.3, math.inf, None, weights, "min")
        before = copy.deepcopy([np.asarray(w) for w in kept])
        for w in weights:
            w += 10.0  # the next training step, in place
        changed = any(
            not np.array_equal(np.asarray(a), b) for a, b in zip(kept, before, strict=True)
        )
    except Exception:  # noqa: BLE001  (the public cases have reported what went wrong)
        return None
    if not changed:
        return None
    from byhand.exercises.feedback import hint_lines

    return "\n".join(["keep_best: the kept weights changed when training changed the model's"]
                     + ["  " + line for line in hint_lines(COPY_HINT)])  # fmt: skip


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("step_decay", step_decay)` prints "step_decay: all 6 public cases pass", or the
    first case that fails, with a hint. For keep_best it then checks that the weights kept are
    copies. It returns None. See `byhand.exercises.checking`.
    """
    check_exercise(EXERCISES, name, function)
    exercise = find(EXERCISES, name)
    if exercise is KEEP_BEST and report(exercise, function).endswith("public cases pass"):
        message = kept_copies(function)
        if message:
            print(message)
