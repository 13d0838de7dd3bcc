"""Hidden tests of the Chapter 6 exercise set (exercises/06_regularization.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden). The
inputs differ from the public cases in byhand.exercises.regularization. Expected values are
worked by hand in the comments, central finite differences in float64 of the total loss
(for l2_gradients), or that module's reference functions (`reference_l2_gradients`,
`reference_dropout_forward`, `reference_normalize_splits`, `reference_early_stopping`),
which the course's tests check against the engine (byhand.regularizers, byhand.dropout,
byhand.callbacks.EarlyStopping). Every dropout_forward test runs in training as well, so
that the identity (right at inference only) earns nothing.
"""

import numpy as np

from byhand.exercises import assert_close, assert_unchanged
from byhand.exercises.cases import finite_differences
from byhand.exercises.regularization import (
    data_gradients,
    reference_dropout_forward,
    reference_early_stopping,
    reference_normalize_splits,
    total_loss,
)
from byhand.grading import call_and_inputs, points

# Course modules that do what these exercises ask: a function that uses one earns nothing.
# The grader matches these names in the notebook's code and never imports them.
ANSWER_MODULES = (
    "byhand.regularizers",  # L1, L2, L1L2: the penalties and their gradients
    "byhand.dropout",  # Dropout: inverted dropout forward and backward
    "byhand.callbacks",  # EarlyStopping: the best epoch and the stop
    "byhand.data",  # splitting data sets
    "byhand.layers",  # Dense with a kernel_regularizer, and the layers' backward passes
    "byhand.exercises",  # this set's reference functions
    "sklearn",  # train_test_split, StandardScaler
)

FD = dict(rtol=1e-6, atol=1e-8)  # finite differences are good to some 1e-10 here
SPLIT_NAMES = ("X_train", "X_dev", "X_test", "mean", "std")
EPOCH_NAMES = ("best_epoch", "stopped_epoch")

# --- l2_penalty: 2 points ---------------------------------------------------------------


@points(1)
def test_l2_penalty_of_a_random_kernel_leaves_it_alone(l2_penalty):
    rng = np.random.default_rng(601)
    W = rng.normal(size=(5, 3))
    penalty, after = call_and_inputs(l2_penalty, W, 0.003)
    assert_close(penalty, 0.003 * float(np.sum(W**2)), "l2_penalty of a random kernel [5, 3]")
    assert_unchanged(after, (W, 0.003), ("W", "l2"), "l2_penalty")


@points(1)
def test_l2_penalty_by_hand(l2_penalty):
    # 0.5 · (3² + 4²) = 0.5 · 25 = 12.5
    assert_close(l2_penalty(np.array([[3.0], [4.0]]), 0.5), 12.5, "l2_penalty of one column")
    # 2 · (1 + 1 + 1 + 1 + 4 + 0) = 16
    W = np.array([[1.0, -1.0, 2.0], [-1.0, 1.0, 0.0]])
    assert_close(l2_penalty(W, 2.0), 16.0, "l2_penalty with a strength above 1")


# --- l2_gradients: 3 points -------------------------------------------------------------


@points(1)
def test_l2_gradients_match_finite_differences(l2_gradients):
    rng = np.random.default_rng(602)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    dW, db = data_gradients(X, Y, W, b)
    expected = finite_differences(lambda V, c: total_loss(X, Y, V, c, 0.05), (W, b), (0, 1))
    what = "l2_gradients of a layer [3, 2] on 7 examples (compared with finite differences)"
    assert_close(l2_gradients(W, b, dW, db, 0.05), expected, what, names=("dW", "db"), **FD)


@points(1)
def test_l2_gradients_leave_the_bias_alone(l2_gradients):
    # dW = 0 + 2 · 0.25 · W = 0.5 W = [[1, −0.5]]; db as it was, however large b is
    W, b = np.array([[2.0, -1.0]]), np.array([5.0, 5.0])
    dW, db = np.zeros((1, 2)), np.array([1.0, -1.0])
    received, after = call_and_inputs(l2_gradients, W, b, dW, db, 0.25)
    expected = (np.array([[1.0, -0.5]]), np.array([1.0, -1.0]))
    assert_close(received, expected, "l2_gradients, a layer of one input", names=("dW", "db"))
    assert_unchanged(after, (W, b, dW, db, 0.25), ("W", "b", "dW", "db", "l2"), "l2_gradients")


@points(1)
def test_l2_gradients_of_a_wide_layer(l2_gradients):
    rng = np.random.default_rng(603)
    W, b = rng.normal(size=(2, 6)), rng.normal(size=6) * 3.0
    dW, db = rng.normal(size=(2, 6)), rng.normal(size=6)
    expected = (dW + 2 * 0.8 * W, db)
    what = "l2_gradients of a layer [2, 6], l2 = 0.8"
    assert_close(l2_gradients(W, b, dW, db, 0.8), expected, what, names=("dW", "db"))


# --- l1_gradient: 2 points --------------------------------------------------------------


@points(1)
def test_l1_gradient_of_a_random_kernel_with_zeros(l1_gradient):
    rng = np.random.default_rng(604)
    W = rng.normal(size=(4, 5))
    W[rng.random((4, 5)) < 0.3] = 0.0  # some weights exactly 0: their subgradient is 0
    assert_close(l1_gradient(W, 0.02), 0.02 * np.sign(W), "l1_gradient of a kernel [4, 5]")


@points(1)
def test_l1_gradient_by_hand_leaves_its_input_alone(l1_gradient):
    # 3 · sign((0, −7, 1e−6, 0.2)) = (0, −3, 3, 3)
    W = np.array([[0.0, -7.0], [1e-6, 0.2]])
    received, after = call_and_inputs(l1_gradient, W, 3.0)
    assert_close(received, np.array([[0.0, -3.0], [3.0, 3.0]]), "l1_gradient, l1 = 3")
    assert_unchanged(after, (W, 3.0), ("W", "l1"), "l1_gradient")


# --- dropout_forward: 3 points ----------------------------------------------------------


@points(1)
def test_dropout_forward_in_training(dropout_forward):
    rng = np.random.default_rng(605)
    x, keep = rng.normal(size=(6, 4)), rng.random((6, 4)) >= 0.3
    expected = reference_dropout_forward(x, keep, 0.3, True)
    what = "dropout_forward in training, rate = 0.3, a batch [6, 4]"
    assert_close(dropout_forward(x, keep, 0.3, True), expected, what, batch=6)


@points(1)
def test_dropout_forward_in_training_and_at_inference(dropout_forward):
    # rate 0.75: the kept values times 1 / 0.25 = 4; at inference x itself
    x = np.array([[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]])
    keep = np.array([[False, True, False], [True, False, False]])
    trained = np.array([[0.0, -8.0, 0.0], [12.0, 0.0, 0.0]])
    what = "dropout_forward, rate = 0.75"
    assert_close(dropout_forward(x, keep, 0.75, True), trained, what + ", training", batch=2)
    assert_close(dropout_forward(x, keep, 0.75, False), x, what + ", inference", batch=2)


@points(1)
def test_dropout_forward_leaves_its_inputs_alone(dropout_forward):
    rng = np.random.default_rng(606)
    x, keep = rng.normal(size=(3, 7)), rng.random((3, 7)) >= 0.5
    names = ("x", "keep", "rate", "training")
    received, after = call_and_inputs(dropout_forward, x, keep, 0.5, True)
    what = "dropout_forward in training, rate = 0.5"
    assert_close(received, reference_dropout_forward(x, keep, 0.5, True), what, batch=3)
    assert_unchanged(after, (x, keep, 0.5, True), names, "dropout_forward")
    received, after = call_and_inputs(dropout_forward, x, keep, 0.5, False)
    assert_close(received, x, "dropout_forward at inference", batch=3)
    assert_unchanged(after, (x, keep, 0.5, False), names, "dropout_forward")


# --- dropout_backward: 2 points ---------------------------------------------------------


@points(1)
def test_dropout_backward_of_a_random_batch(dropout_backward):
    rng = np.random.default_rng(607)
    dy, keep = rng.normal(size=(5, 3)), rng.random((5, 3)) >= 0.4
    # y = x · keep / 0.6 is linear in x: dx = dy · keep / 0.6
    what = "dropout_backward, rate = 0.4, a batch [5, 3]"
    assert_close(dropout_backward(dy, keep, 0.4), dy * keep / 0.6, what, batch=5)


@points(1)
def test_dropout_backward_by_hand_leaves_its_inputs_alone(dropout_backward):
    # rate 0.2: kept entries times 1.25: (4, 0, −8) and (0, 1.25, 0)
    dy = np.array([[3.2, 1.0, -6.4], [2.0, 1.0, 5.0]])
    keep = np.array([[True, False, True], [False, True, False]])
    received, after = call_and_inputs(dropout_backward, dy, keep, 0.2)
    expected = np.array([[4.0, 0.0, -8.0], [0.0, 1.25, 0.0]])
    assert_close(received, expected, "dropout_backward, rate = 0.2", batch=2)
    assert_unchanged(after, (dy, keep, 0.2), ("dy", "keep", "rate"), "dropout_backward")


# --- normalize_splits: 4 points ---------------------------------------------------------


def split_case(seed, n, d):
    """Random rows on different scales and a shuffled 60/20/20 split of their indices."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.1, 30.0, size=d) + rng.normal(size=d) * 10
    order = rng.permutation(n)
    cut1, cut2 = int(0.6 * n), int(0.8 * n)
    return X, order[:cut1], order[cut1:cut2], order[cut2:]


@points(1)
def test_normalize_splits_of_shuffled_rows(normalize_splits):
    X, train, dev, test = split_case(608, 20, 4)
    expected = reference_normalize_splits(X, train, dev, test)
    what = "normalize_splits of 20 shuffled rows, 4 features"
    assert_close(normalize_splits(X, train, dev, test), expected, what, names=SPLIT_NAMES)


@points(1)
def test_normalize_splits_with_a_constant_feature(normalize_splits):
    X, train, dev, test = split_case(609, 15, 3)
    X[train, 1] = 7.5  # constant on the training rows: std 0, taken as 1
    expected = reference_normalize_splits(X, train, dev, test)
    what = "normalize_splits, a feature constant on the training rows"
    assert_close(normalize_splits(X, train, dev, test), expected, what, names=SPLIT_NAMES)


@points(1)
def test_normalize_splits_by_hand_leaves_its_inputs_alone(normalize_splits):
    # training rows 0, 2, 4: feature 0 is 1, 3, 5 (mean 3, std √(8/3)), feature 1 is
    # 2, 2, 8 (mean 4, std √8); row 1 is the dev set, row 3 the test set
    X = np.array([[1.0, 2.0], [9.0, 4.0], [3.0, 2.0], [3.0, 0.0], [5.0, 8.0]])
    train, dev, test = np.array([0, 2, 4]), np.array([1]), np.array([3])
    received, after = call_and_inputs(normalize_splits, X, train, dev, test)
    mean, std = np.array([3.0, 4.0]), np.sqrt([8 / 3, 8.0])
    expected = ((X[train] - mean) / std, (X[dev] - mean) / std, (X[test] - mean) / std, mean, std)
    what = "normalize_splits of 5 rows, one dev and one test row"
    assert_close(received, expected, what, names=SPLIT_NAMES)
    names = ("X", "train", "dev", "test")
    assert_unchanged(after, (X, train, dev, test), names, "normalize_splits")


@points(1)
def test_normalize_splits_of_integer_features(normalize_splits):
    rng = np.random.default_rng(610)
    X = rng.integers(0, 100, size=(12, 5))  # integer data: the results are floats
    train, dev, test = np.arange(8), np.array([8, 9]), np.array([10, 11])
    expected = reference_normalize_splits(X, train, dev, test)
    what = "normalize_splits of integer features in their given order"
    assert_close(normalize_splits(X, train, dev, test), expected, what, names=SPLIT_NAMES)


# --- early_stopping: 4 points -----------------------------------------------------------


@points(1)
def test_early_stopping_after_a_long_plateau(early_stopping):
    # best 1.1 at epoch 3; epochs 4..8 are 5 without improvement: stop after epoch 8
    losses = [2.0, 1.5, 1.2, 1.1, 1.15, 1.12, 1.3, 1.11, 1.14, 0.9, 0.8]
    assert_close(early_stopping(losses, 5), (3, 8), "early_stopping, patience 5", names=EPOCH_NAMES)


@points(1)
def test_early_stopping_with_ties(early_stopping):
    # 0.5 again at epochs 3 and 4 does not improve on epoch 2: stop after epoch 4
    losses = [0.9, 0.6, 0.5, 0.5, 0.5, 0.45, 0.4]
    what = "early_stopping, patience 2, the best loss repeated"
    assert_close(early_stopping(losses, 2), (2, 4), what, names=EPOCH_NAMES)


@points(1)
def test_early_stopping_that_never_stops(early_stopping):
    # every 3rd epoch improves, patience 3 never runs out: 9 epochs, the best is the last
    losses = [5.0, 5.1, 5.2, 4.0, 4.1, 4.2, 3.0, 3.1, 2.5]
    what = "early_stopping, patience 3, never stopping"
    assert_close(early_stopping(losses, 3), (8, 8), what, names=EPOCH_NAMES)
    # the best in the middle, and the list runs out before patience does
    what = "early_stopping, patience 4, the list ending first"
    assert_close(early_stopping([3.0, 1.0, 2.0, 2.5], 4), (1, 3), what, names=EPOCH_NAMES)


@points(1)
def test_early_stopping_of_random_curves_leaves_them_alone(early_stopping):
    rng = np.random.default_rng(611)
    for patience in (1, 2, 4):
        curve = list(np.round(1.0 / np.arange(1, 21) + rng.normal(size=20) * 0.05, 3))
        received, after = call_and_inputs(early_stopping, curve, patience)
        what = f"early_stopping of a noisy curve of 20 epochs, patience {patience}"
        expected = reference_early_stopping(curve, patience)
        assert_close(received, expected, what, names=EPOCH_NAMES)
        assert_unchanged(after, (curve, patience), ("val_losses", "patience"), "early_stopping")
