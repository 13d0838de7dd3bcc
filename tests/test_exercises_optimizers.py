"""The Chapter 7 exercise set (07_optimizers): its hints, its public cases, its hidden tests.

HINT_PAIRS pairs each known mistake of the set with a wrong function that earns its hint and
a different wrong function that does not, written as a student would write them (not taken
from the mistakes' own code), in the form of `EARNED` in test_exercise_hints.py; here they
run through the set's own `check`, as a student sees it. The public cases are compared with
the hand-worked numbers of their comments and with the course library (byhand.optimizers'
SGD and Adam, with Keras's placement of epsilon where it matters); the hidden tests must
take points from every wrong function here and give none for returning the inputs.
"""

import numpy as np
import pytest
import set_tools
from set_tools import printed_by
from test_exercises import ROOT

from byhand.exercises.optimizers import (
    ADAM_STEP,
    EWMA,
    EWMA_BIAS_CORRECTED,
    MINIBATCH_INDICES,
    MOMENTUM_STEP,
    check,
    reference_adam_step,
    reference_ewma,
    reference_ewma_bias_corrected,
    reference_minibatch_indices,
    reference_momentum_step,
)
from byhand.grading import load_tests
from byhand.optimizers import SGD, Adam

SET = "07_optimizers"
HIDDEN = ROOT / "solutions" / "hidden" / f"{SET}.py"


checked = printed_by(check, quiet=True)


# --- minibatch_indices: wrong functions as students write them ----------------------------


def only_full_batches(permutation, batch_size):
    return [
        permutation[i * batch_size : (i + 1) * batch_size]
        for i in range(len(permutation) // batch_size)
    ]


def slices_of_positions(permutation, batch_size):
    positions = np.arange(len(permutation))
    return [positions[s : s + batch_size] for s in range(0, len(permutation), batch_size)]


def splits_into_equal_parts(permutation, batch_size):
    return np.array_split(permutation, max(1, len(permutation) // batch_size))


def draws_with_replacement(permutation, batch_size):
    rng = np.random.default_rng(0)
    n = len(permutation)
    return [rng.choice(permutation, size=min(batch_size, n - s)) for s in range(0, n, batch_size)]


# --- ewma ---------------------------------------------------------------------------------


def weights_the_new_value_by_beta(thetas, beta):
    v, out = 0.0, []
    for theta in thetas:
        v = (1 - beta) * v + beta * theta
        out.append(v)
    return np.array(out)


def starts_from_the_first_value(thetas, beta):
    out = [thetas[0]]
    for theta in thetas[1:]:
        out.append(beta * out[-1] + (1 - beta) * theta)
    return np.array(out)


def plain_average(thetas, beta):
    v, out = 0.0, []
    for theta in thetas:
        v = beta * v + (1 - beta) * theta
        out.append(v)
    return np.array(out)


def counts_t_from_zero(thetas, beta):
    v, out = 0.0, []
    for t, theta in enumerate(thetas):
        v = beta * v + (1 - beta) * theta
        with np.errstate(divide="ignore"):  # the mistake divides by 1 - beta**0 = 0 first
            out.append(v / (1 - beta**t))
    return np.array(out)


def feeds_the_correction_back(thetas, beta):
    v, out = 0.0, []
    for t, theta in enumerate(thetas, 1):
        v = beta * v + (1 - beta) * theta
        v = v / (1 - beta**t)
        out.append(v)
    return np.array(out)


def corrects_the_swapped_average(thetas, beta):
    v, out = 0.0, []
    for t, theta in enumerate(thetas, 1):
        v = (1 - beta) * v + beta * theta
        out.append(v / (1 - beta**t))
    return np.array(out)


# --- momentum_step ------------------------------------------------------------------------


def adds_the_velocity(w, g, velocity, learning_rate, momentum):
    velocity = momentum * velocity + learning_rate * g
    return w + velocity, velocity


def velocity_without_the_rate(w, g, velocity, learning_rate, momentum):
    velocity = momentum * velocity + g
    return w - learning_rate * velocity, velocity


def average_of_gradients(w, g, velocity, learning_rate, momentum):
    velocity = momentum * velocity + (1 - momentum) * g
    return w - learning_rate * velocity, velocity


def moves_by_the_old_velocity(w, g, velocity, learning_rate, momentum):
    w = w - velocity
    velocity = momentum * velocity + learning_rate * g
    return w, velocity


def forgets_the_velocity(w, g, velocity, learning_rate, momentum):
    step = learning_rate * g
    return w - step, step


def updates_in_place(w, g, velocity, learning_rate, momentum):
    velocity *= momentum
    velocity += learning_rate * g
    w -= velocity
    return w, velocity


# --- adam_step ----------------------------------------------------------------------------


def adam(w, g, m, v, t, lr, b1, b2, eps, *, mistake=""):
    """Adam as a student writes it, with one of the set's mistakes."""
    if mistake == "swapped":
        m = (1 - b1) * m + b1 * g
        v = (1 - b2) * v + b2 * g * g
    else:
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * (m * m if mistake == "m squared" else g * g)
    power = {"t - 1": t - 1, "t + 1": t + 1}.get(mistake, t)
    if mistake == "no correction":
        m_hat, v_hat = m, v
    else:
        m_hat, v_hat = m / (1 - b1**power), v / (1 - b2**power)
    if mistake == "inside":
        step = lr * m_hat / np.sqrt(v_hat + eps)
    elif mistake == "keras":
        step = lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    else:
        step = lr * m_hat / (np.sqrt(v_hat) + eps)
    return (w + step if mistake == "plus" else w - step), m, v


def adam_mistake(mistake, name):
    def wrong(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        return adam(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, mistake=mistake)

    wrong.__name__ = name
    return wrong


uncorrected_adam = adam_mistake("no correction", "uncorrected_adam")
adam_t_from_zero = adam_mistake("t - 1", "adam_t_from_zero")
adam_counts_one_more = adam_mistake("t + 1", "adam_counts_one_more")
epsilon_under_the_root = adam_mistake("inside", "epsilon_under_the_root")
keras_epsilon = adam_mistake("keras", "keras_epsilon")
squares_the_momentum = adam_mistake("m squared", "squares_the_momentum")
swapped_adam_weights = adam_mistake("swapped", "swapped_adam_weights")
adam_uphill = adam_mistake("plus", "adam_uphill")


def adam_in_place(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m *= beta_1
    m += (1 - beta_1) * g
    v *= beta_2
    v += (1 - beta_2) * g**2
    m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


# key -> (exercise, a wrong function that earns its hint, a different one that does not)
HINT_PAIRS = {
    f"{SET}/minibatch_indices: last dropped": (
        MINIBATCH_INDICES,
        only_full_batches,
        slices_of_positions,
    ),
    f"{SET}/minibatch_indices: positions": (
        MINIBATCH_INDICES,
        slices_of_positions,
        only_full_batches,
    ),
    f"{SET}/minibatch_indices: array_split": (
        MINIBATCH_INDICES,
        splits_into_equal_parts,
        slices_of_positions,
    ),
    f"{SET}/ewma: 1 − β swapped": (
        EWMA,
        weights_the_new_value_by_beta,
        starts_from_the_first_value,
    ),
    f"{SET}/ewma: v_1 = θ_1": (EWMA, starts_from_the_first_value, weights_the_new_value_by_beta),
    f"{SET}/ewma_bias_corrected: no correction": (
        EWMA_BIAS_CORRECTED,
        plain_average,
        counts_t_from_zero,
    ),
    f"{SET}/ewma_bias_corrected: β^(t−1)": (
        EWMA_BIAS_CORRECTED,
        counts_t_from_zero,
        plain_average,
    ),
    f"{SET}/ewma_bias_corrected: fed back": (
        EWMA_BIAS_CORRECTED,
        feeds_the_correction_back,
        plain_average,
    ),
    f"{SET}/ewma_bias_corrected: 1 − β swapped": (
        EWMA_BIAS_CORRECTED,
        corrects_the_swapped_average,
        feeds_the_correction_back,
    ),
    f"{SET}/momentum_step: w + v": (MOMENTUM_STEP, adds_the_velocity, average_of_gradients),
    f"{SET}/momentum_step: no η in v": (
        MOMENTUM_STEP,
        velocity_without_the_rate,
        adds_the_velocity,
    ),
    f"{SET}/momentum_step: (1 − m) g": (
        MOMENTUM_STEP,
        average_of_gradients,
        velocity_without_the_rate,
    ),
    f"{SET}/momentum_step: old velocity": (
        MOMENTUM_STEP,
        moves_by_the_old_velocity,
        forgets_the_velocity,
    ),
    f"{SET}/momentum_step: no momentum": (
        MOMENTUM_STEP,
        forgets_the_velocity,
        moves_by_the_old_velocity,
    ),
    f"{SET}/adam_step: no correction": (ADAM_STEP, uncorrected_adam, adam_t_from_zero),
    f"{SET}/adam_step: β^(t−1)": (ADAM_STEP, adam_t_from_zero, uncorrected_adam),
    f"{SET}/adam_step: β^(t+1)": (ADAM_STEP, adam_counts_one_more, adam_t_from_zero),
    f"{SET}/adam_step: ε inside √": (ADAM_STEP, epsilon_under_the_root, keras_epsilon),
    f"{SET}/adam_step: Keras's ε": (ADAM_STEP, keras_epsilon, epsilon_under_the_root),
    f"{SET}/adam_step: m²": (ADAM_STEP, squares_the_momentum, swapped_adam_weights),
    f"{SET}/adam_step: 1 − β swapped": (ADAM_STEP, swapped_adam_weights, squares_the_momentum),
    f"{SET}/adam_step: w + step": (ADAM_STEP, adam_uphill, uncorrected_adam),
}


@pytest.mark.parametrize(
    ("name", "function", "argument"),
    [("momentum_step", updates_in_place, "w"), ("adam_step", adam_in_place, "m")],
)
def test_a_step_that_updates_its_arguments_in_place_is_named(name, function, argument):
    text = checked(name, function)
    assert f"the function changed its input {argument}" in text, text
    assert text.count("hint: ") == 1 and "instead of changing the one passed in" in text


def test_a_batch_drawn_with_replacement_fails_on_its_values():
    text = checked("minibatch_indices", draws_with_replacement)
    assert "public case 1 of 4 fails" in text and "value 1 (returned value 1 of 3)" in text


def test_returning_the_permutation_itself_is_a_single_value():
    text = checked("minibatch_indices", lambda permutation, batch_size: permutation)
    assert "expected 3 values" in text and "received a single" in text


def test_check_says_not_attempted_and_refuses_what_is_not_a_function():
    def adam_stub(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        raise NotImplementedError("adam_step: your code here")

    assert checked("adam_step", adam_stub) == "adam_step: not attempted yet"
    with pytest.raises(TypeError, match="the second argument must be your function"):
        check("adam_step", "adam_step")
    with pytest.raises(ValueError, match="Did you mean 'ewma'"):
        check("ewm", adam_stub)


# --- The public cases ---------------------------------------------------------------------


def test_the_worked_examples_have_the_numbers_the_notebook_quotes():
    assert [b.tolist() for b in MINIBATCH_INDICES.cases[0].expected] == [[3, 0], [4, 1], [2]]
    assert np.allclose(EWMA.cases[1].expected, [1.0, 2.9, 5.61], rtol=0, atol=1e-15)
    assert np.allclose(
        EWMA_BIAS_CORRECTED.cases[1].expected, [10.0, 15.263158, 20.701107], rtol=0, atol=5e-7
    )
    assert np.allclose(
        EWMA_BIAS_CORRECTED.cases[2].expected, [4, 0.571429, 0.324324, 2.4, 2.268886], atol=5e-7
    )
    w, v = MOMENTUM_STEP.cases[1].expected
    assert np.allclose(w, [0.865, -1.75], atol=1e-15) and np.allclose(v, [0.085, -0.15])
    w, m, v = ADAM_STEP.cases[0].expected
    assert np.allclose(w, [0.908222, -0.505263], rtol=0, atol=5e-7)
    assert np.allclose(np.sqrt(ADAM_STEP.cases[0].args[3] * 0.999 + 0.001 * np.array([9, 1])),
                       np.sqrt([0.009999, 0.001999]), rtol=1e-14)  # fmt: skip
    w, m, v = ADAM_STEP.cases[2].expected
    assert np.allclose(w, [1.85, -0.9], rtol=0, atol=1e-15)
    # the hint's numbers for the other placements of epsilon, in the case's comment
    args = ADAM_STEP.cases[2].args
    assert round(float(2.0 - adam(*args, mistake="inside")[0][0]), 6) == 0.137649
    assert round(float(2.0 - adam(*args, mistake="keras")[0][0]), 6) == 0.017330
    assert round(0.1 / np.sqrt(0.001), 6) == 3.162278


@pytest.mark.parametrize(
    ("exercise", "reference"),
    [
        (MINIBATCH_INDICES, reference_minibatch_indices),
        (EWMA, reference_ewma),
        (EWMA_BIAS_CORRECTED, reference_ewma_bias_corrected),
        (MOMENTUM_STEP, reference_momentum_step),
        (ADAM_STEP, reference_adam_step),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_the_hand_worked_cases_agree_with_the_reference(exercise, reference):
    for case in exercise.cases:
        got, expected = reference(*case.args), case.expected
        if isinstance(expected, tuple):
            assert len(got) == len(expected)
            for a, b in zip(got, expected, strict=True):
                assert np.asarray(a).dtype.kind == np.asarray(b).dtype.kind
                assert np.allclose(a, b, rtol=1e-12, atol=1e-15), case.about
        else:
            assert np.allclose(got, expected, rtol=1e-12, atol=1e-15), case.about


def test_the_minibatches_use_every_index_once_in_the_permutations_order():
    rng = np.random.default_rng(0)
    for n, size in ((10, 3), (12, 4), (1, 1), (5, 9)):
        permutation = rng.permutation(n)
        batches = reference_minibatch_indices(permutation, size)
        assert len(batches) == -(-n // size)
        assert all(len(b) == size for b in batches[:-1]) and 1 <= len(batches[-1]) <= size
        assert np.array_equal(np.concatenate(batches), permutation)


def test_the_momentum_cases_agree_with_the_library_sgd():
    for case in MOMENTUM_STEP.cases:
        w, g, velocity, lr, momentum = (np.array(a, dtype=float) for a in case.args)
        optimizer = SGD(learning_rate=float(lr), momentum=float(momentum))
        weights = w.copy()
        optimizer.step([weights], [g.copy()])  # builds a zero velocity, then steps
        if np.any(velocity):  # start from the case's velocity instead
            weights = w.copy()
            optimizer = SGD(learning_rate=float(lr), momentum=float(momentum))
            optimizer.step([np.zeros_like(w)], [np.zeros_like(w)])  # builds the slots
            optimizer.slots["velocity"][:] = velocity.ravel()
            optimizer.step([weights], [g.copy()])
        assert np.allclose(weights, case.expected[0], rtol=1e-12, atol=1e-15), case.about


def test_the_adam_cases_agree_with_the_library_up_to_the_place_of_epsilon():
    """Two library steps from zeros against two adam_steps; with epsilon = 0.1 they differ."""
    rng = np.random.default_rng(1)
    gradients = rng.normal(size=(2, 3))
    for epsilon, agree in ((1e-12, True), (0.1, False)):
        mine, m, v = np.ones(3), np.zeros(3), np.zeros(3)
        library, optimizer = np.ones(3), Adam(learning_rate=0.01, epsilon=epsilon)
        for t, g in enumerate(gradients, 1):
            mine, m, v = reference_adam_step(mine, g, m, v, t, 0.01, 0.9, 0.999, epsilon)
            optimizer.step([library], [g.copy()])
        assert np.allclose(mine, library, rtol=1e-9, atol=0) == agree
        if not agree:  # Keras's form is what the "Keras's ε" mistake computes
            keras, m, v = np.ones(3), np.zeros(3), np.zeros(3)
            for t, g in enumerate(gradients, 1):
                keras, m, v = keras_epsilon(keras, g, m, v, t, 0.01, 0.9, 0.999, epsilon)
            assert np.allclose(keras, library, rtol=1e-12)


# --- The hidden tests ---------------------------------------------------------------------


def hidden_score(name, function):
    return set_tools.hidden_score(HIDDEN, name, function, quiet=True)


WRONG = [(exercise.name, earns) for exercise, earns, _ in HINT_PAIRS.values()] + [
    ("minibatch_indices", draws_with_replacement),
    ("momentum_step", updates_in_place),
    ("adam_step", adam_in_place),
]


@pytest.mark.parametrize(("name", "wrong"), WRONG, ids=lambda v: getattr(v, "__name__", v))
def test_every_wrong_function_loses_hidden_points(name, wrong):
    earned, possible, results = hidden_score(name, wrong)
    assert earned < possible, f"{wrong.__name__} earns full marks for {name}"
    for result in results:  # what the student reads names no hidden input or value
        assert "expected:" not in result.message and "received:" not in result.message


@pytest.mark.parametrize(
    ("name", "returns_inputs"),
    [
        ("minibatch_indices", lambda permutation, batch_size: permutation),
        ("ewma", lambda thetas, beta: thetas),
        ("ewma_bias_corrected", lambda thetas, beta: thetas),
        ("momentum_step", lambda w, g, velocity, lr, momentum: (w, velocity)),
        ("adam_step", lambda w, g, m, v, *rest: (w, m, v)),
    ],
)
def test_returning_the_inputs_or_the_state_unchanged_earns_nothing(name, returns_inputs):
    earned, _, _ = hidden_score(name, returns_inputs)
    assert earned == 0


def test_answer_modules_name_the_library_that_implements_the_answers():
    (test, *_) = load_tests(HIDDEN)
    for module in ("byhand.optimizers", "byhand.base_optimizer", "byhand.exercises", "torch"):
        assert module in test.answer_modules
