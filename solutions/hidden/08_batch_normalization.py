"""Hidden tests of the Chapter 8 exercise set (exercises/08_batch_normalization.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden).
The inputs differ from the public cases in byhand.exercises.batchnorm. Expected values are
worked by hand in the comments, or come from that module's reference functions, which the
course's tests compare with byhand.normalization.BatchNormalization; the backward pass is
compared with central finite differences in float64 of L = Σ dy ⊙ y, the training forward
pass. Every test checks values that a function returning its inputs, zeros or None cannot
give, and the first test of each exercise checks that the arguments are left alone.
"""

import numpy as np

from byhand.exercises import assert_close, assert_unchanged
from byhand.exercises.batchnorm import (
    reference_batch_statistics,
    reference_batchnorm_forward_inference,
    reference_batchnorm_forward_train,
    reference_update_moving_averages,
    training_loss,
)
from byhand.exercises.cases import finite_differences
from byhand.grading import call_and_inputs, points

# Course modules that do what these exercises ask: a function that uses one earns nothing.
# The grader matches these names in the notebook's code and never imports them.
ANSWER_MODULES = (
    "byhand.normalization",  # BatchNormalization: forward in training and at inference,
    # the moving averages, the backward pass
    "byhand.layers",  # imports BatchNormalization, and builds layers by name
    "byhand.model",  # Sequential and Model run the layer forward and backward
    "byhand.training",  # fit: the training forward pass and the backward pass
    "byhand.gradcheck",  # numerical gradients: a backward pass by finite differences
    "byhand.autodiff",  # gradients by automatic differentiation
    "byhand.exercises",  # finite differences and this set's reference functions
    "torch",  # torch.nn.BatchNorm1d, torch.nn.functional.batch_norm
    "keras",  # keras.layers.BatchNormalization
    "tensorflow",  # tf.nn.batch_normalization, tf.keras
)

FORWARD_NAMES = ("y", "x_hat", "sigma")
MOVING_NAMES = ("moving_mean", "moving_variance")
BACKWARD_NAMES = ("dx", "dgamma", "dbeta")
FD = dict(rtol=1e-6, atol=1e-8)  # finite differences in float64 are good to about 1e-9


def batch(seed, n, d, scale=1.0, shift=0.0):
    """A seeded [n, d] batch whose features have their own scales and means."""
    rng = np.random.default_rng(seed)
    scales = scale * rng.uniform(0.5, 3.0, size=d)
    return rng.normal(size=(n, d)) * scales + shift * rng.normal(size=d)


def expected_gradients(x, gamma, dy, epsilon):
    """(dx, dgamma, dbeta) by central finite differences (float64) of Σ dy ⊙ y."""
    beta = np.zeros_like(gamma)
    return finite_differences(training_loss(dy, epsilon), (x, gamma, beta), (0, 1, 2))


def backward_arguments(x, gamma, dy, epsilon):
    """The arguments of batchnorm_backward: dy, and x_hat and sigma of the forward pass."""
    _, x_hat, sigma = reference_batchnorm_forward_train(x, gamma, np.zeros_like(gamma), epsilon)
    return dy, x_hat, sigma, gamma


def assert_gradients(batchnorm_backward, x, gamma, dy, what, epsilon=1e-3):
    """batchnorm_backward on the forward pass of x must give the finite differences."""
    received = batchnorm_backward(*backward_arguments(x, gamma, dy, epsilon))
    expected = expected_gradients(x, gamma, dy, epsilon)
    assert_close(received, expected, what, names=BACKWARD_NAMES, **FD)


# --- batch_statistics: 3 points ----------------------------------------------------------


@points(1)
def test_batch_statistics_of_a_random_batch_leaves_it_alone(batch_statistics):
    x = batch(801, 9, 4, scale=2.0, shift=3.0)
    result, after = call_and_inputs(batch_statistics, x)
    what = "batch_statistics of a random batch"
    assert_close(result, reference_batch_statistics(x), what, names=("mu", "var"))
    assert_unchanged(after, (x,), ("x",), "batch_statistics")


@points(1)
def test_batch_statistics_by_hand(batch_statistics):
    # column 0: 1, 3 -> μ = 2, var = (1 + 1) / 2 = 1; column 1: 2, 10 -> μ = 6,
    # var = (16 + 16) / 2 = 16 (N − 1 would give 2 and 32)
    x = np.array([[1.0, 2.0], [3.0, 10.0]])
    expected = (np.array([2.0, 6.0]), np.array([1.0, 16.0]))
    assert_close(batch_statistics(x), expected, "batch_statistics of two examples",
                 names=("mu", "var"))  # fmt: skip
    # one example: μ is the example, var = 0
    x = np.array([[4.0, -1.0, 0.5]])
    expected = (np.array([4.0, -1.0, 0.5]), np.zeros(3))
    assert_close(batch_statistics(x), expected, "batch_statistics of one example",
                 names=("mu", "var"))  # fmt: skip


@points(1)
def test_batch_statistics_of_a_large_batch(batch_statistics):
    x = batch(802, 64, 5, scale=10.0, shift=50.0)
    what = "batch_statistics of a larger batch"
    assert_close(batch_statistics(x), reference_batch_statistics(x), what, names=("mu", "var"))


# --- batchnorm_forward_train: 4 points ---------------------------------------------------


@points(1)
def test_forward_train_on_a_random_batch_leaves_it_alone(batchnorm_forward_train):
    x = batch(803, 10, 4, shift=2.0)
    rng = np.random.default_rng(804)
    args = (x, rng.uniform(0.5, 2.0, size=4), rng.normal(size=4), 1e-3)
    result, after = call_and_inputs(batchnorm_forward_train, *args)
    what = "batchnorm_forward_train on a random batch"
    assert_close(result, reference_batchnorm_forward_train(*args), what, names=FORWARD_NAMES)
    names = ("x", "gamma", "beta", "epsilon")
    assert_unchanged(after, args, names, "batchnorm_forward_train")


@points(1)
def test_forward_train_by_hand(batchnorm_forward_train):
    # one feature 1, 5: μ = 3, var = 4; ε = 5: σ = √9 = 3, x_hat = (−2/3, 2/3);
    # γ = 3, β = −1: y = (−3, 1)
    x = np.array([[1.0], [5.0]])
    expected = (np.array([[-3.0], [1.0]]), np.array([[-2 / 3], [2 / 3]]), np.array([3.0]))
    result = batchnorm_forward_train(x, np.array([3.0]), np.array([-1.0]), 5.0)
    assert_close(result, expected, "batchnorm_forward_train of one feature", names=FORWARD_NAMES)


@points(1)
def test_forward_train_where_epsilon_matters(batchnorm_forward_train):
    # feature 0 is constant (var = 0), feature 1 varies by ±0.01 (var = 1e-4, ten times
    # smaller than ε = 1e-3), feature 2 is ordinary
    x = np.array([[2.0, 0.01, 1.0], [2.0, -0.01, 4.0], [2.0, 0.01, -2.0], [2.0, -0.01, 0.0]])
    args = (x, np.array([1.0, 2.0, 0.5]), np.array([0.5, 0.0, -1.0]), 1e-3)
    what = "batchnorm_forward_train, features of variance 0 and below ε"
    assert_close(batchnorm_forward_train(*args), reference_batchnorm_forward_train(*args), what,
                 names=FORWARD_NAMES)  # fmt: skip


@points(1)
def test_forward_train_of_a_large_batch_with_large_values(batchnorm_forward_train):
    x = batch(805, 50, 6, scale=30.0, shift=100.0)
    rng = np.random.default_rng(806)
    args = (x, rng.uniform(-2.0, 2.0, size=6), rng.normal(size=6) * 3, 1e-5)
    what = "batchnorm_forward_train of a larger batch"
    assert_close(batchnorm_forward_train(*args), reference_batchnorm_forward_train(*args), what,
                 names=FORWARD_NAMES)  # fmt: skip


# --- update_moving_averages: 3 points ----------------------------------------------------


@points(1)
def test_update_from_keras_start_leaves_the_arguments_alone(update_moving_averages):
    rng = np.random.default_rng(807)
    args = (np.zeros(4), np.ones(4), rng.normal(size=4) * 3, rng.uniform(0.1, 9.0, size=4), 0.99)
    result, after = call_and_inputs(update_moving_averages, *args)
    what = "update_moving_averages from Keras's start"
    assert_close(result, reference_update_moving_averages(*args), what, names=MOVING_NAMES)
    names = ("moving_mean", "moving_variance", "mu", "var", "momentum")
    assert_unchanged(after, args, names, "update_moving_averages")


@points(1)
def test_update_by_hand(update_moving_averages):
    # momentum 0.75: mean = 0.75 (4, −8) + 0.25 (0, 8) = (3, −4);
    # variance = 0.75 (2, 1) + 0.25 (6, 5) = (1.5 + 1.5, 0.75 + 1.25) = (3, 2)
    args = (np.array([4.0, -8.0]), np.array([2.0, 1.0]), np.array([0.0, 8.0]),
            np.array([6.0, 5.0]), 0.75)  # fmt: skip
    expected = (np.array([3.0, -4.0]), np.array([3.0, 2.0]))
    what = "update_moving_averages with momentum 0.75"
    assert_close(update_moving_averages(*args), expected, what, names=MOVING_NAMES)


@points(1)
def test_update_three_batches_in_a_row(update_moving_averages):
    rng = np.random.default_rng(808)
    state = expected = (rng.normal(size=3), rng.uniform(0.5, 2.0, size=3))
    for step in range(3):  # each update gets the averages the previous one returned
        mu, var = rng.normal(size=3) + 2.0, rng.uniform(1.0, 5.0, size=3)
        state = update_moving_averages(*state, mu, var, 0.9)
        expected = reference_update_moving_averages(*expected, mu, var, 0.9)
        what = f"update_moving_averages, batch {step + 1} of three in a row"
        assert_close(state, expected, what, names=MOVING_NAMES)


# --- batchnorm_forward_inference: 4 points -----------------------------------------------


def inference_arguments(seed, n, d, epsilon=1e-3):
    """A batch, γ, β and moving statistics far from the batch's own."""
    rng = np.random.default_rng(seed)
    x = batch(seed + 100, n, d, scale=2.0, shift=1.0)
    gamma, beta = rng.uniform(0.5, 2.0, size=d), rng.normal(size=d)
    return x, gamma, beta, rng.normal(size=d), rng.uniform(0.2, 4.0, size=d), epsilon


@points(1)
def test_inference_on_a_random_batch_leaves_it_alone(batchnorm_forward_inference):
    args = inference_arguments(809, 7, 3)
    result, after = call_and_inputs(batchnorm_forward_inference, *args)
    what = "batchnorm_forward_inference on a random batch"
    assert_close(result, reference_batchnorm_forward_inference(*args), what)
    names = ("x", "gamma", "beta", "moving_mean", "moving_variance", "epsilon")
    assert_unchanged(after, args, names, "batchnorm_forward_inference")


@points(1)
def test_inference_by_hand(batchnorm_forward_inference):
    # moving mean (2, 0), moving variance (3.5, 8.5), ε = 0.5: σ = (√4, √9) = (2, 3);
    # x = [[6, 3], [0, −6]]: x_hat = [[4 / 2, 3 / 3], [−2 / 2, −6 / 3]] = [[2, 1], [−1, −2]];
    # γ = (0.5, −1), β = (1, 0): y = [[1 + 1, −1], [−0.5 + 1, 2]] = [[2, −1], [0.5, 2]]
    x = np.array([[6.0, 3.0], [0.0, -6.0]])
    args = (x, np.array([0.5, -1.0]), np.array([1.0, 0.0]), np.array([2.0, 0.0]),
            np.array([3.5, 8.5]), 0.5)  # fmt: skip
    expected = np.array([[2.0, -1.0], [0.5, 2.0]])
    assert_close(batchnorm_forward_inference(*args), expected, "batchnorm_forward_inference")


@points(1)
def test_inference_of_one_example(batchnorm_forward_inference):
    x, gamma, beta, moving_mean, moving_variance, epsilon = inference_arguments(810, 1, 4)
    args = (x, gamma, beta, moving_mean, moving_variance, epsilon)
    what = "batchnorm_forward_inference of a batch of one example"
    assert_close(batchnorm_forward_inference(*args), reference_batchnorm_forward_inference(*args),
                 what)  # fmt: skip


@points(1)
def test_inference_gives_each_example_the_same_output_in_any_batch(batchnorm_forward_inference):
    x, gamma, beta, moving_mean, moving_variance, epsilon = inference_arguments(811, 12, 3, 1e-2)
    whole = batchnorm_forward_inference(x, gamma, beta, moving_mean, moving_variance, epsilon)
    expected = reference_batchnorm_forward_inference(
        x, gamma, beta, moving_mean, moving_variance, epsilon
    )
    assert_close(whole, expected, "batchnorm_forward_inference on a larger batch")
    part = batchnorm_forward_inference(x[:4], gamma, beta, moving_mean, moving_variance, epsilon)
    what = "batchnorm_forward_inference on the first examples of that batch alone"
    assert_close(part, expected[:4], what)


# --- batchnorm_backward: 6 points --------------------------------------------------------


@points(1)
def test_backward_on_a_random_batch_leaves_it_alone(batchnorm_backward):
    rng = np.random.default_rng(812)
    x, gamma, dy = batch(813, 6, 4, shift=1.0), rng.uniform(0.5, 2.0, 4), rng.normal(size=(6, 4))
    args = backward_arguments(x, gamma, dy, 1e-3)
    result, after = call_and_inputs(batchnorm_backward, *args)
    what = "batchnorm_backward on a random batch (against finite differences)"
    assert_close(result, expected_gradients(x, gamma, dy, 1e-3), what, names=BACKWARD_NAMES,
                 **FD)  # fmt: skip
    assert_unchanged(after, args, ("dy", "x_hat", "sigma", "gamma"), "batchnorm_backward")


@points(1)
def test_backward_of_two_examples(batchnorm_backward):
    rng = np.random.default_rng(814)
    x, gamma, dy = batch(815, 2, 3), np.array([1.0, -2.0, 0.5]), rng.normal(size=(2, 3))
    assert_gradients(
        batchnorm_backward, x, gamma, dy, "batchnorm_backward of a batch of two examples"
    )


@points(1)
def test_backward_of_a_gradient_that_is_the_same_for_every_example(batchnorm_backward):
    # dy the same in every row: only the mean of y matters, which normalization fixes at β,
    # so dx = 0; dβ = N dy = 5 (1, −2, 3) and dγ = Σ x_hat dy = 0
    x, gamma = batch(816, 5, 3, shift=2.0), np.array([1.5, 0.5, 2.0])
    dy = np.tile([1.0, -2.0, 3.0], (5, 1))
    expected = (np.zeros((5, 3)), np.zeros(3), np.array([5.0, -10.0, 15.0]))
    what = "batchnorm_backward when dy is the same for every example"
    assert_close(batchnorm_backward(*backward_arguments(x, gamma, dy, 1e-3)), expected, what,
                 names=BACKWARD_NAMES, rtol=1e-9, atol=1e-9)  # fmt: skip


@points(1)
def test_backward_of_the_squared_outputs(batchnorm_backward):
    # L = Σ y² / 2 has dy = y: the gradient that pulls every output towards 0
    x, gamma = batch(817, 8, 3, scale=2.0), np.array([0.8, 1.2, -0.6])
    beta = np.array([0.3, -0.2, 0.1])
    y, x_hat, sigma = reference_batchnorm_forward_train(x, gamma, beta, 1e-3)

    def half_sum_of_squares(x, gamma, beta):
        return 0.5 * float(np.sum(reference_batchnorm_forward_train(x, gamma, beta, 1e-3)[0] ** 2))

    expected = finite_differences(half_sum_of_squares, (x, gamma, beta), (0, 1, 2))
    what = "batchnorm_backward of the loss Σ y² / 2"
    assert_close(batchnorm_backward(y, x_hat, sigma, gamma), expected, what,
                 names=BACKWARD_NAMES, **FD)  # fmt: skip


@points(1)
def test_backward_of_a_larger_batch(batchnorm_backward):
    rng = np.random.default_rng(818)
    x = batch(819, 24, 5, scale=5.0, shift=10.0)
    gamma, dy = rng.uniform(0.1, 3.0, size=5), rng.normal(size=(24, 5))
    assert_gradients(batchnorm_backward, x, gamma, dy, "batchnorm_backward of a larger batch")


@points(1)
def test_backward_with_a_feature_whose_variance_is_near_epsilon(batchnorm_backward):
    # feature 1 is ±√1e-3, mean 0 and variance 1e-3 = ε: there σ = √2e-3 = 0.045, x_hat is
    # ±0.71 rather than ±1, and the path through σ weighs differently than for feature 0
    rng = np.random.default_rng(820)
    small = np.sqrt(1e-3) * np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0])
    x = np.column_stack([rng.normal(size=6) * 2, small])
    gamma, dy = np.array([1.0, 0.7]), rng.normal(size=(6, 2))
    assert_gradients(
        batchnorm_backward, x, gamma, dy, "batchnorm_backward with a feature of very small variance"
    )
