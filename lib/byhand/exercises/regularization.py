"""The Chapter 6 exercise set, "Regularization" (exercises/06_regularization): cases, check.

The notebook imports this set's own `check`: `from byhand.exercises.regularization import
check`. The functions to write, with the course's shape letters (N examples, D inputs,
M units):

    l2_penalty(W [D, M], l2) -> a number                       l2 · Σ w²   (Keras: no ½)
    l2_gradients(W, b [M], dW [D, M], db [M], l2) -> (dW, db)  (dW + 2 l2 W, db): the
                                          gradients of data loss + l2 Σ w²; biases are free
    l1_gradient(W, l1) -> like W                               l1 · sign(w), 0 where w = 0
    dropout_forward(x [N, D], keep [N, D] bool, rate, training) -> [N, D]
                                          x · keep / (1 − rate) in training, x at inference
    dropout_backward(dy [N, D], keep, rate) -> [N, D]          dy · keep / (1 − rate)
    normalize_splits(X [N, D], train, dev, test) -> (X_train, X_dev, X_test, mean [D], std [D])
                                          every split standardized with the training rows'
                                          mean and std (ddof 0), a std of 0 taken as 1
    early_stopping(val_losses [E], patience) -> (best_epoch, stopped_epoch)
                                          Keras's EarlyStopping with min_delta = 0, epochs
                                          counted from 0

`rate` is the DROP probability, as in Keras and in `byhand.dropout`: a unit is kept with
probability 1 − rate. The gradient cases of l2_gradients are central finite differences in
float64 of the total loss, next to a case worked by hand in the comments.
"""

from __future__ import annotations

import numpy as np

from byhand.exercises.cases import Case, Exercise, Mistake, finite_differences
from byhand.exercises.checking import check_exercise

# --- Reference functions: the expected values of the cases and of the hidden tests ---------


def reference_l2_gradients(W, b, dW, db, l2):
    """The gradients of data loss + l2 Σ w²: (dW + 2 l2 W, db). The bias is not penalised."""
    return np.asarray(dW, float) + 2 * l2 * np.asarray(W, float), np.asarray(db, float).copy()


def reference_dropout_forward(x, keep, rate, training):
    """Inverted dropout: x · keep / (1 − rate) in training, x itself at inference."""
    x = np.asarray(x, dtype=float)
    return x * keep / (1 - rate) if training else x.copy()


def reference_normalize_splits(X, train, dev, test):
    """(X_train, X_dev, X_test, mean, std), each split as (X_split − mean) / std, with the
    mean and std (ddof 0) of the training rows per feature, and a std of 0 replaced by 1."""
    X = np.asarray(X, dtype=float)
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    std = np.where(std == 0, 1.0, std)  # a constant feature: centred, not divided by 0
    return (X[train] - mean) / std, (X[dev] - mean) / std, (X[test] - mean) / std, mean, std


def reference_early_stopping(val_losses, patience, ties_improve=False, late=0):
    """(best_epoch, stopped_epoch) of Keras's EarlyStopping(patience=patience), min_delta 0.

    After each epoch e (from 0), a loss strictly below the best so far makes e the best
    epoch and resets the count of epochs without improvement; otherwise the count grows by
    1, and training stops at the epoch where it reaches `patience`. Without a stop,
    stopped_epoch is the last epoch. (`ties_improve` and `late` make two known mistakes.)
    """
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best or (ties_improve and loss == best):
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience + late:  # patience has run out: stop after this epoch
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def total_loss(X, Y, W, b, l2):
    """mean((X W + b − Y)²) + l2 Σ w²: the loss whose gradients the l2_gradients cases use."""
    return float(np.mean((X @ W + b - Y) ** 2) + l2 * np.sum(W**2))


def data_gradients(X, Y, W, b):
    """(dW, db) of the data loss mean((X W + b − Y)²) alone: the backward pass of Chapter 4."""
    dZ = 2 * (X @ W + b - Y) / Y.size
    return X.T @ dZ, dZ.sum(axis=0)


_rng = np.random.default_rng(6)  # the random cases

# --- L2 penalty ---------------------------------------------------------------------------

_W22 = np.array([[1.0, -2.0], [0.0, 3.0]])
_W3 = np.array([0.5, -0.5, 2.0])
_W34 = _rng.normal(size=(3, 4))

L2_PENALTY = Exercise(
    "l2_penalty",
    ("W", "l2"),
    (
        # 0.01 · (1 + 4 + 0 + 9) = 0.01 · 14 = 0.14
        Case((_W22, 0.01), 0.14, "W [2, 2], l2 = 0.01: 0.01 · 14"),
        # 0.1 · (0.25 + 0.25 + 4) = 0.1 · 4.5 = 0.45
        Case((_W3, 0.1), 0.45, "a vector of 3 weights, l2 = 0.1"),
        Case((_W34, 0.05), 0.05 * float(np.sum(_W34**2)), "random W [3, 4], l2 = 0.05"),
    ),
    mistakes=(
        Mistake(
            "½",
            "half the penalty: this is ½ · l2 · Σ w², a convention of some books. The course's "
            "penalty, as Keras's L2(l2), is l2 · Σ w², without the ½",
            lambda W, l2: 0.5 * l2 * np.sum(W**2),
        ),
        Mistake(
            "norm",
            "this is l2 times the length of W, √(Σ w²): the penalty is the sum of the squares "
            "itself, l2 · Σ w², with no square root",
            lambda W, l2: l2 * np.sqrt(np.sum(W**2)),
        ),
        Mistake(
            "mean",
            "this is l2 times the mean of the squares: the penalty is their sum, l2 · Σ w², "
            "over every weight (np.sum), however many there are",
            lambda W, l2: l2 * np.mean(W**2),
        ),
        Mistake(
            "|w|",
            "this is the L1 penalty, l2 · Σ |w|: the L2 penalty sums the squares, l2 · Σ w²",
            lambda W, l2: l2 * np.sum(np.abs(W)),
        ),
    ),
)

# --- L2 gradients of a dense layer --------------------------------------------------------

_B2 = np.array([0.5, -1.0])
_DW22, _DB2 = np.array([[0.1, 0.2], [-0.3, 0.0]]), np.array([0.2, -0.4])
# A layer of 4 inputs and 3 units on 5 examples: the data gradients by Chapter 4's formulas
_X53, _Y53 = _rng.normal(size=(5, 4)), _rng.normal(size=(5, 3))
_W43, _B3 = _rng.normal(size=(4, 3)), _rng.normal(size=3)
_DW43, _DB3 = data_gradients(_X53, _Y53, _W43, _B3)
_FD43 = finite_differences(lambda W, b: total_loss(_X53, _Y53, W, b, 0.1), (_W43, _B3), (0, 1))

L2_GRADIENTS = Exercise(
    "l2_gradients",
    ("W", "b", "dW", "db", "l2"),
    (
        # dW + 2 · 0.1 · W = [[0.1 + 0.2, 0.2 − 0.4], [−0.3 + 0, 0 + 0.6]]; db unchanged
        Case(
            (_W22, _B2, _DW22, _DB2, 0.1),
            (np.array([[0.3, -0.2], [-0.3, 0.6]]), _DB2),
            "W [2, 2], l2 = 0.1: dW + 0.2 W, and db as it was",
        ),
        Case(
            (_W43, _B3, _DW43, _DB3, 0.1),
            _FD43,
            "a layer [4, 3] on 5 examples, l2 = 0.1",
            rtol=1e-6,
            atol=1e-8,
            source="the expected gradients are central finite differences (float64) of "
            "mean((X W + b − Y)²) + 0.1 Σ w² with respect to W and b",
        ),
        # l2 = 0: no penalty, the data gradients come back as they are
        Case((_W22, _B2, _DW22, _DB2, 0.0), (_DW22, _DB2), "l2 = 0: nothing is added"),
    ),
    returns=("dW", "db"),
    mistakes=(
        Mistake(
            "½",
            "half the penalty's gradient: d/dw (l2 w²) = 2 l2 w. l2 · w is the derivative of "
            "½ l2 w², a penalty with a ½ that the course (as Keras) does not use",
            lambda W, b, dW, db, l2: (dW + l2 * W, db),
        ),
        Mistake(
            "bias penalised",
            "the bias got a penalty term too: the penalty l2 Σ w² is on the weights W only "
            "(Keras's kernel_regularizer), so db comes back as it was passed in",
            lambda W, b, dW, db, l2: (dW + 2 * l2 * W, db + 2 * l2 * b),
        ),
        Mistake(
            "penalty only",
            "only the penalty's gradient 2 l2 W came back: the total loss is the data loss "
            "plus the penalty, so its gradient is the data gradient dW plus 2 l2 W",
            lambda W, b, dW, db, l2: (2 * l2 * W, db),
        ),
        Mistake(
            "minus",
            "the penalty's gradient was subtracted: it is added, dW + 2 l2 W (the minus sign "
            "comes in the update, w − η · gradient, which then shrinks the weights)",
            lambda W, b, dW, db, l2: (dW - 2 * l2 * W, db),
        ),
    ),
)

# --- L1 (sub)gradient ---------------------------------------------------------------------

_WL1 = np.array([[0.5, -2.0, 0.0], [0.0, 3.0, -0.1]])
_VL1 = np.array([-4.0, 0.0, 1e-3])

L1_GRADIENT = Exercise(
    "l1_gradient",
    ("W", "l1"),
    (
        # 0.01 · sign: [[0.01, −0.01, 0], [0, 0.01, −0.01]], 0 where w = 0
        Case(
            (_WL1, 0.01),
            np.array([[0.01, -0.01, 0.0], [0.0, 0.01, -0.01]]),
            "W [2, 3] with two zeros, l1 = 0.01",
        ),
        # 0.5 · (−1, 0, 1): a weight of 0.001 is pulled as hard as one of −4
        Case(
            (_VL1, 0.5),
            np.array([-0.5, 0.0, 0.5]),
            "a vector, l1 = 0.5: the size of w does not count",
        ),
    ),
    mistakes=(
        Mistake(
            "sign(0) = 1",
            "at w = 0 the gradient should be 0: |w| has no slope there, and the course (as "
            "Keras and np.sign) takes the subgradient 0, which leaves a zero weight at zero. "
            "np.where(W >= 0, ...) gives it +l1",
            lambda W, l1: np.where(W >= 0, l1, -l1),
        ),
        Mistake(
            "L2's gradient",
            "this is the L2 gradient 2 l1 w, proportional to w: the L1 penalty l1 Σ |w| pulls "
            "every nonzero weight with the same force, l1 · sign(w)",
            lambda W, l1: 2 * l1 * W,
        ),
        Mistake(
            "|w|",
            "this is the penalty's terms, l1 · |w|, not their slope: d/dw (l1 |w|) is "
            "l1 · sign(w), that is +l1, −l1 or 0",
            lambda W, l1: l1 * np.abs(W),
        ),
        Mistake(
            "no l1",
            "sign(w) alone: the gradient of l1 Σ |w| is l1 · sign(w), multiplied by the strength",
            lambda W, l1: np.sign(W),
        ),
    ),
)

# --- Inverted dropout ---------------------------------------------------------------------

_X24 = np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 2.0, -2.0]])
_KEEP24 = np.array([[True, False, True, True], [False, True, True, False]])
_X35 = _rng.normal(size=(3, 5))
_KEEP35 = _rng.random((3, 5)) >= 0.2  # drawn as dropout draws it, rate 0.2
_DY24 = np.array([[0.5, 1.0, -1.0, 2.0], [1.0, 1.0, 1.0, 1.0]])


def _inference_too(train):
    """A mistake in training whose inference is right: x itself."""
    return lambda x, keep, rate, training: train(x, keep, rate) if training else x


DROPOUT_FORWARD = Exercise(
    "dropout_forward",
    ("x", "keep", "rate", "training"),
    (
        # rate 0.5: kept values times 1 / 0.5 = 2, dropped ones 0
        Case(
            (_X24, _KEEP24, 0.5, True),
            np.array([[2.0, 0.0, 6.0, 8.0], [0.0, 1.0, 4.0, 0.0]]),
            "training, rate = 0.5: kept values doubled",
        ),
        Case(
            (_X24, _KEEP24, 0.5, False),
            _X24,
            "inference (training=False): x itself, whatever the mask",
        ),
        # rate 0.2: kept values times 1 / 0.8 = 1.25
        Case(
            (_X35, _KEEP35, 0.2, True),
            _X35 * _KEEP35 * 1.25,
            "training, rate = 0.2, a random [3, 5]: kept values times 1.25",
        ),
    ),
    batch="x",
    mistakes=(
        Mistake(
            "not scaled",
            "the kept values were not divided by 1 − rate: inverted dropout scales them up in "
            "training, x · keep / (1 − rate), so that each unit keeps its expected value and "
            "inference needs nothing (the original dropout multiplied by 1 − rate at "
            "inference instead)",
            _inference_too(lambda x, keep, rate: x * keep),
        ),
        Mistake(
            "× rate",
            "the kept values were multiplied by the rate: they are divided by the keep "
            "probability, x · keep / (1 − rate), which makes them larger",
            _inference_too(lambda x, keep, rate: x * keep * rate),
        ),
        Mistake(
            "/ rate",
            "divided by the rate, as if `rate` were the keep probability: `rate` is the DROP "
            "probability (as in Keras), so the kept values are divided by 1 − rate",
            _inference_too(lambda x, keep, rate: x * keep / rate),
        ),
        Mistake(
            "mask reversed",
            "the mask was used the wrong way round: `keep` is True for the units that stay, "
            "so x · keep / (1 − rate) keeps those and zeroes the others",
            _inference_too(lambda x, keep, rate: x * ~keep / (1 - rate)),
        ),
        Mistake(
            "dropout at inference",
            "at inference (training=False) dropout does nothing: return x as it is. The "
            "scaling by 1 / (1 − rate) in training already keeps the expected values right",
            lambda x, keep, rate, training: x * keep / (1 - rate),
        ),
        Mistake(
            "scaled at inference",
            "at inference (training=False) dropout returns x as it is: inverted dropout "
            "scales in training only, so nothing is multiplied or divided at inference",
            lambda x, keep, rate, training: x * keep / (1 - rate) if training else x * (1 - rate),
        ),
    ),
)

DROPOUT_BACKWARD = Exercise(
    "dropout_backward",
    ("dy", "keep", "rate"),
    (
        # rate 0.5: dy · keep · 2
        Case(
            (_DY24, _KEEP24, 0.5),
            np.array([[1.0, 0.0, -2.0, 4.0], [0.0, 2.0, 2.0, 0.0]]),
            "rate = 0.5: the kept entries of dy doubled, the dropped ones 0",
        ),
        Case(
            (_X35, _KEEP35, 0.2),
            _X35 * _KEEP35 * 1.25,
            "a random [3, 5], rate = 0.2",
            source="y = x · keep / (1 − rate) is linear in x: dx = dy · keep / (1 − rate)",
        ),
    ),
    batch="dy",
    mistakes=(
        Mistake(
            "not scaled",
            "the forward pass multiplies x by keep / (1 − rate), so its derivative, which "
            "multiplies dy, is the same keep / (1 − rate): the 1 / (1 − rate) is missing",
            lambda dy, keep, rate: dy * keep,
        ),
        Mistake(
            "no mask",
            "the dropped units passed a gradient back: y does not depend on a dropped x (it "
            "is 0 whatever x is), so dx = dy · keep / (1 − rate) is 0 there",
            lambda dy, keep, rate: dy / (1 - rate),
        ),
        Mistake(
            "/ rate",
            "divided by the rate, as if `rate` were the keep probability: the forward pass "
            "divides by 1 − rate, and so does the backward pass",
            lambda dy, keep, rate: dy * keep / rate,
        ),
    ),
)

# --- Normalization with the training set's statistics ------------------------------------

# Feature 0 on the training rows: 1, 3, 1, 3 (mean 2, std 1); feature 1: always 10 (std 0)
_XN = np.array([[1.0, 10.0], [3.0, 10.0], [1.0, 10.0], [3.0, 10.0], [5.0, 12.0], [0.0, 8.0]])
_TRAIN_N, _DEV_N, _TEST_N = np.array([0, 1, 2, 3]), np.array([4]), np.array([5])
# Shuffled indices into 10 rows of 3 features on different scales
_XR = _rng.normal(size=(10, 3)) * [1.0, 50.0, 0.01] + [0.0, 100.0, -3.0]
_ORDER = _rng.permutation(10)
_TRAIN_R, _DEV_R, _TEST_R = _ORDER[:6], _ORDER[6:8], _ORDER[8:]
# Training rows (0, 0), (4, 2): mean (2, 1), std (2, 1)
_XS = np.array([[0.0, 0.0], [9.0, 9.0], [4.0, 2.0], [2.0, 3.0], [6.0, -1.0]])
_TRAIN_S, _DEV_S, _TEST_S = np.array([0, 2]), np.array([3, 4]), np.array([1])


def _normalized_with(X, train, dev, test, mean, std, own=False):
    """Each split standardized with (mean, std), or with its own statistics when `own`."""
    parts = []
    for rows in (train, dev, test):
        m, s = (X[rows].mean(axis=0), X[rows].std(axis=0)) if own else (mean, std)
        parts.append((X[rows] - m) / np.where(s == 0, 1.0, s))
    return (*parts, mean, np.where(std == 0, 1.0, std))


NORMALIZE_SPLITS = Exercise(
    "normalize_splits",
    ("X", "train", "dev", "test"),
    (
        # mean (2, 10), std (1, 0 → 1): dev (5, 12) → (3, 2), test (0, 8) → (−2, −2),
        # training rows → (∓1, 0)
        Case(
            (_XN, _TRAIN_N, _DEV_N, _TEST_N),
            reference_normalize_splits(_XN, _TRAIN_N, _DEV_N, _TEST_N),
            "feature 0: mean 2, std 1; feature 1 is constant on the training rows (std 0 → 1)",
        ),
        # mean (2, 1), std (2, 1): dev (2, 3) → (0, 2), (6, −1) → (2, −2); test (9, 9) → (3.5, 8)
        Case(
            (_XS, _TRAIN_S, _DEV_S, _TEST_S),
            reference_normalize_splits(_XS, _TRAIN_S, _DEV_S, _TEST_S),
            "2 training rows: mean (2, 1), std (2, 1)",
        ),
        Case(
            (_XR, _TRAIN_R, _DEV_R, _TEST_R),
            reference_normalize_splits(_XR, _TRAIN_R, _DEV_R, _TEST_R),
            "10 shuffled rows of 3 features on different scales",
        ),
    ),
    returns=("X_train", "X_dev", "X_test", "mean", "std"),
    mistakes=(
        Mistake(
            "all the data",
            "the mean and std came from all the rows, dev and test included: the test set "
            "then leaks into training. Take them from the training rows X[train] only, and "
            "use those same numbers on every split",
            lambda X, tr, dv, te: _normalized_with(X, tr, dv, te, X.mean(axis=0), X.std(axis=0)),
        ),
        Mistake(
            "each its own",
            "the dev and test rows were standardized with their own mean and std: every split "
            "uses the training rows' mean and std, so that the network sees each input "
            "transformed the same way it was trained on (a test set of one row would "
            "otherwise become all zeros)",
            lambda X, tr, dv, te: _normalized_with(
                X, tr, dv, te, X[tr].mean(axis=0), X[tr].std(axis=0), own=True
            ),
        ),
        Mistake(
            "ddof 1",
            "the std divides by n − 1 (ddof=1, as pandas's .std() does): standardization "
            "uses the population std, ddof=0, NumPy's default and scikit-learn's "
            "StandardScaler's",
            lambda X, tr, dv, te: _normalized_with(
                X, tr, dv, te, X[tr].mean(axis=0), X[tr].std(axis=0, ddof=1)
            ),
        ),
        Mistake(
            "one mean",
            "one mean and one std for all the features: standardize each feature (column) on "
            "its own, with X[train].mean(axis=0) and X[train].std(axis=0), arrays of shape [D]",
            lambda X, tr, dv, te: _normalized_with(
                X, tr, dv, te, np.full(X.shape[1], X[tr].mean()), np.full(X.shape[1], X[tr].std())
            ),
        ),
    ),
)

# --- Early stopping -----------------------------------------------------------------------

# patience 3: best 0.6 at epoch 2, then 0.65, 0.62, 0.61 are 3 epochs without improvement
_LOSSES_A = [0.9, 0.7, 0.6, 0.65, 0.62, 0.61, 0.5, 0.4]
# patience 2: 0.8 again at epoch 2 is no improvement (min_delta 0 asks for strictly lower)
_LOSSES_B = [1.0, 0.8, 0.8, 0.9, 0.8, 0.85]
# patience 2: never 2 epochs in a row without improvement, so all 6 epochs run
_LOSSES_C = [3.0, 2.0, 1.5, 1.4, 1.45, 1.3]
# patience 1: the first epoch without improvement stops training
_LOSSES_D = [0.5, 0.6, 0.4]


def _late(losses, patience):
    return reference_early_stopping(losses, patience, late=1)


def _early(losses, patience):
    return reference_early_stopping(losses, patience, late=-1)


EARLY_STOPPING = Exercise(
    "early_stopping",
    ("val_losses", "patience"),
    (
        # epochs 3, 4, 5 do not beat 0.6: the count reaches 3 at epoch 5. Best epoch 2
        Case((_LOSSES_A, 3), (2, 5), "patience 3: best at epoch 2, stop after epoch 5"),
        # epoch 2 ties 0.8: count 1; epoch 3: count 2 = patience, stop. Best epoch 1
        Case((_LOSSES_B, 2), (1, 3), "patience 2, a tie at epoch 2: a tie is no improvement"),
        # counts 0, 0, 0, 0, 1, 0: no stop; the last epoch is 5 and the best too
        Case((_LOSSES_C, 2), (5, 5), "patience 2, never stops: the last epoch run is 5"),
        # epoch 1 is worse than epoch 0: count 1 = patience, stop after epoch 1
        Case((_LOSSES_D, 1), (0, 1), "patience 1"),
    ),
    returns=("best_epoch", "stopped_epoch"),
    mistakes=(
        Mistake(
            "one late",
            "training stopped one epoch late (or never): it stops at the epoch where the "
            "count of epochs without improvement REACHES patience (wait >= patience), not "
            "when it exceeds it",
            _late,
        ),
        Mistake(
            "one early",
            "training stopped one epoch early: count the epochs without improvement from the "
            "first one after the best (it makes the count 1), and stop when the count reaches "
            "patience",
            _early,
        ),
        Mistake(
            "ties improve",
            "a loss equal to the best so far was taken as an improvement: with min_delta = 0 "
            "the loss must be strictly lower (loss < best) to count",
            lambda losses, patience: reference_early_stopping(losses, patience, ties_improve=True),
        ),
        Mistake(
            "last epoch as best",
            "best_epoch is the epoch where training stopped: it is the epoch with the lowest "
            "dev loss seen before stopping (the weights restore_best_weights puts back)",
            lambda losses, patience: (reference_early_stopping(losses, patience)[1],) * 2,
        ),
        Mistake(
            "looked ahead",
            "best_epoch was chosen among all the losses, after the stop too: training never "
            "sees the epochs after it stops, so the best epoch is the best before the stop",
            lambda losses, patience: (
                int(np.argmin(losses)),
                reference_early_stopping(losses, patience)[1],
            ),
        ),
        Mistake(
            "from 1",
            "the epochs were counted from 1: count them from 0, as Python's indices (epoch e "
            "is val_losses[e])",
            lambda losses, patience: tuple(
                e + 1 for e in reference_early_stopping(losses, patience)
            ),
        ),
    ),
)

EXERCISES = (
    L2_PENALTY,
    L2_GRADIENTS,
    L1_GRADIENT,
    DROPOUT_FORWARD,
    DROPOUT_BACKWARD,
    NORMALIZE_SPLITS,
    EARLY_STOPPING,
)


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("l2_penalty", l2_penalty)` prints "l2_penalty: all 3 public cases pass", or the
    first case that fails, with a hint. It returns None. See `byhand.exercises.checking`.
    """
    check_exercise(EXERCISES, name, function)
