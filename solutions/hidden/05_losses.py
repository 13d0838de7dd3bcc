"""Hidden tests of the Chapter 5 exercise set (exercises/05_losses.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden).
The inputs differ from the public cases in byhand.exercises.losses. Expected values are
worked by hand in the comments, or come from that module's stable reference functions
(`reference_mse`, `reference_binary_crossentropy`, `reference_logsumexp`,
`reference_sparse_categorical_crossentropy`, `reference_kl_divergence`) and from central
finite differences in float64. The grader sees only values: a loss computed without care
shows itself where its value is inf or nan (logits in the hundreds, probabilities of 0).
"""

import numpy as np

from byhand.exercises import assert_close, assert_unchanged
from byhand.exercises.activations import reference_softmax
from byhand.exercises.cases import finite_differences
from byhand.exercises.losses import (
    one_hot,
    reference_binary_crossentropy,
    reference_kl_divergence,
    reference_logsumexp,
    reference_mse,
    reference_sparse_categorical_crossentropy,
)
from byhand.grading import call_and_inputs, points

# Course modules that do what these exercises ask: a function that uses one earns nothing.
# The grader matches these names in the notebook's code and never imports them.
ANSWER_MODULES = (
    "byhand.losses",  # every loss of the set, its gradient, and the log-softmax of logits
    "byhand.activations",  # the sigmoid and the softmax of the gradients
    "byhand.layers",  # the Activation layer: a sigmoid or softmax as a layer
    "byhand.symbolic",  # SymPy expressions of the losses and their derivatives
    "byhand.gradcheck",  # numerical gradients: a gradient by finite differences
    "byhand.autodiff",  # Value.exp, log, sigmoid: derivatives by automatic differentiation
    "byhand.exercises",  # finite differences and the reference functions of the public cases
    "scipy.special",  # logsumexp, log_softmax, xlogy, rel_entr, kl_div, expit, log_expit
    "scipy.stats",  # entropy(p, q), the KL divergence
)

FD = dict(rtol=1e-6, atol=1e-8)  # finite differences are good to some 1e-10 here


def fd_gradient(loss, y_true, x):
    """dL/dx of the number loss(y_true, x), by central finite differences in float64."""
    return finite_differences(loss, (y_true, x), (1,))[0]


def labels(rng, n, k):
    return rng.integers(0, k, size=n)


# --- mean_squared_error: 2 points -----------------------------------------------------


@points(1)
def test_mean_squared_error_of_a_random_batch_leaves_it_alone(mean_squared_error):
    rng = np.random.default_rng(501)
    y, p = rng.normal(size=(4, 3)) * 3.0, rng.normal(size=(4, 3)) * 3.0
    loss, after = call_and_inputs(mean_squared_error, y, p)
    assert_close(loss, reference_mse(y, p), "mean_squared_error of a random batch [4, 3]")
    assert_unchanged(after, (y, p), ("y_true", "y_pred"), "mean_squared_error")


@points(1)
def test_mean_squared_error_of_one_output_and_of_a_wide_batch(mean_squared_error):
    # errors (−1, 0, 2, 0, −1): squares 1 + 0 + 4 + 0 + 1 = 6 over 5 entries, 1.2
    y, p = np.array([2.0, -1.0, 0.0, 4.0, 1.0]), np.array([1.0, -1.0, 2.0, 4.0, 0.0])
    assert_close(mean_squared_error(y, p), 1.2, "mean_squared_error, one output per example")
    rng = np.random.default_rng(502)
    y2, p2 = rng.normal(size=(2, 5)), rng.normal(size=(2, 5))
    what = "mean_squared_error of 2 examples with 5 outputs each"
    assert_close(mean_squared_error(y2, p2), reference_mse(y2, p2), what)


# --- mean_squared_error_gradient: 2 points --------------------------------------------


@points(1)
def test_mean_squared_error_gradient_matches_finite_differences(mean_squared_error_gradient):
    rng = np.random.default_rng(503)
    y, p = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    what = "mean_squared_error_gradient on a random [3, 4] batch (expected: finite differences)"
    assert_close(
        mean_squared_error_gradient(y, p), fd_gradient(reference_mse, y, p), what, batch=3, **FD
    )


@points(1)
def test_mean_squared_error_gradient_by_hand_leaves_its_inputs_alone(mean_squared_error_gradient):
    # 2 (ŷ − y) / 4 = 2 (1, 0, −2, 0) / 4 = (0.5, 0, −1, 0)
    y, p = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 2.0, 1.0, 4.0])
    result, after = call_and_inputs(mean_squared_error_gradient, y, p)
    what = "mean_squared_error_gradient, one output per example"
    assert_close(result, np.array([0.5, 0.0, -1.0, 0.0]), what, batch=4)
    assert_unchanged(after, (y, p), ("y_true", "y_pred"), "mean_squared_error_gradient")
    # one example, two outputs: 2 (0 − 10, 0 + 10) / 2 = (−10, 10)
    one = mean_squared_error_gradient(np.array([[10.0, -10.0]]), np.zeros((1, 2)))
    assert_close(one, np.array([[-10.0, 10.0]]), "mean_squared_error_gradient, one example")


# --- binary_crossentropy: 3 points ----------------------------------------------------


@points(1)
def test_binary_crossentropy_of_random_logits(binary_crossentropy):
    rng = np.random.default_rng(504)
    y, z = rng.integers(0, 2, size=8).astype(float), rng.normal(size=8) * 4.0
    what = "binary_crossentropy of random logits [8]"
    assert_close(binary_crossentropy(y, z), reference_binary_crossentropy(y, z), what)


@points(1)
def test_binary_crossentropy_of_confident_logits(binary_crossentropy):
    # wrong at |z| = 800: 800 each; right at |z| = 60: e^−60 = 8.8e−27 each;
    # z = 0.5, y = 1: log(1 + e^−0.5) = 0.474077. Mean (1600 + 0.474077) / 5 = 320.094815
    y, z = np.array([0.0, 1.0, 1.0, 0.0, 1.0]), np.array([800.0, -800.0, 60.0, -60.0, 0.5])
    expected = (1600.0 + np.log1p(np.exp(-0.5))) / 5
    assert_close(binary_crossentropy(y, z), expected, "binary_crossentropy, confident logits")


@points(1)
def test_binary_crossentropy_of_several_outputs_leaves_its_inputs_alone(binary_crossentropy):
    rng = np.random.default_rng(505)
    y, z = rng.integers(0, 2, size=(3, 2)), rng.normal(size=(3, 2)) * 3.0  # integer labels
    loss, after = call_and_inputs(binary_crossentropy, y, z)
    what = "binary_crossentropy of a batch [3, 2], integer labels"
    assert_close(loss, reference_binary_crossentropy(y, z), what)
    assert_unchanged(after, (y, z), ("y_true", "logits"), "binary_crossentropy")


# --- binary_crossentropy_gradient: 2 points -------------------------------------------


@points(1)
def test_binary_crossentropy_gradient_matches_finite_differences(binary_crossentropy_gradient):
    rng = np.random.default_rng(506)
    y, z = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]), rng.normal(size=7) * 3.0
    expected = fd_gradient(reference_binary_crossentropy, y, z)
    what = "binary_crossentropy_gradient of random logits [7] (expected: finite differences)"
    assert_close(binary_crossentropy_gradient(y, z), expected, what, batch=7, **FD)


@points(1)
def test_binary_crossentropy_gradient_far_out_leaves_its_inputs_alone(
    binary_crossentropy_gradient,
):
    # σ = (1, 0, 0.5, 1): (σ − y) / 4 = (1 − 1, 0 − 0, 0.5 − 1, 1 − 0) / 4
    y, z = np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([[900.0, -900.0], [0.0, 900.0]])
    result, after = call_and_inputs(binary_crossentropy_gradient, y, z)
    expected = np.array([[0.0, 0.0], [-0.125, 0.25]])
    assert_close(result, expected, "binary_crossentropy_gradient, logits ±900 in a [2, 2] batch")
    assert_unchanged(after, (y, z), ("y_true", "logits"), "binary_crossentropy_gradient")


# --- logsumexp: 2 points --------------------------------------------------------------


@points(1)
def test_logsumexp_of_a_random_batch_and_of_one_vector(logsumexp):
    rng = np.random.default_rng(507)
    Z, z = rng.normal(size=(4, 6)) * 3.0, rng.normal(size=5)
    assert_close(logsumexp(Z), reference_logsumexp(Z), "logsumexp of a random batch [4, 6]")
    assert_close(logsumexp(z), reference_logsumexp(z), "logsumexp of one vector [5]")


@points(1)
def test_logsumexp_of_rows_on_different_scales_leaves_them_alone(logsumexp):
    rng = np.random.default_rng(508)
    Z = rng.normal(size=(4, 3)) + np.array([[900.0], [-900.0], [0.0], [750.0]])
    result, after = call_and_inputs(logsumexp, Z)
    assert_close(result, reference_logsumexp(Z), "logsumexp of large logits, rows far apart")
    assert_unchanged(after, (Z,), ("Z",), "logsumexp")


# --- sparse_categorical_crossentropy: 3 points ----------------------------------------


@points(1)
def test_sparse_categorical_crossentropy_of_random_logits(sparse_categorical_crossentropy):
    rng = np.random.default_rng(509)
    Z, y = rng.normal(size=(6, 4)) * 2.0, labels(rng, 6, 4)
    expected = reference_sparse_categorical_crossentropy(y, Z)
    what = "sparse_categorical_crossentropy of random logits [6, 4]"
    assert_close(sparse_categorical_crossentropy(y, Z), expected, what)


@points(1)
def test_sparse_categorical_crossentropy_of_confident_logits(sparse_categorical_crossentropy):
    # row 1: logsumexp 500, z_y = −500: 1000; row 2: ln 4; row 3: right at 800, about 0;
    # row 4: 1000 + ln(1 + e^−1) − 999 = 1.313262
    Z = np.array(
        [
            [500.0, -500.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0],
            [-700.0, -700.0, 800.0, -700.0],
            [1000.0, 999.0, 0.0, 0.0],
        ]
    )
    y = np.array([1, 3, 2, 1])
    expected = reference_sparse_categorical_crossentropy(y, Z)
    what = "sparse_categorical_crossentropy, logits in the hundreds"
    assert_close(sparse_categorical_crossentropy(y, Z), expected, what)


@points(1)
def test_sparse_categorical_crossentropy_of_seven_classes_leaves_its_inputs_alone(
    sparse_categorical_crossentropy,
):
    # 30 % on the true class 4, the rest spread unevenly: −ln 0.3 = 1.203973
    p = np.array([[0.05, 0.2, 0.1, 0.15, 0.3, 0.15, 0.05]])
    Z, y = np.log(p) + 2.5, np.array([4])  # a shift of every logit changes no probability
    loss, after = call_and_inputs(sparse_categorical_crossentropy, y, Z)
    what = "sparse_categorical_crossentropy of one example with 7 classes"
    assert_close(loss, -np.log(0.3), what)
    assert_unchanged(after, (y, Z), ("y_true", "logits"), "sparse_categorical_crossentropy")


# --- sparse_categorical_crossentropy_gradient: 3 points -------------------------------


@points(1)
def test_sparse_categorical_crossentropy_gradient_matches_finite_differences(
    sparse_categorical_crossentropy_gradient,
):
    rng = np.random.default_rng(510)
    Z, y = rng.normal(size=(5, 3)) * 2.0, np.array([0, 2, 1, 2, 0])
    expected = fd_gradient(reference_sparse_categorical_crossentropy, y, Z)
    what = (
        "sparse_categorical_crossentropy_gradient of random logits [5, 3] "
        "(expected: finite differences)"
    )
    assert_close(sparse_categorical_crossentropy_gradient(y, Z), expected, what, batch=5, **FD)


@points(1)
def test_sparse_categorical_crossentropy_gradient_of_confident_logits(
    sparse_categorical_crossentropy_gradient,
):
    Z = np.array([[600.0, -600.0, 0.0], [-800.0, -801.0, -800.0], [0.0, 750.0, 749.0]])
    y = np.array([1, 0, 2])
    expected = (reference_softmax(Z) - one_hot(y, 3)) / 3
    what = "sparse_categorical_crossentropy_gradient, logits in the hundreds"
    assert_close(sparse_categorical_crossentropy_gradient(y, Z), expected, what, batch=3)


@points(1)
def test_sparse_categorical_crossentropy_gradient_leaves_its_inputs_alone(
    sparse_categorical_crossentropy_gradient,
):
    rng = np.random.default_rng(511)
    Z, y = rng.normal(size=(4, 3)), np.array([0, 2, 2, 1])
    result, after = call_and_inputs(sparse_categorical_crossentropy_gradient, y, Z)
    expected = (reference_softmax(Z) - one_hot(y, 3)) / 4
    what = "sparse_categorical_crossentropy_gradient, a label twice"
    assert_close(result, expected, what, batch=4)
    names = ("y_true", "logits")
    assert_unchanged(after, (y, Z), names, "sparse_categorical_crossentropy_gradient")


# --- kl_divergence: 3 points ----------------------------------------------------------


@points(1)
def test_kl_divergence_of_random_distributions_both_ways(kl_divergence):
    rng = np.random.default_rng(512)
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    assert_close(kl_divergence(p, q), reference_kl_divergence(p, q), "KL(P‖Q), 6 outcomes")
    assert_close(kl_divergence(q, p), reference_kl_divergence(q, p), "KL(Q‖P), 6 outcomes")


@points(1)
def test_kl_divergence_with_zeros_in_p(kl_divergence):
    rng = np.random.default_rng(513)
    p, q = np.array([0.4, 0.0, 0.6, 0.0, 0.0]), rng.dirichlet(np.ones(5))
    what = "kl_divergence, P with zeros among 5 outcomes"
    assert_close(kl_divergence(p, q), reference_kl_divergence(p, q), what)
    # a one-hot P: KL(P‖Q) = 1 · ln(1 / q_2) = −ln 0.2 = 1.609438
    sure, q4 = np.array([0.0, 0.0, 1.0, 0.0]), np.array([0.1, 0.3, 0.2, 0.4])
    assert_close(kl_divergence(sure, q4), -np.log(0.2), "kl_divergence of a one-hot P")


@points(1)
def test_kl_divergence_by_hand_leaves_its_inputs_alone(kl_divergence):
    # 0.25 ln(0.25 / 0.5) + 0.75 ln(0.75 / 0.5) = −0.173287 + 0.304099 = 0.130812
    p, q = np.array([0.25, 0.75]), np.array([0.5, 0.5])
    result, after = call_and_inputs(kl_divergence, p, q)
    assert_close(result, 0.25 * np.log(0.5) + 0.75 * np.log(1.5), "kl_divergence, 2 outcomes")
    assert_unchanged(after, (p, q), ("p", "q"), "kl_divergence")
    same = np.array([0.1, 0.0, 0.6, 0.3])
    assert_close(kl_divergence(same, same), 0.0, "kl_divergence of a distribution with itself")
