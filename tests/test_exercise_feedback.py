"""`check`, `diagnose` and `assert_close`: each hint is triggered by a typical wrong answer."""

import numpy as np
import pytest

from byhand.exercises import EXERCISES, assert_close, assert_unchanged, check, diagnose
from byhand.exercises.cases import finite_differences
from byhand.exercises.perceptron import GATE_X, OR, mean_cross_entropy


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# Wrong answers, each with the words its printed hint must contain.
def forgets_return(X, w, b):
    X @ w + b  # noqa: B018


def floors(X, w, b):
    return (X @ w + b) // 1


def casts_to_int(X, w, b):
    return (X @ w + b).astype(int)


def keeps_a_column(X, w, b):
    return X @ w.reshape(-1, 1) + b


def forgets_the_bias(X, w, b):
    return X @ w


def sums_the_batch(X, w, b):
    return float(np.sum(X @ w + b))


def raises(X, w, b):
    return X @ w[:1] + b


def transposes(z):
    return (z.T >= 0).astype(int)


def returns_booleans(z):
    return z >= 0


def calls_an_unwritten_step(X, w, b):
    raise NotImplementedError("step: your code here")


def changes_w(w, b, x, target, learning_rate):
    error = target - int(x @ w + b >= 0)
    w += learning_rate * error * x
    return w, b + learning_rate * error


def flips_the_sign(X, y, w, b):
    dz = (y - sigmoid(X @ w + b)) / len(y)
    return X.T @ dz, dz.sum()


def sums_instead_of_mean(X, y, w, b):
    dz = sigmoid(X @ w + b) - y
    return X.T @ dz, dz.sum()


def divides_by_zero(X, y, w, b):
    with np.errstate(all="ignore"):
        dz = (sigmoid(X @ w + b) - y) / 0.0
        return X.T @ dz, dz.sum()


def returns_only_dw(X, y, w, b):
    return X.T @ (sigmoid(X @ w + b) - y) / len(y)


WRONG = [
    ("net_input", forgets_return, ["returned None", "forget the `return`"]),
    ("net_input", floors, ["integer division", "relative error", "[-2. -3.]"]),
    ("net_input", casts_to_int, ["whole numbers only (dtype int64)"]),
    ("net_input", keeps_a_column, ["wrong shape", "[[-1.25]"]),
    ("net_input", forgets_the_bias, ["off by a constant", "expected - 0.25"]),
    ("net_input", sums_the_batch, ["a single number", "sum or average over the batch"]),
    ("net_input", raises, ["raised ValueError", "matmul", "in raises: return X @ w[:1] + b"]),
    ("step", transposes, ["case 2 of 3", "transposed"]),
    ("step", returns_booleans, ["dtype is bool", ".astype(int)"]),
    ("predict", calls_an_unwritten_step, ["not written yet", "step: your code here"]),
    ("perceptron_update", changes_w, ["changed its input w", "before the call: [1.2 0.6]"]),
    ("logistic_gradient", flips_the_sign, ["dw (returned value 1 of 2)", "sign error"]),
    ("logistic_gradient", sums_instead_of_mean, ["constant factor", "4 × expected", "N = 4"]),
    ("logistic_gradient", divides_by_zero, ["NaN or inf"]),
    ("logistic_gradient", returns_only_dw, ["expected 2 values, (dw, db)", "return dw, db"]),
]


@pytest.mark.parametrize(
    ("name", "function", "words"), WRONG, ids=[f.__name__ for _, f, _ in WRONG]
)
def test_check_prints_the_first_failing_case_with_its_hint(name, function, words, capsys):
    assert check(name, function) is False
    out = capsys.readouterr().out
    assert out.startswith(f"{name}: ") and "inputs:" in out
    for word in words:
        assert word in out, f"{word!r} missing from:\n{out}"


def test_a_gradient_failure_says_the_expected_values_are_finite_differences(capsys):
    check("logistic_gradient", flips_the_sign)
    assert (
        "central finite differences (float64) of the mean cross-entropy" in capsys.readouterr().out
    )


def test_check_on_an_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="Did you mean 'net_input'.*Known exercises: net_input"):
        check("net_inptu", forgets_return)
    with pytest.raises(TypeError, match="must be your function"):
        check("net_input", 3)


def test_every_exercise_has_public_cases():
    assert all(len(exercise.cases) >= 3 for exercise in EXERCISES.values())


def test_gradient_cases_use_float64_finite_differences_that_match_the_hand_values():
    # OR at w = 0, b = 0: p - y = (0.5, -0.5, -0.5, -0.5), dw = X.T @ (p - y) / 4, db = -1 / 4
    dw, db = finite_differences(mean_cross_entropy, (GATE_X, OR, np.zeros(2), 0.0), (2, 3))
    assert dw.dtype == np.float64 and isinstance(db, float)
    np.testing.assert_allclose(dw, [-0.25, -0.25], atol=1e-9)
    assert abs(db + 0.25) < 1e-9
    case = EXERCISES["logistic_gradient"].cases[0]
    np.testing.assert_allclose(case.expected[0], [-0.25, -0.25], atol=1e-9)


def test_diagnose_accepts_close_values_and_names_the_wrong_one():
    assert diagnose(np.array([1.0, 2.0 + 1e-12]), [1.0, 2.0]) is None
    assert diagnose(np.array([1, 0]), np.array([1, 0])) is None
    assert diagnose((np.zeros(2), 0.5), (np.zeros(2), 0.5)) is None
    message = diagnose((np.zeros(2), 0.5), (np.zeros(2), -0.5), names=("w", "b"))
    assert message.startswith("b (returned value 2 of 2) is wrong") and "sign error" in message
    assert "received: 0.5" in message and "expected: -0.5" in message


def test_assert_close_raises_the_diagnosis():
    assert_close([0.6, 0.35], np.array([0.6, 0.35]))
    with pytest.raises(AssertionError, match=r"net_input on a batch\nexpected: \[-1.25 -2.25\]"):
        assert_close(np.array([-1.5, -2.5]), [-1.25, -2.25], "net_input on a batch")


def test_assert_close_reports_a_value_the_sandbox_could_not_send():
    class Unencodable:  # what byhand.grading.protocol sends back for a generator, say
        type_name = "generator"

    with pytest.raises(AssertionError, match="returned a generator, which is not a number"):
        assert_close(Unencodable(), [1.0, 2.0])
    with pytest.raises(AssertionError, match="returned a str, which is not a number"):
        assert_close("1.0", 1.0)


def test_assert_unchanged_names_the_changed_argument():
    before = (np.array([1.0, 2.0]), 0.5)
    assert_unchanged((np.array([1.0, 2.0]), 0.5), before, ("w", "b"))
    with pytest.raises(AssertionError, match=r"update\nthe function changed its input w"):
        assert_unchanged((np.array([1.0, 3.0]), 0.5), before, ("w", "b"), "update")
