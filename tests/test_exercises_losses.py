"""The Chapter 5 exercise set (05_losses): its hints, its public cases, its hidden tests.

HINT_PAIRS pairs each known mistake of the set with a wrong function that earns its hint and
a different wrong function that does not, written as a student would write them (not taken
from the mistakes' own code), in the form of `EARNED` in test_exercise_hints.py. Here they
run through the set's own `check`, as a student sees it, which also stops the stable
functions at an overflow or a log of 0. The public cases are compared with finite
differences, with SymPy's derivatives and with the course library (`byhand.losses`); the
hidden tests must take points from every mistake the hints name and from every unstable
formula the advice names.
"""

import numpy as np
import pytest
import set_tools
import sympy as sp
from set_tools import flat, printed_by
from test_exercises import ROOT, notebook_namespace

from byhand.exercises import SETS
from byhand.exercises.cases import finite_differences
from byhand.exercises.feedback import HINTS, hint
from byhand.exercises.losses import (
    BINARY_CROSSENTROPY,
    BINARY_CROSSENTROPY_GRADIENT,
    KL_DIVERGENCE,
    LOGSUMEXP,
    MEAN_SQUARED_ERROR,
    MEAN_SQUARED_ERROR_GRADIENT,
    NAN_ADVICE,
    SPARSE_CATEGORICAL_CROSSENTROPY,
    SPARSE_CATEGORICAL_CROSSENTROPY_GRADIENT,
    STABLE_ADVICE,
    check,
    reference_binary_crossentropy,
    reference_kl_divergence,
    reference_logsumexp,
    reference_mse,
    reference_sparse_categorical_crossentropy,
)
from byhand.grading import load_tests
from byhand.grading.answers import answer_uses
from byhand.losses import (
    BinaryCrossentropy,
    KLDivergence,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)

SET = "05_losses"
HIDDEN = ROOT / "solutions" / "hidden" / f"{SET}.py"


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def logsumexp(Z):
    m = Z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(Z - m).sum(axis=-1, keepdims=True)))[..., 0]


def softmax(Z):
    e = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


checked = printed_by(check)


# --- mean_squared_error -------------------------------------------------------------------


def sums_the_squares(y_true, y_pred):
    return ((y_pred - y_true) ** 2).sum()


def divides_by_the_examples(y_true, y_pred):
    return np.sum((y_pred - y_true) ** 2) / y_pred.shape[0]


def averages_the_errors_first(y_true, y_pred):
    error = np.mean(y_pred - y_true)
    return error * error


def takes_the_root(y_true, y_pred):
    return np.sqrt(((y_pred - y_true) ** 2).mean())


def error_the_other_way(y_true, y_pred):
    return 2 * (y_true - y_pred) / y_true.size


def drops_the_two(y_true, y_pred):
    return (y_pred - y_true) / y_pred.size


def forgets_the_mean(y_true, y_pred):
    return 2 * (y_pred - y_true)


def divides_by_len(y_true, y_pred):
    return 2 * (y_pred - y_true) / len(y_true)


# --- binary cross-entropy -----------------------------------------------------------------


def sums_the_losses(y_true, logits):
    z = logits
    return np.sum(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z))))


def forgets_the_absolute_value(y_true, logits):
    z = logits
    return np.mean(np.maximum(z, 0) - z * y_true + np.log(1 + np.exp(-z)))


def clips_the_probabilities(y_true, logits):
    p = np.clip(1 / (1 + np.exp(-logits)), 1e-7, 1 - 1e-7)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def through_the_sigmoid(y_true, logits):
    p = 1 / (1 + np.exp(-logits))
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def label_minus_probability(y_true, logits):
    return (y_true - sigmoid(logits)) / len(logits)


def uses_the_logits(y_true, logits):
    return (logits - y_true) / logits.size


def multiplies_the_slope(y_true, logits):
    s = sigmoid(logits)
    return (s - y_true) * s * (1 - s) / logits.size


def naive_sigmoid_gradient(y_true, logits):
    return (1 / (1 + np.exp(-logits)) - y_true) / logits.size


def bce_gradient_summed(y_true, logits):
    return sigmoid(logits) - y_true


# --- logsumexp ----------------------------------------------------------------------------


def forgets_to_add_the_max(Z):
    m = Z.max(axis=-1, keepdims=True)
    return np.log(np.exp(Z - m).sum(axis=-1))


def sums_down_the_columns(Z):
    m = Z.max(axis=0)
    return m + np.log(np.exp(Z - m).sum(axis=0))


def never_shifts(Z):
    return np.log(np.sum(np.exp(Z), axis=-1))


def one_max_for_the_batch(Z):
    m = Z.max()
    return m + np.log(np.sum(np.exp(Z - m), axis=-1))


def keeps_the_axis(Z):
    m = Z.max(axis=-1, keepdims=True)
    return m + np.log(np.exp(Z - m).sum(axis=-1, keepdims=True))


# --- sparse categorical cross-entropy -----------------------------------------------------


def takes_whole_columns(y_true, logits):
    return -np.mean(np.log(softmax(logits)[:, y_true]))


def multiplies_by_the_labels(y_true, logits):
    log_p = logits - logsumexp(logits)[:, None]
    return -np.mean(np.sum(y_true * log_p, axis=1))


def forgets_the_normalizer(y_true, logits):
    return -np.mean(logits[np.arange(len(logits)), y_true])


def sums_over_the_batch(y_true, logits):
    return np.sum(logsumexp(logits) - logits[np.arange(len(logits)), y_true])


def counts_in_bits(y_true, logits):
    p = softmax(logits)
    return -np.mean(np.log2(p[np.arange(len(p)), y_true]))


def log_of_the_softmax(y_true, logits):
    p = softmax(logits)
    return -np.mean(np.log(p[np.arange(len(p)), y_true]))


def labels_minus_probabilities(y_true, logits):
    Y = np.eye(logits.shape[1])[y_true]
    return (Y - softmax(logits)) / len(logits)


def subtracts_from_whole_columns(y_true, logits):
    P = softmax(logits)
    P[:, y_true] -= 1
    return P / len(P)


def uses_logits_as_probabilities(y_true, logits):
    Y = np.eye(logits.shape[1])[y_true]
    return (logits - Y) / len(logits)


def unshifted_softmax_gradient(y_true, logits):
    e = np.exp(logits)
    P = e / e.sum(axis=1, keepdims=True)
    P[np.arange(len(P)), y_true] -= 1
    return P / len(P)


def scce_gradient_summed(y_true, logits):
    P = softmax(logits)
    P[np.arange(len(P)), y_true] -= 1
    return P


def shifts_the_logits_in_place(y_true, logits):
    logits -= logsumexp(logits)[:, None]
    P = np.exp(logits)
    P[np.arange(len(P)), y_true] -= 1
    return P / len(P)


# --- kl_divergence ------------------------------------------------------------------------


def swaps_the_arguments(p, q):
    kept = q > 0
    return np.sum(q[kept] * np.log(q[kept] / p[kept]))


def kl_in_bits(p, q):
    kept = p > 0
    return np.sum(p[kept] * np.log2(p[kept] / q[kept]))


def ratio_upside_down(p, q):
    kept = p > 0
    return np.sum(p[kept] * np.log(q[kept] / p[kept]))


def forgets_the_weights(p, q):
    kept = p > 0
    return np.sum(np.log(p[kept] / q[kept]))


def averages_the_terms(p, q):
    terms = np.where(p > 0, p * np.log(p / q), 0.0)
    return terms.mean()


def zero_times_log_zero(p, q):
    return np.sum(p * np.log(p / q))


# key -> (exercise, a wrong function that earns its hint, a different one that does not)
HINT_PAIRS = {
    f"{SET}/mean_squared_error: sum": (
        MEAN_SQUARED_ERROR,
        sums_the_squares,
        averages_the_errors_first,
    ),
    f"{SET}/mean_squared_error: / N only": (
        MEAN_SQUARED_ERROR,
        divides_by_the_examples,
        sums_the_squares,
    ),
    f"{SET}/mean_squared_error: (mean)²": (
        MEAN_SQUARED_ERROR,
        averages_the_errors_first,
        takes_the_root,
    ),
    f"{SET}/mean_squared_error: root": (MEAN_SQUARED_ERROR, takes_the_root, sums_the_squares),
    f"{SET}/mean_squared_error_gradient: y − ŷ": (
        MEAN_SQUARED_ERROR_GRADIENT,
        error_the_other_way,
        drops_the_two,
    ),
    f"{SET}/mean_squared_error_gradient: no 2": (
        MEAN_SQUARED_ERROR_GRADIENT,
        drops_the_two,
        error_the_other_way,
    ),
    f"{SET}/mean_squared_error_gradient: no mean": (
        MEAN_SQUARED_ERROR_GRADIENT,
        forgets_the_mean,
        drops_the_two,
    ),
    f"{SET}/mean_squared_error_gradient: / N only": (
        MEAN_SQUARED_ERROR_GRADIENT,
        divides_by_len,
        forgets_the_mean,
    ),
    f"{SET}/binary_crossentropy: sum": (
        BINARY_CROSSENTROPY,
        sums_the_losses,
        forgets_the_absolute_value,
    ),
    f"{SET}/binary_crossentropy: no |z|": (
        BINARY_CROSSENTROPY,
        forgets_the_absolute_value,
        clips_the_probabilities,
    ),
    f"{SET}/binary_crossentropy: clipped": (
        BINARY_CROSSENTROPY,
        clips_the_probabilities,
        sums_the_losses,
    ),
    f"{SET}/binary_crossentropy_gradient: y − σ": (
        BINARY_CROSSENTROPY_GRADIENT,
        label_minus_probability,
        uses_the_logits,
    ),
    f"{SET}/binary_crossentropy_gradient: no sigmoid": (
        BINARY_CROSSENTROPY_GRADIENT,
        uses_the_logits,
        label_minus_probability,
    ),
    f"{SET}/binary_crossentropy_gradient: σ' again": (
        BINARY_CROSSENTROPY_GRADIENT,
        multiplies_the_slope,
        uses_the_logits,
    ),
    f"{SET}/logsumexp: max not added back": (
        LOGSUMEXP,
        forgets_to_add_the_max,
        sums_down_the_columns,
    ),
    f"{SET}/logsumexp: axis 0": (LOGSUMEXP, sums_down_the_columns, forgets_to_add_the_max),
    f"{SET}/sparse_categorical_crossentropy: Z[:, y]": (
        SPARSE_CATEGORICAL_CROSSENTROPY,
        takes_whole_columns,
        multiplies_by_the_labels,
    ),
    f"{SET}/sparse_categorical_crossentropy: one-hot product": (
        SPARSE_CATEGORICAL_CROSSENTROPY,
        multiplies_by_the_labels,
        takes_whole_columns,
    ),
    f"{SET}/sparse_categorical_crossentropy: no logsumexp": (
        SPARSE_CATEGORICAL_CROSSENTROPY,
        forgets_the_normalizer,
        sums_over_the_batch,
    ),
    f"{SET}/sparse_categorical_crossentropy: sum": (
        SPARSE_CATEGORICAL_CROSSENTROPY,
        sums_over_the_batch,
        counts_in_bits,
    ),
    f"{SET}/sparse_categorical_crossentropy: log2": (
        SPARSE_CATEGORICAL_CROSSENTROPY,
        counts_in_bits,
        sums_over_the_batch,
    ),
    f"{SET}/sparse_categorical_crossentropy_gradient: y − p": (
        SPARSE_CATEGORICAL_CROSSENTROPY_GRADIENT,
        labels_minus_probabilities,
        subtracts_from_whole_columns,
    ),
    f"{SET}/sparse_categorical_crossentropy_gradient: P[:, y]": (
        SPARSE_CATEGORICAL_CROSSENTROPY_GRADIENT,
        subtracts_from_whole_columns,
        uses_logits_as_probabilities,
    ),
    f"{SET}/sparse_categorical_crossentropy_gradient: no softmax": (
        SPARSE_CATEGORICAL_CROSSENTROPY_GRADIENT,
        uses_logits_as_probabilities,
        labels_minus_probabilities,
    ),
    f"{SET}/kl_divergence: swapped": (KL_DIVERGENCE, swaps_the_arguments, kl_in_bits),
    f"{SET}/kl_divergence: log2": (KL_DIVERGENCE, kl_in_bits, swaps_the_arguments),
    f"{SET}/kl_divergence: log(q/p)": (KL_DIVERGENCE, ratio_upside_down, kl_in_bits),
    f"{SET}/kl_divergence: no weights": (KL_DIVERGENCE, forgets_the_weights, ratio_upside_down),
    f"{SET}/kl_divergence: mean": (KL_DIVERGENCE, averages_the_terms, forgets_the_weights),
}


@pytest.mark.parametrize(
    ("name", "function", "generic"),
    [
        ("binary_crossentropy_gradient", bce_gradient_summed, "times N"),
        ("sparse_categorical_crossentropy_gradient", scce_gradient_summed, "times N"),
        ("logsumexp", keeps_the_axis, "extra axis"),
    ],
)
def test_the_general_hints_serve_this_set_too(name, function, generic):
    text = checked(name, function)
    assert text.count("hint: ") == 1
    assert flat(HINTS[generic]).split("{")[0] in text, text


# --- check stops the stable functions at an overflow or a log of 0 ------------------------


@pytest.mark.parametrize(
    ("name", "function", "error", "about"),
    [
        ("binary_crossentropy", through_the_sigmoid, "divide by zero encountered in log", "40"),
        ("binary_crossentropy_gradient", naive_sigmoid_gradient, "overflow encountered", "1000"),
        ("logsumexp", never_shifts, "overflow encountered in exp", "no overflow"),
        ("logsumexp", one_max_for_the_batch, "divide by zero encountered in log", "no overflow"),
        ("sparse_categorical_crossentropy", log_of_the_softmax, "divide by zero", "2000"),
        (
            "sparse_categorical_crossentropy_gradient",
            unshifted_softmax_gradient,
            "overflow encountered in exp",
            "no overflow",
        ),
    ],
)
def test_an_unstable_formula_stops_the_check_at_its_line_with_advice(name, function, error, about):
    text = checked(name, function)
    assert f"it raised FloatingPointError: {error}" in text, text
    assert f"in {function.__name__}" in text, "the function whose line failed is named"
    assert text.count("hint: ") == 1 and flat(STABLE_ADVICE[name]) in text
    assert about in text, "the case that stopped is the one about large logits"


def test_a_nan_from_zero_times_log_zero_gets_the_kl_advice_instead_of_the_general_one():
    text = checked("kl_divergence", zero_times_log_zero)
    assert "public case 3 of 4" in text and "0 · log 0 counts as 0" in text
    assert text.count("hint: ") == 1 and flat(NAN_ADVICE["kl_divergence"]) in text
    assert flat(hint("nan")) not in text
    with np.errstate(all="ignore"):  # as the report alone, without the set's check, says it
        from byhand.exercises.checking import report

        assert flat(hint("nan")) in flat(report(KL_DIVERGENCE, zero_times_log_zero))


def test_a_kl_divergence_that_computes_log_0_and_drops_it_passes_without_a_warning():
    def masks_after_the_log(p, q):
        return np.sum(np.where(p > 0, p * np.log(p / q), 0.0))

    with np.errstate(all="raise"):  # a warning would become an error here
        assert checked("kl_divergence", masks_after_the_log) == (
            "kl_divergence: all 4 public cases pass"
        )


def test_without_a_failure_there_is_no_advice_and_nothing_is_left_switched_on():
    solutions = notebook_namespace(ROOT / "solutions" / f"{SET}.ipynb")
    before = np.geterr()
    for module_exercise in SETS[SET].EXERCISES:
        name, count = module_exercise.name, len(module_exercise.cases)
        assert checked(name, solutions[name]) == f"{name}: all {count} public cases pass"
    assert np.geterr() == before


def test_check_says_not_attempted_and_refuses_what_is_not_a_function():
    def logsumexp_stub(Z):
        raise NotImplementedError("logsumexp: your code here")

    def kl_stub(p, q):
        raise NotImplementedError("kl_divergence: your code here")

    assert checked("logsumexp", logsumexp_stub) == "logsumexp: not attempted yet"
    assert checked("kl_divergence", kl_stub) == "kl_divergence: not attempted yet"
    with pytest.raises(TypeError, match="the second argument must be your function"):
        check("logsumexp", "logsumexp")
    with pytest.raises(ValueError, match="Did you mean 'kl_divergence'"):
        check("kl_divergenc", kl_stub)


def test_changing_the_logits_in_place_is_named():
    text = checked("sparse_categorical_crossentropy_gradient", shifts_the_logits_in_place)
    assert "the function changed its input logits" in text
    assert text.count("hint: ") == 1 and "instead of changing the one passed in" in text


# --- The public cases ---------------------------------------------------------------------


def test_the_reference_functions_are_stable():
    with np.errstate(all="raise", under="ignore"):  # underflow to 0 is the right answer
        assert reference_logsumexp(np.array([[1000.0, 0.0], [-1000.0, -1000.0]])) == (
            pytest.approx([1000.0, -1000.0 + np.log(2.0)], rel=1e-15)
        )
        z = np.array([1000.0, -1000.0])
        assert reference_binary_crossentropy(np.array([0, 1]), z) == 1000.0
        assert reference_binary_crossentropy(np.array([1, 0]), z) == 0.0
        Z = np.array([[1000.0, -1000.0], [0.0, 0.0]])
        assert reference_sparse_categorical_crossentropy(np.array([1, 0]), Z) == pytest.approx(
            (2000.0 + np.log(2.0)) / 2, rel=1e-15
        )
        assert reference_kl_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5])) == (
            pytest.approx(np.log(2.0), rel=1e-15)
        )


def test_the_worked_examples_have_the_numbers_the_notebook_quotes():
    mse_case, *_ = MEAN_SQUARED_ERROR.cases
    assert round(mse_case.expected, 4) == 1.1667 and np.isclose(mse_case.expected, 7 / 6)
    assert np.allclose(MEAN_SQUARED_ERROR_GRADIENT.cases[0].expected,
                       [[0, 0, 0.66666667], [0.33333333, -0.33333333, 0.33333333]])  # fmt: skip
    assert MEAN_SQUARED_ERROR.cases[2].expected == pytest.approx(2499910000.81, rel=1e-12)
    assert round(BINARY_CROSSENTROPY.cases[0].expected, 4) == 0.6637
    assert BINARY_CROSSENTROPY.cases[1].expected == pytest.approx(20.0, rel=1e-15)
    assert list(BINARY_CROSSENTROPY_GRADIENT.cases[0].expected) == [-0.125, -0.0625, 0.0625, 0.1875]
    assert round(LOGSUMEXP.cases[0].expected, 4) == 2.0794
    assert round(float(LOGSUMEXP.cases[1].expected[2]), 4) == 1002.3026
    assert np.allclose(LOGSUMEXP.cases[2].expected, [1000.407606, -999.592394, 2.266368],
                       rtol=0, atol=5e-7)  # fmt: skip
    assert round(SPARSE_CATEGORICAL_CROSSENTROPY.cases[0].expected, 4) == 0.8026
    assert SPARSE_CATEGORICAL_CROSSENTROPY.cases[2].expected == pytest.approx(667.032871, abs=1e-6)
    assert round(KL_DIVERGENCE.cases[0].expected, 4) == 0.1438
    assert round(reference_kl_divergence(*KL_DIVERGENCE.cases[0].args[::-1]), 4) == 0.1308
    assert KL_DIVERGENCE.cases[1].expected == pytest.approx(0.831777, abs=1e-6)
    assert KL_DIVERGENCE.cases[2].expected == pytest.approx(0.693147, abs=1e-6)


@pytest.mark.parametrize(
    ("exercise", "loss"),
    [
        (MEAN_SQUARED_ERROR, reference_mse),
        (BINARY_CROSSENTROPY, reference_binary_crossentropy),
        (SPARSE_CATEGORICAL_CROSSENTROPY, reference_sparse_categorical_crossentropy),
        (KL_DIVERGENCE, reference_kl_divergence),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_the_hand_worked_loss_cases_agree_with_the_reference(exercise, loss):
    for case in exercise.cases:
        assert np.isclose(loss(*case.args), case.expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("exercise", "loss"),
    [
        (MEAN_SQUARED_ERROR_GRADIENT, reference_mse),
        (BINARY_CROSSENTROPY_GRADIENT, reference_binary_crossentropy),
        (SPARSE_CATEGORICAL_CROSSENTROPY_GRADIENT, reference_sparse_categorical_crossentropy),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_every_gradient_case_is_the_finite_difference_gradient_of_its_loss(exercise, loss):
    """The hand-worked cases too: their arithmetic is checked against float64 differences."""
    assert any("central finite" in case.source for case in exercise.cases)
    for case in exercise.cases:
        y_true, x = case.args
        scale = max(1.0, float(np.abs(x).max()))  # the car price's loss is 2.5e9: a wider step
        (numerical,) = finite_differences(loss, (y_true, x), (1,), eps=1e-6 * scale)
        assert np.allclose(numerical, case.expected, rtol=1e-6, atol=1e-8), case.about


@pytest.mark.parametrize(
    ("exercise", "library"),
    [
        (MEAN_SQUARED_ERROR, lambda y, p: MeanSquaredError()(y, p)),
        (MEAN_SQUARED_ERROR_GRADIENT, lambda y, p: MeanSquaredError().gradient(y, p)),
        (BINARY_CROSSENTROPY, lambda y, z: BinaryCrossentropy(from_logits=True)(y, z)),
        (
            BINARY_CROSSENTROPY_GRADIENT,
            lambda y, z: BinaryCrossentropy(from_logits=True).gradient(y, z),
        ),
        (
            SPARSE_CATEGORICAL_CROSSENTROPY,
            lambda y, Z: SparseCategoricalCrossentropy(from_logits=True)(y, Z),
        ),
        (
            SPARSE_CATEGORICAL_CROSSENTROPY_GRADIENT,
            lambda y, Z: SparseCategoricalCrossentropy(from_logits=True).gradient(y, Z),
        ),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_the_public_cases_agree_with_the_course_library(exercise, library):
    """Keras's means, as byhand.losses takes them: the gradients divide by y_pred.size."""
    for case in exercise.cases:
        assert np.allclose(library(*case.args), case.expected, rtol=case.rtol, atol=case.atol)


def test_the_kl_cases_without_zeros_agree_with_the_course_library():
    """byhand.losses clips as Keras does (to [1e-7, 1]), which changes nothing here."""
    for case in KL_DIVERGENCE.cases[:2]:
        p, q = case.args
        assert np.isclose(KLDivergence()(p[None], q[None]), case.expected, rtol=1e-12)


def test_the_gradient_formulas_are_the_derivatives_sympy_finds():
    z, y, yhat, t = sp.symbols("z y yhat t", real=True)
    sigma = 1 / (1 + sp.exp(-z))
    bce = -(y * sp.log(sigma) + (1 - y) * sp.log(1 - sigma))
    stable = z - z * y + sp.log(1 + sp.exp(-z))  # for z >= 0 this is max(z, 0) − zy + ...
    for value in (-3.0, -0.5, 0.0, 0.7, 4.0):
        for label in (0, 1, 0.3):
            at = {z: value, y: label}
            assert abs(float((bce - stable).subs(at))) < 1e-12
            assert abs(float((sp.diff(bce, z) - (sigma - y)).subs(at))) < 1e-12
    assert sp.simplify(sp.diff((yhat - t) ** 2, yhat) - 2 * (yhat - t)) == 0
    logits = sp.symbols("z0:3", real=True)
    log_sum = sp.log(sum(sp.exp(v) for v in logits))
    for label in range(3):
        loss = log_sum - logits[label]
        for k in range(3):
            p_k = sp.exp(logits[k]) / sum(sp.exp(v) for v in logits)
            assert sp.simplify(sp.diff(loss, logits[k]) - (p_k - int(k == label))) == 0


# --- The hidden tests ---------------------------------------------------------------------


def hidden_score(name, function):
    return set_tools.hidden_score(HIDDEN, name, function, {"logsumexp": logsumexp})


@pytest.mark.parametrize("key", sorted(HINT_PAIRS))
def test_every_mistake_the_hints_name_loses_hidden_points(key):
    exercise, earns, _ = HINT_PAIRS[key]
    with np.errstate(all="ignore"):  # a mistake may take log 0; its score is what counts
        earned, possible, _ = hidden_score(exercise.name, earns)
    assert earned < possible, f"{earns.__name__} earns full marks for {exercise.name}"


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("binary_crossentropy", through_the_sigmoid),
        ("logsumexp", never_shifts),
        ("logsumexp", one_max_for_the_batch),
        ("sparse_categorical_crossentropy", log_of_the_softmax),
        ("sparse_categorical_crossentropy_gradient", unshifted_softmax_gradient),
        ("sparse_categorical_crossentropy_gradient", shifts_the_logits_in_place),
        ("kl_divergence", zero_times_log_zero),
    ],
)
def test_unstable_formulas_and_changed_inputs_lose_hidden_points(name, function):
    with np.errstate(all="ignore"):
        earned, possible, results = hidden_score(name, function)
    assert earned < possible
    for result in results:  # what the student reads names no hidden input or value
        assert "expected:" not in result.message and "received:" not in result.message


def test_answer_modules_name_the_library_that_implements_the_answers():
    (test, *_) = load_tests(HIDDEN)
    modules = test.answer_modules
    for module in ("byhand.losses", "byhand.activations", "byhand.exercises", "scipy.special"):
        assert module in modules
    cells = [
        "import numpy as np\nfrom byhand.exercises.losses import check",
        "from scipy.special import logsumexp as lse\ndef logsumexp(Z):\n    return lse(Z, axis=-1)",
        "def sparse_categorical_crossentropy(y_true, logits):\n"
        "    return np.mean(logsumexp(logits) - logits[np.arange(len(y_true)), y_true])",
        "import scipy.stats\ndef kl_divergence(p, q):\n    return scipy.stats.entropy(p, q)",
        "from byhand.losses import MeanSquaredError\n"
        "def mean_squared_error(y_true, y_pred):\n    return MeanSquaredError()(y_true, y_pred)",
        "def mean_squared_error_gradient(y_true, y_pred):\n"
        "    check('mean_squared_error', print)\n    return 2 * (y_pred - y_true) / y_pred.size",
    ]
    allowed = tuple(f"{module.__name__}.check" for module in SETS.values())
    uses = answer_uses(cells, modules, allowed)
    assert set(uses) == {
        "logsumexp",
        "sparse_categorical_crossentropy",  # through the student's logsumexp
        "kl_divergence",
        "mean_squared_error",
    }
    assert uses["logsumexp"] == ["scipy.special.logsumexp"]
    assert uses["kl_divergence"] == ["scipy.stats.entropy"]
