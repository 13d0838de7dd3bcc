"""The Chapter 6 exercise set (06_regularization): its hints, its public cases, its hidden tests.

HINT_PAIRS pairs each known mistake of the set with a wrong function that earns its hint and
a different wrong function that does not, written as a student would write them (not taken
from the mistakes' own code), in the form of `EARNED` in test_exercise_hints.py. Here they
run through the set's own `check`, as a student sees it. The public cases and the reference
functions are compared with the course library (byhand.regularizers, byhand.dropout,
byhand.callbacks.EarlyStopping), with scikit-learn's StandardScaler, with SymPy's
derivatives and with finite differences; the hidden tests must take points from every
mistake the hints name.
"""

import numpy as np
import pytest
import set_tools
import sympy as sp
from set_tools import flat, printed_by
from sklearn.preprocessing import StandardScaler
from test_exercises import ROOT

from byhand.callbacks import EarlyStopping
from byhand.dropout import Dropout
from byhand.exercises import SETS
from byhand.exercises.cases import finite_differences
from byhand.exercises.regularization import (
    DROPOUT_BACKWARD,
    DROPOUT_FORWARD,
    EARLY_STOPPING,
    L1_GRADIENT,
    L2_GRADIENTS,
    L2_PENALTY,
    NORMALIZE_SPLITS,
    check,
    data_gradients,
    reference_dropout_forward,
    reference_early_stopping,
    reference_l2_gradients,
    reference_normalize_splits,
    total_loss,
)
from byhand.regularizers import L1, L2

SET = "06_regularization"
HIDDEN = ROOT / "solutions" / "hidden" / f"{SET}.py"


checked = printed_by(check)


# --- l2_penalty: wrong answers as students write them ------------------------------------


def halves_the_penalty(W, l2):
    return l2 / 2 * (W * W).sum()


def takes_the_norm(W, l2):
    return l2 * np.linalg.norm(W)


def averages_the_squares(W, l2):
    return l2 * (W**2).mean()


def sums_absolute_values(W, l2):
    return l2 * abs(W).sum()


# --- l2_gradients ------------------------------------------------------------------------


def decays_by_l2_only(W, b, dW, db, l2):
    return dW + l2 * W, db


def decays_the_bias_too(W, b, dW, db, l2):
    return dW + 2 * l2 * W, db + 2 * l2 * b


def returns_the_penalty_gradient(W, b, dW, db, l2):
    return 2 * l2 * W, db


def subtracts_the_decay(W, b, dW, db, l2):
    return dW - 2 * l2 * W, db


# --- l1_gradient -------------------------------------------------------------------------


def one_at_zero(W, l1):
    return l1 * (2 * (W >= 0) - 1)


def l2_slope(W, l1):
    return 2 * l1 * W


def absolute_terms(W, l1):
    return l1 * abs(W)


def bare_sign(W, l1):
    return np.sign(W)


# --- dropout_forward and dropout_backward ------------------------------------------------


def forgets_to_scale(x, keep, rate, training):
    return x * keep if training else x


def classic_dropout(x, keep, rate, training):
    return x * keep if training else x * (1 - rate)


def scales_by_the_rate(x, keep, rate, training):
    return x * keep * rate if training else x


def divides_by_the_rate(x, keep, rate, training):
    return x * keep / rate if training else x


def keeps_the_dropped(x, keep, rate, training):
    return x * (1 - keep) / (1 - rate) if training else x


def drops_at_inference(x, keep, rate, training):
    return np.where(keep, x / (1 - rate), 0.0)


def scales_at_inference(x, keep, rate, training):
    if training:
        return np.where(keep, x, 0.0) / (1 - rate)
    return (1 - rate) * x


def backward_unscaled(dy, keep, rate):
    return np.where(keep, dy, 0.0)


def backward_unmasked(dy, keep, rate):
    return dy / (1 - rate)


def backward_over_rate(dy, keep, rate):
    return np.where(keep, dy / rate, 0.0)


# --- normalize_splits --------------------------------------------------------------------


def uses_all_rows(X, train, dev, test):
    mean, std = X.mean(0), X.std(0)
    std[std == 0] = 1
    return (X[train] - mean) / std, (X[dev] - mean) / std, (X[test] - mean) / std, mean, std


def standardize(A):
    std = A.std(0)
    std[std == 0] = 1
    return (A - A.mean(0)) / std


def each_split_alone(X, train, dev, test):
    std = X[train].std(0)
    std[std == 0] = 1
    return standardize(X[train]), standardize(X[dev]), standardize(X[test]), X[train].mean(0), std


def sample_std(X, train, dev, test):
    mean, std = X[train].mean(0), X[train].std(0, ddof=1)
    std[std == 0] = 1
    return (X[train] - mean) / std, (X[dev] - mean) / std, (X[test] - mean) / std, mean, std


def one_number_for_all(X, train, dev, test):
    mean, std = X[train].mean(), X[train].std()
    out = [(X[rows] - mean) / std for rows in (train, dev, test)]
    D = X.shape[1]
    return (*out, np.full(D, mean), np.full(D, std))


# --- early_stopping ----------------------------------------------------------------------


def stopping(val_losses, patience, better, stop):
    """The loop students write, with their comparison `better` and stopping rule `stop`."""
    best, best_epoch, bad = None, 0, 0
    for epoch, loss in enumerate(val_losses):
        if best is None or better(loss, best):
            best, best_epoch, bad = loss, epoch, 0
        else:
            bad += 1
            if stop(bad, patience):
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def waits_one_more(val_losses, patience):
    return stopping(val_losses, patience, lambda a, b: a < b, lambda bad, p: bad > p)


def gives_up_one_sooner(val_losses, patience):
    return stopping(val_losses, patience, lambda a, b: a < b, lambda bad, p: bad + 1 >= p)


def counts_ties(val_losses, patience):
    return stopping(val_losses, patience, lambda a, b: a <= b, lambda bad, p: bad >= p)


def best_is_where_it_stopped(val_losses, patience):
    _, stopped = stopping(val_losses, patience, lambda a, b: a < b, lambda bad, p: bad >= p)
    return stopped, stopped


def best_of_the_whole_list(val_losses, patience):
    _, stopped = stopping(val_losses, patience, lambda a, b: a < b, lambda bad, p: bad >= p)
    return int(np.argmin(val_losses)), stopped


def counts_from_one(val_losses, patience):
    best, stopped = stopping(val_losses, patience, lambda a, b: a < b, lambda bad, p: bad >= p)
    return best + 1, stopped + 1


# key -> (exercise, a wrong function that earns its hint, a different one that does not)
HINT_PAIRS = {
    f"{SET}/l2_penalty: ½": (L2_PENALTY, halves_the_penalty, takes_the_norm),
    f"{SET}/l2_penalty: norm": (L2_PENALTY, takes_the_norm, halves_the_penalty),
    f"{SET}/l2_penalty: mean": (L2_PENALTY, averages_the_squares, sums_absolute_values),
    f"{SET}/l2_penalty: |w|": (L2_PENALTY, sums_absolute_values, averages_the_squares),
    f"{SET}/l2_gradients: ½": (L2_GRADIENTS, decays_by_l2_only, decays_the_bias_too),
    f"{SET}/l2_gradients: bias penalised": (
        L2_GRADIENTS,
        decays_the_bias_too,
        decays_by_l2_only,
    ),
    f"{SET}/l2_gradients: penalty only": (
        L2_GRADIENTS,
        returns_the_penalty_gradient,
        subtracts_the_decay,
    ),
    f"{SET}/l2_gradients: minus": (
        L2_GRADIENTS,
        subtracts_the_decay,
        returns_the_penalty_gradient,
    ),
    f"{SET}/l1_gradient: sign(0) = 1": (L1_GRADIENT, one_at_zero, l2_slope),
    f"{SET}/l1_gradient: L2's gradient": (L1_GRADIENT, l2_slope, one_at_zero),
    f"{SET}/l1_gradient: |w|": (L1_GRADIENT, absolute_terms, bare_sign),
    f"{SET}/l1_gradient: no l1": (L1_GRADIENT, bare_sign, absolute_terms),
    f"{SET}/dropout_forward: not scaled": (DROPOUT_FORWARD, forgets_to_scale, scales_by_the_rate),
    f"{SET}/dropout_forward: × rate": (DROPOUT_FORWARD, scales_by_the_rate, divides_by_the_rate),
    f"{SET}/dropout_forward: / rate": (DROPOUT_FORWARD, divides_by_the_rate, keeps_the_dropped),
    f"{SET}/dropout_forward: mask reversed": (
        DROPOUT_FORWARD,
        keeps_the_dropped,
        forgets_to_scale,
    ),
    f"{SET}/dropout_forward: dropout at inference": (
        DROPOUT_FORWARD,
        drops_at_inference,
        scales_at_inference,
    ),
    f"{SET}/dropout_forward: scaled at inference": (
        DROPOUT_FORWARD,
        scales_at_inference,
        drops_at_inference,
    ),
    f"{SET}/dropout_backward: not scaled": (
        DROPOUT_BACKWARD,
        backward_unscaled,
        backward_unmasked,
    ),
    f"{SET}/dropout_backward: no mask": (DROPOUT_BACKWARD, backward_unmasked, backward_over_rate),
    f"{SET}/dropout_backward: / rate": (DROPOUT_BACKWARD, backward_over_rate, backward_unscaled),
    f"{SET}/normalize_splits: all the data": (NORMALIZE_SPLITS, uses_all_rows, each_split_alone),
    f"{SET}/normalize_splits: each its own": (NORMALIZE_SPLITS, each_split_alone, sample_std),
    f"{SET}/normalize_splits: ddof 1": (NORMALIZE_SPLITS, sample_std, one_number_for_all),
    f"{SET}/normalize_splits: one mean": (NORMALIZE_SPLITS, one_number_for_all, uses_all_rows),
    f"{SET}/early_stopping: one late": (EARLY_STOPPING, waits_one_more, gives_up_one_sooner),
    f"{SET}/early_stopping: one early": (EARLY_STOPPING, gives_up_one_sooner, counts_ties),
    f"{SET}/early_stopping: ties improve": (EARLY_STOPPING, counts_ties, waits_one_more),
    f"{SET}/early_stopping: last epoch as best": (
        EARLY_STOPPING,
        best_is_where_it_stopped,
        best_of_the_whole_list,
    ),
    f"{SET}/early_stopping: looked ahead": (
        EARLY_STOPPING,
        best_of_the_whole_list,
        best_is_where_it_stopped,
    ),
    f"{SET}/early_stopping: from 1": (EARLY_STOPPING, counts_from_one, waits_one_more),
}


# This set's hints, by the identity test_exercise_hints.py gives them (which also
# checks that each is earned by its pair in HINT_PAIRS and by no other).
MINE = {f"{SET}/{exercise.name}: {mistake.name}": mistake.hint
        for exercise in SETS[SET].EXERCISES for mistake in exercise.mistakes}  # fmt: skip


def test_classic_dropout_earns_the_scaling_hint():
    """Multiplying by 1 − rate at inference instead of dividing in training: the same hint."""
    text = checked("dropout_forward", classic_dropout)
    assert flat(MINE[f"{SET}/dropout_forward: not scaled"]) in text, text


def test_check_says_not_attempted_and_passes_the_right_answers():
    def stub(W, l2):
        raise NotImplementedError("l2_penalty: your code here")

    assert checked("l2_penalty", stub) == "l2_penalty: not attempted yet"
    right = {
        "l2_penalty": lambda W, l2: l2 * np.sum(W**2),
        "l2_gradients": reference_l2_gradients,
        "l1_gradient": lambda W, l1: l1 * np.sign(W),
        "dropout_forward": reference_dropout_forward,
        "dropout_backward": lambda dy, keep, rate: dy * keep / (1 - rate),
        "normalize_splits": reference_normalize_splits,
        "early_stopping": reference_early_stopping,
    }
    for name, function in right.items():
        assert checked(name, function).endswith("public cases pass"), name


# --- The public cases against the course library, scikit-learn, SymPy --------------------


def test_the_penalty_cases_agree_with_the_course_regularizers():
    for case in L2_PENALTY.cases:
        W, l2 = case.args
        assert np.isclose(L2(l2)(W), case.expected, rtol=1e-12, atol=1e-15)
    for case in L1_GRADIENT.cases:
        W, l1 = case.args
        assert np.array_equal(L1(l1).gradient(W), case.expected)


def test_the_l2_gradient_cases_are_the_finite_difference_gradients_of_the_total_loss():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    W, b, l2 = rng.normal(size=(3, 2)), rng.normal(size=2), 0.3
    dW, db = data_gradients(X, Y, W, b)
    numerical = finite_differences(lambda V, c: total_loss(X, Y, V, c, l2), (W, b), (0, 1))
    for got, want in zip(reference_l2_gradients(W, b, dW, db, l2), numerical, strict=True):
        assert np.allclose(got, want, rtol=1e-6, atol=1e-8)
    assert np.allclose(dW + L2(l2).gradient(W), numerical[0], rtol=1e-6, atol=1e-8)
    hand = L2_GRADIENTS.cases[0]
    assert np.allclose(reference_l2_gradients(*hand.args)[0], hand.expected[0], rtol=1e-12)
    assert any("central finite" in case.source for case in L2_GRADIENTS.cases)


def test_the_penalty_derivatives_are_the_ones_sympy_finds():
    w, lam = sp.symbols("w lambda", real=True)
    assert sp.simplify(sp.diff(lam * w**2, w) - 2 * lam * w) == 0
    slope = sp.diff(lam * sp.Abs(w), w)
    for value in (-2.0, -0.1, 0.3, 5.0):
        assert float(slope.subs({w: value, lam: 0.7})) == pytest.approx(0.7 * np.sign(value))
    # central differences of |w| at w != 0 agree with sign(w) in float64
    for value in (-2.0, 0.3):
        (numerical,) = finite_differences(lambda v: 0.7 * abs(v), (value,), (0,))
        assert abs(numerical - 0.7 * np.sign(value)) < 1e-9


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.75])
def test_the_reference_dropout_agrees_with_the_layer(rate):
    x = np.random.default_rng(1).normal(size=(4, 6))
    layer = Dropout(rate)
    layer.build((6,), np.random.default_rng(7), dtype="float64")
    y = layer.forward(x, training=True)
    keep = np.random.default_rng(7).random(x.shape) >= rate  # the layer's own draw
    assert np.allclose(y, reference_dropout_forward(x, keep, rate, True), rtol=1e-12)
    dy = np.random.default_rng(2).normal(size=(4, 6))
    assert np.allclose(layer.backward(dy), dy * keep / (1 - rate), rtol=1e-12)
    assert np.array_equal(layer.forward(x, training=False), x)


def test_the_dropout_cases_agree_with_the_formula():
    for case in DROPOUT_FORWARD.cases:
        assert np.allclose(reference_dropout_forward(*case.args), case.expected, rtol=1e-12)
    for case in DROPOUT_BACKWARD.cases:
        dy, keep, rate = case.args
        assert np.allclose(dy * keep / (1 - rate), case.expected, rtol=1e-12)


def test_the_normalization_agrees_with_standard_scaler():
    for case in NORMALIZE_SPLITS.cases:
        X, train, dev, test = case.args
        scaler = StandardScaler().fit(X[train])
        expected = reference_normalize_splits(X, train, dev, test)
        for rows, got in zip((train, dev, test), expected[:3], strict=True):
            assert np.allclose(scaler.transform(X[rows]), got, rtol=1e-12, atol=1e-12)
        assert np.allclose(scaler.mean_, expected[3]) and np.allclose(scaler.scale_, expected[4])


def keras_early_stopping(losses, patience):
    """(best_epoch, stopped_epoch) of byhand's EarlyStopping, run on the losses."""

    class Model:
        stop_training = False

    callback, model = EarlyStopping(monitor="val_loss", patience=patience), Model()
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, loss in enumerate(losses):
        callback.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            return callback.best_epoch, epoch
    return callback.best_epoch, len(losses) - 1


def test_the_early_stopping_reference_agrees_with_the_callback():
    rng = np.random.default_rng(3)
    curves = [list(case.args[0]) for case in EARLY_STOPPING.cases]
    curves += [list(np.round(1 / np.arange(1, 31) + rng.normal(size=30) * 0.04, 2)) for _ in "ab"]
    for curve in curves:
        for patience in (1, 2, 3, 5):
            assert reference_early_stopping(curve, patience) == keras_early_stopping(
                curve, patience
            ), (curve, patience)
    for case in EARLY_STOPPING.cases:
        assert reference_early_stopping(*case.args) == case.expected


def test_the_worked_examples_have_the_numbers_the_notebook_quotes():
    assert L2_PENALTY.cases[0].expected == 0.14 and L2_PENALTY.cases[1].expected == 0.45
    assert np.allclose(L2_GRADIENTS.cases[0].expected[0], [[0.3, -0.2], [-0.3, 0.6]])
    assert np.array_equal(DROPOUT_FORWARD.cases[0].expected, [[2, 0, 6, 8], [0, 1, 4, 0]])
    X_train, X_dev, X_test, mean, std = NORMALIZE_SPLITS.cases[0].expected
    assert np.array_equal(mean, [2, 10]) and np.array_equal(std, [1, 1])
    assert np.array_equal(X_dev, [[3, 2]]) and np.array_equal(X_test, [[-2, -2]])
    assert EARLY_STOPPING.cases[0].expected == (2, 5)


# --- The hidden tests ---------------------------------------------------------------------


def hidden_score(name, function):
    return set_tools.hidden_score(HIDDEN, name, function)


@pytest.mark.parametrize("key", sorted(HINT_PAIRS))
def test_every_mistake_the_hints_name_loses_hidden_points(key):
    exercise, earns, _ = HINT_PAIRS[key]
    with np.errstate(all="ignore"):
        earned, possible, results = hidden_score(exercise.name, earns)
    assert earned < possible, f"{earns.__name__} earns full marks for {exercise.name}"
    for result in results:  # what the student reads names no hidden input or value
        assert "expected:" not in result.message and "received:" not in result.message


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("dropout_forward", classic_dropout),
        ("normalize_splits", lambda X, tr, dv, te: reference_normalize_splits(X, tr, dv, te)[:3]),
    ],
)
def test_other_wrong_answers_lose_hidden_points(name, function):
    earned, possible, _ = hidden_score(name, function)
    assert earned < possible


def test_a_normalization_that_does_not_guard_a_zero_std_loses_a_hidden_point():
    def unguarded(X, train, dev, test):
        mean, std = X[train].mean(0), X[train].std(0)
        return (X[train] - mean) / std, (X[dev] - mean) / std, (X[test] - mean) / std, mean, std

    with np.errstate(all="ignore"):
        earned, possible, _ = hidden_score("normalize_splits", unguarded)
    assert earned < possible
