"""Hidden tests of the Chapter 10 exercise set (exercises/10_capstone.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden); every
argument is an array or a number, so no go-between is needed. Inputs differ from the public
cases in byhand.exercises.capstone. Expected values are worked in the comments, come from
that module's reference functions, or from the course library: byhand.metrics scores the
labels behind the larger confusion matrices, and train_base trains, here in the grader, the
same old model that the student's fine_tune starts from in the sandbox (seeded: the same
weights). predict_digits is trained in the sandbox on splits of the digits that differ from
the public one and is measured on digits it never receives, held back from both its training
and its dev set; the goal, 94 % right, is the one the notebook states.
"""

import numpy as np

from byhand import metrics
from byhand.datasets import load_digits
from byhand.exercises import assert_close
from byhand.exercises.capstone import (
    BIGGER_MODEL,
    MORE_DATA,
    TARGET_ACCURACY,
    reference_bias_variance,
    reference_fine_tune,
    reference_macro_average,
    reference_precision_recall_f1,
    train_base,
)
from byhand.grading import points

# Course modules that do what these exercises ask: a function that uses one earns nothing.
# The grader matches these names in the notebook's code and never imports them. The engine
# itself (models, layers, optimizers, callbacks) is what predict_digits and fine_tune are
# built with, and stays allowed, as do train_base and the rest of byhand.metrics.
ANSWER_MODULES = (
    "byhand.metrics.precision",  # per class (average=None) and macro-averaged
    "byhand.metrics.recall",
    "byhand.metrics.f1_score",
    "byhand.metrics._counts",  # TP, TP + FP, TP + FN from the confusion matrix
    "byhand.metrics._divide",  # a / b with 0 for 0/0
    "byhand.metrics._average",
    "byhand.datasets",  # the digits themselves: predict_digits learns from its arguments only
    "byhand.exercises.capstone.public_split",  # the digits again
    "byhand.exercises.capstone.reference_precision_recall_f1",  # this set's references
    "byhand.exercises.capstone.reference_macro_average",
    "byhand.exercises.capstone.reference_bias_variance",
    "byhand.exercises.capstone.reference_fine_tune",
    "byhand.exercises.capstone._fine_tune",
    "byhand.exercises.capstone._ratio",
    "sklearn",  # precision_recall_fscore_support, classifiers, load_digits
    "keras",  # the models and the metrics of the frameworks
    "tensorflow",
    "torch",
    "torchmetrics",
)

SCORE_NAMES = ("precision", "recall", "f1")


def _labels_with_errors(seed, n, k, error_rate):
    """n true labels of k classes, and predictions with about error_rate of them wrong."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, size=n)
    wrong = rng.random(n) < error_rate
    y_pred = np.where(wrong, (y_true + rng.integers(1, k, size=n)) % k, y_true)
    return y_true, y_pred


# --- precision_recall_f1: 4 points --------------------------------------------------------


@points(2)
def test_precision_recall_f1_on_small_matrices(precision_recall_f1):
    matrices = [
        # column sums 5, 5; row sums 4, 6: P = (3/5, 4/5), R = (3/4, 4/6), F1 = (6/9, 8/11)
        np.array([[3, 1], [2, 4]]),
        # four classes, rows and columns of different sums
        np.array([[7, 1, 0, 2], [0, 9, 3, 0], [1, 0, 4, 1], [2, 2, 0, 6]]),
        # one class only (K = 1): P = R = F1 = 1
        np.array([[12]]),
        # every prediction wrong: TP = 0 everywhere, so every score is 0
        np.array([[0, 3, 1], [2, 0, 2], [4, 1, 0]]),
    ]
    for number, cm in enumerate(matrices, 1):
        what = f"precision_recall_f1, matrix {number} of {len(matrices)}"
        expected = reference_precision_recall_f1(cm)
        assert_close(precision_recall_f1(cm.copy()), expected, what, names=SCORE_NAMES)


@points(1)
def test_precision_recall_f1_when_a_class_is_never_predicted_or_never_present(precision_recall_f1):
    matrices = [
        # class 0 never predicted (column 0 is zeros): P_0 = 0/0 = 0, R_0 = 0/7 = 0, F1_0 = 0
        np.array([[0, 4, 3], [0, 6, 1], [0, 2, 8]]),
        # class 2 has no example (row 2 is zeros) but is predicted twice: P_2 = 0/2, R_2 = 0/0
        np.array([[5, 1, 2], [1, 7, 0], [0, 0, 0]]),
        # class 1 neither present nor predicted: every one of its scores is 0/0 = 0
        np.array([[4, 0, 1], [0, 0, 0], [2, 0, 3]]),
    ]
    for number, cm in enumerate(matrices, 1):
        what = f"precision_recall_f1 with a zero row or column, matrix {number} of 3"
        expected = reference_precision_recall_f1(cm)
        assert_close(precision_recall_f1(cm.copy()), expected, what, names=SCORE_NAMES)


@points(1)
def test_precision_recall_f1_on_a_ten_class_run(precision_recall_f1):
    # 600 labels of 10 classes, 15 % of the predictions wrong; byhand.metrics scores the
    # labels themselves, without the student's confusion matrix
    y_true, y_pred = _labels_with_errors(1011, 600, 10, 0.15)
    cm = metrics.confusion_matrix(y_true, y_pred, num_classes=10)
    expected = tuple(
        score(y_true, y_pred, average=None)
        for score in (metrics.precision, metrics.recall, metrics.f1_score)
    )
    what = "precision_recall_f1 on a 10-class confusion matrix"
    assert_close(precision_recall_f1(cm), expected, what, names=SCORE_NAMES)


# --- macro_average: 3 points --------------------------------------------------------------


@points(1)
def test_macro_average_on_small_matrices(macro_average):
    matrices = [
        # P = (3/5 + 4/5) / 2 = 0.7, R = (3/4 + 4/6) / 2 = 0.708333, F1 = (6/9 + 8/11) / 2
        np.array([[3, 1], [2, 4]]),
        np.array([[7, 1, 0, 2], [0, 9, 3, 0], [1, 0, 4, 1], [2, 2, 0, 6]]),
        # imbalanced: 95 examples of class 0, 5 of class 1, of which 1 is found
        np.array([[94, 1], [4, 1]]),
    ]
    for number, cm in enumerate(matrices, 1):
        what = f"macro_average, matrix {number} of {len(matrices)}"
        assert_close(macro_average(cm.copy()), reference_macro_average(cm), what,
                     names=SCORE_NAMES)  # fmt: skip


@points(1)
def test_macro_average_counts_a_class_never_predicted(macro_average):
    # class 1 (and in the second matrix class 3 as well) is never predicted: its precision
    # and F1 are 0 and it counts as one of the K classes
    matrices = [
        np.array([[6, 0, 2, 0], [1, 0, 3, 0], [0, 0, 5, 1], [2, 0, 0, 4]]),
        np.array([[8, 0, 1, 0], [3, 0, 2, 0], [1, 0, 9, 0], [0, 0, 4, 0]]),
    ]
    for number, cm in enumerate(matrices, 1):
        what = f"macro_average with classes never predicted, matrix {number} of 2"
        assert_close(macro_average(cm.copy()), reference_macro_average(cm), what,
                     names=SCORE_NAMES)  # fmt: skip


@points(1)
def test_macro_average_on_an_imbalanced_ten_class_run(macro_average):
    # the classes 0-9 in very different numbers (class k about 2^(k/2) times as common as
    # class 0), 10 % of the predictions wrong: the macro averages of byhand.metrics
    rng = np.random.default_rng(1012)
    weights = 2.0 ** (np.arange(10) / 2)
    y_true = rng.choice(10, size=800, p=weights / weights.sum())
    wrong = rng.random(800) < 0.1
    y_pred = np.where(wrong, (y_true + rng.integers(1, 10, size=800)) % 10, y_true)
    cm = metrics.confusion_matrix(y_true, y_pred, num_classes=10)
    expected = tuple(
        score(y_true, y_pred, average="macro")
        for score in (metrics.precision, metrics.recall, metrics.f1_score)
    )
    what = "macro_average on an imbalanced 10-class confusion matrix"
    assert_close(macro_average(cm), expected, what, names=SCORE_NAMES)


# --- bias_variance: 4 points --------------------------------------------------------------

ERRORS = [
    (0.02, 0.05, 0.06),  # bias 0.03 > variance 0.01: bigger model
    (0.003, 0.004, 0.09),  # bias 0.001 < variance 0.086: more data
    (0.1, 0.25, 0.26),  # bias 0.15 > variance 0.01
    (0.0, 0.012, 0.041),  # bias 0.012 < variance 0.029
    (0.05, 0.06, 0.08),  # bias 0.01 < variance 0.02
    (0.004, 0.03, 0.045),  # bias 0.026 > variance 0.015
]


def _three_values(received, what):
    assert isinstance(received, tuple | list) and len(received) == 3, (
        f"{what}: expected the tuple (avoidable_bias, variance, advice)"
    )
    return received


@points(2)
def test_bias_and_variance(bias_variance):
    for number, errors in enumerate(ERRORS, 1):
        what = f"bias_variance, errors {number} of {len(ERRORS)}"
        received = _three_values(bias_variance(*errors), what)
        expected = reference_bias_variance(*errors)[:2]
        assert_close(tuple(received[:2]), expected, what, rtol=1e-9, atol=1e-12,
                     names=("avoidable_bias", "variance"))  # fmt: skip


@points(2)
def test_the_advice(bias_variance):
    advice = [reference_bias_variance(*errors)[2] for errors in ERRORS]
    assert set(advice) == {BIGGER_MODEL, MORE_DATA}  # both kinds are asked for
    for number, (errors, expected) in enumerate(zip(ERRORS, advice, strict=True), 1):
        what = f"bias_variance's advice, errors {number} of {len(ERRORS)}"
        received = _three_values(bias_variance(*errors), what)
        assert received[2] in (BIGGER_MODEL, MORE_DATA), (
            f"{what}: the advice must be BIGGER_MODEL or MORE_DATA, as the notebook spells them"
        )
        assert received[2] == expected, f"{what}: the other advice was expected"


# --- predict_digits: 5 points -------------------------------------------------------------


def _split(seed, n_train, n_dev, n_held):
    """load_digits shuffled by `seed`: training, dev and held-back parts (pixels 0..16)."""
    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(X))
    parts = np.split(order, [n_train, n_train + n_dev, n_train + n_dev + n_held])[:3]
    return [(X[part], y[part]) for part in parts]


def _labels(received, n, what):
    """The received labels as an integer array [n]; AssertionError (saying why) if not."""
    try:
        labels = np.asarray(received)
    except (TypeError, ValueError):
        labels = None
    assert labels is not None and labels.shape == (n,), (
        f"{what}: expected the labels as an array [M], one per row of X_new"
    )
    assert labels.dtype.kind in "iu", f"{what}: expected integer labels (np.argmax gives them)"
    return labels


def _accuracy_check(predict_digits, seed, n_train, n_dev, what):
    (X_train, y_train), (X_dev, y_dev), (X_held, y_held) = _split(seed, n_train, n_dev, 1797)
    labels = _labels(predict_digits(X_train, y_train, X_dev, y_dev, X_held, seed), len(y_held),
                     what)  # fmt: skip
    accuracy = float(np.mean(labels == y_held))
    assert accuracy >= TARGET_ACCURACY, (
        f"{what}: {100 * accuracy:.1f} % of the digits held back are right; at least "
        f"{100 * TARGET_ACCURACY:.0f} % are needed"
    )


@points(3)
def test_predict_digits_on_digits_held_back(predict_digits):
    # 1000 training and 300 dev digits; the other 497 are held back
    _accuracy_check(predict_digits, 1001, 1000, 300, "predict_digits, trained on 1000 digits")


@points(1)
def test_predict_digits_with_fewer_training_digits(predict_digits):
    # 700 training and 200 dev digits; the other 897 are held back
    _accuracy_check(predict_digits, 1002, 700, 200, "predict_digits, trained on 700 digits")


@points(1)
def test_predict_digits_gives_the_same_labels_for_the_same_seed(predict_digits):
    (X_train, y_train), (X_dev, y_dev), (X_new, y_new) = _split(1003, 800, 200, 200)
    what = "predict_digits, called twice with the same seed"
    first = _labels(predict_digits(X_train, y_train, X_dev, y_dev, X_new, 7), 200, what)
    second = _labels(predict_digits(X_train, y_train, X_dev, y_dev, X_new, 7), 200, what)
    assert np.array_equal(first, second), (
        f"{what}: the labels differ; seed every random choice with `seed` "
        "(Sequential(..., seed=seed))"
    )
    assert np.mean(first == y_new) >= 0.9, f"{what}: fewer than 90 % of the labels are right"


# --- fine_tune: 4 points ------------------------------------------------------------------


def _transfer_tasks():
    """Three transfer tasks (X_old, y_old, X_new, y_new, seed), pixels scaled to [0, 1]."""
    X, y = load_digits()
    order = np.random.default_rng(1004).permutation(len(X))
    X, y = X[order] / 16, y[order]
    old, new = X[:900], X[900:]
    y_old, y_new = y[:900], y[900:]
    high_old, low_new = y_old >= 5, y_new < 5
    three_old, three_new = y_old < 3, (y_new >= 6) & (y_new <= 8)
    return [
        # the ten digits, 700 examples -> "is it 5 or more", 50 examples (K = 2)
        (old[:700], y_old[:700], new[:50], (y_new[:50] >= 5).astype(int), 3),
        # the digits 5-9 -> the digits 0-4, 35 examples (K = 5)
        (old[high_old][:450], y_old[high_old][:450] - 5, new[low_new][:35], y_new[low_new][:35],
         4),
        # the digits 0-2 -> the digits 6-8 relabelled 0-2, 24 examples (K = 3)
        (old[three_old][:300], y_old[three_old][:300], new[three_new][:24],
         y_new[three_new][:24] - 6, 5),
    ]  # fmt: skip


WEIGHT_NAMES = ("kernel 1", "bias 1", "kernel 2", "bias 2", "head kernel", "head bias")


def _six_arrays(received, what):
    arrays = list(received) if isinstance(received, tuple | list) else None
    assert arrays is not None and len(arrays) == 6, (
        f"{what}: expected model.get_weights() of the new model, a list of six arrays"
    )
    return arrays


@points(2)
def test_fine_tune_leaves_the_trunk_as_it_was_and_adds_a_new_head(fine_tune):
    tasks = _transfer_tasks()
    for number, (X_old, y_old, X_new, y_new, seed) in enumerate(tasks, 1):
        what = f"fine_tune, transfer task {number} of {len(tasks)}"
        received = _six_arrays(fine_tune(X_old, y_old, X_new, y_new, seed), what)
        trunk = tuple(train_base(X_old, y_old, seed).get_weights()[:4])
        frozen = f"{what}: the trunk after fit (trainable = False on its layers, before compile)"
        assert_close(tuple(received[:4]), trunk, frozen, rtol=1e-6, atol=1e-7,
                     names=WEIGHT_NAMES[:4])  # fmt: skip
        k = int(y_new.max()) + 1
        shapes = [np.shape(received[4]), np.shape(received[5])]
        assert shapes == [(32, k), (k,)], (
            f"{what}: the head's kernel and bias must have the shapes [32, K] and [K], with K "
            "the number of classes of the new task"
        )


@points(2)
def test_fine_tune_trains_the_new_head(fine_tune):
    tasks = _transfer_tasks()
    for number, task in enumerate(tasks, 1):
        what = f"fine_tune, transfer task {number} of {len(tasks)}"
        received = tuple(_six_arrays(fine_tune(*task), what))
        head_moved = np.size(received[4]) > 0 and np.any(np.asarray(received[4]) != 0)
        assert head_moved, f"{what}: the head's kernel is still all zeros: the head did not train"
        assert_close(received, reference_fine_tune(*task), what, rtol=1e-5, atol=1e-6,
                     names=WEIGHT_NAMES)  # fmt: skip
