"""The Chapter 10 exercise set (10_capstone): its hints, its public cases, its hidden tests.

HINT_PAIRS pairs each known mistake of the set with a wrong function that earns its hint and
a different wrong function that does not, written as a student would write them (not taken
from the mistakes' own code), in the form of `EARNED` in test_exercise_hints.py; here they
run through the set's own `check`, as a student sees it. The hints `check` adds outside the
known mistakes (a used optimizer given to compile, a classifier below the goal or slow) are
earned here by wrong code too. The public cases are compared with the hand-worked numbers of
their comments and with byhand.metrics; the hidden tests must take points from every wrong
function here, give none for returning the inputs, and give the solutions all 20. The
grader's scan must flag a function that uses byhand.metrics' scores or loads the digits
itself, and let the engine and train_base through.
"""

import copy
import itertools

import nbformat
import numpy as np
import pytest
import set_tools
from set_tools import printed_by
from test_exercises import ROOT, notebook_namespace

from byhand import Input, Model, Sequential, metrics
from byhand.exercises import capstone
from byhand.exercises.capstone import (
    BIAS_VARIANCE,
    BIGGER_MODEL,
    FINE_TUNE,
    LOW_ACCURACY_HINT,
    MACRO_AVERAGE,
    MORE_DATA,
    NEW_OPTIMIZER_HINT,
    PRECISION_RECALL_F1,
    SLOW_HINT,
    TARGET_ACCURACY,
    check,
    class_means,
    dev_accuracy_report,
    public_split,
    reference_bias_variance,
    reference_fine_tune,
    reference_macro_average,
    reference_precision_recall_f1,
    train_base,
    transfer_tasks,
)
from byhand.exercises.feedback import HINTS
from byhand.grading import load_tests
from byhand.grading.runner import uses_of_answers
from byhand.layers import Dense, Dropout
from byhand.optimizers import Adam

SET = "10_capstone"
HIDDEN = ROOT / "solutions" / "hidden" / f"{SET}.py"


checked = printed_by(check, quiet=True)


# --- precision_recall_f1: wrong functions as students write them ---------------------------


def _safe(a, b):
    return np.divide(a, b, out=np.zeros(len(a)), where=b != 0)


def rows_taken_as_predictions(cm):
    cm = np.asarray(cm, dtype=float)
    tp = np.diag(cm)
    precision = _safe(tp, cm.sum(axis=1))
    recall = _safe(tp, cm.sum(axis=0))
    return precision, recall, _safe(2 * precision * recall, precision + recall)


def arithmetic_f1(cm):
    cm = np.asarray(cm, dtype=float)
    tp = np.diag(cm)
    precision, recall = _safe(tp, cm.sum(axis=0)), _safe(tp, cm.sum(axis=1))
    return precision, recall, (precision + recall) / 2


def never_predicted_is_perfect(cm):
    cm = np.asarray(cm, dtype=float)
    tp, predicted = np.diag(cm), cm.sum(axis=0)
    precision = np.where(predicted == 0, 1.0, tp / np.maximum(predicted, 1))  # no FP at all
    recall = _safe(tp, cm.sum(axis=1))
    return precision, recall, _safe(2 * precision * recall, precision + recall)


def divides_zero_by_zero(cm):
    cm = np.asarray(cm, dtype=float)
    with np.errstate(invalid="ignore"):  # 0/0 gives NaN, as the student sees in a notebook
        precision = np.diag(cm) / cm.sum(axis=0)
        recall = np.diag(cm) / cm.sum(axis=1)
        return precision, recall, 2 * precision * recall / (precision + recall)


# --- macro_average -------------------------------------------------------------------------


def accuracy_three_times(cm):
    cm = np.asarray(cm)
    accuracy = np.trace(cm) / cm.sum()
    return accuracy, accuracy, accuracy


def f1_of_the_means(cm):
    p, r, _ = reference_precision_recall_f1(cm)
    p, r = p.mean(), r.mean()
    return p, r, 2 * p * r / (p + r)


def weighted_by_support(cm):
    support = np.asarray(cm).sum(axis=1)
    p, r, f1 = reference_precision_recall_f1(cm)
    return tuple(np.average(score, weights=support) for score in (p, r, f1))


def skips_undefined_classes(cm):
    p, r, f1 = divides_zero_by_zero(cm)
    return np.nanmean(p), np.nanmean(r), np.nanmean(f1)


# --- bias_variance -------------------------------------------------------------------------


def _advice(bias, variance):
    return BIGGER_MODEL if bias > variance else MORE_DATA


def ignores_human_level(human_error, train_error, dev_error):
    bias, variance = train_error, dev_error - train_error
    return bias, variance, _advice(bias, variance)


def bias_against_dev(human_error, train_error, dev_error):
    bias, variance = dev_error - human_error, dev_error - train_error
    return bias, variance, _advice(bias, variance)


def variance_against_human(human_error, train_error, dev_error):
    bias, variance = train_error - human_error, dev_error - human_error
    return bias, variance, _advice(bias, variance)


def more_data_for_bias(human_error, train_error, dev_error):
    bias, variance = train_error - human_error, dev_error - train_error
    return bias, variance, MORE_DATA if bias > variance else BIGGER_MODEL


def variance_first(human_error, train_error, dev_error):
    bias, variance = train_error - human_error, dev_error - train_error
    return variance, bias, _advice(bias, variance)


# --- fine_tune -----------------------------------------------------------------------------


def _new_model(trunk, classes):
    inputs = Input((64,))
    features = inputs
    for layer in trunk:
        features = layer(features)
    head = Dense(classes, activation="softmax", kernel_initializer="zeros")
    return Model(inputs, head(features))


def _fit(model, X_new, y_new):
    model.fit(X_new, y_new, epochs=30, batch_size=len(X_new), verbose=0)
    return model.get_weights()


def freezes_after_compile(X_old, y_old, X_new, y_new, seed):
    trained = train_base(X_old, y_old, seed)
    model = _new_model(trained.layers[:-1], int(y_new.max()) + 1)
    model.compile(optimizer=Adam(learning_rate=0.05), loss="sparse_categorical_crossentropy")
    for layer in trained.layers[:-1]:
        layer.trainable = False
    return _fit(model, X_new, y_new)


def freezes_the_whole_model(X_old, y_old, X_new, y_new, seed):
    trained = train_base(X_old, y_old, seed)
    model = _new_model(trained.layers[:-1], int(y_new.max()) + 1)
    model.trainable = False
    model.compile(optimizer=Adam(learning_rate=0.05), loss="sparse_categorical_crossentropy")
    return _fit(model, X_new, y_new)


def keeps_the_old_head(X_old, y_old, X_new, y_new, seed):
    trained = train_base(X_old, y_old, seed)
    for layer in trained.layers[:-1]:
        layer.trainable = False
    trained.compile(optimizer=Adam(learning_rate=0.05), loss="sparse_categorical_crossentropy")
    return _fit(trained, X_new, y_new)


def adam_by_name(X_old, y_old, X_new, y_new, seed):
    trained = train_base(X_old, y_old, seed)
    for layer in trained.layers[:-1]:
        layer.trainable = False
    model = _new_model(trained.layers[:-1], int(y_new.max()) + 1)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return _fit(model, X_new, y_new)


def reuses_the_old_optimizer(X_old, y_old, X_new, y_new, seed):
    trained = train_base(X_old, y_old, seed)
    for layer in trained.layers[:-1]:
        layer.trainable = False
    model = _new_model(trained.layers[:-1], int(y_new.max()) + 1)
    model.compile(optimizer=trained.optimizer, loss="sparse_categorical_crossentropy")
    return _fit(model, X_new, y_new)


def a_sequential_without_shuffling(X_old, y_old, X_new, y_new, seed):
    """Right, written another way: a Sequential on the shared layers, no shuffling."""
    trained = train_base(X_old, y_old, seed)
    trunk = trained.layers[:-1]
    for layer in trunk:
        layer.trainable = False
    head = Dense(int(y_new.max()) + 1, activation="softmax", kernel_initializer="zeros")
    model = Sequential([Input((64,)), *trunk, head], seed=123)
    model.compile(optimizer=Adam(0.05), loss="sparse_categorical_crossentropy")
    model.fit(X_new, y_new, epochs=30, batch_size=len(X_new), shuffle=False, verbose=0)
    return model.get_weights()


# --- predict_digits ------------------------------------------------------------------------


def nearest_mean_image(X_train, y_train, X_dev, y_dev, X_new, seed):
    """No network: the class whose mean image is nearest. Right on the means, weak elsewhere."""
    means = class_means(X_train, y_train)
    distances = ((X_new[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)
    return np.argmin(distances, axis=1)


def small_network(X_train, y_train, X_dev, y_dev, X_new, seed, units=64, dropout=0.0):
    layers = [Input((64,)), Dense(units, activation="relu", kernel_initializer="he_normal")]
    layers += [Dropout(dropout)] if dropout else []
    model = Sequential([*layers, Dense(10, activation="softmax")], seed=seed)
    model.compile(optimizer=Adam(0.003), loss="sparse_categorical_crossentropy")
    model.fit(X_train / 16, y_train, epochs=20, batch_size=32, verbose=0)
    return np.argmax(model.predict(X_new / 16, verbose=0), axis=1)


def unseeded_network():
    """A classifier that ignores its seed: each call trains from a new one, as an unseeded
    model would. The seeds come from a counter, not the clock, so that the test is repeatable:
    only the repetition check may fail, never the accuracy checks by an unlucky draw."""
    seeds = itertools.count(500)

    def unseeded_network(X_train, y_train, X_dev, y_dev, X_new, seed):
        return small_network(X_train, y_train, X_dev, y_dev, X_new, next(seeds), dropout=0.2)

    return unseeded_network


def probabilities_not_labels(X_train, y_train, X_dev, y_dev, X_new, seed):
    model = Sequential([Input((64,)), Dense(10, activation="softmax")], seed=seed)
    model.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(X_train / 16, y_train, epochs=10, verbose=0)
    return model.predict(X_new / 16, verbose=0)


# key -> (exercise, a wrong function that earns its hint, a different one that does not)
HINT_PAIRS = {
    f"{SET}/precision_recall_f1: swapped": (
        PRECISION_RECALL_F1,
        rows_taken_as_predictions,
        arithmetic_f1,
    ),
    f"{SET}/precision_recall_f1: arithmetic mean": (
        PRECISION_RECALL_F1,
        arithmetic_f1,
        rows_taken_as_predictions,
    ),
    f"{SET}/precision_recall_f1: 0/0 as 1": (
        PRECISION_RECALL_F1,
        never_predicted_is_perfect,
        divides_zero_by_zero,
    ),
    f"{SET}/macro_average: micro": (MACRO_AVERAGE, accuracy_three_times, f1_of_the_means),
    f"{SET}/macro_average: F1 of the averages": (
        MACRO_AVERAGE,
        f1_of_the_means,
        accuracy_three_times,
    ),
    f"{SET}/macro_average: weighted": (MACRO_AVERAGE, weighted_by_support, skips_undefined_classes),
    f"{SET}/macro_average: nanmean": (MACRO_AVERAGE, skips_undefined_classes, weighted_by_support),
    f"{SET}/bias_variance: no human level": (BIAS_VARIANCE, ignores_human_level, bias_against_dev),
    f"{SET}/bias_variance: bias from dev": (BIAS_VARIANCE, bias_against_dev, ignores_human_level),
    f"{SET}/bias_variance: variance from human": (
        BIAS_VARIANCE,
        variance_against_human,
        more_data_for_bias,
    ),
    f"{SET}/bias_variance: advice reversed": (
        BIAS_VARIANCE,
        more_data_for_bias,
        variance_against_human,
    ),
    f"{SET}/bias_variance: swapped": (BIAS_VARIANCE, variance_first, more_data_for_bias),
    f"{SET}/fine_tune: trunk trains": (FINE_TUNE, freezes_after_compile, freezes_the_whole_model),
    f"{SET}/fine_tune: head frozen": (FINE_TUNE, freezes_the_whole_model, freezes_after_compile),
    f"{SET}/fine_tune: old head": (FINE_TUNE, keeps_the_old_head, adam_by_name),
    f"{SET}/fine_tune: default rate": (FINE_TUNE, adam_by_name, keeps_the_old_head),
}


# --- What check says -----------------------------------------------------------------------


def test_a_nan_from_zero_over_zero_gets_the_nan_hint_and_the_case_says_why():
    text = checked("precision_recall_f1", divides_zero_by_zero)
    assert "public case 3 of 4 fails" in text and "its precision 0/0 counts as 0" in text
    assert set_tools.flat(HINTS["nan"]) in text and text.count("hint: ") == 1


def test_a_used_optimizer_gets_its_own_hint_not_the_generic_one():
    text = checked("fine_tune", reuses_the_old_optimizer)
    assert "it raised ValueError" in text and "give compile a new optimizer" in text
    assert set_tools.flat(NEW_OPTIMIZER_HINT) in text
    assert set_tools.flat(HINTS["shapes and types"]) not in text and text.count("hint: ") == 1
    # another ValueError keeps the generic hint
    assert capstone.with_optimizer_hint("it raised ValueError: shapes") == (
        "it raised ValueError: shapes"
    )


def test_a_classifier_below_the_goal_is_told_so_after_its_public_case():
    text = checked("predict_digits", nearest_mean_image)
    assert text.startswith("predict_digits: all 1 public cases pass")
    assert "dev accuracy 0.9125 (365 of 400), 0.94 needed: NOT reached" in text
    assert set_tools.flat(LOW_ACCURACY_HINT) in text and set_tools.flat(SLOW_HINT) not in text


def test_a_slow_classifier_is_told_so(monkeypatch):
    clock = itertools.count(0.0, 5.0)  # each reading of the clock 5 s after the one before
    monkeypatch.setattr(capstone.time, "perf_counter", lambda: next(clock))
    text = set_tools.flat(dev_accuracy_report(small_network))
    assert "training and prediction took 5.0 s" in text and "needed: reached" in text
    assert set_tools.flat(SLOW_HINT) in text and set_tools.flat(LOW_ACCURACY_HINT) not in text


def test_the_solution_reaches_the_goal_and_probabilities_are_a_shape_error():
    solution = notebook_namespace(ROOT / "solutions" / f"{SET}.ipynb")["predict_digits"]
    text = checked("predict_digits", solution)
    assert "predict_digits: all 1 public cases pass" in text and "needed: reached" in text
    assert "hint" not in text
    text = checked("predict_digits", probabilities_not_labels)
    assert "wrong shape: expected shape (10,), received shape (10, 10)" in text
    assert "dev accuracy" not in text  # the second training waits for the public case


def test_check_says_not_attempted_and_refuses_what_is_not_a_function():
    def fine_tune_stub(X_old, y_old, X_new, y_new, seed):
        raise NotImplementedError("fine_tune: your code here")

    def predict_digits_stub(X_train, y_train, X_dev, y_dev, X_new, seed):
        raise NotImplementedError("predict_digits: your code here")

    assert checked("fine_tune", fine_tune_stub) == "fine_tune: not attempted yet"
    assert checked("predict_digits", predict_digits_stub) == "predict_digits: not attempted yet"
    with pytest.raises(TypeError, match="the second argument must be your function"):
        check("predict_digits", "predict_digits")
    with pytest.raises(ValueError, match="Did you mean 'macro_average'"):
        check("macro_averages", fine_tune_stub)


# --- The public cases ----------------------------------------------------------------------


def test_the_worked_examples_have_the_numbers_the_notebook_quotes():
    p, r, f1 = reference_precision_recall_f1(np.array([[50, 10], [5, 35]]))
    assert np.allclose(p, [0.909091, 0.777778], atol=5e-7)
    assert np.allclose(r, [0.833333, 0.875], atol=5e-7)
    assert np.allclose(f1, [0.869565, 0.823529], atol=5e-7)
    macro = reference_macro_average(np.array([[50, 10], [5, 35]]))
    assert np.allclose(macro, [0.843434, 0.854167, 0.846547], atol=5e-7)
    assert np.allclose(reference_macro_average(np.array([[90, 0], [8, 2]])),
                       [0.959184, 0.6, 0.645390], atol=5e-7)  # fmt: skip
    bias, variance, advice = reference_bias_variance(0.01, 0.08, 0.10)
    assert np.allclose([bias, variance], [0.07, 0.02], rtol=1e-12) and advice == BIGGER_MODEL
    bias, variance, advice = reference_bias_variance(0.075, 0.08, 0.10)
    assert np.allclose([bias, variance], [0.005, 0.02], rtol=1e-12) and advice == MORE_DATA


@pytest.mark.parametrize(
    ("exercise", "reference"),
    [
        (PRECISION_RECALL_F1, reference_precision_recall_f1),
        (MACRO_AVERAGE, reference_macro_average),
        (BIAS_VARIANCE, reference_bias_variance),
        (FINE_TUNE, reference_fine_tune),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_the_hand_worked_cases_agree_with_the_reference(exercise, reference):
    assert checked(exercise.name, reference).endswith("public cases pass")
    for case in exercise.cases:
        got = reference(*copy.deepcopy(case.args))
        for a, b in zip(got, case.expected, strict=True):
            if isinstance(b, str):
                assert a == b, case.about
            else:
                assert np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=1e-12, atol=0), case.about  # fmt: skip


def _labels_from(cm):
    """Labels (y_true, y_pred) whose confusion matrix is cm."""
    pairs = [(i, j) for (i, j), n in np.ndenumerate(cm) for _ in range(n)]
    return np.array([i for i, _ in pairs]), np.array([j for _, j in pairs])


def test_the_references_agree_with_byhand_metrics():
    """Per class (average=None) and macro-averaged, on random matrices, zero columns too."""
    rng = np.random.default_rng(0)
    for _ in range(40):
        k = int(rng.integers(2, 7))
        cm = rng.integers(0, 6, size=(k, k)) + np.diag(rng.integers(1, 9, size=k))
        cm[:, rng.integers(0, k)] = 0  # a class never predicted
        cm[cm.sum(axis=1) == 0, 0] = 1  # every class keeps an example: macro over all K
        y_true, y_pred = _labels_from(cm)
        assert np.array_equal(metrics.confusion_matrix(y_true, y_pred, num_classes=k), cm)
        library = [score(y_true, y_pred, average=None)
                   for score in (metrics.precision, metrics.recall, metrics.f1_score)]  # fmt: skip
        for ours, theirs in zip(reference_precision_recall_f1(cm), library, strict=True):
            assert np.allclose(ours, theirs, rtol=1e-12, atol=1e-15)
        macro = [score(y_true, y_pred, average="macro")
                 for score in (metrics.precision, metrics.recall, metrics.f1_score)]  # fmt: skip
        assert np.allclose(reference_macro_average(cm), macro, rtol=1e-12, atol=1e-15)


def test_confusion_matrix_rows_are_the_true_classes():
    """The layout the exercise states: cm[i, j] counts true class i predicted as j."""
    cm = metrics.confusion_matrix(np.array([0, 0, 0, 1]), np.array([1, 1, 0, 1]), num_classes=2)
    assert cm.tolist() == [[1, 2], [0, 1]]


@pytest.mark.parametrize(
    "variant",
    [
        lambda *a: small_network(*a),
        lambda *a: small_network(*a, units=32, dropout=0.2),
        lambda *a: small_network(*a[:5], 3, units=128),
    ],
)
def test_reasonable_classifiers_recognize_the_mean_images(variant):
    """The public case of predict_digits does not ask more than the goal does."""
    assert checked("predict_digits", variant).startswith("predict_digits: all 1 public cases pass")


def test_a_right_fine_tune_written_another_way_passes():
    assert checked("fine_tune", a_sequential_without_shuffling) == (
        "fine_tune: all 2 public cases pass"
    )


def test_the_public_transfer_tasks_are_the_ones_the_notebook_describes():
    (X1, y1, Xn1, yn1, seed1), (X2, y2, Xn2, yn2, seed2) = transfer_tasks()
    assert (X1.shape, Xn1.shape, seed1) == ((600, 64), (40, 64), 0)
    assert set(y1) == set(range(10)) and set(yn1) == {0, 1} and X1.max() <= 1.0
    assert set(y2) == set(range(5)) and set(yn2) == set(range(5)) and Xn2.shape == (30, 64)
    X_train, y_train, X_dev, y_dev = public_split()
    assert np.array_equal(yn1, y_dev[:40] % 2) and np.array_equal(X1 * 16, X_train[:600])
    expected = FINE_TUNE.cases[0].expected
    trunk = train_base(X1, y1, seed1).get_weights()[:4]
    assert all(np.array_equal(a, b) for a, b in zip(expected[:4], trunk, strict=True))
    assert np.abs(expected[4]).max() > 0.1  # the head moved away from its zeros


# --- The grader's scan: the engine and train_base are allowed ------------------------------


def test_the_notebooks_functions_are_not_flagged():
    tests = load_tests(HIDDEN)
    for folder in ("solutions", "exercises"):
        cells = [c.source for c in nbformat.read(ROOT / folder / f"{SET}.ipynb", 4).cells
                 if c.cell_type == "code"]  # fmt: skip
        assert uses_of_answers(cells, tests) == {}


def test_scores_from_the_library_and_digits_loaded_by_the_function_are_flagged():
    tests = load_tests(HIDDEN)
    cells = [
        "import numpy as np\nfrom byhand.metrics import precision, confusion_matrix\n",
        "def precision_recall_f1(cm):\n"
        "    y = np.repeat(np.arange(len(cm)), cm.sum(axis=1))\n"
        "    return precision(y, y, average=None), None, None\n",
        "from byhand.datasets import load_digits\n"
        "def predict_digits(X_train, y_train, X_dev, y_dev, X_new, seed):\n"
        "    X, y = load_digits()\n"
        "    return y[:len(X_new)]\n",
        "from byhand.exercises.capstone import public_split, train_base\n"
        "def fine_tune(X_old, y_old, X_new, y_new, seed):\n"
        "    return train_base(X_old, y_old, seed).get_weights()\n"
        "def macro_average(cm):\n"
        "    return confusion_matrix([0], [0])\n"
        "def bias_variance(h, t, d):\n"
        "    X, *_ = public_split()\n"
        "    return 0, 0, ''\n",
    ]
    flagged = uses_of_answers(cells, tests)
    assert flagged == {
        "precision_recall_f1": ["byhand.metrics.precision"],
        "predict_digits": ["byhand.datasets.load_digits"],
        "bias_variance": ["byhand.exercises.capstone.public_split"],
    }


# --- The hidden tests ----------------------------------------------------------------------


def hidden_score(name, function):
    return set_tools.hidden_score(HIDDEN, name, function, quiet=True)


WRONG = [(exercise.name, earns) for exercise, earns, _ in HINT_PAIRS.values()] + [
    ("precision_recall_f1", divides_zero_by_zero),
    ("fine_tune", reuses_the_old_optimizer),
    ("predict_digits", nearest_mean_image),
    ("predict_digits", unseeded_network()),
    ("predict_digits", probabilities_not_labels),
]


@pytest.mark.parametrize(("name", "wrong"), WRONG, ids=lambda v: getattr(v, "__name__", v))
def test_every_wrong_function_loses_hidden_points(name, wrong):
    earned, possible, results = hidden_score(name, wrong)
    assert earned < possible, f"{wrong.__name__} earns full marks for {name}"
    for result in results:  # what the student reads names no hidden input or value
        assert "expected:" not in result.message and "received:" not in result.message


def test_an_unseeded_classifier_loses_only_the_repetition():
    _, _, results = hidden_score("predict_digits", unseeded_network())
    lost = {r.name for r in results if not r.passed}
    assert lost == {"test_predict_digits_gives_the_same_labels_for_the_same_seed"}


def test_a_weak_classifier_is_told_its_accuracy_and_the_goal():
    _, _, results = hidden_score("predict_digits", nearest_mean_image)
    messages = [r.message for r in results if not r.passed]
    assert len(messages) == 2 and all("at least 94 % are needed" in m for m in messages)


def test_the_advice_and_the_numbers_are_graded_apart():
    _, _, results = hidden_score("bias_variance", more_data_for_bias)
    assert {r.name for r in results if r.passed} == {"test_bias_and_variance"}
    _, _, results = hidden_score("bias_variance", variance_first)
    assert {r.name for r in results if r.passed} == {"test_the_advice"}


def test_a_frozen_head_keeps_the_trunk_points_only():
    _, _, results = hidden_score("fine_tune", freezes_the_whole_model)
    passed = {r.name for r in results if r.passed}
    assert passed == {"test_fine_tune_leaves_the_trunk_as_it_was_and_adds_a_new_head"}
    _, _, results = hidden_score("fine_tune", freezes_after_compile)
    assert not any(r.passed for r in results)


@pytest.mark.parametrize(
    ("name", "returns_inputs"),
    [
        ("precision_recall_f1", lambda cm: (cm, cm, cm)),
        ("macro_average", lambda cm: (0.0, 0.0, 0.0)),
        ("bias_variance", lambda h, t, d: (h, t, MORE_DATA)),
        ("predict_digits", lambda X_train, y_train, X_dev, y_dev, X_new, seed: y_dev),
        ("fine_tune", lambda X_old, y_old, X_new, y_new, seed: [X_old, y_old, X_new, y_new]),
    ],
)
def test_returning_the_inputs_earns_nothing(name, returns_inputs):
    earned, _, _ = hidden_score(name, returns_inputs)
    assert earned == 0


def test_the_old_models_weights_earn_nothing():
    """Returning train_base's own weights: the head has the old task's shape, or is untrained."""
    earned, _, _ = hidden_score(
        "fine_tune", lambda *task: train_base(*task[:2], task[4]).get_weights()
    )
    assert earned == 0


def test_the_solution_reaches_the_goal_with_room_on_the_hidden_splits():
    """The goal is a fair bar: the course's classifier clears it by two points or more."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("capstone_hidden", HIDDEN)
    hidden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hidden)
    predict_digits = notebook_namespace(ROOT / "solutions" / f"{SET}.ipynb")["predict_digits"]
    for seed, n_train, n_dev in ((1001, 1000, 300), (1002, 700, 200)):
        (X, y), (X_dev, y_dev), (X_held, y_held) = hidden._split(seed, n_train, n_dev, 1797)
        accuracy = np.mean(predict_digits(X, y, X_dev, y_dev, X_held, seed) == y_held)
        assert accuracy >= TARGET_ACCURACY + 0.02, (seed, accuracy)
