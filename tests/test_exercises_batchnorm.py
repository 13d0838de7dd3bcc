"""The Chapter 8 exercise set (08_batch_normalization): its hints, public cases, hidden tests.

HINT_PAIRS pairs each known mistake of the set with a wrong function that earns its hint and
a different wrong function that does not, written as a student would write them (not taken
from the mistakes' own code), in the form of `EARNED` in test_exercise_hints.py; here they
run through the set's own `check`, as a student sees it. The public cases are compared with
the hand-worked numbers of their comments and with the course library
(byhand.normalization.BatchNormalization, in float64); the hidden tests must take points
from every wrong function here, give none for returning the inputs, and give none to a
submission that hands the work to the library's BatchNormalization.
"""

import nbformat
import numpy as np
import pytest
import set_tools
from set_tools import printed_by
from test_exercises import ROOT

from byhand.exercises.batchnorm import (
    BATCH_STATISTICS,
    BATCHNORM_BACKWARD,
    BATCHNORM_FORWARD_INFERENCE,
    BATCHNORM_FORWARD_TRAIN,
    UPDATE_MOVING_AVERAGES,
    check,
    reference_batch_statistics,
    reference_batchnorm_backward,
    reference_batchnorm_forward_inference,
    reference_batchnorm_forward_train,
    reference_update_moving_averages,
)
from byhand.grading import load_tests
from byhand.normalization import BatchNormalization

SET = "08_batch_normalization"
HIDDEN = ROOT / "solutions" / "hidden" / f"{SET}.py"


checked = printed_by(check, quiet=True)


# --- batch_statistics: wrong functions as students write them -----------------------------


def unbiased_variance(x):
    return x.mean(axis=0), np.var(x, axis=0, ddof=1)


def statistics_of_each_row(x):
    return np.mean(x, axis=1), np.var(x, axis=1)


def returns_the_std(x):
    return np.mean(x, axis=0), np.std(x, axis=0)


def mean_of_squares(x):
    return x.mean(axis=0), np.mean(x * x, axis=0)


# --- batchnorm_forward_train --------------------------------------------------------------


def forward_without_epsilon(x, gamma, beta, epsilon):
    mu, var = x.mean(axis=0), x.var(axis=0)
    sigma = np.sqrt(var)
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, x_hat, sigma


def forward_epsilon_after_the_root(x, gamma, beta, epsilon):
    mu, var = x.mean(axis=0), x.var(axis=0)
    sigma = np.sqrt(var) + epsilon
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, x_hat, sigma


def forward_dividing_by_the_variance(x, gamma, beta, epsilon):
    mu = x.mean(axis=0)
    sigma = x.var(axis=0) + epsilon
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, x_hat, sigma


def forward_unbiased(x, gamma, beta, epsilon):
    mu = x.mean(axis=0)
    sigma = np.sqrt(x.var(axis=0, ddof=1) + epsilon)
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, x_hat, sigma


def forward_over_each_row(x, gamma, beta, epsilon):
    mu = x.mean(axis=1, keepdims=True)
    sigma = np.sqrt(x.var(axis=1, keepdims=True) + epsilon)
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, x_hat, sigma


# --- update_moving_averages ---------------------------------------------------------------


def momentum_on_the_batch(moving_mean, moving_variance, mu, var, momentum):
    return (
        (1 - momentum) * moving_mean + momentum * mu,
        (1 - momentum) * moving_variance + momentum * var,
    )


def keeps_the_last_batch(moving_mean, moving_variance, mu, var, momentum):
    return mu.copy(), var.copy()


def adds_the_whole_batch(moving_mean, moving_variance, mu, var, momentum):
    return momentum * moving_mean + mu, momentum * moving_variance + var


def updates_the_averages_in_place(moving_mean, moving_variance, mu, var, momentum):
    moving_mean *= momentum
    moving_mean += (1 - momentum) * mu
    moving_variance *= momentum
    moving_variance += (1 - momentum) * var
    return moving_mean, moving_variance


# --- batchnorm_forward_inference ----------------------------------------------------------


def inference_with_the_batch(x, gamma, beta, moving_mean, moving_variance, epsilon):
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + epsilon)
    return gamma * x_hat + beta


def inference_without_epsilon(x, gamma, beta, moving_mean, moving_variance, epsilon):
    return gamma * (x - moving_mean) / np.sqrt(moving_variance) + beta


def inference_epsilon_after_the_root(x, gamma, beta, moving_mean, moving_variance, epsilon):
    return gamma * (x - moving_mean) / (np.sqrt(moving_variance) + epsilon) + beta


def inference_dividing_by_the_variance(x, gamma, beta, moving_mean, moving_variance, epsilon):
    return gamma * (x - moving_mean) / (moving_variance + epsilon) + beta


# --- batchnorm_backward -------------------------------------------------------------------


def backward_at_inference(dy, x_hat, sigma, gamma):
    return gamma * dy / sigma, np.sum(dy * x_hat, axis=0), np.sum(dy, axis=0)


def backward_without_the_mean(dy, x_hat, sigma, gamma):
    n = dy.shape[0]
    dgamma, dbeta = np.sum(dy * x_hat, axis=0), np.sum(dy, axis=0)
    dx = gamma / (n * sigma) * (n * dy - x_hat * dgamma)
    return dx, dgamma, dbeta


def backward_without_the_variance(dy, x_hat, sigma, gamma):
    n = dy.shape[0]
    dgamma, dbeta = np.sum(dy * x_hat, axis=0), np.sum(dy, axis=0)
    dx = gamma / (n * sigma) * (n * dy - dbeta)
    return dx, dgamma, dbeta


def backward_forgetting_gamma(dy, x_hat, sigma, gamma):
    n = dy.shape[0]
    dgamma, dbeta = np.sum(dy * x_hat, axis=0), np.sum(dy, axis=0)
    dx = (n * dy - dbeta - x_hat * dgamma) / (n * sigma)
    return dx, dgamma, dbeta


def backward_averaging_the_parameters(dy, x_hat, sigma, gamma):
    n = dy.shape[0]
    dgamma, dbeta = np.mean(dy * x_hat, axis=0), np.mean(dy, axis=0)
    dx = gamma / (n * sigma) * (n * dy - dy.sum(axis=0) - x_hat * (dy * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


def backward_summing_each_row(dy, x_hat, sigma, gamma):
    n = dy.shape[0]
    dbeta = dy.sum(axis=1)
    dgamma = (dy * x_hat).sum(axis=1)
    dx = gamma / (n * sigma) * (n * dy - dbeta[:, None] - x_hat * dgamma[:, None])
    return dx, dgamma, dbeta


def backward_in_stages_with_a_sign_slip(dy, x_hat, sigma, gamma):
    """The stages of the solution with dsigma's minus sign lost: no known mistake."""
    n = dy.shape[0]
    dx_hat = gamma * dy
    dsigma = (dx_hat * x_hat).sum(axis=0) / sigma
    dx = dx_hat / sigma + dsigma / (2 * sigma) * 2 * sigma * x_hat / n
    dx = dx - dx_hat.sum(axis=0) / sigma / n
    return dx, (dy * x_hat).sum(axis=0), dy.sum(axis=0)


# key -> (exercise, a wrong function that earns its hint, a different one that does not)
HINT_PAIRS = {
    f"{SET}/batch_statistics: N − 1": (BATCH_STATISTICS, unbiased_variance, returns_the_std),
    f"{SET}/batch_statistics: rows": (BATCH_STATISTICS, statistics_of_each_row, mean_of_squares),
    f"{SET}/batch_statistics: standard deviation": (
        BATCH_STATISTICS,
        returns_the_std,
        unbiased_variance,
    ),
    f"{SET}/batch_statistics: not centred": (
        BATCH_STATISTICS,
        mean_of_squares,
        statistics_of_each_row,
    ),
    f"{SET}/batchnorm_forward_train: no ε": (
        BATCHNORM_FORWARD_TRAIN,
        forward_without_epsilon,
        forward_epsilon_after_the_root,
    ),
    f"{SET}/batchnorm_forward_train: ε outside √": (
        BATCHNORM_FORWARD_TRAIN,
        forward_epsilon_after_the_root,
        forward_without_epsilon,
    ),
    f"{SET}/batchnorm_forward_train: no √": (
        BATCHNORM_FORWARD_TRAIN,
        forward_dividing_by_the_variance,
        forward_unbiased,
    ),
    f"{SET}/batchnorm_forward_train: N − 1": (
        BATCHNORM_FORWARD_TRAIN,
        forward_unbiased,
        forward_over_each_row,
    ),
    f"{SET}/batchnorm_forward_train: rows": (
        BATCHNORM_FORWARD_TRAIN,
        forward_over_each_row,
        forward_dividing_by_the_variance,
    ),
    f"{SET}/update_moving_averages: momentum swapped": (
        UPDATE_MOVING_AVERAGES,
        momentum_on_the_batch,
        adds_the_whole_batch,
    ),
    f"{SET}/update_moving_averages: batch values": (
        UPDATE_MOVING_AVERAGES,
        keeps_the_last_batch,
        momentum_on_the_batch,
    ),
    f"{SET}/update_moving_averages: no 1 − momentum": (
        UPDATE_MOVING_AVERAGES,
        adds_the_whole_batch,
        keeps_the_last_batch,
    ),
    f"{SET}/batchnorm_forward_inference: batch statistics": (
        BATCHNORM_FORWARD_INFERENCE,
        inference_with_the_batch,
        inference_without_epsilon,
    ),
    f"{SET}/batchnorm_forward_inference: no ε": (
        BATCHNORM_FORWARD_INFERENCE,
        inference_without_epsilon,
        inference_epsilon_after_the_root,
    ),
    f"{SET}/batchnorm_forward_inference: ε outside √": (
        BATCHNORM_FORWARD_INFERENCE,
        inference_epsilon_after_the_root,
        inference_dividing_by_the_variance,
    ),
    f"{SET}/batchnorm_forward_inference: no √": (
        BATCHNORM_FORWARD_INFERENCE,
        inference_dividing_by_the_variance,
        inference_with_the_batch,
    ),
    f"{SET}/batchnorm_backward: μ and σ constant": (
        BATCHNORM_BACKWARD,
        backward_at_inference,
        backward_without_the_mean,
    ),
    f"{SET}/batchnorm_backward: no path through μ": (
        BATCHNORM_BACKWARD,
        backward_without_the_mean,
        backward_without_the_variance,
    ),
    f"{SET}/batchnorm_backward: no path through σ": (
        BATCHNORM_BACKWARD,
        backward_without_the_variance,
        backward_at_inference,
    ),
    f"{SET}/batchnorm_backward: no γ": (
        BATCHNORM_BACKWARD,
        backward_forgetting_gamma,
        backward_in_stages_with_a_sign_slip,
    ),
    f"{SET}/batchnorm_backward: means": (
        BATCHNORM_BACKWARD,
        backward_averaging_the_parameters,
        backward_forgetting_gamma,
    ),
    f"{SET}/batchnorm_backward: rows": (
        BATCHNORM_BACKWARD,
        backward_summing_each_row,
        backward_averaging_the_parameters,
    ),
}


def test_an_update_in_place_is_named():
    text = checked("update_moving_averages", updates_the_averages_in_place)
    assert "the function changed its input moving_mean" in text, text
    assert text.count("hint: ") == 1 and "instead of changing the one passed in" in text


def test_a_backward_pass_with_a_sign_slip_fails_with_no_hint():
    text = checked("batchnorm_backward", backward_in_stages_with_a_sign_slip)
    assert "public case 1 of 3 fails" in text and "dx (returned value 1 of 3) is wrong" in text
    assert "hint: " not in text, text


def test_returning_only_y_is_a_single_value():
    def forward_returning_y(x, gamma, beta, epsilon):
        return reference_batchnorm_forward_train(x, gamma, beta, epsilon)[0]

    text = checked("batchnorm_forward_train", forward_returning_y)
    assert "expected 3 values, (y, x_hat, sigma)" in text and "received a single" in text
    assert "return them all, as in `return y, x_hat, sigma`" in text


def test_check_says_not_attempted_and_refuses_what_is_not_a_function():
    def backward_stub(dy, x_hat, sigma, gamma):
        raise NotImplementedError("batchnorm_backward: your code here")

    assert checked("batchnorm_backward", backward_stub) == "batchnorm_backward: not attempted yet"
    with pytest.raises(TypeError, match="the second argument must be your function"):
        check("batchnorm_backward", "batchnorm_backward")
    with pytest.raises(ValueError, match="Did you mean 'batchnorm_backward'"):
        check("batchnorm_backwards", backward_stub)


# --- The public cases ---------------------------------------------------------------------


def test_the_worked_examples_have_the_numbers_the_notebook_quotes():
    mu, var = BATCH_STATISTICS.cases[0].expected
    assert np.array_equal(mu, [4.0, 3.0]) and np.array_equal(var, [5.0, 12.0])
    y, x_hat, sigma = BATCHNORM_FORWARD_TRAIN.cases[0].expected
    assert np.array_equal(sigma, [3.0, 4.0]) and BATCHNORM_FORWARD_TRAIN.cases[0].args[3] == 4.0
    assert np.allclose(x_hat[:, 0], [-1, -1 / 3, 1 / 3, 1], rtol=0, atol=1e-15)
    assert np.allclose(y[:, 1], [-1.25, -1.25, -1.25, -0.25], rtol=0, atol=1e-15)
    # the comments' rounded values of the Keras case and of the constant feature
    y, _, sigma = BATCHNORM_FORWARD_TRAIN.cases[1].expected
    assert np.allclose(sigma, [2.449694, 2.828604], rtol=0, atol=5e-7)
    assert np.allclose(y[:, 0], [-1.224643, 0, 1.224643], rtol=0, atol=5e-7)
    assert np.allclose(y[:, 1], [-0.707063, -0.707063, 1.414125], rtol=0, atol=5e-7)
    y, x_hat, sigma = BATCHNORM_FORWARD_TRAIN.cases[2].expected
    assert np.allclose(sigma, [0.031623, 1.000500], rtol=0, atol=5e-7)
    assert np.allclose(x_hat[:, 1], [0.999500, -0.999500], rtol=0, atol=5e-7)
    assert np.allclose(y[:, 1], [1.999001, -1.999001], rtol=0, atol=5e-7)
    mean, variance = UPDATE_MOVING_AVERAGES.cases[0].expected
    assert np.allclose(mean, [0.02, -0.04], rtol=0, atol=1e-15)
    assert np.allclose(variance, [1.08, 0.995], rtol=0, atol=1e-15)
    expected = BATCHNORM_FORWARD_INFERENCE.cases[0].expected
    assert np.array_equal(expected, [[1.0, 1.5], [0.0, 0.5], [-1.0, 2.0]])
    fresh = BATCHNORM_FORWARD_INFERENCE.cases[2]  # y = x / √1.001 = 0.999500 x
    assert np.allclose(fresh.expected, 0.999500 * fresh.args[0], rtol=0, atol=5e-6)


def test_the_backward_worked_example_agrees_with_the_finite_differences():
    """The hand-worked numbers of the first backward case, in its comments and the notebook."""
    dx, dgamma, dbeta = BATCHNORM_BACKWARD.cases[0].expected  # finite differences
    assert np.allclose(dbeta, [0.0, 3.0], rtol=0, atol=1e-8)
    assert np.allclose(dgamma, [-2.0, 2.5], rtol=0, atol=1e-8)
    assert np.allclose(dx[:, 0], [1 / 3, -1 / 9, 1 / 9, -1 / 3], rtol=0, atol=1e-8)
    assert np.allclose(dx[:, 1], np.array([-1.75, 2.25, -1.75, 1.25]) / 32, rtol=0, atol=1e-8)
    assert np.allclose(dx.sum(axis=0), 0, atol=1e-8)


@pytest.mark.parametrize(
    ("exercise", "reference"),
    [
        (BATCH_STATISTICS, reference_batch_statistics),
        (BATCHNORM_FORWARD_TRAIN, reference_batchnorm_forward_train),
        (UPDATE_MOVING_AVERAGES, reference_update_moving_averages),
        (BATCHNORM_FORWARD_INFERENCE, reference_batchnorm_forward_inference),
        (BATCHNORM_BACKWARD, reference_batchnorm_backward),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_the_cases_agree_with_the_reference(exercise, reference):
    # hand-worked cases to rounding; the backward's finite differences to their accuracy
    tolerance = (
        dict(rtol=1e-7, atol=1e-8)
        if exercise is BATCHNORM_BACKWARD
        else dict(rtol=1e-12, atol=1e-15)
    )
    for case in exercise.cases:
        got, expected = reference(*case.args), case.expected
        if isinstance(expected, tuple):
            assert len(got) == len(expected)
            for a, b in zip(got, expected, strict=True):
                assert np.shape(a) == np.shape(b), case.about
                assert np.allclose(a, b, **tolerance), case.about
        else:
            assert np.shape(got) == np.shape(expected)
            assert np.allclose(got, expected, **tolerance), case.about


def library_layer(x, gamma, beta, momentum, epsilon):
    """byhand's BatchNormalization in float64 with these γ and β, after one training batch."""
    layer = BatchNormalization(momentum=momentum, epsilon=epsilon)
    layer.build((x.shape[1],), dtype="float64")
    layer.params["gamma"][:], layer.params["beta"][:] = gamma, beta
    return layer, layer.forward(x, training=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_references_agree_with_the_library_batch_normalization(seed):
    rng = np.random.default_rng(seed)
    n, d = 5 + seed * 7, 2 + seed
    x = rng.normal(size=(n, d)) * rng.uniform(0.1, 10.0, d) + rng.normal(size=d) * 5
    gamma, beta, dy = rng.uniform(-2.0, 2.0, d), rng.normal(size=d), rng.normal(size=(n, d))
    momentum, epsilon = (0.99, 0.9, 0.5)[seed], (1e-3, 1e-5, 0.1)[seed]
    layer, y = library_layer(x, gamma, beta, momentum, epsilon)
    mine = reference_batchnorm_forward_train(x, gamma, beta, epsilon)
    assert np.allclose(mine[0], y, rtol=1e-12, atol=1e-12)
    # the moving averages after one batch, from Keras's start (0 and 1)
    moving = reference_update_moving_averages(
        np.zeros(d), np.ones(d), *reference_batch_statistics(x), momentum
    )
    assert np.allclose(moving[0], layer.state["moving_mean"], rtol=1e-12, atol=1e-15)
    assert np.allclose(moving[1], layer.state["moving_variance"], rtol=1e-12, atol=1e-15)
    dx, dgamma, dbeta = reference_batchnorm_backward(dy, mine[1], mine[2], gamma)
    assert np.allclose(dx, layer.backward(dy), rtol=1e-10, atol=1e-12)
    assert np.allclose(dgamma, layer.grads["gamma"], rtol=1e-12, atol=1e-12)
    assert np.allclose(dbeta, layer.grads["beta"], rtol=1e-12, atol=1e-12)
    # at inference the layer uses those moving averages
    inferred = reference_batchnorm_forward_inference(x, gamma, beta, *moving, epsilon)
    assert np.allclose(inferred, layer.forward(x, training=False), rtol=1e-12, atol=1e-12)


def test_a_backward_treating_mu_and_sigma_as_constants_is_the_inference_backward():
    """The "μ and σ constant" hint says this: it is what the library does at inference."""
    rng = np.random.default_rng(5)
    x, gamma, dy = rng.normal(size=(6, 3)), rng.uniform(0.5, 2, 3), rng.normal(size=(6, 3))
    layer, _ = library_layer(x, gamma, np.zeros(3), 0.99, 1e-3)
    layer.state["moving_mean"][:], layer.state["moving_variance"][:] = reference_batch_statistics(x)
    layer.forward(x, training=False)  # the same μ and σ as the batch's, held constant
    _, x_hat, sigma = reference_batchnorm_forward_train(x, gamma, np.zeros(3), 1e-3)
    constant = backward_at_inference(dy, x_hat, sigma, gamma)
    assert np.allclose(constant[0], layer.backward(dy), rtol=1e-12, atol=1e-12)
    assert not np.allclose(constant[0], reference_batchnorm_backward(dy, x_hat, sigma, gamma)[0])


# --- The hidden tests ---------------------------------------------------------------------


def hidden_score(name, function):
    return set_tools.hidden_score(HIDDEN, name, function, quiet=True)


WRONG = [(exercise.name, earns) for exercise, earns, _ in HINT_PAIRS.values()] + [
    ("update_moving_averages", updates_the_averages_in_place),
    ("batchnorm_backward", backward_in_stages_with_a_sign_slip),
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
        ("batch_statistics", lambda x: (x, x)),
        ("batchnorm_forward_train", lambda x, gamma, beta, epsilon: (x, x, gamma)),
        ("update_moving_averages", lambda mean, variance, mu, var, momentum: (mean, variance)),
        ("batchnorm_forward_inference", lambda x, *rest: x),
        ("batchnorm_backward", lambda dy, x_hat, sigma, gamma: (dy, gamma, sigma)),
    ],
)
def test_returning_the_inputs_or_the_state_unchanged_earns_nothing(name, returns_inputs):
    earned, _, _ = hidden_score(name, returns_inputs)
    assert earned == 0


def test_answer_modules_name_the_library_that_implements_the_answers():
    (test, *_) = load_tests(HIDDEN)
    for module in ("byhand.normalization", "byhand.layers", "byhand.exercises", "torch"):
        assert module in test.answer_modules


# The course solutions, then three functions redefined to hand the work to the library's
# BatchNormalization, imported from each of the two modules that offer it.
USES_THE_LIBRARY = [
    "from byhand.normalization import BatchNormalization\n"
    "def batchnorm_forward_train(x, gamma, beta, epsilon):\n"
    "    layer = BatchNormalization(epsilon=epsilon)\n"
    "    layer.build((x.shape[1],), dtype='float64')\n"
    "    layer.params['gamma'][:], layer.params['beta'][:] = gamma, beta\n"
    "    y = layer.forward(x, training=True)\n"
    "    x_hat, sigma, _ = layer.cache\n"
    "    return y, x_hat, sigma\n",
    "import byhand.layers as layers\n"
    "def batchnorm_backward(dy, x_hat, sigma, gamma):\n"
    "    layer = layers.BatchNormalization()\n"
    "    layer.build((dy.shape[1],), dtype='float64')\n"
    "    layer.params['gamma'][:] = gamma\n"
    "    layer.cache = (x_hat, sigma, True)\n"
    "    dx = layer.backward(dy)\n"
    "    return dx, layer.grads['gamma'], layer.grads['beta']\n",
    "def batchnorm_forward_inference(x, gamma, beta, moving_mean, moving_variance, epsilon):\n"
    "    layer = layers.BatchNormalization(epsilon=epsilon)\n"
    "    layer.build((x.shape[1],), dtype='float64')\n"
    "    layer.params['gamma'][:], layer.params['beta'][:] = gamma, beta\n"
    "    layer.state['moving_mean'][:] = moving_mean\n"
    "    layer.state['moving_variance'][:] = moving_variance\n"
    "    return layer.forward(x, training=False)\n",
]


def test_handing_the_work_to_the_library_batch_normalization_earns_nothing(tmp_path):
    from byhand.grading.runner import run_submission

    notebook = nbformat.read(ROOT / "solutions" / f"{SET}.ipynb", as_version=4)
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in USES_THE_LIBRARY]
    path = tmp_path / "submission.ipynb"
    nbformat.write(notebook, path)
    outcome = run_submission(path, load_tests(HIDDEN))
    assert outcome.status == "ok", (outcome.status, outcome.notes)
    by_exercise = {}
    for result in outcome.results:
        by_exercise.setdefault(result.exercise, []).append(result)
    handed_over = ("batchnorm_forward_train", "batchnorm_backward", "batchnorm_forward_inference")
    for exercise in handed_over:
        for result in by_exercise[exercise]:
            assert result.points == 0, result
            assert "which this exercise set names as doing the work it asks for" in result.message
    assert any(n.startswith("batchnorm_forward_train uses byhand.normalization")
               for n in outcome.notes), outcome.notes  # fmt: skip
    assert any(n.startswith("batchnorm_backward uses byhand.layers") for n in outcome.notes)
    for exercise in ("batch_statistics", "update_moving_averages"):  # the solutions: all
        assert all(r.passed for r in by_exercise[exercise]), by_exercise[exercise]
