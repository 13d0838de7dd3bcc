"""Hidden tests of the Chapter 1 exercise set (exercises/01_perceptron.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden).
The inputs differ from the public cases in byhand.exercises.perceptron. Expected values
are worked by hand in the comments, or come from the course library (`Perceptron`, whose
fit runs the same rule) and from finite differences.
"""

import numpy as np

from byhand.data import logic_gate
from byhand.exercises import assert_close, assert_unchanged
from byhand.exercises.cases import finite_differences
from byhand.exercises.perceptron import mean_cross_entropy
from byhand.grading import call_and_inputs, points
from byhand.perceptron import Perceptron, errors_per_epoch

# Course modules that do what these exercises ask: a function that uses one earns nothing.
ANSWER_MODULES = (
    "byhand.perceptron",  # Perceptron: net input, step, prediction, the rule, training
    "byhand.exercises",  # finite differences of the cross-entropy, the public cases
    "byhand.gradcheck",  # numerical gradients
    "byhand.activations",  # the step and the sigmoid
    "byhand.losses",  # the binary cross-entropy and its gradient
    "byhand.layers",  # Dense: the net input of a layer
    "byhand.symbolic",  # SymPy derivatives of the same
)

# --- net_input: 3 points --------------------------------------------------------------


@points(1)
def test_net_input_on_a_random_batch(net_input):
    rng = np.random.default_rng(101)
    X, w, b = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal()
    assert_close(net_input(X, w, b), X @ w + b, "net_input on a random batch, N = 5, D = 3")


@points(1)
def test_net_input_of_one_integer_example(net_input):
    # 2*0.5 + (-1)*0.25 + 3*(-1) + 0.75 = 1 - 0.25 - 3 + 0.75 = -1.5, as an array of shape [1]
    X = np.array([[2, -1, 3]])
    assert_close(net_input(X, np.array([0.5, 0.25, -1.0]), 0.75), np.array([-1.5]))


@points(1)
def test_net_input_leaves_its_inputs_alone(net_input):
    args = (np.array([[1.0, -2.0], [0.5, 4.0], [3.0, 3.0]]), np.array([2.0, -1.0]), -0.5)
    z, after = call_and_inputs(net_input, *args)
    assert_close(z, [3.5, -3.5, 2.5], "net_input")  # 2 + 2 - 0.5, 1 - 4 - 0.5, 6 - 3 - 0.5
    assert_unchanged(after, args, ("X", "w", "b"), "net_input")


# --- step: 3 points -------------------------------------------------------------------


@points(1)
def test_step_fires_at_exactly_zero(step):
    z = np.array([0.0, -0.0, -1e-300, 1e-300, -7.0])
    assert_close(step(z), np.array([1, 1, 0, 1, 0]), "step at and around z = 0")


@points(1)
def test_step_keeps_the_shape_of_a_random_array(step):
    z = np.random.default_rng(102).normal(size=(3, 4))
    z[1, 2] = 0.0
    assert_close(step(z), (z >= 0).astype(int), "step of a [3, 4] array")


@points(1)
def test_step_of_one_value_and_of_integers(step):
    assert_close(step(np.array([-4.5])), np.array([0]), "step of an array of one value")
    assert_close(step(np.array([-2, 0, 3])), np.array([0, 1, 1]), "step of integers")


# --- predict: 2 points ----------------------------------------------------------------


@points(1)
def test_predict_an_or_unit(predict):
    X, y = logic_gate("or")  # z = -0.5, 0.5, 0.5, 1.5
    assert_close(predict(X, np.array([1.0, 1.0]), -0.5), y, "predict with an OR unit")


@points(1)
def test_predict_a_random_batch_with_a_point_on_the_boundary(predict):
    rng = np.random.default_rng(103)
    X, w, b = rng.normal(size=(6, 2)), np.array([2.0, -1.0]), 0.0
    X[3] = [1.0, 2.0]  # z = 2 - 2 + 0 = 0 exactly: fires
    assert_close(predict(X, w, b), (X @ w + b >= 0).astype(int), "predict on a random batch")


# --- perceptron_update: 4 points -----------------------------------------------------

UPDATE_NAMES = ("w", "b", "x", "target", "learning_rate")


@points(1)
def test_update_does_not_change_its_inputs(perceptron_update):
    args = (np.array([0.2, -0.4]), 0.1, np.array([1.0, 1.0]), 1, 0.5)
    (w, b), after = call_and_inputs(perceptron_update, *args)
    # z = 0.2 - 0.4 + 0.1 = -0.1: silent, error +1; w = (0.7, 0.1), b = 0.6
    assert_close((w, b), (np.array([0.7, 0.1]), 0.6), "perceptron_update", names=("w", "b"))
    assert_unchanged(after, args, UPDATE_NAMES, "perceptron_update")


@points(1)
def test_update_changes_nothing_after_a_right_prediction_only(perceptron_update):
    # z = 0.3 + 0.4 + 0.5 - 2 = -0.8: silent, as the target 0 says: nothing changes
    w, x = np.array([0.3, -0.2, 0.5]), np.array([1.0, -2.0, 1.0])
    new = perceptron_update(w, -2.0, x, 0, 0.25)
    assert_close(new, (w, -2.0), "perceptron_update, right prediction", names=("w", "b"))
    # The same unit and example with the target 1 is a mistake: error +1, so
    # w = (0.3, -0.2, 0.5) + 0.25 * (1, -2, 1) = (0.55, -0.7, 0.75), b = -2 + 0.25 = -1.75
    new = perceptron_update(w, -2.0, x, 1, 0.25)
    expected = (np.array([0.55, -0.7, 0.75]), -1.75)
    assert_close(new, expected, "perceptron_update, the same example mistaken", names=("w", "b"))


@points(1)
def test_update_when_firing_at_exactly_zero(perceptron_update):
    # z = 1 - 1 + 0 = 0 fires for a target of 0: error -1, w = (1, -1) - 0.5 * (1, 1), b = -0.5
    new = perceptron_update(np.array([1.0, -1.0]), 0.0, np.array([1.0, 1.0]), 0, 0.5)
    assert_close(new, (np.array([0.5, -1.5]), -0.5), "perceptron_update at z = 0", names=("w", "b"))


@points(1)
def test_update_with_a_small_learning_rate_and_four_inputs(perceptron_update):
    # z = 0 - 0.5 + 0 - 1 - 0.1 = -1.6: silent for a target of 1, error +1;
    # w = (0, 0.5, -1, 1) + 0.01 * (2, -1, 0, -1) = (0.02, 0.49, -1, 0.99), b = -0.09
    w, x = np.array([0.0, 0.5, -1.0, 1.0]), np.array([2.0, -1.0, 0.0, -1.0])
    new = perceptron_update(w, -0.1, x, 1, 0.01)
    expected = (np.array([0.02, 0.49, -1.0, 0.99]), -0.09)
    assert_close(new, expected, "perceptron_update, learning rate 0.01", names=("w", "b"))


# --- train_perceptron: 4 points ------------------------------------------------------

TRAIN_NAMES = ("w", "b", "errors")


def library_run(X, y, learning_rate, epochs):
    """(w, b, errors) from the course library's Perceptron, which runs the same rule."""
    unit = Perceptron(np.zeros(X.shape[1]), threshold=0.0, learning_rate=learning_rate)
    trace = unit.fit(X, y, epochs=epochs)
    return unit.weights, -unit.threshold, errors_per_epoch(trace)


@points(1)
def test_train_learns_or(train_perceptron):
    X, y = logic_gate("or")  # w = (0.5, 0.5), b = -0.5, errors [2, 2, 1, 0]
    result = train_perceptron(X, y, 0.5, 20)
    assert_close(result, library_run(X, y, 0.5, 20), "train_perceptron on OR", names=TRAIN_NAMES)


@points(1)
def test_train_nand_stopped_early(train_perceptron):
    X, y = logic_gate("nand")
    result = train_perceptron(X, y, 0.25, 3)
    assert_close(result, library_run(X, y, 0.25, 3), "NAND, epochs = 3", names=TRAIN_NAMES)


@points(1)
def test_train_on_xor_never_converges(train_perceptron):
    X, y = logic_gate("xor")
    w, b, errors = train_perceptron(X, y, 0.1, 25)
    assert_close(errors, library_run(X, y, 0.1, 25)[2], "XOR: mistakes per epoch")
    assert len(errors) == 25 and min(errors) > 0, "XOR: training must run all 25 epochs"


@points(1)
def test_train_majority_of_three_without_changing_the_data(train_perceptron):
    rows = [[a, b, c] for a in (0.0, 1.0) for b in (0.0, 1.0) for c in (0.0, 1.0)]
    X = np.array(rows)
    y = (X.sum(axis=1) >= 2).astype(int)  # fires when at least two inputs are on
    result, after = call_and_inputs(train_perceptron, X, y, 1.0, 50)
    assert_close(result, library_run(X, y, 1.0, 50), "majority of 3 inputs", names=TRAIN_NAMES)
    assert_unchanged(after, (X, y, 1.0, 50), ("X", "y", "learning_rate", "epochs"))


# --- logistic_gradient: 4 points -----------------------------------------------------

GRADIENT_NAMES = ("dw", "db")


@points(1)
def test_gradient_on_a_random_batch(logistic_gradient):
    rng = np.random.default_rng(104)
    X, y, w = rng.normal(size=(7, 4)), rng.integers(0, 2, size=7), rng.normal(size=4)
    expected = finite_differences(mean_cross_entropy, (X, y, w, -0.4), (2, 3))
    result = logistic_gradient(X, y, w, -0.4)
    what = "logistic_gradient, N = 7, D = 4 (expected: finite differences)"
    assert_close(result, expected, what, rtol=1e-6, atol=1e-8, names=GRADIENT_NAMES)


@points(1)
def test_gradient_of_one_example(logistic_gradient):
    # p = sigmoid(0) = 0.5, p - y = -0.5: dw = -0.5 * (2, -1) = (-1, 0.5), db = -0.5
    result = logistic_gradient(np.array([[2.0, -1.0]]), np.array([1]), np.zeros(2), 0.0)
    expected = (np.array([-1.0, 0.5]), -0.5)
    assert_close(result, expected, "logistic_gradient, N = 1", names=GRADIENT_NAMES)


@points(1)
def test_gradient_of_the_chapters_and_unit(logistic_gradient):
    X, y = logic_gate("and")
    p = 1 / (1 + np.exp(-(X @ np.array([4.0, 4.0]) - 6.0)))
    expected = (X.T @ (p - y) / 4, np.mean(p - y))
    result = logistic_gradient(X, y, np.array([4.0, 4.0]), -6.0)
    assert_close(result, expected, "logistic_gradient, AND unit", names=GRADIENT_NAMES)


@points(1)
def test_gradient_leaves_its_inputs_alone(logistic_gradient):
    rng = np.random.default_rng(105)
    args = (rng.normal(size=(5, 2)), np.array([1, 0, 0, 1, 1]), rng.normal(size=2), 0.2)
    result, after = call_and_inputs(logistic_gradient, *args)
    expected = finite_differences(mean_cross_entropy, args, (2, 3))
    what = "logistic_gradient (expected: finite differences)"
    assert_close(result, expected, what, rtol=1e-6, atol=1e-8, names=GRADIENT_NAMES)
    assert_unchanged(after, args, ("X", "y", "w", "b"), "logistic_gradient")
