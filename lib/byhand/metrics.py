"""Classification metrics: accuracy, precision, recall, F1 and the confusion matrix.

Every metric takes `(y_true, y_pred)` for N examples and K classes, in any of the forms a
model produces; they are first turned into class labels [N]:

    labels        ints (or whole floats) [N] or [N, 1]  used as they are
    one-hot or    [N, K] with K >= 2                     argmax over the last axis
    probabilities
    probability   floats in [0, 1], [N] or [N, 1]        1 if p > 0.5 else 0 (Keras's
    of class 1                                           threshold for binary accuracy)

With TP, FP, FN the true positives, false positives and false negatives of a class:

    precision P = TP / (TP + FP)     of the examples predicted positive, the share that are
    recall    R = TP / (TP + FN)     of the positive examples, the share that were found
    F1          = 2 / (1/P + 1/R) = 2PR / (P + R)   (the harmonic mean of P and R)

Zero division: a ratio whose denominator is 0 (no example predicted positive, no
positive example, or P = R = 0) is 0.0, without a warning.
"""

from __future__ import annotations

import numpy as np

from byhand.checks import check_int

AVERAGES = ("binary", "macro", None)


def to_labels(y, name="y"):
    """Class labels [N] (int64) from labels, one-hot rows or probabilities (see above)."""
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":  # bool, int, unsigned, float
        raise TypeError(
            f"{name}: expected numbers (class indices, one-hot rows or probabilities), "
            f"got dtype {y.dtype}"
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim not in (1, 2):
        raise ValueError(f"{name}: expected labels [N] or scores [N, K], got shape {y.shape}")
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError(f"{name}: scores [N, K] need K >= 1 columns, got shape {y.shape}")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{name}: contains NaN or infinity")
    if y.ndim == 2:
        return np.argmax(y, axis=1)
    if y.dtype.kind != "f":
        return y.astype(np.int64)
    if np.all(y == np.round(y)):
        return y.astype(np.int64)
    if y.min() < 0 or y.max() > 1:
        raise ValueError(
            f"{name}: expected class labels (whole numbers) or probabilities in [0, 1], "
            f"got values from {y.min()} to {y.max()}"
        )
    return (y > 0.5).astype(np.int64)


def accuracy(y_true, y_pred):
    """The fraction of examples whose predicted class is the true class.

    y_true, y_pred : labels [N], one-hot/probabilities [N, K], or probabilities [N]
    Returns a float in [0, 1].
    """
    t, p = _label_pair("accuracy", y_true, y_pred)
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, num_classes=None):
    """Count each (true class, predicted class) pair.

    y_true, y_pred : labels [N] (or one-hot/probabilities, see the module docstring)
    num_classes : K, or None for 1 + the largest label in either

    Returns an int64 array cm [K, K]: cm[i, j] is the number of examples of true class i
    predicted as class j. Rows are true classes, columns predicted ones (scikit-learn's
    layout), so the diagonal holds the correct predictions and cm.sum() = N.
    """
    if num_classes is not None:
        num_classes = check_int("confusion_matrix", "num_classes", num_classes, 1)
    t, p = _label_pair("confusion_matrix", y_true, y_pred)
    k = int(max(t.max(), p.max())) + 1 if num_classes is None else int(num_classes)
    if t.min() < 0 or p.min() < 0 or max(t.max(), p.max()) >= k:
        raise ValueError(
            f"confusion_matrix: labels must lie in 0..{k - 1}, got y_true in "
            f"{t.min()}..{t.max()} and y_pred in {p.min()}..{p.max()}"
        )
    # Pair (i, j) gets the number i * K + j; counting those numbers fills the matrix.
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def precision(y_true, y_pred, average="binary"):
    """Precision P = TP / (TP + FP), the share of positive predictions that are right.

    average : "binary" (class 1 is the positive class; labels must be 0 or 1),
        "macro" (the mean of each class's precision, over the classes that occur in
        y_true or y_pred), or None (the precision of every class, an array [K]).
    Returns a float (or [K] for average=None); 0.0 where TP + FP = 0.
    """
    tp, predicted, actual = _counts("precision", y_true, y_pred, average)
    return _average(_divide(tp, predicted), predicted + actual, average)


def recall(y_true, y_pred, average="binary"):
    """Recall R = TP / (TP + FN), the share of positive examples that are found.

    `average` as in `precision`. Returns a float (or [K]); 0.0 where TP + FN = 0.
    """
    tp, predicted, actual = _counts("recall", y_true, y_pred, average)
    return _average(_divide(tp, actual), predicted + actual, average)


def f1_score(y_true, y_pred, average="binary"):
    """F1 = 2 / (1/P + 1/R) = 2PR / (P + R), the harmonic mean of precision and recall.

    The second form is the one computed: it needs no 1/0 when P or R is 0.
    `average` as in `precision`; "macro" averages each class's F1 (scikit-learn's
    definition), which is not the F1 of the macro precision and recall.
    Returns a float (or [K]); 0.0 where P + R = 0.
    """
    tp, predicted, actual = _counts("f1_score", y_true, y_pred, average)
    p, r = _divide(tp, predicted), _divide(tp, actual)  # [K], [K]
    return _average(_divide(2 * p * r, p + r), predicted + actual, average)


# The metrics by name, for `get` (and for `metrics=["accuracy"]` in a model).
METRICS = {
    "accuracy": accuracy,
    "precision": precision,
    "recall": recall,
    "f1_score": f1_score,
}


def get(identifier):
    """The metric function named `identifier` (any letter case), or a callable as is."""
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str):
        raise TypeError(
            f"metrics.get: expected a metric name (a str) or a function, got "
            f"{type(identifier).__name__} {identifier!r}"
        )
    key = identifier.lower()
    if key not in METRICS:
        raise ValueError(
            f"metrics.get: unknown metric {identifier!r}; expected one of {', '.join(METRICS)}"
        )
    return METRICS[key]


def _counts(name, y_true, y_pred, average):
    """TP, TP + FP and TP + FN of every class, each [K], from the confusion matrix."""
    if average not in AVERAGES:
        raise ValueError(f"{name}: average must be one of {AVERAGES}, got {average!r}")
    t, p = _label_pair(name, y_true, y_pred)
    if average == "binary" and not np.all(np.isin(t, (0, 1)) & np.isin(p, (0, 1))):
        raise ValueError(
            f"{name}: average='binary' needs labels 0 and 1, got classes "
            f"{np.union1d(t, p).tolist()}; use average='macro' for more than two classes"
        )
    cm = confusion_matrix(t, p, num_classes=2 if average == "binary" else None)
    tp = np.diag(cm).astype(np.float64)  # correct predictions of each class
    return tp, cm.sum(axis=0), cm.sum(axis=1)  # column sums: TP + FP; row sums: TP + FN


def _average(scores, seen, average):
    """Class 1's score (binary), the mean over classes seen at least once (macro), or all."""
    if average == "binary":
        return float(scores[1])
    if average == "macro":
        return float(scores[seen > 0].mean())
    return scores


def _divide(a, b):
    """a / b elementwise, with 0.0 where b == 0 (and no warning)."""
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b != 0)


def _label_pair(name, y_true, y_pred):
    """Both arguments as labels [N], checking that they describe the same N examples."""
    t, p = to_labels(y_true, f"{name}: y_true"), to_labels(y_pred, f"{name}: y_pred")
    if t.shape != p.shape or len(t) == 0:
        raise ValueError(
            f"{name}: y_true and y_pred must describe the same N >= 1 examples, got shapes "
            f"{np.shape(y_true)} and {np.shape(y_pred)}"
        )
    return t, p
