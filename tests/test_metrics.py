"""Tests for byhand.metrics: hand-worked examples, scikit-learn where importable, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from byhand import metrics
from byhand.metrics import (
    accuracy,
    confusion_matrix,
    f1_score,
    get,
    precision,
    recall,
    to_labels,
)

try:  # scikit-learn is optional: the comparisons below skip without it
    import sklearn.metrics as skm
except ImportError:
    skm = None

needs_sklearn = pytest.mark.skipif(skm is None, reason="scikit-learn is not installed")
# sklearn warns when a random case happens to contain a single class; that is fine here.
quiet_sklearn = pytest.mark.filterwarnings("ignore::UserWarning:sklearn")

# A binary example worked by hand. Ten examples, five of them positive:
#   index   0  1  2  3  4  5  6  7  8  9
#   y_true  1  1  1  1  1  0  0  0  0  0
#   y_pred  1  1  0  0  0  1  0  0  0  0
# TP = 2 (0, 1), FN = 3 (2, 3, 4), FP = 1 (5), TN = 4 (6..9).
Y_TRUE = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
Y_PRED = np.array([1, 1, 0, 0, 0, 1, 0, 0, 0, 0])


def test_binary_by_hand():
    # accuracy = (TP + TN) / N = (2 + 4) / 10 = 0.6
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(0.6)
    # P = TP / (TP + FP) = 2 / 3 = 0.6667
    assert precision(Y_TRUE, Y_PRED) == pytest.approx(2 / 3)
    # R = TP / (TP + FN) = 2 / 5 = 0.4
    assert recall(Y_TRUE, Y_PRED) == pytest.approx(0.4)
    # F1 = 2 / (1/P + 1/R) = 2 / (1.5 + 2.5) = 0.5
    assert f1_score(Y_TRUE, Y_PRED) == pytest.approx(0.5)
    # Rows true, columns predicted: [[TN, FP], [FN, TP]].
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED), [[4, 1], [3, 2]])


def test_f1_of_p_08_and_r_05():
    # Eight positives and four negatives, chosen so that P = 0.8 and R = 0.5:
    # TP = 4, FP = 1 (P = 4 / 5 = 0.8), FN = 4 (R = 4 / 8 = 0.5), TN = 3.
    y_true = [1] * 4 + [0] + [1] * 4 + [0] * 3
    y_pred = [1] * 4 + [1] + [0] * 4 + [0] * 3
    assert precision(y_true, y_pred) == pytest.approx(0.8)
    assert recall(y_true, y_pred) == pytest.approx(0.5)
    # F1 = 2 / (1/0.8 + 1/0.5) = 2 / (1.25 + 2) = 2 / 3.25 = 0.6154
    assert f1_score(y_true, y_pred) == pytest.approx(0.6154, abs=1e-4)


def test_multiclass_by_hand():
    # Three classes, seven examples:
    #   y_true  0 0 0 1 1 2 2
    #   y_pred  0 0 1 1 2 2 0
    y_true = [0, 0, 0, 1, 1, 2, 2]
    y_pred = [0, 0, 1, 1, 2, 2, 0]
    cm = confusion_matrix(y_true, y_pred)
    # Row i counts the examples of true class i by predicted class.
    np.testing.assert_array_equal(cm, [[2, 1, 0], [0, 1, 1], [1, 0, 1]])
    # Precision per class = diagonal / column sum = 2/3, 1/2, 1/2.
    np.testing.assert_allclose(precision(y_true, y_pred, average=None), [2 / 3, 1 / 2, 1 / 2])
    # Recall per class = diagonal / row sum = 2/3, 1/2, 1/2.
    np.testing.assert_allclose(recall(y_true, y_pred, average=None), [2 / 3, 1 / 2, 1 / 2])
    # Macro precision = (2/3 + 1/2 + 1/2) / 3 = 5/9 = 0.5556.
    assert precision(y_true, y_pred, average="macro") == pytest.approx(5 / 9)
    # F1 per class equals P = R here: 2/3, 1/2, 1/2; macro F1 = 5/9 too.
    assert f1_score(y_true, y_pred, average="macro") == pytest.approx(5 / 9)
    # accuracy = trace / N = (2 + 1 + 1) / 7
    assert accuracy(y_true, y_pred) == pytest.approx(4 / 7)


def test_zero_division_is_zero_without_warning(recwarn):
    # Nothing predicted positive: TP + FP = 0, so P = 0.0 (and then F1 = 0.0).
    assert precision([1, 0, 1], [0, 0, 0]) == 0.0
    assert f1_score([1, 0, 1], [0, 0, 0]) == 0.0
    # No positive example: TP + FN = 0, so R = 0.0.
    assert recall([0, 0, 0], [1, 0, 0]) == 0.0
    assert len(recwarn) == 0


def test_macro_averages_over_classes_that_occur():
    # Class 1 never occurs; macro is over classes 0 and 2, each perfect.
    assert precision([0, 2, 2], [0, 2, 2], average="macro") == 1.0
    assert precision([0, 2, 2], [0, 2, 2], average=None).tolist() == [1.0, 0.0, 1.0]


def test_probabilities_and_one_hot_are_turned_into_labels():
    # Binary probabilities: 1 where p > 0.5 (Keras's threshold; 0.5 itself is class 0).
    np.testing.assert_array_equal(to_labels([0.2, 0.5, 0.51, 0.9]), [0, 0, 1, 1])
    np.testing.assert_array_equal(to_labels(np.array([[0.7], [0.1]])), [1, 0])
    # Rows of scores or one-hot rows: argmax.
    np.testing.assert_array_equal(to_labels([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]), [1, 0])
    # Whole numbers stay labels, even as floats.
    np.testing.assert_array_equal(to_labels([2.0, 0.0, 1.0]), [2, 0, 1])
    # So accuracy works on what a model predicts.
    y_true = np.eye(3)[[0, 1, 2, 1]]  # one-hot [4, 3]
    probs = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4], [0.6, 0.3, 0.1]])
    assert accuracy(y_true, probs) == pytest.approx(3 / 4)  # the last row is wrong
    assert accuracy([1, 0, 1], np.array([[0.9], [0.4], [0.2]])) == pytest.approx(2 / 3)


def test_confusion_matrix_num_classes_and_dtype():
    cm = confusion_matrix([0, 1], [1, 1], num_classes=4)
    assert cm.shape == (4, 4) and np.issubdtype(cm.dtype, np.integer)
    assert cm[0, 1] == 1 and cm[1, 1] == 1 and cm.sum() == 2


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: accuracy([0, 1, 1], [0, 1]),
            r"same N >= 1 examples, got shapes \(3,\) and \(2,\)",
        ),
        (lambda: precision([0, 1], [[0.2, 0.8]]), r"got shapes \(2,\) and \(1, 2\)"),
        (lambda: accuracy([], []), r"same N >= 1 examples"),
        (lambda: precision([0, 2], [0, 1]), r"average='binary' needs labels 0 and 1.*'macro'"),
        (lambda: recall([0, 1], [0, 1], average="micro"), r"average must be one of"),
        (lambda: accuracy([0, 1], [0.2, 1.7]), r"probabilities in \[0, 1\], got values"),
        (lambda: accuracy([0, 1], [0.2, np.nan]), r"y_pred: contains NaN"),
        (lambda: confusion_matrix([0, 3], [0, 1], num_classes=3), r"labels must lie in 0..2"),
        (lambda: confusion_matrix([0, -1], [0, 1]), r"labels must lie in"),
        (lambda: to_labels(np.zeros((2, 2, 2))), r"expected labels \[N\] or scores \[N, K\]"),
        (lambda: accuracy([0, 1], [[np.nan, np.nan], [0, 1]]), r"y_pred: contains NaN"),
        (lambda: to_labels(np.ones((2, 0))), r"need K >= 1 columns, got shape \(2, 0\)"),
        (lambda: confusion_matrix([0, 1], [0, 1], num_classes=0), r"an int >= 1, got 0"),
        (lambda: confusion_matrix([0, 1], [0, 1], num_classes=2.5), r"an int >= 1, got 2.5"),
        (lambda: confusion_matrix([0, 1], [0, 1], num_classes="3"), r"an int >= 1, got '3'"),
        (lambda: confusion_matrix([0, 1], [0, 1], num_classes=True), r"an int >= 1, got True"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: accuracy(["a", "b"], ["a", "a"]),
            r"accuracy: y_true: expected numbers \(class indices.*got dtype <U1",
        ),
        (lambda: f1_score([0, 1], ["a", "b"]), r"f1_score: y_pred: expected numbers"),
        (lambda: get(["accuracy"]), r"expected a metric name \(a str\).*got list \['accuracy'\]"),
    ],
)
def test_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_numpy_integers_are_accepted():
    assert confusion_matrix([0, 1], [1, 1], num_classes=np.int32(3)).shape == (3, 3)


def test_get():
    assert get("F1_score") is f1_score
    assert get(accuracy) is accuracy
    assert set(metrics.METRICS) == {"accuracy", "precision", "recall", "f1_score"}
    with pytest.raises(ValueError, match="unknown metric 'auc'; expected one of accuracy"):
        get("auc")


# ---- against scikit-learn --------------------------------------------------------------------

labels_pairs = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
    )
)


@needs_sklearn
@quiet_sklearn
@settings(deadline=None)
@given(labels_pairs)
def test_multiclass_matches_sklearn(pair):
    y_true, y_pred = map(np.array, pair)
    k = max(y_true.max(), y_pred.max()) + 1
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred, labels=range(k))
    )
    assert accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
    for ours, theirs in [
        (precision, skm.precision_score),
        (recall, skm.recall_score),
        (f1_score, skm.f1_score),
    ]:
        expected = theirs(y_true, y_pred, average="macro", zero_division=0.0)
        assert ours(y_true, y_pred, average="macro") == pytest.approx(expected)
        expected = theirs(y_true, y_pred, average=None, labels=range(k), zero_division=0.0)
        np.testing.assert_allclose(ours(y_true, y_pred, average=None), expected)


@needs_sklearn
@quiet_sklearn
@settings(deadline=None)
@given(labels_pairs)
def test_binary_matches_sklearn(pair):
    y_true, y_pred = (np.array(a) % 2 for a in pair)
    for ours, theirs in [
        (precision, skm.precision_score),
        (recall, skm.recall_score),
        (f1_score, skm.f1_score),
    ]:
        expected = theirs(y_true, y_pred, zero_division=0.0)
        assert ours(y_true, y_pred) == pytest.approx(expected)


@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30),
    st.integers(0, 2**32 - 1),
)
def test_probability_properties(probs, seed):
    # Hypothesis: any probabilities, batch size 1 included, give scores in [0, 1].
    y_true = np.random.default_rng(seed).integers(0, 2, len(probs))
    for metric in (accuracy, precision, recall, f1_score):
        assert 0.0 <= metric(y_true, np.array(probs)) <= 1.0
    cm = confusion_matrix(y_true, np.array(probs), num_classes=2)
    assert cm.sum() == len(probs)
