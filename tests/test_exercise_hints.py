"""Every hint `check` can give is earned by a real wrong answer, and withheld from another.

A hint's identity is its key in `byhand.exercises.feedback.HINTS`, or "set/exercise: name"
for a known mistake listed by an exercise set. EARNED pairs each one with a wrong function
that earns it and a different wrong function that does not; a hint without such a pair
fails `test_every_hint_has_a_pair`. The wrong functions are written here as a student would
write them, not taken from the mistakes' own code.
"""

import importlib
import re
from pathlib import Path

import numpy as np
import pytest

from byhand.exercises import SETS
from byhand.exercises.cases import Case, Exercise
from byhand.exercises.checking import report
from byhand.exercises.feedback import HINTS
from byhand.exercises.perceptron import (
    LOGISTIC_GRADIENT,
    NET_INPUT,
    PERCEPTRON_UPDATE,
    PREDICT,
    STEP,
    TRAIN_PERCEPTRON,
)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def step(z):
    return (z >= 0).astype(int)


# --- Exercises from later chapters, for hints this set's exercises cannot earn -------------

# e = y − ŷ for a batch, the network's outputs coming as a column [N, 1] (M = 1 output)
BATCH_ERRORS = Exercise(
    "batch_errors",
    ("y", "Y_hat"),
    (Case((np.array([0, 1, 1]), np.array([[1], [1], [0]])), np.array([-1, 0, 1])),),
)
# A layer's W [D, M] from its M units' weight vectors, one column per unit (D = M = 2)
LAYER_WEIGHTS = Exercise(
    "layer_weights",
    ("w1", "w2"),
    (Case((np.array([1.0, 2.0]), np.array([3.0, 4.0])), np.array([[1.0, 3.0], [2.0, 4.0]])),),
)
# The mean cross-entropy of probabilities p for targets y: −(0 + 0 + log 0.5) / 3
CROSS_ENTROPY = Exercise(
    "cross_entropy",
    ("p", "y"),
    (Case((np.array([1.0, 0.0, 0.5]), np.array([1, 0, 1])), np.log(2) / 3),),
)


def errors_of_a_column(y, Y_hat):
    return y - Y_hat


def errors_reversed(y, Y_hat):
    return Y_hat.ravel() - y


def units_as_rows(w1, w2):
    return np.array([w1, w2])


def units_end_to_end(w1, w2):
    return np.concatenate([w1, w2])


def logs_of_zero(p, y):
    with np.errstate(all="ignore"):  # log(0) = -inf, 0 * -inf = nan
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def sums_the_logs(p, y):
    return -np.sum(np.log(np.where(y == 1, p, 1 - p)))


# --- net_input ------------------------------------------------------------------------------


def forgets_return(X, w, b):
    X @ w + b  # noqa: B018


def returns_a_generator(X, w, b):
    return (x @ w + b for x in X)


def sums_the_batch(X, w, b):
    return float(np.sum(X @ w + b))


def keeps_a_column(X, w, b):
    return X @ w.reshape(-1, 1) + b


def floors(X, w, b):
    return (X @ w + b) // 1


def adds_the_bias_to_the_inputs(X, w, b):
    return (X + b) @ w


def slices_w(X, w, b):
    return X @ w[:1] + b


def w_times_X(X, w, b):
    return w @ X + b


def multiplies_entrywise(X, w, b):
    return X * w + b


def forgets_the_bias(X, w, b):
    return X @ w


def subtracts_the_bias(X, w, b):
    return X @ w - b


# --- step and predict -----------------------------------------------------------------------


def transposes(z):
    return (z.T >= 0).astype(int)


def returns_booleans(z):
    return z >= 0


def asks_if_of_an_array(z):
    return 1 if z >= 0 else 0


def strictly_positive(z):
    return (z > 0).astype(int)


def predicts_strictly(X, w, b):
    return (X @ w + b > 0).astype(int)


def predicts_booleans(X, w, b):
    return X @ w + b >= 0


# --- perceptron_update ----------------------------------------------------------------------


def changes_w(w, b, x, target, learning_rate):
    error = target - step(x @ w + b)
    w += learning_rate * error * x
    return w, b + learning_rate * error


def flips_the_bias_step(w, b, x, target, learning_rate):
    error = target - step(x @ w + b)
    return w + learning_rate * error * x, b - learning_rate * error


def forgets_the_bias_update(w, b, x, target, learning_rate):
    error = target - step(x @ w + b)
    return w + learning_rate * error * x, b


def forgets_the_w_update(w, b, x, target, learning_rate):
    error = target - step(x @ w + b)
    return w, b + learning_rate * error


def reverses_the_error(w, b, x, target, learning_rate):
    error = step(x @ w + b) - target
    return w + learning_rate * error * x, b + learning_rate * error


def uses_the_net_input(w, b, x, target, learning_rate):
    error = target - (x @ w + b)
    return w + learning_rate * error * x, b + learning_rate * error


def forgets_the_learning_rate(w, b, x, target, learning_rate):
    error = target - step(x @ w + b)
    return w + error * x, b + error


def fires_only_above_zero(w, b, x, target, learning_rate):
    error = target - int(x @ w + b > 0)
    return w + learning_rate * error * x, b + learning_rate * error


# --- train_perceptron -----------------------------------------------------------------------


def never_stops(X, y, learning_rate, epochs):
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(X, y, strict=True):
            error = target - step(x @ w + b)
            w, b = w + learning_rate * error * x, b + learning_rate * error
            mistakes += int(error != 0)
        errors.append(mistakes)
    return w, b, errors


def stops_before_recording(X, y, learning_rate, epochs):
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(X, y, strict=True):
            error = target - step(x @ w + b)
            w, b = w + learning_rate * error * x, b + learning_rate * error
            mistakes += int(error != 0)
        if mistakes == 0:
            break
        errors.append(mistakes)
    return w, b, errors


def counts_after_the_update(X, y, learning_rate, epochs):
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(X, y, strict=True):
            error = target - step(x @ w + b)
            w, b = w + learning_rate * error * x, b + learning_rate * error
            mistakes += int(step(x @ w + b) != target)
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, b, errors


# --- logistic_gradient ----------------------------------------------------------------------


def returns_only_dw(X, y, w, b):
    return X.T @ (sigmoid(X @ w + b) - y) / len(y)


def forgets_to_sum(X, y, w, b):
    dz = (sigmoid(X @ w + b) - y) / len(y)
    return X.T * dz, dz.sum()


def flips_dw_only(X, y, w, b):
    p = sigmoid(X @ w + b)
    return X.T @ (y - p) / len(y), np.mean(p - y)


def sums_dw_only(X, y, w, b):
    p = sigmoid(X @ w + b)
    return X.T @ (p - y), np.mean(p - y)


def divides_dw_twice(X, y, w, b):
    dz = (sigmoid(X @ w + b) - y) / len(y)
    return X.T @ dz / len(y), dz.sum()


def divides_by_the_inputs(X, y, w, b):
    dz = (sigmoid(X @ w + b) - y) / X.shape[1]
    return X.T @ dz, dz.sum()


def sums_instead_of_mean(X, y, w, b):
    dz = sigmoid(X @ w + b) - y
    return X.T @ dz, dz.sum()


def flips_the_sign(X, y, w, b):
    dz = (y - sigmoid(X @ w + b)) / len(y)
    return X.T @ dz, dz.sum()


def forgets_the_transpose(X, y, w, b):
    dz = (sigmoid(X @ w + b) - y) / len(y)
    return X @ dz, dz.sum()


def forgets_the_sigmoid(X, y, w, b):
    dz = (X @ w + b - y) / len(y)
    return X.T @ dz, dz.sum()


def multiplies_by_the_sigmoid_slope(X, y, w, b):
    p = sigmoid(X @ w + b)
    dz = (p - y) * p * (1 - p) / len(y)
    return X.T @ dz, dz.sum()


# hint -> (exercise, a wrong function that earns it, a different wrong one that does not)
GENERIC = {
    "no return": (NET_INPUT, forgets_return, floors),
    "not numbers": (NET_INPUT, returns_a_generator, forgets_return),
    "return all": (LOGISTIC_GRADIENT, returns_only_dw, forgets_to_sum),
    "one number": (NET_INPUT, sums_the_batch, keeps_a_column),
    "transposed shape": (STEP, transposes, returns_booleans),
    "broadcast": (BATCH_ERRORS, errors_of_a_column, errors_reversed),
    "extra axis": (NET_INPUT, keeps_a_column, sums_the_batch),
    "shape": (LOGISTIC_GRADIENT, forgets_to_sum, returns_only_dw),
    "dtype": (STEP, returns_booleans, transposes),
    "nan": (CROSS_ENTROPY, logs_of_zero, sums_the_logs),
    "not updated": (PERCEPTRON_UPDATE, forgets_the_w_update, flips_the_bias_step),
    "update sign": (PERCEPTRON_UPDATE, flips_the_bias_step, forgets_the_bias_update),
    "sign": (BATCH_ERRORS, errors_reversed, errors_of_a_column),
    "transposed": (LAYER_WEIGHTS, units_as_rows, units_end_to_end),
    "times N": (LOGISTIC_GRADIENT, sums_dw_only, divides_by_the_inputs),
    "over N": (LOGISTIC_GRADIENT, divides_dw_twice, sums_dw_only),
    "factor": (LOGISTIC_GRADIENT, divides_by_the_inputs, divides_dw_twice),
    "integer": (NET_INPUT, floors, adds_the_bias_to_the_inputs),
    "offset": (NET_INPUT, adds_the_bias_to_the_inputs, floors),
    "matmul": (NET_INPUT, slices_w, forgets_return),
    "shapes and types": (STEP, asks_if_of_an_array, returns_booleans),
    "changed input": (PERCEPTRON_UPDATE, changes_w, flips_the_bias_step),
}
MISTAKES = {
    "01_perceptron/net_input: w @ X": (NET_INPUT, w_times_X, forgets_the_bias),
    "01_perceptron/net_input: X * w": (NET_INPUT, multiplies_entrywise, w_times_X),
    "01_perceptron/net_input: no bias": (NET_INPUT, forgets_the_bias, subtracts_the_bias),
    "01_perceptron/net_input: - b": (NET_INPUT, subtracts_the_bias, forgets_the_bias),
    "01_perceptron/step: z > 0": (STEP, strictly_positive, returns_booleans),
    "01_perceptron/predict: z > 0": (PREDICT, predicts_strictly, predicts_booleans),
    "01_perceptron/perceptron_update: ŷ − y": (
        PERCEPTRON_UPDATE,
        reverses_the_error,
        flips_the_bias_step,
    ),
    "01_perceptron/perceptron_update: z for ŷ": (
        PERCEPTRON_UPDATE,
        uses_the_net_input,
        reverses_the_error,
    ),
    "01_perceptron/perceptron_update: no learning rate": (
        PERCEPTRON_UPDATE,
        forgets_the_learning_rate,
        reverses_the_error,
    ),
    "01_perceptron/perceptron_update: z > 0": (
        PERCEPTRON_UPDATE,
        fires_only_above_zero,
        forgets_the_w_update,
    ),
    "01_perceptron/train_perceptron: never stops": (
        TRAIN_PERCEPTRON,
        never_stops,
        counts_after_the_update,
    ),
    "01_perceptron/train_perceptron: last 0 missing": (
        TRAIN_PERCEPTRON,
        stops_before_recording,
        never_stops,
    ),
    "01_perceptron/train_perceptron: counted after the update": (
        TRAIN_PERCEPTRON,
        counts_after_the_update,
        never_stops,
    ),
    "01_perceptron/logistic_gradient: sum": (
        LOGISTIC_GRADIENT,
        sums_instead_of_mean,
        sums_dw_only,
    ),
    "01_perceptron/logistic_gradient: y − p": (LOGISTIC_GRADIENT, flips_the_sign, flips_dw_only),
    "01_perceptron/logistic_gradient: X @ dz": (
        LOGISTIC_GRADIENT,
        forgets_the_transpose,
        flips_the_sign,
    ),
    "01_perceptron/logistic_gradient: no sigmoid": (
        LOGISTIC_GRADIENT,
        forgets_the_sigmoid,
        sums_instead_of_mean,
    ),
    "01_perceptron/logistic_gradient: extra σ'": (
        LOGISTIC_GRADIENT,
        multiplies_by_the_sigmoid_slope,
        divides_by_the_inputs,
    ),
}
# Each later set keeps its pairs, as HINT_PAIRS, in its own tests/test_exercises_<topic>.py.
LATER_SETS = {}
for path in sorted(Path(__file__).parent.glob("test_exercises_*.py")):
    LATER_SETS |= importlib.import_module(path.stem).HINT_PAIRS
EARNED = {**GENERIC, **MISTAKES, **LATER_SETS}


def every_hint():
    """{identity: text} for every hint: HINTS, then each set's known mistakes."""
    hints = dict(HINTS)
    for set_name, module in SETS.items():
        for exercise in module.EXERCISES:
            for mistake in exercise.mistakes:
                hints[f"{set_name}/{exercise.name}: {mistake.name}"] = mistake.hint
    return hints


HINT_TEXTS = every_hint()


def flat(text):
    """`text` with every run of whitespace as one space (hints are wrapped over lines)."""
    return " ".join(text.split())


def pattern(text):
    """A hint's text as a regular expression: each {blank} matches any text."""
    fixed = re.split(r"\{[^}]*\}", flat(text))
    return re.compile(".*?".join(re.escape(part) for part in fixed))


def test_every_hint_has_a_pair():
    assert set(EARNED) == set(HINT_TEXTS), {
        "hints without a pair": sorted(set(HINT_TEXTS) - set(EARNED)),
        "pairs for no hint": sorted(set(EARNED) - set(HINT_TEXTS)),
    }


def failing_report(exercise, function):
    """What check prints for `function`, which must fail (not pass, not 'not attempted')."""
    text = report(exercise, function)
    assert f"{exercise.name}: public case" in text, text
    return flat(text)


@pytest.mark.parametrize("key", sorted(EARNED))
def test_the_hint_is_earned_by_one_mistake_and_not_by_another(key):
    exercise, earns, misses = EARNED[key]
    earned = failing_report(exercise, earns)
    assert "hint: " in earned
    shown = {text for text in HINT_TEXTS.values() if pattern(text).search(earned)}
    assert shown == {HINT_TEXTS[key]}, f"{earns.__name__} earns {shown}, not {key!r}:\n{earned}"
    missed = failing_report(exercise, misses)
    assert not pattern(HINT_TEXTS[key]).search(missed), f"{misses.__name__} earns {key!r}"


@pytest.mark.parametrize("key", sorted({**MISTAKES, **LATER_SETS}))
def test_a_known_mistake_wins_over_the_guesses(key):
    """The mistake's hint is the only hint shown, even where a generic one would fit."""
    exercise, earns, _ = {**MISTAKES, **LATER_SETS}[key]
    earned = failing_report(exercise, earns)
    assert earned.count("hint: ") == 1


def test_every_mistake_shows_on_some_public_case():
    """A mistake that returns the right value on every public case could never be shown."""
    from byhand.exercises.feedback import diagnose

    for module in SETS.values():
        for exercise in module.EXERCISES:
            for mistake in exercise.mistakes:
                differs = []
                for case in exercise.cases:
                    try:
                        value = mistake.returns(*case.args)
                    except Exception:
                        continue
                    close = dict(rtol=case.rtol, atol=case.atol)  # as `check` compares
                    differs.append(diagnose(value, case.expected, **close) is not None)
                assert any(differs), f"{exercise.name}: {mistake.name} never differs"
