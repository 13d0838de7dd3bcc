"""`check`, `diagnose` and `assert_close`: what they print, and the hints they never give.

test_exercise_hints.py shows every hint earned by a real wrong answer; here are the format
of the feedback, the problems seen in the first run of the course (each test below failed
on the code before it was fixed), and the plain comparisons.
"""

import numpy as np
import pytest

from byhand.exercises import assert_close, assert_unchanged, diagnose
from byhand.exercises.cases import finite_differences
from byhand.exercises.checking import report
from byhand.exercises.perceptron import (
    EXERCISES,
    GATE_X,
    LOGISTIC_GRADIENT,
    NET_INPUT,
    OR,
    PERCEPTRON_UPDATE,
    check,
    mean_cross_entropy,
)


def step(z):
    return (z >= 0).astype(int)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def right_net_input(X, w, b):
    return X @ w + b


def forgets_the_bias(X, w, b):
    return X @ w


def flips_the_sign(X, y, w, b):
    dz = (y - sigmoid(X @ w + b)) / len(y)
    return X.T @ dz, dz.sum()


def test_check_prints_its_feedback_and_returns_none(capsys):
    """A check cell shows the feedback only, with or without a trailing `;`."""
    assert check("net_input", right_net_input) is None
    assert capsys.readouterr().out == "net_input: all 4 public cases pass\n"
    assert check("net_input", forgets_the_bias) is None
    out = capsys.readouterr().out
    assert out == report(NET_INPUT, forgets_the_bias) + "\n"
    assert out.startswith("net_input: public case 1 of 4 fails\n  inputs:\n    X: [[1. 2.]")
    assert "  expected: [-1.25 -2.25]\n  received: [-1.5 -2.5]\n" in out
    assert "  hint: the bias is missing: z = X @ w + b\n" in out


def test_a_gradient_failure_says_the_expected_values_are_finite_differences():
    text = report(LOGISTIC_GRADIENT, flips_the_sign)
    assert "central finite differences (float64) of the mean cross-entropy" in text
    assert "compared with tolerance rtol = 1e-06, atol = 1e-08" in text


def test_check_on_an_unknown_name_lists_the_sets_exercises():
    with pytest.raises(ValueError, match="Did you mean 'net_input'.*Its exercises: net_input"):
        check("net_inptu", right_net_input)
    with pytest.raises(TypeError, match="must be your function"):
        check("net_input", 3)


def test_every_exercise_has_public_cases():
    assert all(len(exercise.cases) >= 3 for exercise in EXERCISES)


def test_gradient_cases_use_float64_finite_differences_that_match_the_hand_values():
    # OR at w = 0, b = 0: p - y = (0.5, -0.5, -0.5, -0.5), dw = X.T @ (p - y) / 4, db = -1 / 4
    dw, db = finite_differences(mean_cross_entropy, (GATE_X, OR, np.zeros(2), 0.0), (2, 3))
    assert dw.dtype == np.float64 and isinstance(db, float)
    np.testing.assert_allclose(dw, [-0.25, -0.25], atol=1e-9)
    assert abs(db + 0.25) < 1e-9
    # The square case, worked in perceptron.py: dw = (-1/3, -1/6, 0), db = -1/6
    first, second = LOGISTIC_GRADIENT.cases[:2]
    np.testing.assert_allclose(first.expected[0], [-1 / 3, -1 / 6, 0], atol=1e-9)
    assert abs(first.expected[1] + 1 / 6) < 1e-9
    np.testing.assert_allclose(second.expected[0], [-0.25, -0.25], atol=1e-9)


# --- The problems seen in the first run (issue 11): each hint must fit its cause -----------


def update_with(w_step, b_step):
    """A perceptron_update whose w and b move by w_step(η e x) and b_step(b, η e)."""

    def perceptron_update(w, b, x, target, learning_rate):
        error = target - step(x @ w + b)
        return w + w_step(learning_rate * error * x), b_step(b, learning_rate * error)

    return perceptron_update


def test_a_bias_updated_with_the_wrong_sign_is_not_called_a_factor_of_n():
    # was: "off by a constant factor: received = 0.333333 × expected (divided by N = 3 ...)"
    text = report(PERCEPTRON_UPDATE, update_with(lambda s: s, lambda b, s: b - s))
    assert "b (returned value 2 of 2) is wrong" in text
    assert "factor" not in text and "N =" not in text
    assert "hint: b moved the wrong way" in text


def test_a_bias_not_updated_is_said_so_rather_than_a_factor():
    # was: "off by a constant factor: received = 0.666667 × expected"
    text = report(PERCEPTRON_UPDATE, update_with(lambda s: s, lambda b, s: b))
    assert "0.666667" not in text and "factor" not in text
    assert "hint: b came back as it was passed in: the update was not applied to it" in text


def test_a_zero_gets_no_factor_and_no_guess():
    # was: "off by a constant factor: received = 0 × expected"
    text = report(PERCEPTRON_UPDATE, update_with(lambda s: s, lambda b, s: 0.0))
    assert "received: 0.0\n" in text and "relative error" in text
    assert "hint" not in text
    assert "hint" not in diagnose(np.zeros(3), np.array([1.0, 2.0, 3.0]))


def test_a_flipped_w_step_gets_a_sign_hint():
    # was: no hint at all
    text = report(PERCEPTRON_UPDATE, update_with(lambda s: -s, lambda b, s: b + s))
    assert "w (returned value 1 of 2) is wrong" in text
    assert "hint: w moved the wrong way" in text


def test_w_at_x_with_a_square_x_is_recognised():
    # was: no hint at all (the first public case has a square X, [2, 2])
    text = report(NET_INPUT, lambda X, w, b: w @ X + b)
    assert "public case 1 of 4" in text and "hint: this is w @ X + b" in text


def test_a_factor_on_one_number_is_named_only_when_it_is_the_batch_size():
    assert "hint" not in diagnose(-0.5, -1.5)  # any two numbers have a ratio
    assert "hint" not in diagnose(3.0, 1.0)  # a factor 3, but no batch: no guess
    assert "N = 3 is the batch size" in diagnose(3.0, 1.0, batch=3)
    assert "hint" not in diagnose(2.0, 1.0, batch=3)  # 2 is not N = 3
    assert "divided by N twice" in diagnose(0.25, 1.0, batch=4)


def test_a_factor_on_an_array_needs_two_entries_that_agree_and_names_n_only_for_a_batch():
    two = diagnose(np.array([2.0, 4.0]), np.array([1.0, 2.0]))
    assert "received = 2 × expected, in every entry" in two and "N" not in two
    assert "N = 2 is the batch size" in diagnose(np.array([2.0, 4.0]), [1.0, 2.0], batch=2)
    assert "hint" not in diagnose(np.array([0.0, 3.0]), np.array([0.0, 1.0]))  # one entry


def test_whole_numbers_in_one_float_are_no_evidence_of_integer_division():
    assert "hint" not in diagnose(-1.0, -1.5)  # trunc(-1.5), by chance
    assert "integer division" in diagnose(np.int64(-1), -1.5)  # an integer type is evidence


def test_assert_close_gives_the_generic_hints_to_hidden_tests():
    with pytest.raises(AssertionError, match="sign error: every value has the opposite sign"):
        assert_close(np.array([1.0, -2.0]), [-1.0, 2.0], "net_input")
    with pytest.raises(AssertionError, match=r"received = N × expected, where N = 4"):
        assert_close(np.array([4.0, 8.0]), [1.0, 2.0], batch=4)


# --- Plain comparisons ----------------------------------------------------------------------


def test_diagnose_accepts_close_values_and_names_the_wrong_one():
    assert diagnose(np.array([1.0, 2.0 + 1e-12]), [1.0, 2.0]) is None
    assert diagnose(np.array([1, 0]), np.array([1, 0])) is None
    assert diagnose((np.zeros(2), 0.5), (np.zeros(2), 0.5)) is None
    message = diagnose((np.zeros(2), 0.5), (np.zeros(2), -0.5), names=("w", "b"))
    assert message.startswith("b (returned value 2 of 2) is wrong") and "sign error" in message
    assert "received: 0.5" in message and "expected: -0.5" in message


def test_a_known_mistake_is_matched_by_the_same_comparison():
    known = [("the w @ X mistake", np.array([-2.25, -2.75]))]
    text = diagnose(np.array([-2.25, -2.75 + 1e-12]), [-1.25, -2.25], known=known)
    assert text.endswith("hint: the w @ X mistake")
    assert "hint" not in diagnose(np.array([-2.25, -2.7]), [-1.25, -2.25], known=known)


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
    with pytest.raises(AssertionError, match=r"expected 2 values, \(w, b\)\nhint: the function"):
        assert_close(Unencodable(), (1.0, 2.0), names=("w", "b"))


def test_assert_unchanged_names_the_changed_argument():
    before = (np.array([1.0, 2.0]), 0.5)
    assert_unchanged((np.array([1.0, 2.0]), 0.5), before, ("w", "b"))
    with pytest.raises(AssertionError, match=r"update\nthe function changed its input w"):
        assert_unchanged((np.array([1.0, 3.0]), 0.5), before, ("w", "b"), "update")


def test_a_word_is_right_or_wrong_and_a_known_mistake_explains_it():
    assert diagnose("saddle", "saddle") is None
    known = [("minimum and maximum are swapped", "minimum")]
    assert diagnose("minimum", "maximum", known=known) == (
        "expected: 'maximum'\nreceived: 'minimum'\nhint: minimum and maximum are swapped"
    )
    assert diagnose(3, "saddle") == "expected: 'saddle'\nreceived: 3"
    assert diagnose("minimum", "maximum", reveal=False) == "not the word expected"
    with pytest.raises(AssertionError) as raised:
        assert_close("minimum", "maximum", "at a hidden point")
    assert raised.value.public == "at a hidden point\nnot the word expected"


def test_a_public_message_does_not_count_unnamed_hidden_values():
    batches = (np.array([3, 0]), np.array([4, 1]), np.array([2]))  # their number is hidden
    short = (np.array([3, 0]), np.array([4, 1]))
    public = diagnose(short, batches, reveal=False)
    assert "3" not in public and "another number of values" in public, public
    assert "expected 3 values" in diagnose(short, batches)  # the student's own check says it
    named = diagnose((1.0,), (1.0, 2.0), names=("w", "b"), reveal=False)
    assert "expected 2 values, (w, b)" in named  # the statement names them: nothing hidden
