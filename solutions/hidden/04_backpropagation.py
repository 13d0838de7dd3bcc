"""Hidden tests of the Chapter 4 exercise set (exercises/04_backpropagation.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden). The
grader can send a student's function numbers and arrays but not a function or a random
generator, so three exercises are tested through functions of the notebook that pass their
own: `check_regression_gradient(X, Y, W, dW, h)` calls gradient_check on the loss
mean((X W − Y)²) of a linear layer, and `draw_he_normal(n_in, n_out, seed)` and
`draw_glorot_uniform(n_in, n_out, seed)` call the initializers with
np.random.default_rng(seed). The inputs differ from the public cases in
byhand.exercises.backprop. Expected values are central finite differences in float64 of
the forward computation, closed forms worked in the comments, the draws the exercises name
(from generators of the same seeds), or that module's reference code, which the course's
tests check against finite differences.

ANSWER_MODULES, the modules whose use earns nothing (see byhand.grading.answers): the
engine's layers, models and training loop run forward and backward passes and SGD steps,
its gradcheck and autodiff compute gradients by themselves, its initializers draw He and
Glorot weights, its activations and losses give the sigmoid, the mean squared error and
their slopes, and byhand.exercises holds finite differences and this set's reference code.
"""

import numpy as np

from byhand.exercises import assert_close, assert_unchanged
from byhand.exercises.backprop import (
    glorot_limit,
    he_std,
    reference_gradient_check,
    two_layer_gradients,
    two_layer_loss,
)
from byhand.exercises.cases import finite_differences
from byhand.grading import Through, call_and_inputs, points

ANSWER_MODULES = (
    "byhand.layers",  # Dense: forward, backward, its gradients
    "byhand.base",  # the Layer every layer extends
    "byhand.model",  # Sequential and Model: the forward and backward pass of a network
    "byhand.training",  # fit: forward, loss, backward, update
    "byhand.gradcheck",  # numerical gradients and the relative error
    "byhand.autodiff",  # gradients by automatic differentiation
    "byhand.initializers",  # HeNormal, GlorotUniform and friends
    "byhand.activations",  # the sigmoid and its slope
    "byhand.losses",  # the mean squared error and its gradient
    "byhand.optimizers",  # SGD: the update rule
    "byhand.base_optimizer",  # the loop over parameters that every optimizer shares
    "byhand.exercises",  # finite differences and this set's reference code
)

FD = dict(rtol=1e-6, atol=1e-8)  # central differences in float64 are good to ~1e-10 here
DENSE_NAMES = ("dX", "dW", "db")
GRAD_NAMES = ("dW1", "db1", "dW2", "db2")


# --- dense_forward: 2 points -------------------------------------------------------------


@points(1)
def test_dense_forward_on_a_random_batch_leaves_it_alone(dense_forward):
    rng = np.random.default_rng(401)
    args = (rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3))
    Y, after = call_and_inputs(dense_forward, *args)
    X, W, b = args
    assert_close(Y, X @ W + b, "dense_forward on a random batch, N = 6, D = 4, M = 3", batch=6)
    assert_unchanged(after, args, ("X", "W", "b"), "dense_forward")


@points(1)
def test_dense_forward_on_a_square_layer_and_one_integer_example(dense_forward):
    # Square (N = D = M = 3), where X Wᵀ and W X run too
    rng = np.random.default_rng(402)
    X, W, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
    assert_close(dense_forward(X, W, b), X @ W + b, "dense_forward, N = D = M = 3", batch=3)
    # One integer example: (2, -1) W = 2 * (0.5, 1, -1) - (1.5, -2, 0.25) = (-0.5, 4, -2.25),
    # + b = (0.5, -1, 0.25): (0, 3, -2), as a [1, 3] array
    W = np.array([[0.5, 1.0, -1.0], [1.5, -2.0, 0.25]])
    expected = np.array([[0.0, 3.0, -2.0]])
    received = dense_forward(np.array([[2, -1]]), W, np.array([0.5, -1.0, 0.25]))
    assert_close(received, expected, "dense_forward on one integer example")


# --- dense_backward: 4 points ------------------------------------------------------------


def dense_gradients(X, W, dY):
    """(dX, dW, db) of L = Σ dY ⊙ (X W + b), by central finite differences (at b = 0)."""

    def loss(X, W, b):
        return float(np.sum(dY * (X @ W + b)))

    return finite_differences(loss, (X, W, np.zeros(W.shape[1])), (0, 1, 2))


@points(1)
def test_dense_backward_matches_finite_differences(dense_backward):
    rng = np.random.default_rng(403)
    X, W, dY = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=(6, 3))
    what = "dense_backward on a random batch, N = 6, D = 4, M = 3 (expected: finite differences)"
    received = dense_backward(X, W, dY)
    assert_close(received, dense_gradients(X, W, dY), what, names=DENSE_NAMES, batch=6, **FD)


@points(1)
def test_dense_backward_of_a_square_layer(dense_backward):
    # N = D = M = 3: X dY and dY W have the right shapes here, not the right values
    rng = np.random.default_rng(404)
    X, W, dY = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    expected = (dY @ W.T, X.T @ dY, dY.sum(axis=0))
    what = "dense_backward, N = D = M = 3"
    assert_close(dense_backward(X, W, dY), expected, what, names=DENSE_NAMES, batch=3)


@points(1)
def test_dense_backward_of_one_example_leaves_its_inputs_alone(dense_backward):
    # x = (1, -1), W = [[2, 0, 1], [1, 3, -1]], dy = (1, 0.5, -2):
    # dx = dy Wᵀ = (2 + 0 - 2, 1 + 1.5 + 2) = (0, 4.5); dW = xᵀ dy: rows dy and -dy;
    # db = dy (a batch of one)
    args = (
        np.array([[1.0, -1.0]]),
        np.array([[2.0, 0.0, 1.0], [1.0, 3.0, -1.0]]),
        np.array([[1.0, 0.5, -2.0]]),
    )
    received, after = call_and_inputs(dense_backward, *args)
    expected = (
        np.array([[0.0, 4.5]]),
        np.array([[1.0, 0.5, -2.0], [-1.0, -0.5, 2.0]]),
        np.array([1.0, 0.5, -2.0]),
    )
    what = "dense_backward on one example"
    assert_close(received, expected, what, names=DENSE_NAMES)
    assert_unchanged(after, args, ("X", "W", "dY"), "dense_backward")


@points(1)
def test_dense_backward_of_a_long_batch_and_one_unit(dense_backward):
    # N = 8 examples, D = 2 inputs, M = 1 unit: db sums the 8 entries of dY into shape [1]
    rng = np.random.default_rng(405)
    X, W, dY = rng.normal(size=(8, 2)), rng.normal(size=(2, 1)), rng.normal(size=(8, 1))
    expected = (dY @ W.T, X.T @ dY, dY.sum(axis=0))
    what = "dense_backward, N = 8, D = 2, M = 1"
    assert_close(dense_backward(X, W, dY), expected, what, names=DENSE_NAMES, batch=8)


# --- two_layer_backward: 5 points --------------------------------------------------------


def network(seed, n, d, h, m, scale=1.0):
    """(X, Y, W1, b1, W2, b2) of a random network; `scale` widens the first layer."""
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(n, d)), rng.normal(size=(n, m))
    W1, b1 = rng.normal(size=(d, h)) * scale, rng.normal(size=h)
    return X, Y, W1, b1, rng.normal(size=(h, m)), rng.normal(size=m)


def loss_gradients(args):
    """(dW1, db1, dW2, db2) of the mean squared error, by central finite differences."""
    return finite_differences(two_layer_loss, args, (2, 3, 4, 5))


def check_two_layer(two_layer_backward, args, what):
    received = two_layer_backward(*args)
    what += " (expected: finite differences)"
    batch = len(args[0])
    assert_close(received, loss_gradients(args), what, names=GRAD_NAMES, batch=batch, **FD)


@points(1)
def test_two_layer_backward_of_a_random_network(two_layer_backward):
    args = network(406, 6, 3, 5, 2)
    check_two_layer(two_layer_backward, args, "two_layer_backward, N = 6, D = 3, H = 5, M = 2")


@points(1)
def test_two_layer_backward_of_a_network_with_one_output(two_layer_backward):
    args = network(407, 7, 2, 3, 1)
    check_two_layer(two_layer_backward, args, "two_layer_backward, N = 7, D = 2, H = 3, M = 1")


@points(1)
def test_two_layer_backward_of_the_1_1_1_network_by_hand(two_layer_backward):
    # x = -1, w1 = 0.7, b1 = 0.7: z1 = 0, a1 = σ(0) = 0.5; w2 = 4, b2 = -1: ŷ = 2 - 1 = 1;
    # y = 0, N = M = 1: dŷ = 2 (1 - 0) = 2. dW2 = a1 dŷ = 1, db2 = 2; da1 = dŷ w2 = 8,
    # dz1 = 8 σ'(0) = 8 * 0.25 = 2; dW1 = x dz1 = -2, db1 = 2
    args = (
        np.array([[-1.0]]),
        np.array([[0.0]]),
        np.array([[0.7]]),
        np.array([0.7]),
        np.array([[4.0]]),
        np.array([-1.0]),
    )
    expected = (np.array([[-2.0]]), np.array([2.0]), np.array([[1.0]]), np.array([2.0]))
    what = "two_layer_backward of a 1-1-1 network"
    assert_close(two_layer_backward(*args), expected, what, names=GRAD_NAMES, batch=1)


@points(1)
def test_two_layer_backward_of_saturated_units_leaves_its_inputs_alone(two_layer_backward):
    # The first layer's weights times 4: many |z1| > 3, where σ' is below 0.05
    args = network(408, 5, 3, 4, 2, scale=4.0)
    received, after = call_and_inputs(two_layer_backward, *args)
    what = "two_layer_backward with large pre-activations (expected: finite differences)"
    assert_close(received, loss_gradients(args), what, names=GRAD_NAMES, batch=5, **FD)
    assert_unchanged(after, args, ("X", "Y", "W1", "b1", "W2", "b2"), "two_layer_backward")


@points(1)
def test_two_layer_backward_of_a_wide_output(two_layer_backward):
    # M = 4 outputs and a single example: the mean runs over the N·M = 4 entries of Ŷ
    args = network(409, 1, 2, 3, 4)
    check_two_layer(two_layer_backward, args, "two_layer_backward, N = 1, D = 2, H = 3, M = 4")


# --- gradient_check, through check_regression_gradient: 3 points -------------------------


def regression_loss(X, Y):
    return lambda W: np.mean((X @ W - Y) ** 2)


def regression(seed, n=5, d=3, m=2):
    """(X, Y, W, dW): a linear layer's loss mean((X W − Y)²) and its gradient at W."""
    rng = np.random.default_rng(seed)
    X, Y, W = rng.normal(size=(n, d)), rng.normal(size=(n, m)), rng.normal(size=(d, m))
    return X, Y, W, 2 * X.T @ (X @ W - Y) / Y.size


def expected_error(X, Y, W, dW, h):
    return reference_gradient_check(regression_loss(X, Y), W, dW, h)


@points(1, exercise="gradient_check")
def test_gradient_check_of_a_right_and_a_wrong_gradient(check_regression_gradient):
    check_regression_gradient = Through(check_regression_gradient, "gradient_check")
    X, Y, W, dW = regression(410)
    # the right gradient: central differences of a quadratic are exact up to rounding
    received = check_regression_gradient(X, Y, W, dW, 1e-5)
    assert_close(received, 0.0, "gradient_check of a right gradient", rtol=0.0, atol=1e-8)
    wrong = dW.copy()
    wrong[1, 0] -= 0.3  # one wrong entry, too small
    received = check_regression_gradient(X, Y, W, wrong, 1e-5)
    expected = expected_error(X, Y, W, wrong, 1e-5)
    assert_close(received, expected, "gradient_check of a gradient with one wrong entry", rtol=1e-6)


@points(1, exercise="gradient_check")
def test_gradient_check_with_a_large_step_leaves_w_alone(check_regression_gradient):
    check_regression_gradient = Through(check_regression_gradient, "gradient_check")
    X, Y, W, dW = regression(411, n=6, d=4, m=3)
    # a gradient without its 1/N, checked with h = 0.01: a forward difference would be
    # off by h f'' / 2 in every entry
    args = (X, Y, W, dW * 6, 0.01)
    received, after = call_and_inputs(check_regression_gradient, *args)
    what = "gradient_check of a gradient N times too large, h = 0.01"
    assert_close(received, expected_error(*args), what, rtol=1e-6)
    assert_unchanged(after, args, ("X", "Y", "W", "dW", "h"), "check_regression_gradient")


@points(1, exercise="gradient_check")
def test_gradient_check_at_float32_weights_and_at_a_flat_spot(check_regression_gradient):
    check_regression_gradient = Through(check_regression_gradient, "gradient_check")
    X, Y, W, _ = regression(412)
    W32 = W.astype(np.float32)
    W64 = W32.astype(np.float64)
    dW = 2 * X.T @ (X @ W64 - Y) / Y.size  # the right gradient at the float32 point
    received = check_regression_gradient(X, Y, W32, dW, 1e-5)
    what = "gradient_check of a right gradient at float32 weights"
    assert_close(received, 0.0, what, rtol=0.0, atol=1e-8)
    # X = 0: the loss does not depend on W, and its central differences are exactly 0.
    # With dW = 0 too, the error is 0 / max(1e-12, 0) = 0; with any other dW it is
    # max|dW| / max|dW| = 1
    flat = np.zeros_like(X)
    received = check_regression_gradient(flat, Y, W, np.zeros_like(W), 1e-5)
    assert_close(received, 0.0, "gradient_check where both gradients are 0", rtol=0, atol=1e-12)
    received = check_regression_gradient(flat, Y, W, W, 1e-5)
    assert_close(received, 1.0, "gradient_check where only the numerical gradient is 0")


# --- he_normal and glorot_uniform, through draw_he_normal and draw_glorot_uniform --------


def he_draw(n_in, n_out, seed):
    return np.random.default_rng(seed).normal(0.0, he_std(n_in), size=(n_in, n_out))


def glorot_draw(n_in, n_out, seed):
    limit = glorot_limit(n_in, n_out)
    return np.random.default_rng(seed).uniform(-limit, limit, size=(n_in, n_out))


@points(1, exercise="he_normal")
def test_he_normal_of_a_large_layer(draw_he_normal):
    draw_he_normal = Through(draw_he_normal, "he_normal")
    W = draw_he_normal(300, 100, 413)
    assert_close(W, he_draw(300, 100, 413), "he_normal(300, 100, rng) against the same draw")


@points(1, exercise="he_normal")
def test_he_normal_of_one_input_and_of_a_square_layer(draw_he_normal):
    draw_he_normal = Through(draw_he_normal, "he_normal")
    # n_in = 1: standard deviation √2; a square layer: n_in = n_out = 5
    assert_close(draw_he_normal(1, 4, 414), he_draw(1, 4, 414), "he_normal(1, 4, rng)")
    assert_close(draw_he_normal(5, 5, 415), he_draw(5, 5, 415), "he_normal(5, 5, rng)")


@points(1, exercise="glorot_uniform")
def test_glorot_uniform_of_a_large_layer(draw_glorot_uniform):
    draw_glorot_uniform = Through(draw_glorot_uniform, "glorot_uniform")
    W = draw_glorot_uniform(250, 150, 416)
    what = "glorot_uniform(250, 150, rng) against the same draw"
    assert_close(W, glorot_draw(250, 150, 416), what)


@points(1, exercise="glorot_uniform")
def test_glorot_uniform_of_one_input_and_of_a_square_layer(draw_glorot_uniform):
    draw_glorot_uniform = Through(draw_glorot_uniform, "glorot_uniform")
    # n_in = 1, n_out = 5: limit √(6 / 6) = 1; a square layer: limit √(6 / 10)
    assert_close(draw_glorot_uniform(1, 5, 417), glorot_draw(1, 5, 417), "glorot_uniform(1, 5)")
    assert_close(draw_glorot_uniform(5, 5, 418), glorot_draw(5, 5, 418), "glorot_uniform(5, 5)")


# --- sgd_step: 2 points ------------------------------------------------------------------

PARAM_NAMES = ("W1", "b1", "W2", "b2")


@points(1)
def test_sgd_step_on_a_random_network_leaves_its_inputs_alone(sgd_step):
    args = (*network(419, 6, 3, 4, 2), 0.05)
    received, after = call_and_inputs(sgd_step, *args)
    grads = two_layer_gradients(*args[:6])  # the chain rule, checked against finite differences
    expected = tuple(p - 0.05 * g for p, g in zip(args[2:6], grads, strict=True))
    what = "sgd_step on a random network, learning rate 0.05"
    assert_close(received, expected, what, names=PARAM_NAMES, batch=6, **FD)
    names = ("X", "Y", "W1", "b1", "W2", "b2", "learning_rate")
    assert_unchanged(after, args, names, "sgd_step")


@points(1)
def test_sgd_step_on_the_1_1_1_network_by_hand(sgd_step):
    # The gradients worked in the 1-1-1 test above: (dW1, db1, dW2, db2) = (-2, 2, 1, 2);
    # learning rate 0.25: W1 = 0.7 + 0.5, b1 = 0.7 - 0.5, W2 = 4 - 0.25, b2 = -1 - 0.5
    args = (
        np.array([[-1.0]]),
        np.array([[0.0]]),
        np.array([[0.7]]),
        np.array([0.7]),
        np.array([[4.0]]),
        np.array([-1.0]),
        0.25,
    )
    expected = (np.array([[1.2]]), np.array([0.2]), np.array([[3.75]]), np.array([-1.5]))
    what = "sgd_step on a 1-1-1 network, learning rate 0.25"
    assert_close(sgd_step(*args), expected, what, names=PARAM_NAMES, batch=1, rtol=1e-12)
