"""The Chapter 3 exercise set (03_activations): its hints, its public cases, its hidden tests.

HINT_PAIRS pairs each known mistake of the set with a wrong function that earns its hint and
a different wrong function that does not, written as a student would write them (not taken
from the mistakes' own code), in the form of `EARNED` in test_exercise_hints.py. Here they
run through the set's own `check`, as a student sees it, which also stops the stable
functions at an overflow. The public cases are compared with the course library
(`byhand.activations`), whose conventions at the kinks the set follows; the hidden tests
must take points from every mistake the hints name.
"""

import numpy as np
import pytest
import set_tools
from set_tools import flat, printed_by
from test_exercises import ROOT

from byhand.activations import LeakyReLU, ReLU, Sigmoid, Softmax
from byhand.exercises import SETS
from byhand.exercises.activations import (
    LEAKY_RELU,
    LEAKY_RELU_BACKWARD,
    RELU,
    RELU_BACKWARD,
    SIGMOID,
    SIGMOID_BACKWARD,
    SOFTMAX,
    SOFTMAX_BACKWARD,
    SOFTMAX_JACOBIAN,
    check,
    reference_sigmoid,
    reference_softmax,
)
from byhand.grading import load_tests
from byhand.grading.answers import answer_uses

SET = "03_activations"
HIDDEN = ROOT / "solutions" / "hidden" / f"{SET}.py"


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax(Z):
    e = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


checked = printed_by(check)


# --- sigmoid ------------------------------------------------------------------------------


def flips_the_exponent(z):
    return 1 / (1 + np.exp(z))


def subtracts_from_one(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), 1 - 1 / (1 + e))


def through_tanh(z):
    return (1 + np.tanh(z / 2)) / 2


def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def both_branches_overflow(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


# --- sigmoid_backward ---------------------------------------------------------------------


def notes_slip(z, da):
    a = sigmoid(z)
    return da * a / (1 - a)


def slope_at_the_output(z, da):
    a = sigmoid(z)
    return da * sigmoid(a) * (1 - sigmoid(a))


def slope_of_the_input(z, da):
    return da * z * (1 - z)


def forgets_da(z, da):
    a = sigmoid(z)
    return a * (1 - a)


def naive_sigmoid_backward(z, da):
    a = naive_sigmoid(z)
    return da * a * (1 - a)


# --- relu and leaky relu ------------------------------------------------------------------


def reduces_with_max(z):
    return np.max(z, 0)


def returns_the_mask(z):
    return np.where(z > 0, 1, 0)


def zeroes_in_place(z):
    z[z < 0] = 0
    return z


def passes_at_zero(z, da):
    return da * (z >= 0)


def passes_below_zero(z, da):
    return np.where(z < 0, da, 0.0)


def relu_slope_only(z, da):
    return np.where(z > 0, 1.0, 0.0)


def times_the_value(z, da):
    return da * np.maximum(z, 0)


def scales_the_positives(z, alpha):
    return np.where(z > 0, alpha * z, z)


def forgets_alpha(z, alpha):
    return np.where(z > 0, z, 0.0)


def leaky_passes_at_zero(z, da, alpha):
    return da * np.where(z >= 0, 1.0, alpha)


def swaps_the_slopes(z, da, alpha):
    return da * np.where(z > 0, alpha, 1.0)


def leaky_slope_only(z, da, alpha):
    return np.where(z > 0, 1.0, alpha)


def value_for_slope(z, da, alpha):
    return da * np.where(z > 0, 1.0, alpha * z)


# --- softmax ------------------------------------------------------------------------------


def over_the_columns(Z):
    e = np.exp(Z - Z.max(axis=0))
    return e / e.sum(axis=0)


def over_the_whole_batch(Z):
    e = np.exp(Z - np.max(Z))
    return e / np.sum(e)


def sum_loses_its_axis(Z):
    e = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


def max_loses_its_axis(Z):
    e = np.exp(Z - Z.max(axis=-1))
    return e / e.sum(axis=-1, keepdims=True)


def shifts_in_place(Z):
    Z -= Z.max(axis=-1, keepdims=True)
    e = np.exp(Z)
    return e / e.sum(axis=-1, keepdims=True)


def never_shifts(Z):
    e = np.exp(Z)
    return e / e.sum(axis=-1, keepdims=True)


def diagonal_matrix_only(z):
    s = softmax(z)
    return np.diag(s * (1 - s))


def diagonal_vector(z):
    s = softmax(z)
    return s * (1 - s)


def inner_for_outer(z):
    s = softmax(z)
    return np.diag(s) - s @ s


def outer_minus_diagonal(z):
    s = softmax(z)
    return np.outer(s, s) - np.diag(s)


def forgets_the_subtraction(Z, dA):
    return softmax(Z) * dA


def sigmoid_rule(Z, dA):
    S = softmax(Z)
    return dA * S * (1 - S)


def sums_the_batch(Z, dA):
    S = softmax(Z)
    return S * (dA - np.sum(dA * S))


def sums_down_the_columns(Z, dA):
    S = softmax(Z)
    return S * (dA - (dA * S).sum(axis=0))


# key -> (exercise, a wrong function that earns its hint, a different one that does not)
HINT_PAIRS = {
    f"{SET}/sigmoid: σ(−z)": (SIGMOID, flips_the_exponent, subtracts_from_one),
    f"{SET}/sigmoid: 1 − σ(−z)": (SIGMOID, subtracts_from_one, flips_the_exponent),
    f"{SET}/sigmoid_backward: σ/(1−σ)": (SIGMOID_BACKWARD, notes_slip, forgets_da),
    f"{SET}/sigmoid_backward: σ' at σ(z)": (
        SIGMOID_BACKWARD,
        slope_at_the_output,
        slope_of_the_input,
    ),
    f"{SET}/sigmoid_backward: z(1 − z)": (SIGMOID_BACKWARD, slope_of_the_input, notes_slip),
    f"{SET}/sigmoid_backward: no da": (SIGMOID_BACKWARD, forgets_da, slope_at_the_output),
    f"{SET}/relu: np.max(z, 0)": (RELU, reduces_with_max, returns_the_mask),
    f"{SET}/relu: the mask": (RELU, returns_the_mask, reduces_with_max),
    f"{SET}/relu_backward: 1 at 0": (RELU_BACKWARD, passes_at_zero, passes_below_zero),
    f"{SET}/relu_backward: wrong side": (RELU_BACKWARD, passes_below_zero, passes_at_zero),
    f"{SET}/relu_backward: no da": (RELU_BACKWARD, relu_slope_only, times_the_value),
    f"{SET}/relu_backward: da · relu(z)": (RELU_BACKWARD, times_the_value, relu_slope_only),
    f"{SET}/leaky_relu: α on the positive side": (
        LEAKY_RELU,
        scales_the_positives,
        forgets_alpha,
    ),
    f"{SET}/leaky_relu: plain ReLU": (LEAKY_RELU, forgets_alpha, scales_the_positives),
    f"{SET}/leaky_relu_backward: 1 at 0": (
        LEAKY_RELU_BACKWARD,
        leaky_passes_at_zero,
        swaps_the_slopes,
    ),
    f"{SET}/leaky_relu_backward: slopes swapped": (
        LEAKY_RELU_BACKWARD,
        swaps_the_slopes,
        leaky_passes_at_zero,
    ),
    f"{SET}/leaky_relu_backward: no da": (LEAKY_RELU_BACKWARD, leaky_slope_only, value_for_slope),
    f"{SET}/leaky_relu_backward: α·z as the slope": (
        LEAKY_RELU_BACKWARD,
        value_for_slope,
        leaky_slope_only,
    ),
    f"{SET}/softmax: axis 0": (SOFTMAX, over_the_columns, over_the_whole_batch),
    f"{SET}/softmax: sum over all": (SOFTMAX, over_the_whole_batch, over_the_columns),
    f"{SET}/softmax: sum without keepdims": (SOFTMAX, sum_loses_its_axis, max_loses_its_axis),
    f"{SET}/softmax: max without keepdims": (SOFTMAX, max_loses_its_axis, sum_loses_its_axis),
    f"{SET}/softmax_jacobian: diagonal only": (
        SOFTMAX_JACOBIAN,
        diagonal_matrix_only,
        inner_for_outer,
    ),
    f"{SET}/softmax_jacobian: s(1 − s) as a vector": (
        SOFTMAX_JACOBIAN,
        diagonal_vector,
        diagonal_matrix_only,
    ),
    f"{SET}/softmax_jacobian: s @ s": (SOFTMAX_JACOBIAN, inner_for_outer, diagonal_vector),
    f"{SET}/softmax_backward: no subtraction": (
        SOFTMAX_BACKWARD,
        forgets_the_subtraction,
        sigmoid_rule,
    ),
    f"{SET}/softmax_backward: S(1 − S)": (
        SOFTMAX_BACKWARD,
        sigmoid_rule,
        forgets_the_subtraction,
    ),
    f"{SET}/softmax_backward: sum over the batch": (
        SOFTMAX_BACKWARD,
        sums_the_batch,
        sums_down_the_columns,
    ),
    f"{SET}/softmax_backward: sum over axis 0": (
        SOFTMAX_BACKWARD,
        sums_down_the_columns,
        sums_the_batch,
    ),
}


# This set's hints, by the identity test_exercise_hints.py gives them (which also
# checks that each is earned by its pair in HINT_PAIRS and by no other).
MINE = {f"{SET}/{exercise.name}: {mistake.name}": mistake.hint
        for exercise in SETS[SET].EXERCISES for mistake in exercise.mistakes}  # fmt: skip


def test_a_sigmoid_through_tanh_loses_the_small_values_and_is_told_so():
    assert flat(MINE[f"{SET}/sigmoid: 1 − σ(−z)"]) in checked("sigmoid", through_tanh)
    assert "public case 4 of 4" in checked("sigmoid", through_tanh)


# --- The stable functions stop at an overflow ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "function", "where", "advice"),
    [
        ("sigmoid", naive_sigmoid, "naive_sigmoid", "exp(−|z|)"),
        ("sigmoid", both_branches_overflow, "both_branches_overflow", "computes both"),
        ("sigmoid_backward", naive_sigmoid_backward, "naive_sigmoid", "exp(−|z|)"),
        ("softmax", never_shifts, "never_shifts", "Subtract each row's maximum first"),
    ],
)
def test_an_overflow_stops_the_check_at_its_line_with_advice(name, function, where, advice):
    text = checked(name, function)
    assert "it raised FloatingPointError: overflow encountered in exp" in text, text
    assert f"in {where}" in text, "the function whose line overflowed is named"
    assert text.count("hint: ") == 1 and advice in text
    assert "no overflow" in text, "the case that overflowed is the one about large inputs"


def test_without_an_overflow_there_is_no_advice_and_nothing_is_left_switched_on():
    before = np.geterr()
    for exercise, function in [(SIGMOID, sigmoid), (SOFTMAX, softmax)]:
        count = len(exercise.cases)
        assert checked(exercise.name, function) == f"{exercise.name}: all {count} public cases pass"
    assert np.geterr() == before


def test_check_still_says_not_attempted_and_refuses_what_is_not_a_function():
    def sigmoid_stub(z):
        raise NotImplementedError("sigmoid: your code here")

    assert checked("sigmoid", sigmoid_stub) == "sigmoid: not attempted yet"
    with pytest.raises(TypeError, match="the second argument must be your function"):
        check("softmax", "softmax")
    with pytest.raises(ValueError, match="Did you mean 'softmax'"):
        check("sofmax", softmax)


@pytest.mark.parametrize(
    ("name", "function"),
    [("relu", zeroes_in_place), ("softmax", shifts_in_place)],
)
def test_changing_the_input_in_place_is_named(name, function):
    text = checked(name, function)
    assert "the function changed its input" in text
    assert text.count("hint: ") == 1 and "instead of changing the one passed in" in text


def test_a_flipped_jacobian_gets_the_sign_hint():
    assert "sign error: every value has the opposite sign" in checked(
        "softmax_jacobian", outer_minus_diagonal
    )


# --- The public cases ---------------------------------------------------------------------


def test_the_reference_functions_are_stable_and_agree_with_the_course_library():
    z = np.array([-1000.0, -712.0, -40.0, -2.0, 0.0, 2.0, 40.0, 1000.0])
    with np.errstate(all="raise", under="ignore"):  # underflow to 0 is the right answer
        a = reference_sigmoid(z)
        S = reference_softmax(np.array([[1000.0, 0.0], [-1000.0, -1001.0]]))
    assert np.array_equal(a, Sigmoid()(z))
    assert a[0] == 0.0 and a[-1] == 1.0 and 0 < a[1] < 1e-309
    assert np.isclose(a[1], np.exp(-712.0), rtol=1e-12, atol=0)
    assert np.allclose(S, [[1.0, 0.0], [1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(1.0))]])
    Z = np.random.default_rng(0).normal(size=(4, 5)) * 10
    assert np.allclose(reference_softmax(Z), Softmax()(Z), rtol=1e-14, atol=0)


def test_the_worked_examples_have_the_numbers_the_notebook_quotes():
    s = SOFTMAX.cases[0].expected
    assert np.allclose(s, [0.77514955, 0.11593805, 0.03859242, 0.07031998], rtol=0, atol=5e-9)
    assert round(float(s[0]), 3) == 0.775 and np.isclose(s.sum(), 1.0, rtol=0, atol=1e-15)
    assert np.allclose(SIGMOID.cases[0].expected, [0.11920292, 0.5, 0.88079708], atol=5e-9)
    assert np.isclose(SIGMOID.cases[3].expected[0], 4.25e-18, rtol=1e-3, atol=0)
    assert SIGMOID.cases[3].atol == 0.0, "the tail is compared relatively"
    # the hand-worked softmax batch: each row of the expected value sums to 1
    for case in SOFTMAX.cases[1:]:
        assert np.allclose(case.expected.sum(axis=-1), 1.0, rtol=0, atol=1e-15)
        assert np.allclose(case.expected, reference_softmax(case.args[0]), rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    ("exercise", "library"),
    [
        (SIGMOID, lambda z: Sigmoid()(z)),
        (RELU, lambda z: ReLU()(z)),
        (LEAKY_RELU, lambda z, alpha: LeakyReLU(alpha)(z)),
        (SOFTMAX, lambda Z: Softmax()(Z)),
        (SIGMOID_BACKWARD, lambda z, da: Sigmoid().backward(z, Sigmoid()(z), da)),
        (RELU_BACKWARD, lambda z, da: ReLU().backward(z, ReLU()(z), da)),
        (
            LEAKY_RELU_BACKWARD,
            lambda z, da, alpha: LeakyReLU(alpha).backward(z, LeakyReLU(alpha)(z), da),
        ),
        (SOFTMAX_BACKWARD, lambda Z, dA: Softmax().backward(Z, Softmax()(Z), dA)),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_the_public_cases_agree_with_the_course_library(exercise, library):
    """The same conventions as byhand.activations: relu'(0) = 0, leaky_relu'(0) = alpha."""
    for case in exercise.cases:
        assert np.allclose(library(*case.args), case.expected, rtol=case.rtol, atol=case.atol)


def test_finite_difference_cases_stay_away_from_the_kinks():
    for exercise in (RELU_BACKWARD, LEAKY_RELU_BACKWARD):
        numerical = [case for case in exercise.cases if case.source]
        assert len(numerical) == 2
        for case in numerical:
            assert np.abs(case.args[0]).min() >= 0.05  # eps = 1e-6 never crosses 0
    for exercise in (SIGMOID_BACKWARD, SOFTMAX_BACKWARD, SOFTMAX_JACOBIAN):
        assert any("central finite" in case.source for case in exercise.cases)


# --- The hidden tests ---------------------------------------------------------------------


def hidden_score(name, function):
    return set_tools.hidden_score(HIDDEN, name, function)


@pytest.mark.parametrize("key", sorted(HINT_PAIRS))
def test_every_mistake_the_hints_name_loses_hidden_points(key):
    exercise, earns, _ = HINT_PAIRS[key]
    with np.errstate(all="ignore"):  # a mistake may divide by 0; its score is what counts
        earned, possible, _ = hidden_score(exercise.name, earns)
    assert earned < possible, f"{earns.__name__} earns full marks for {exercise.name}"


@pytest.mark.parametrize(
    ("name", "function"),
    [("relu", zeroes_in_place), ("softmax", shifts_in_place), ("softmax", never_shifts)],
)
def test_changed_inputs_and_a_missing_shift_lose_hidden_points(name, function):
    with np.errstate(all="ignore"):
        earned, possible, _ = hidden_score(name, function)
    assert earned < possible


def test_an_overflowing_sigmoid_loses_the_tail_point_with_a_plain_message():
    with np.errstate(over="ignore"):
        earned, possible, results = hidden_score("sigmoid", naive_sigmoid)
    assert (earned, possible) == (1, 2)
    (failed,) = [r for r in results if not r.passed]
    assert failed.name == "test_sigmoid_far_in_both_tails"
    assert "must give a tiny positive number, not 0" in failed.message
    assert "e-310" not in failed.message and "712" not in failed.message  # no hidden value


def test_answer_modules_name_the_library_that_implements_the_answers():
    (test, *_) = load_tests(HIDDEN)
    modules = test.answer_modules
    for module in ("byhand.activations", "byhand.layers", "byhand.symbolic", "byhand.autodiff"):
        assert module in modules
    cells = [
        "import numpy as np\nfrom byhand.exercises.activations import check",
        "from byhand.activations import Softmax\ndef softmax(Z):\n    return Softmax()(Z)",
        "import byhand.autodiff as ad\ndef sigmoid(z):\n    return ad.sigmoid(z)",
        "def relu(z):\n    return np.maximum(z, 0.0)\ncheck('relu', relu)",
    ]
    allowed = tuple(f"{module.__name__}.check" for module in SETS.values())
    assert answer_uses(cells, modules, allowed) == {
        "softmax": ["byhand.activations.Softmax"],
        "sigmoid": ["byhand.autodiff.sigmoid"],
    }
    # Names are matched in the code, never imported: a module not written yet is harmless.
    assert answer_uses(["import byhand.not_written\ndef f():\n    return byhand.not_written"],
                       ("byhand.not_written",)) == {"f": ["byhand.not_written"]}  # fmt: skip
