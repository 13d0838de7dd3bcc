"""The Chapter 10 exercise set, "The capstone" (exercises/10_capstone): cases, check.

The notebook imports this set's own `check`: `from byhand.exercises.capstone import check`.
The functions to write, for K classes:

    precision_recall_f1(cm [K, K]) -> (precision [K], recall [K], f1 [K])
                    cm[i, j] counts the examples of true class i predicted as j (rows are
                    true classes, as in byhand.metrics.confusion_matrix and scikit-learn):
                    P = TP / (TP + FP), the diagonal over the column sums; R = TP / (TP + FN),
                    the diagonal over the row sums; F1 = 2 / (1/P + 1/R) = 2PR / (P + R);
                    a ratio whose denominator is 0 is 0 (the convention of Keras and of
                    scikit-learn's zero_division=0)
    macro_average(cm [K, K]) -> (precision, recall, f1)
                    the mean over the K classes of each class's P, R and F1 (scikit-learn's
                    average="macro": the macro F1 is the mean of the F1s)
    bias_variance(human_error, train_error, dev_error) -> (avoidable_bias, variance, advice)
                    avoidable bias = train − human, variance = dev − train; advice is
                    BIGGER_MODEL when the avoidable bias is the larger, else MORE_DATA
    predict_digits(X_train, y_train, X_dev, y_dev, X_new, seed) -> labels [N_new]
                    a classifier built and trained with the engine on 8x8 digits (pixels
                    0..16); it must classify at least TARGET_ACCURACY of unseen digits right
    fine_tune(X_old, y_old, X_new, y_new, seed) -> the new model's get_weights(), 6 arrays
                    transfer learning: the trunk of train_base(X_old, y_old, seed) frozen and
                    shared, a new zero-initialized softmax head trained on (X_new, y_new)

`check("predict_digits", predict_digits)` also trains the student's classifier on the public
split and reports its dev accuracy; `check("fine_tune", fine_tune)` explains the engine's
error when compile is given the trained model's optimizer. `train_base` trains the model
whose trunk fine_tune reuses; the notebook and the hidden tests share it.
"""

from __future__ import annotations

import time

import numpy as np

from byhand.exercises.cases import Case, Exercise, Mistake
from byhand.exercises.checking import check_exercise, find, report
from byhand.exercises.feedback import hint, hint_lines

BIGGER_MODEL = "bigger model or longer training"  # the advice against avoidable bias
MORE_DATA = "more data or regularization"  # the advice against variance
TARGET_ACCURACY = 0.94  # predict_digits: the share of unseen digits it must get right
TRANSFER = {"learning_rate": 0.05, "epochs": 30}  # fine_tune's Adam and epochs

# --- Reference functions: the expected values of the cases and of the hidden tests ---------


def _ratio(a, b):
    """a / b entry by entry, 0.0 where b == 0 (no warning)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def reference_precision_recall_f1(cm):
    """Each class's precision, recall and F1 from a confusion matrix [K, K] (rows true)."""
    cm = np.asarray(cm, dtype=float)
    tp = np.diag(cm)  # [K]
    precision = _ratio(tp, cm.sum(axis=0))  # column j: every example predicted as j
    recall = _ratio(tp, cm.sum(axis=1))  # row i: every example of class i
    return precision, recall, _ratio(2 * precision * recall, precision + recall)


def reference_macro_average(cm):
    """The mean over the K classes of each class's precision, recall and F1."""
    return tuple(float(np.mean(score)) for score in reference_precision_recall_f1(cm))


def reference_bias_variance(human_error, train_error, dev_error):
    """(train − human, dev − train, the advice against the larger of the two)."""
    bias, variance = train_error - human_error, dev_error - train_error
    return bias, variance, BIGGER_MODEL if bias > variance else MORE_DATA


def train_base(X, y, seed):
    """The old task's model, trained: what fine_tune reuses. X [N, 64] (pixels in [0, 1]).

    Input(64) → Dense(64, relu) → Dense(32, relu) → Dense(K, softmax), K = y.max() + 1, He
    initialization, seeded by `seed`; Adam(0.01) and the sparse cross-entropy, 10 epochs in
    batches of 32. Its first two Dense layers are the trunk, the last one the head.
    """
    from byhand import Input, Sequential  # here, so that importing the cases stays light
    from byhand.layers import Dense
    from byhand.optimizers import Adam

    model = Sequential(
        [
            Input((np.shape(X)[1],)),
            Dense(64, activation="relu", kernel_initializer="he_normal"),
            Dense(32, activation="relu", kernel_initializer="he_normal"),
            Dense(int(np.max(y)) + 1, activation="softmax"),
        ],
        seed=seed,
    )
    model.compile(
        optimizer=Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(X, y, epochs=10, batch_size=32, verbose=0)
    return model


def _fine_tune(X_old, y_old, X_new, y_new, seed, freeze="before", head="new", learning_rate=None):
    """fine_tune as the exercise asks, or with one of the mistakes the arguments name.

    freeze: "before" compile (right), "after" compile (too late: the trunk trains) or
    "everything" (model.trainable = False: the head is frozen too); head: "new" or "old"
    (the old task's head trained further); learning_rate: None for the exercise's.
    """
    from byhand import Input, Model
    from byhand.layers import Dense
    from byhand.optimizers import Adam

    trained = train_base(X_old, y_old, seed)
    trunk = trained.layers[:-1]
    if freeze == "before":
        for layer in trunk:
            layer.trainable = False
    if head == "old":
        model = trained
    else:
        inputs = Input((np.shape(X_new)[1],))
        features = inputs
        for layer in trunk:
            features = layer(features)
        units = int(np.max(y_new)) + 1
        outputs = Dense(units, activation="softmax", kernel_initializer="zeros")(features)
        model = Model(inputs, outputs)
    if freeze == "everything":
        model.trainable = False
    rate = learning_rate or TRANSFER["learning_rate"]
    model.compile(optimizer=Adam(rate), loss="sparse_categorical_crossentropy")
    if freeze == "after":
        for layer in trunk:
            layer.trainable = False
    model.fit(X_new, y_new, epochs=TRANSFER["epochs"], batch_size=len(X_new), verbose=0)
    return tuple(model.get_weights())


def reference_fine_tune(X_old, y_old, X_new, y_new, seed):
    """The new model's weights after fine-tuning: the trunk unchanged, the new head trained."""
    return _fine_tune(X_old, y_old, X_new, y_new, seed)


# --- Public data: the digits, split once for everyone --------------------------------------


def public_split():
    """(X_train [1000, 64], y_train, X_dev [400, 64], y_dev): load_digits, shuffled, split.

    Pixels as load_digits gives them, 0..16. The grader's hidden tests split the digits
    another way and keep some back: predict_digits never sees those.
    """
    from byhand.datasets import load_digits

    X, y = load_digits()
    order = np.random.default_rng(10).permutation(len(X))
    train, dev = order[:1000], order[1000:1400]
    return X[train], y[train], X[dev], y[dev]


def class_means(X, y):
    """The mean image of each class 0..K−1 of (X, y): [K, D]."""
    return np.stack([X[y == k].mean(axis=0) for k in range(int(np.max(y)) + 1)])


def transfer_tasks():
    """The public cases' two transfer tasks, as (X_old, y_old, X_new, y_new, seed).

    Pixels scaled to [0, 1]. Task 1: the old model tells the ten digits apart (600
    examples); the new task, with 40 examples, is whether a digit is odd (1) or even (0).
    Task 2: the old model knows the digits 0-4 (400 examples); the new task is the digits
    5-9, relabelled 0-4, from 30 examples.
    """
    X_train, y_train, X_dev, y_dev = public_split()
    X_train, X_dev = X_train / 16, X_dev / 16
    low, high = y_train < 5, y_dev >= 5
    return (
        (X_train[:600], y_train[:600], X_dev[:40], y_dev[:40] % 2, 0),
        (X_train[low][:400], y_train[low][:400], X_dev[high][:30], y_dev[high][:30] - 5, 1),
    )


# --- precision_recall_f1 -------------------------------------------------------------------

SWAPPED_HINT = (
    "precision and recall are swapped: in cm, rows are the true classes and columns the "
    "predicted ones (as byhand.metrics.confusion_matrix lays it out). Precision divides TP by "
    "its COLUMN sum (every example predicted as the class, TP + FP), recall by its ROW sum "
    "(every example of the class, TP + FN)"
)
ZERO_OVER_ZERO_HINT = (
    "a class that is never predicted has TP + FP = 0, so its precision is 0/0. The "
    "convention (Keras, and scikit-learn's zero_division=0) makes it 0, not 1: a classifier "
    "that never predicts a class has found none of its examples"
)

_BINARY = np.array([[50, 10], [5, 35]])
_THREE = np.array([[8, 2, 0], [1, 6, 3], [1, 0, 9]])
_NEVER = np.array([[5, 0, 1], [3, 0, 1], [0, 0, 4]])  # class 1 is never predicted
_RARE = np.array([[90, 0], [8, 2]])  # class 1 is rare and mostly missed


def _arithmetic_f1(cm):
    p, r, _ = reference_precision_recall_f1(cm)
    return p, r, (p + r) / 2


def _zero_over_zero_as_one(cm):
    p, r, f1 = reference_precision_recall_f1(cm)
    return np.where(np.asarray(cm).sum(axis=0) == 0, 1.0, p), r, f1


PRECISION_RECALL_F1 = Exercise(
    "precision_recall_f1",
    ("cm",),
    (
        # column sums (predicted) 55, 45; row sums (true) 60, 40; F1 = 2 TP / (row + column):
        # P = (50/55, 35/45) = (0.909091, 0.777778), R = (50/60, 35/40) = (0.833333, 0.875),
        # F1 = (100/115, 70/85) = (0.869565, 0.823529)
        Case(
            (_BINARY,),
            (
                np.array([50 / 55, 35 / 45]),
                np.array([50 / 60, 35 / 40]),
                np.array([100 / 115, 70 / 85]),
            ),
            "two classes",
        ),
        # column sums 10, 8, 12; row sums 10, 10, 10: P = (0.8, 0.75, 0.75),
        # R = (0.8, 0.6, 0.9), F1 = (16/20, 12/18, 18/22) = (0.8, 0.666667, 0.818182)
        Case(
            (_THREE,),
            (
                np.array([0.8, 0.75, 0.75]),
                np.array([0.8, 0.6, 0.9]),
                np.array([0.8, 12 / 18, 18 / 22]),
            ),
            "three classes",
        ),
        # column sums 8, 0, 6 (class 1 never predicted: P = 0/0, taken as 0); row sums 6, 4,
        # 4: P = (5/8, 0, 4/6) = (0.625, 0, 0.666667), R = (5/6, 0/4, 4/4) = (0.833333, 0,
        # 1); F1 = (10/14, 0, 8/10) = (0.714286, 0, 0.8), class 1's 2PR/(P + R) = 0/0 = 0
        Case(
            (_NEVER,),
            (
                np.array([5 / 8, 0.0, 4 / 6]),
                np.array([5 / 6, 0.0, 1.0]),
                np.array([10 / 14, 0.0, 0.8]),
            ),
            "class 1 is never predicted: its precision 0/0 counts as 0",
        ),
        # column sums 98, 2; row sums 90, 10: P = (90/98, 2/2) = (0.918367, 1),
        # R = (90/90, 2/10) = (1, 0.2), F1 = (180/188, 4/12) = (0.957447, 0.333333)
        Case(
            (_RARE,),
            (np.array([90 / 98, 1.0]), np.array([1.0, 0.2]), np.array([180 / 188, 4 / 12])),
            "a rare class, mostly missed",
        ),
    ),
    returns=("precision", "recall", "f1"),
    mistakes=(
        Mistake(
            "swapped",
            SWAPPED_HINT,
            lambda cm: tuple(reference_precision_recall_f1(np.asarray(cm).T)),
        ),
        Mistake(
            "arithmetic mean",
            "F1 is the HARMONIC mean of precision and recall, 2 / (1/P + 1/R) = 2PR / (P + R), "
            "not their arithmetic mean (P + R) / 2: the harmonic mean stays low when either one "
            "is low",
            _arithmetic_f1,
        ),
        Mistake("0/0 as 1", ZERO_OVER_ZERO_HINT, _zero_over_zero_as_one),
    ),
)

# --- macro_average -------------------------------------------------------------------------


def _micro(cm):
    accuracy = float(np.trace(cm) / np.sum(cm))
    return accuracy, accuracy, accuracy


def _f1_of_the_averages(cm):
    p, r, _ = reference_macro_average(cm)
    return p, r, 2 * p * r / (p + r)


def _weighted(cm):
    support = np.asarray(cm).sum(axis=1)  # examples of each true class
    return tuple(
        float(np.sum(support * score) / np.sum(support))
        for score in reference_precision_recall_f1(cm)
    )


def _nanmean(cm):
    p, r, f1 = reference_precision_recall_f1(cm)
    never = np.asarray(cm).sum(axis=0) == 0  # undefined precision, left out by np.nanmean
    return float(np.mean(p[~never])), float(np.mean(r)), float(np.mean(f1[~never]))


MACRO_AVERAGE = Exercise(
    "macro_average",
    ("cm",),
    (
        # the per-class scores of the same two-class cm: P = (0.909091 + 0.777778) / 2 =
        # 0.843434, R = (0.833333 + 0.875) / 2 = 0.854167, F1 = (0.869565 + 0.823529) / 2 =
        # 0.846547 (accuracy, the micro average, is 85/100 = 0.85)
        Case(
            (_BINARY,),
            ((50 / 55 + 35 / 45) / 2, (50 / 60 + 35 / 40) / 2, (100 / 115 + 70 / 85) / 2),
            "two classes",
        ),
        # P = (0.8 + 0.75 + 0.75) / 3 = 0.766667, R = (0.8 + 0.6 + 0.9) / 3 = 0.766667,
        # F1 = (0.8 + 0.666667 + 0.818182) / 3 = 0.761616
        Case(
            (_THREE,),
            (2.3 / 3, 2.3 / 3, (0.8 + 12 / 18 + 18 / 22) / 3),
            "three classes",
        ),
        # class 1 never predicted counts with P = F1 = 0: P = (0.625 + 0 + 0.666667) / 3 =
        # 0.430556, R = (0.833333 + 0 + 1) / 3 = 0.611111, F1 = (0.714286 + 0 + 0.8) / 3 =
        # 0.504762
        Case(
            (_NEVER,),
            ((5 / 8 + 4 / 6) / 3, (5 / 6 + 1) / 3, (10 / 14 + 0.8) / 3),
            "class 1 is never predicted: it counts, with precision 0",
        ),
        # P = (0.918367 + 1) / 2 = 0.959184, R = (1 + 0.2) / 2 = 0.6, F1 = (0.957447 +
        # 0.333333) / 2 = 0.645390, far below the accuracy 92/100: the rare class counts
        # as much as the common one
        Case(
            (_RARE,),
            ((90 / 98 + 1) / 2, 0.6, (180 / 188 + 4 / 12) / 2),
            "a rare class, mostly missed",
        ),
    ),
    returns=("precision", "recall", "f1"),
    mistakes=(
        Mistake(
            "micro",
            "these are micro averages: TP, FP and FN summed over the classes first, which for "
            "one label per example gives the accuracy three times. The MACRO average is the "
            "plain mean over the K classes of each class's score, so that a rare class counts "
            "as much as a common one",
            _micro,
        ),
        Mistake(
            "F1 of the averages",
            "the macro F1 is the mean of the K per-class F1 scores (scikit-learn's "
            "average='macro'), not the harmonic mean of the macro precision and the macro "
            "recall",
            _f1_of_the_averages,
        ),
        Mistake(
            "weighted",
            "each class was weighted by its number of examples (scikit-learn's "
            "average='weighted'); the macro average gives every class the same weight, 1/K",
            _weighted,
        ),
        Mistake(
            "nanmean",
            "a class that is never predicted was left out of the average (np.nanmean skips "
            "its 0/0). Its precision and F1 are 0 by convention, and it counts as one of the "
            "K classes",
            _nanmean,
        ),
    ),
)

# --- bias_variance -------------------------------------------------------------------------

REVERSED_HINT = (
    "the advice is reversed. A large avoidable bias means the model cannot even fit its "
    "training set as well as people do: more data will not help, a bigger model or longer "
    "training will. A large variance means it fits the training set but does not generalize: "
    "more data or regularization helps"
)

BIAS_VARIANCE = Exercise(
    "bias_variance",
    ("human_error", "train_error", "dev_error"),
    (
        # bias 0.08 − 0.01 = 0.07 > variance 0.10 − 0.08 = 0.02
        Case((0.01, 0.08, 0.10), (0.07, 0.02, BIGGER_MODEL), "avoidable bias is the larger"),
        # bias 0.02 − 0.01 = 0.01 < variance 0.10 − 0.02 = 0.08
        Case((0.01, 0.02, 0.10), (0.01, 0.08, MORE_DATA), "variance is the larger"),
        # the same train and dev errors as the first case, but people err 7.5 % of the time:
        # bias 0.08 − 0.075 = 0.005 < variance 0.02; the advice changes
        Case((0.075, 0.08, 0.10), (0.005, 0.02, MORE_DATA), "human-level error 7.5 %"),
        # human-level error 0: bias 0.15 > variance 0.16 − 0.15 = 0.01
        Case((0.0, 0.15, 0.16), (0.15, 0.01, BIGGER_MODEL), "human-level error 0"),
    ),
    returns=("avoidable_bias", "variance", "advice"),
    mistakes=(
        Mistake(
            "no human level",
            "the avoidable bias is train error − human-level error: the human-level error "
            "stands for the best error reachable (the Bayes error), and only the part of the "
            "training error above it can be removed",
            lambda h, t, d: (t, d - t, BIGGER_MODEL if t > d - t else MORE_DATA),
        ),
        Mistake(
            "bias from dev",
            "the avoidable bias compares the TRAINING error with the human-level error "
            "(train − human); the dev error enters the variance only (dev − train)",
            lambda h, t, d: (d - h, d - t, BIGGER_MODEL if d - h > d - t else MORE_DATA),
        ),
        Mistake(
            "variance from human",
            "the variance is dev error − TRAINING error, the gap between data the model "
            "learned from and data it did not; dev − human mixes bias and variance",
            lambda h, t, d: (t - h, d - h, BIGGER_MODEL if t - h > d - h else MORE_DATA),
        ),
        Mistake(
            "advice reversed",
            REVERSED_HINT,
            lambda h, t, d: (t - h, d - t, MORE_DATA if t - h > d - t else BIGGER_MODEL),
        ),
        Mistake(
            "swapped",
            "the two numbers are in the wrong order: return (avoidable_bias, variance, "
            "advice), the avoidable bias (train − human) first",
            lambda h, t, d: (d - t, t - h, BIGGER_MODEL if t - h > d - t else MORE_DATA),
        ),
    ),
)

# --- predict_digits ------------------------------------------------------------------------

_X_TRAIN, _Y_TRAIN, _X_DEV, _Y_DEV = public_split()

PREDICT_DIGITS = Exercise(
    "predict_digits",
    ("X_train", "y_train", "X_dev", "y_dev", "X_new", "seed"),
    (
        # a classifier that gets 94 % of new digits right classifies the average image of
        # each digit (in the training set) as that digit
        Case(
            (_X_TRAIN, _Y_TRAIN, _X_DEV, _Y_DEV, class_means(_X_TRAIN, _Y_TRAIN), 0),
            np.arange(10),
            "X_new holds the mean image of each digit 0-9 of X_train",
        ),
    ),
)

LOW_ACCURACY_HINT = (
    "scale the pixels (0..16) to [0, 1] or standardize them with the training set's mean and "
    "standard deviation, use He initialization for relu layers, train for enough epochs "
    "(watch the dev loss, or stop early on it and restore the best weights), and predict "
    "the class of largest probability, np.argmax(..., axis=1)"
)
SLOW_HINT = (
    "the grader stops a call after 10 s, on a machine that may be slower than this one: a "
    "smaller model, fewer epochs or larger batches bring the time down"
)


def dev_accuracy_report(predict_digits, split=None):
    """What check adds for predict_digits: its dev accuracy on the public split, and time."""
    X_train, y_train, X_dev, y_dev = split or public_split()
    start = time.perf_counter()
    try:
        labels = predict_digits(X_train, y_train, X_dev, y_dev, X_dev.copy(), 0)
    except Exception as error:  # noqa: BLE001  (the public case has reported it already)
        return f"predict_digits: on the dev set it raised {type(error).__name__}: {error}"
    seconds = time.perf_counter() - start
    labels = np.asarray(labels)
    if labels.shape != y_dev.shape:
        return f"predict_digits: on the dev set it returned shape {labels.shape}, not {y_dev.shape}"
    right = int(np.sum(labels == y_dev))
    accuracy = right / len(y_dev)
    lines = [
        f"predict_digits: dev accuracy {accuracy:.4f} ({right} of {len(y_dev)}), "
        f"{TARGET_ACCURACY:.2f} needed: "
        + ("reached" if accuracy >= TARGET_ACCURACY else "NOT reached"),
        f"  training and prediction took {seconds:.1f} s",
    ]
    if accuracy < TARGET_ACCURACY:
        lines += ["  " + line for line in hint_lines(LOW_ACCURACY_HINT)]
    if seconds > 3:
        lines += ["  " + line for line in hint_lines(SLOW_HINT)]
    return "\n".join(lines)


# --- fine_tune -----------------------------------------------------------------------------

_TASKS = transfer_tasks()

FINE_TUNE = Exercise(
    "fine_tune",
    ("X_old", "y_old", "X_new", "y_new", "seed"),
    (
        # The expected weights are reference_fine_tune's: the first four are train_base's
        # trunk, unchanged; the head [32, 2] and [2] is trained from zeros
        Case(
            _TASKS[0],
            reference_fine_tune(*_TASKS[0]),
            "new task: odd or even, 40 examples",
            rtol=1e-5,
            atol=1e-6,
            source="the expected weights come from the course's own fine_tune",
        ),
        # the same with the head [32, 5], [5]: digits 0-4 to digits 5-9
        Case(
            _TASKS[1],
            reference_fine_tune(*_TASKS[1]),
            "digits 0-4 to digits 5-9, 30 examples",
            rtol=1e-5,
            atol=1e-6,
            source="the expected weights come from the course's own fine_tune",
        ),
    ),
    returns=("kernel 1", "bias 1", "kernel 2", "bias 2", "head kernel", "head bias"),
    mistakes=(
        Mistake(
            "trunk trains",
            "the trunk's weights changed during fit; they must stay as train_base left them. "
            "Set trainable = False on each trunk layer BEFORE compile: compile fixes which "
            "weights train, so a layer frozen after compile goes on training until the next "
            "compile",
            lambda *task: _fine_tune(*task, freeze="after"),
        ),
        Mistake(
            "head frozen",
            "the head did not train: its weights are still the zeros it started from. "
            "model.trainable = False freezes every layer of the model, the new head too; "
            "freeze the trunk's layers only (trained.layers[:-1])",
            lambda *task: _fine_tune(*task, freeze="everything"),
        ),
        Mistake(
            "old head",
            "the last layer is the old task's head, trained further. Transfer learning keeps "
            "the trunk and puts a NEW head on it, Dense(K, activation='softmax', "
            "kernel_initializer='zeros'), with K the number of classes of the new task",
            lambda *task: _fine_tune(*task, head="old"),
        ),
        Mistake(
            "default rate",
            "the head trained with Adam's default learning rate, 0.001 (optimizer='adam' "
            "gives it); the exercise asks for Adam(learning_rate=0.05)",
            lambda *task: _fine_tune(*task, learning_rate=0.001),
        ),
    ),
)

NEW_OPTIMIZER_ERROR = "give compile a new optimizer"  # the engine's words (byhand.training)
NEW_OPTIMIZER_HINT = (
    "compile needs a NEW optimizer: trained.optimizer has trained the old model's weights "
    "and keeps state shaped for them (Adam's m and v); make a fresh Adam(learning_rate=0.05) "
    "for the new model"
)


def with_optimizer_hint(text):
    """`text` (what report prints) with the hint for the engine's old-optimizer error."""
    if NEW_OPTIMIZER_ERROR not in text:
        return text
    generic = "\n".join("  " + line for line in hint_lines(hint("shapes and types")))
    ours = "\n".join("  " + line for line in hint_lines(NEW_OPTIMIZER_HINT))
    return text.replace(generic, ours) if generic in text else text + "\n" + ours


EXERCISES = (PRECISION_RECALL_F1, MACRO_AVERAGE, BIAS_VARIANCE, PREDICT_DIGITS, FINE_TUNE)


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("macro_average", macro_average)` prints "macro_average: all 4 public cases pass",
    or the first case that fails, with a hint. For predict_digits it then trains the
    classifier on the public split and prints its dev accuracy; for fine_tune it explains the
    engine's error about a used optimizer. It returns None. See `byhand.exercises.checking`.
    """
    exercise = find(EXERCISES, name)
    if not (exercise is PREDICT_DIGITS or exercise is FINE_TUNE) or not callable(function):
        check_exercise(EXERCISES, name, function)  # refuses what is not a function
        return
    text = report(exercise, function)
    if exercise is FINE_TUNE:
        text = with_optimizer_hint(text)
    print(text)
    if exercise is PREDICT_DIGITS and text.endswith("public cases pass"):
        print(dev_accuracy_report(function))
