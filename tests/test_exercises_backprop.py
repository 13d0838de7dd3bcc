"""The Chapter 4 exercise set (04_backpropagation): its hints, public cases and hidden tests.

HINT_PAIRS pairs each known mistake of the set with a wrong function that earns its hint and
a different wrong function that does not, written as a student would write them (not taken
from the mistakes' own code), in the form of `EARNED` in test_exercise_hints.py; here they
run through the set's own `check`, as a student sees it. The public cases' expected values
are checked against hand-worked numbers, SymPy and finite differences; the set's reference
code against the course library's gradient check. The hidden tests must take points from
every wrong function here. The grader cannot pass a function or a random generator to a
student's function, so three exercises are graded through functions of the notebook
(`check_regression_gradient`, `draw_he_normal`, `draw_glorot_uniform`); the last tests run
the real grader, sandbox and all, on the solutions and on the untouched exercises.
"""

import copy

import nbformat
import numpy as np
import pytest
from set_tools import flat, printed_by
from test_exercises import ROOT, notebook_namespace

from byhand.exercises import SETS
from byhand.exercises.backprop import (
    DENSE_BACKWARD,
    DENSE_FORWARD,
    GLOROT_UNIFORM,
    GRADIENT_CHECK,
    HE_NORMAL,
    SGD_STEP,
    TWO_LAYER_BACKWARD,
    Seeded,
    check,
    relative_error,
    two_layer_gradients,
    two_layer_loss,
)
from byhand.exercises.cases import finite_differences
from byhand.exercises.checking import report
from byhand.exercises.feedback import HINTS
from byhand.grading import load_tests, run_tests
from byhand.grading.answers import answer_uses

SET = "04_backpropagation"
HIDDEN = ROOT / "solutions" / "hidden" / f"{SET}.py"


checked = printed_by(check, quiet=True)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --- dense_forward, as students get it wrong ------------------------------------------------


def transposes_the_weights(X, W, b):
    return np.dot(X, W.T) + b


def weights_first(X, W, b):
    return np.dot(W, X) + b


def forgets_the_bias(X, W, b):
    return X @ W


def adds_the_bias_to_the_inputs(X, W, b):
    return (X + b[: X.shape[1]]) @ W


# --- dense_backward -------------------------------------------------------------------------


def right_dense_backward(X, W, dY):
    return dY @ W.T, X.T @ dY, np.sum(dY, axis=0)


def no_transpose_on_x(X, W, dY):
    return dY @ W.T, np.dot(X, dY), np.sum(dY, axis=0)


def dw_the_other_way_round(X, W, dY):
    return dY @ W.T, np.matmul(dY.T, X), np.sum(dY, axis=0)


def no_transpose_on_w(X, W, dY):
    return np.dot(dY, W), X.T @ dY, np.sum(dY, axis=0)


def averages_the_gradients(X, W, dY):
    n = X.shape[0]
    return dY @ W.T, (X.T @ dY) / n, np.sum(dY, axis=0) / n


def db_over_the_units(X, W, dY):
    return dY @ W.T, X.T @ dY, np.sum(dY, axis=1)


def db_unsummed(X, W, dY):
    return dY @ W.T, X.T @ dY, dY.copy()


def db_averaged(X, W, dY):
    return dY @ W.T, X.T @ dY, np.mean(dY, axis=0)


def db_all_summed(X, W, dY):
    return dY @ W.T, X.T @ dY, np.sum(dY)


def dx_sign_flipped(X, W, dY):
    return -(dY @ W.T), X.T @ dY, np.sum(dY, axis=0)


# --- two_layer_backward ---------------------------------------------------------------------


def backward(X, Y, W1, b1, W2, b2, mean=True, per_example=False, two=2.0, slope="a",
             layer_two_input="a"):  # fmt: skip
    """A student's backward pass, written out, with one thing done their way."""
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    out = A1 @ W2 + b2
    error = out - Y
    if per_example:
        d_out = two * error / X.shape[0]
    elif mean:
        d_out = two * error / (Y.shape[0] * Y.shape[1])
    else:
        d_out = two * error
    H = A1 if layer_two_input == "a" else Z1
    dW2, db2 = H.T @ d_out, d_out.sum(axis=0)
    dA1 = d_out @ W2.T
    if slope == "a":
        dZ1 = dA1 * A1 * (1 - A1)
    elif slope == "sigmoid of a":
        dZ1 = dA1 * sigmoid(A1) * (1 - sigmoid(A1))
    elif slope == "z":
        dZ1 = dA1 * Z1 * (1 - Z1)
    else:
        dZ1 = dA1
    return X.T @ dZ1, dZ1.sum(axis=0), dW2, db2


def sums_the_squares(X, Y, W1, b1, W2, b2):
    return backward(X, Y, W1, b1, W2, b2, mean=False)


def divides_by_the_batch(X, Y, W1, b1, W2, b2):
    return backward(X, Y, W1, b1, W2, b2, per_example=True)


def forgets_the_two(X, Y, W1, b1, W2, b2):
    return backward(X, Y, W1, b1, W2, b2, two=1.0)


def applies_sigmoid_twice(X, Y, W1, b1, W2, b2):
    return backward(X, Y, W1, b1, W2, b2, slope="sigmoid of a")


def slope_from_z(X, Y, W1, b1, W2, b2):
    return backward(X, Y, W1, b1, W2, b2, slope="z")


def skips_the_sigmoid(X, Y, W1, b1, W2, b2):
    return backward(X, Y, W1, b1, W2, b2, slope="none")


def feeds_z_to_layer_two(X, Y, W1, b1, W2, b2):
    return backward(X, Y, W1, b1, W2, b2, layer_two_input="z")


# --- gradient_check -------------------------------------------------------------------------


def numeric(f, W, h, forward=False, two=True, restore=True, keep_dtype=False):
    """A student's numerical gradient, nudging a copy of W in place."""
    V = W.copy() if keep_dtype else W.astype(float)
    G = np.zeros(W.shape)
    for i in np.ndindex(W.shape):
        keep = V[i]
        V[i] = keep + h
        f_plus = f(V)
        if forward:
            V[i] = keep
            G[i] = (f_plus - f(V)) / h
            continue
        V[i] = keep - h
        f_minus = f(V)
        if restore:
            V[i] = keep
        G[i] = (f_plus - f_minus) / (2 * h if two else h)
    return G


def forward_difference_check(f, W, dW, h=1e-5):
    G = numeric(f, W, h, forward=True)
    return np.abs(dW - G).max() / max(1e-12, (np.abs(dW) + np.abs(G)).max())


def over_h_check(f, W, dW, h=1e-5):
    G = numeric(f, W, h, two=False)
    return np.abs(dW - G).max() / max(1e-12, (np.abs(dW) + np.abs(G)).max())


def never_restores_check(f, W, dW, h=1e-5):
    G = numeric(f, W, h, restore=False)
    return np.abs(dW - G).max() / max(1e-12, (np.abs(dW) + np.abs(G)).max())


def float32_check(f, W, dW, h=1e-5):
    G = numeric(f, W, h, keep_dtype=True)
    return np.abs(dW - G).max() / max(1e-12, (np.abs(dW) + np.abs(G)).max())


def divides_by_dw_check(f, W, dW, h=1e-5):
    G = numeric(f, W, h)
    return np.abs(dW - G).max() / max(1e-12, np.abs(dW).max())


def signed_check(f, W, dW, h=1e-5):
    G = numeric(f, W, h)
    return (dW - G).max() / max(1e-12, (np.abs(dW) + np.abs(G)).max())


def unguarded_check(f, W, dW, h=1e-5):
    G = numeric(f, W, h)
    return np.abs(dW - G).max() / (np.abs(dW) + np.abs(G)).max()


def nudges_the_callers_w(f, W, dW, h=1e-5):
    G = np.zeros(W.shape)
    for i in np.ndindex(W.shape):
        W[i] += h
        f_plus = f(W)
        W[i] -= 2 * h
        f_minus = f(W)
        W[i] += h  # back, up to rounding
        G[i] = (f_plus - f_minus) / (2 * h)
    return np.abs(dW - G).max() / max(1e-12, (np.abs(dW) + np.abs(G)).max())


# --- he_normal and glorot_uniform -----------------------------------------------------------


def he_with_n_out(n_in, n_out, rng):
    return rng.normal(0, np.sqrt(2 / n_out), (n_in, n_out))


def he_variance_as_std(n_in, n_out, rng):
    return rng.normal(0, 2 / n_in, (n_in, n_out))


def lecun_normal(n_in, n_out, rng):
    return rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out))


def glorot_normal(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2 / (n_in + n_out))


def he_drawn_transposed(n_in, n_out, rng):
    return np.sqrt(2 / n_in) * rng.standard_normal((n_out, n_in)).T


def he_of_shape_out_in(n_in, n_out, rng):
    return rng.normal(0, np.sqrt(2 / n_in), (n_out, n_in))


def glorot_std_as_limit(n_in, n_out, rng):
    limit = np.sqrt(2 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out))


def glorot_without_root(n_in, n_out, rng):
    limit = 6 / (n_in + n_out)
    return rng.uniform(-limit, limit, (n_in, n_out))


def he_uniform(n_in, n_out, rng):
    limit = np.sqrt(6 / n_in)
    return (2 * rng.random((n_in, n_out)) - 1) * limit


def glorot_from_zero(n_in, n_out, rng):
    return rng.uniform(0, np.sqrt(6 / (n_in + n_out)), (n_in, n_out))


def glorot_drawn_transposed(n_in, n_out, rng):
    limit = np.sqrt(6 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_out, n_in)).T


# --- sgd_step -------------------------------------------------------------------------------


def steps_without_the_rate(X, Y, W1, b1, W2, b2, learning_rate):
    dW1, db1, dW2, db2 = two_layer_gradients(X, Y, W1, b1, W2, b2)
    return W1 - dW1, b1 - db1, W2 - dW2, b2 - db2


def climbs(X, Y, W1, b1, W2, b2, learning_rate):
    dW1, db1, dW2, db2 = two_layer_gradients(X, Y, W1, b1, W2, b2)
    return (
        W1 + learning_rate * dW1,
        b1 + learning_rate * db1,
        W2 + learning_rate * dW2,
        b2 + learning_rate * db2,
    )


def updates_in_place(X, Y, W1, b1, W2, b2, learning_rate):
    grads = two_layer_gradients(X, Y, W1, b1, W2, b2)
    for p, g in zip((W1, b1, W2, b2), grads, strict=True):
        p -= learning_rate * g
    return W1, b1, W2, b2


# key -> (exercise, a wrong function that earns its hint, a different one that does not)
HINT_PAIRS = {
    f"{SET}/dense_forward: X @ W.T": (DENSE_FORWARD, transposes_the_weights, weights_first),
    f"{SET}/dense_forward: W @ X": (DENSE_FORWARD, weights_first, forgets_the_bias),
    f"{SET}/dense_forward: no bias": (
        DENSE_FORWARD,
        forgets_the_bias,
        adds_the_bias_to_the_inputs,
    ),
    f"{SET}/dense_backward: X @ dY": (DENSE_BACKWARD, no_transpose_on_x, dw_the_other_way_round),
    f"{SET}/dense_backward: dYᵀ X": (DENSE_BACKWARD, dw_the_other_way_round, no_transpose_on_x),
    f"{SET}/dense_backward: dY @ W": (DENSE_BACKWARD, no_transpose_on_w, dx_sign_flipped),
    f"{SET}/dense_backward: dW / N": (DENSE_BACKWARD, averages_the_gradients, db_averaged),
    f"{SET}/dense_backward: db over axis 1": (DENSE_BACKWARD, db_over_the_units, db_unsummed),
    f"{SET}/dense_backward: db = dY": (DENSE_BACKWARD, db_unsummed, db_all_summed),
    f"{SET}/dense_backward: db mean": (DENSE_BACKWARD, db_averaged, averages_the_gradients),
    f"{SET}/dense_backward: db one number": (DENSE_BACKWARD, db_all_summed, db_over_the_units),
    f"{SET}/two_layer_backward: sum": (
        TWO_LAYER_BACKWARD,
        sums_the_squares,
        divides_by_the_batch,
    ),
    f"{SET}/two_layer_backward: 1/N": (
        TWO_LAYER_BACKWARD,
        divides_by_the_batch,
        sums_the_squares,
    ),
    f"{SET}/two_layer_backward: no 2": (TWO_LAYER_BACKWARD, forgets_the_two, sums_the_squares),
    f"{SET}/two_layer_backward: σ' at A1": (
        TWO_LAYER_BACKWARD,
        applies_sigmoid_twice,
        slope_from_z,
    ),
    f"{SET}/two_layer_backward: Z1(1 − Z1)": (
        TWO_LAYER_BACKWARD,
        slope_from_z,
        applies_sigmoid_twice,
    ),
    f"{SET}/two_layer_backward: no σ'": (
        TWO_LAYER_BACKWARD,
        skips_the_sigmoid,
        applies_sigmoid_twice,
    ),
    f"{SET}/two_layer_backward: Z1 as the input of layer 2": (
        TWO_LAYER_BACKWARD,
        feeds_z_to_layer_two,
        skips_the_sigmoid,
    ),
    f"{SET}/gradient_check: forward": (GRADIENT_CHECK, forward_difference_check, over_h_check),
    f"{SET}/gradient_check: / h": (GRADIENT_CHECK, over_h_check, forward_difference_check),
    f"{SET}/gradient_check: not put back": (
        GRADIENT_CHECK,
        never_restores_check,
        float32_check,
    ),
    f"{SET}/gradient_check: float32": (GRADIENT_CHECK, float32_check, never_restores_check),
    f"{SET}/gradient_check: |dW| only": (GRADIENT_CHECK, divides_by_dw_check, signed_check),
    f"{SET}/gradient_check: no abs": (GRADIENT_CHECK, signed_check, divides_by_dw_check),
    f"{SET}/he_normal: n_out": (HE_NORMAL, he_with_n_out, lecun_normal),
    f"{SET}/he_normal: variance as std": (HE_NORMAL, he_variance_as_std, he_with_n_out),
    f"{SET}/he_normal: LeCun": (HE_NORMAL, lecun_normal, glorot_normal),
    f"{SET}/he_normal: Glorot": (HE_NORMAL, glorot_normal, lecun_normal),
    f"{SET}/he_normal: drawn as [n_out, n_in]": (
        HE_NORMAL,
        he_drawn_transposed,
        he_of_shape_out_in,
    ),
    f"{SET}/glorot_uniform: std as limit": (
        GLOROT_UNIFORM,
        glorot_std_as_limit,
        glorot_without_root,
    ),
    f"{SET}/glorot_uniform: no √": (GLOROT_UNIFORM, glorot_without_root, glorot_std_as_limit),
    f"{SET}/glorot_uniform: n_in only": (GLOROT_UNIFORM, he_uniform, glorot_from_zero),
    f"{SET}/glorot_uniform: from 0": (GLOROT_UNIFORM, glorot_from_zero, he_uniform),
    f"{SET}/glorot_uniform: drawn as [n_out, n_in]": (
        GLOROT_UNIFORM,
        glorot_drawn_transposed,
        glorot_from_zero,
    ),
    f"{SET}/sgd_step: no learning rate": (SGD_STEP, steps_without_the_rate, climbs),
}


def test_generic_hints_name_a_flipped_sign_and_the_missing_guard():
    """Mistakes without a hint of their own still get the right generic one."""
    text = checked("dense_backward", dx_sign_flipped)
    assert flat(HINTS["sign"]) in text and "dX (returned value 1 of 3) is wrong" in text
    # Without the floor 1e-12, a flat spot gives 0 / 0: the case says so, the hint says NaN
    text = checked("gradient_check", unguarded_check)
    assert "public case 3 of 5 fails (a flat spot" in text and "received: nan" in text
    assert "0 / 0" in text and text.count("hint: ") == 1
    assert flat(HINTS["update sign"].format(name="W1")) in checked("sgd_step", climbs)
    # Drawn in the shape [n_out, n_in] and not transposed: the generic shape hint
    assert flat(HINTS["transposed shape"]) in checked("he_normal", he_of_shape_out_in)


@pytest.mark.parametrize(
    ("name", "function", "argument"),
    [("gradient_check", nudges_the_callers_w, "W"), ("sgd_step", updates_in_place, "W1")],
)
def test_changing_the_input_in_place_is_named(name, function, argument):
    text = checked(name, function)
    assert f"the function changed its input {argument}" in text, text
    assert text.count("hint: ") == 1 and "instead of changing the one passed in" in text


def test_check_says_not_attempted_and_names_the_set_exercises():
    def dense_backward(X, W, dY):
        raise NotImplementedError("dense_backward: your code here")

    assert checked("dense_backward", dense_backward) == "dense_backward: not attempted yet"
    with pytest.raises(ValueError, match="Did you mean 'dense_backward'"):
        check("dense_backwards", dense_backward)


# --- The generator a public case passes ---------------------------------------------------------


def test_a_seeded_generator_copies_fresh_equals_by_seed_and_prints_its_call():
    rng = Seeded(7)
    first = rng.normal(size=3)
    copied = copy.deepcopy(rng)
    assert isinstance(copied, np.random.Generator) and copied == rng and copied != Seeded(8)
    assert np.array_equal(copied.normal(size=3), first)  # a fresh start, not rng's state
    assert np.array_equal(first, np.random.default_rng(7).normal(size=3))
    assert repr(rng) == "np.random.default_rng(7)" == str(rng)
    assert "rng: np.random.default_rng(0)" in checked("he_normal", he_with_n_out)


def test_a_plain_generator_would_look_changed_by_every_draw():
    """Why Seeded exists: a copied Generator compares by identity, so a right answer fails."""
    from byhand.exercises.cases import Case, Exercise

    case = Case((2, 3, np.random.default_rng(0)), np.random.default_rng(0).normal(0, 1, (2, 3)))
    plain = Exercise("he_normal", ("n_in", "n_out", "rng"), (case,))
    text = flat(report(plain, lambda n_in, n_out, rng: rng.normal(0, 1, (n_in, n_out))))
    assert "changed its input rng" in text


# --- The public cases' expected values ----------------------------------------------------------


def test_the_dense_cases_are_the_formulas():
    for case in DENSE_FORWARD.cases:
        X, W, b = case.args
        assert np.allclose(case.expected, X @ W + b, rtol=1e-15, atol=1e-15), case.about
    for case in DENSE_BACKWARD.cases:
        expected = right_dense_backward(*case.args)
        for got, want in zip(case.expected, expected, strict=True):
            assert got.shape == want.shape
            assert np.allclose(got, want, rtol=1e-9, atol=1e-9), case.about
    assert np.allclose(DENSE_FORWARD.cases[1].expected, [[1.4, 3.3]], rtol=0, atol=1e-15)


def test_the_reference_gradients_agree_with_finite_differences_and_sympy():
    for case in TWO_LAYER_BACKWARD.cases:
        numerical = finite_differences(two_layer_loss, case.args, (2, 3, 4, 5))
        for got, want in zip(two_layer_gradients(*case.args), numerical, strict=True):
            assert np.allclose(got, want, rtol=1e-6, atol=1e-8), case.about
        for got, want in zip(case.expected, numerical, strict=True):
            assert np.allclose(got, want, rtol=1e-6, atol=1e-8), case.about
    # The 1-1-1 network by hand, and by SymPy: L = (w2 σ(w1 x + b1) + b2 - y)²
    sp = pytest.importorskip("sympy")
    w1, b1, w2, b2 = sp.symbols("w1 b1 w2 b2")
    x, y = 2, 1
    loss = (w2 / (1 + sp.exp(-(w1 * x + b1))) + b2 - y) ** 2
    point = {w1: sp.log(3) / 2, b1: 0, w2: 2, b2: sp.Rational(1, 2)}
    exact = [sp.nsimplify(sp.simplify(sp.diff(loss, v).subs(point))) for v in (w1, b1, w2, b2)]
    assert exact == [sp.Rational(3, 2), sp.Rational(3, 4), sp.Rational(3, 2), 2]
    hand = [float(value.item()) for value in TWO_LAYER_BACKWARD.cases[0].expected]
    assert hand == [1.5, 0.75, 1.5, 2.0]


def test_the_gradient_check_cases_are_what_the_comments_say():
    right, one_wrong, flat_spot, single, large_step = (c.expected for c in GRADIENT_CHECK.cases)
    assert right == 0.0 and flat_spot == 0.0 and single == 0.0
    assert one_wrong == pytest.approx(1 / 11, rel=1e-9)
    assert 5e-6 < large_step < 5e-5  # "~1e-5", h² |tanh'''| / 6 relative to the slope
    # The right answers are far inside the tolerances, the float32 and forward mistakes far out
    for case in GRADIENT_CHECK.cases:
        f, W, dW, h = case.args
        exact = relative_error(dW, finite_differences(f.function, (W,), (0,), eps=h)[0])
        assert exact == pytest.approx(case.expected, rel=1e-9, abs=case.atol / 100)
        assert forward_difference_check(f, W, dW, h) > case.expected + 10 * case.atol
    f, W, dW, h = GRADIENT_CHECK.cases[3].args
    assert W.dtype == np.float32 and float32_check(f, W, dW, h) > 1e-4
    assert round(float(np.spacing(np.float32(1.0))), 8) == 1.2e-7  # the float32 hint's number
    assert forward_difference_check(*GRADIENT_CHECK.cases[4].args) > 1e-3


def test_the_relative_error_is_the_course_librarys():
    from byhand.gradcheck import relative_error as library

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert relative_error(a, b) == library(a, b)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0 == library(np.zeros(3), np.zeros(3))


def test_the_initializer_cases_are_the_draws_and_have_the_intended_statistics():
    for exercise, scale in ((HE_NORMAL, "std"), (GLOROT_UNIFORM, "limit")):
        for case in exercise.cases:
            n_in, n_out, rng = case.args
            fresh = np.random.default_rng(rng.seed)
            if scale == "std":  # another way to write the same draw gives the same numbers
                same = np.sqrt(2 / n_in) * fresh.standard_normal((n_in, n_out))
            else:
                limit = np.sqrt(6 / (n_in + n_out))
                same = limit * (2 * fresh.random((n_in, n_out)) - 1)
            assert np.allclose(case.expected, same, rtol=1e-7, atol=1e-9), case.about
            assert case.expected.shape == (n_in, n_out)
    he = HE_NORMAL.cases[2].expected  # 200 x 50 draws of N(0, 0.01)
    assert abs(he.mean()) < 0.005 and abs(he.var() / 0.01 - 1) < 0.05
    glorot = GLOROT_UNIFORM.cases[2].expected  # 400 x 200 draws of U(-0.1, 0.1)
    assert abs(glorot.mean()) < 0.002 and abs(glorot.var() / (0.01 / 3) - 1) < 0.02
    assert np.abs(glorot).max() < 0.1
    assert np.allclose(HE_NORMAL.cases[0].expected[0], [0.0629, -0.0661], rtol=0, atol=5e-5)


def test_the_sgd_cases_step_against_the_gradients():
    by_hand, network = SGD_STEP.cases
    assert np.allclose(by_hand.expected[0], np.log(3) / 2 - 0.15, rtol=0, atol=1e-15)
    assert round(float(by_hand.expected[0][0, 0]), 4) == 0.3993
    *args, rate = network.args
    numerical = finite_differences(two_layer_loss, tuple(args), (2, 3, 4, 5))
    for new, old, grad in zip(network.expected, args[2:], numerical, strict=True):
        assert np.allclose(new, old - rate * grad, rtol=1e-6, atol=1e-8)
    before, after = two_layer_loss(*args), two_layer_loss(*args[:2], *network.expected)
    assert round(before, 3) == 0.607 and round(after, 3) == 0.327  # as the comment says


# --- The hidden tests --------------------------------------------------------------------------


def solved_namespace():
    """The solution notebook's functions, the grader's three go-betweens among them."""
    return notebook_namespace(ROOT / "solutions" / f"{SET}.ipynb")


WRONG = [(exercise.name, earns) for exercise, earns, _ in HINT_PAIRS.values()]
WRONG += [
    ("dense_forward", adds_the_bias_to_the_inputs),
    ("dense_backward", dx_sign_flipped),
    ("gradient_check", unguarded_check),
    ("gradient_check", nudges_the_callers_w),
    ("he_normal", he_of_shape_out_in),
    ("sgd_step", climbs),
    ("sgd_step", updates_in_place),
]


@pytest.mark.parametrize(
    ("name", "wrong"), WRONG, ids=[f"{name}-{wrong.__name__}" for name, wrong in WRONG]
)
def test_every_wrong_function_loses_points_in_the_hidden_tests(name, wrong):
    """Through the notebook's go-betweens too: they call the name the notebook binds."""
    tests = load_tests(HIDDEN)
    namespace = solved_namespace()
    namespace[name] = wrong  # what a student's cell defining it would do
    with np.errstate(all="ignore"):
        results = [r for r in run_tests(tests, namespace) if r.exercise == name]
    assert len(results) >= 2
    lost = [r.name for r in results if not r.passed]
    assert lost, f"{wrong.__name__} passes every hidden test of {name}"


def test_hidden_messages_show_no_hidden_value():
    namespace = solved_namespace()
    namespace["two_layer_backward"] = applies_sigmoid_twice
    namespace["gradient_check"] = forward_difference_check
    results = [r for r in run_tests(load_tests(HIDDEN), namespace) if not r.passed]
    # sgd_step calls two_layer_backward, and loses its points with it
    assert {r.exercise for r in results} == {"two_layer_backward", "gradient_check", "sgd_step"}
    for result in results:  # the values come on lines of their own, "expected: ..."
        starts = [line.split(":")[0].strip() for line in result.message.splitlines()]
        assert "expected" not in starts and "received" not in starts, result.message
        assert "relative error" in result.message
        assert "expected" in [line.split(":")[0].strip() for line in result.detail.splitlines()]


def test_the_saturated_network_of_the_hidden_tests_is_saturated():
    import importlib.util

    spec = importlib.util.spec_from_file_location("hidden_04", HIDDEN)
    hidden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hidden)
    X, _, W1, b1, _, _ = hidden.network(408, 5, 3, 4, 2, scale=4.0)
    z1 = X @ W1 + b1
    assert np.mean(np.abs(z1) > 3) > 0.3  # "many |z1| > 3"
    assert np.all(sigmoid(3.0) * (1 - sigmoid(3.0)) < 0.05)  # "where σ' is below 0.05"


def test_the_go_betweens_pass_what_they_say():
    namespace = solved_namespace()
    rng = np.random.default_rng(5)
    X, Y, W = rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    dW = 2 * X.T @ (X @ W - Y) / Y.size
    assert namespace["check_regression_gradient"](X, Y, W, dW) < 1e-8
    assert namespace["check_regression_gradient"](X, Y, W, 2 * dW) == pytest.approx(1 / 3, 1e-6)
    drawn = namespace["draw_he_normal"](4, 3, 9)
    assert np.array_equal(drawn, np.random.default_rng(9).normal(0, np.sqrt(0.5), (4, 3)))
    drawn = namespace["draw_glorot_uniform"](4, 2, 9)
    assert np.array_equal(drawn, np.random.default_rng(9).uniform(-1, 1, (4, 2)))


def test_the_answer_modules_take_the_points_of_functions_that_use_them():
    tests = load_tests(HIDDEN)
    modules = tests[0].answer_modules
    for module in ("byhand.layers", "byhand.gradcheck", "byhand.initializers", "byhand.exercises"):
        assert module in modules
    cells = [
        "import numpy as np\nfrom byhand.exercises.backprop import check",
        "from byhand.layers import Dense\ndef dense_forward(X, W, b):\n    return Dense(3)(X)",
        "from byhand.gradcheck import numerical_gradient as ng\n"
        "def gradient_check(f, W, dW, h=1e-5):\n    return abs(dW - ng(f, W, h)).max()",
        "import byhand.initializers as init\n"
        "def he_normal(n_in, n_out, rng):\n    return init.HeNormal()((n_in, n_out), rng)",
        "def sgd_step(*args):\n    check('sgd_step', print)\n    return args",
    ]
    allowed = tuple(f"{module.__name__}.check" for module in SETS.values())
    uses = answer_uses(cells, modules, allowed)
    assert set(uses) == {"dense_forward", "gradient_check", "he_normal"}  # not the check
    assert uses["gradient_check"] == ["byhand.gradcheck.numerical_gradient"]


def test_the_exercise_notebook_keeps_the_go_betweens_and_the_solutions_page_hides_them():
    exercise = nbformat.read(ROOT / "exercises" / f"{SET}.ipynb", as_version=4)
    solution = nbformat.read(ROOT / "solutions" / f"{SET}.ipynb", as_version=4)
    shown = [c for c in exercise.cells if "def check_regression_gradient(" in c.source]
    assert len(shown) == 1 and "remove-cell" not in shown[0].metadata.get("tags", [])
    hidden = [c for c in solution.cells if "def check_regression_gradient(" in c.source]
    assert len(hidden) == 1 and "remove-cell" in hidden[0].metadata["tags"]
