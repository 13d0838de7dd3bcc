"""Hidden tests of the Chapter 3 exercise set (exercises/03_activations.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden).
The inputs differ from the public cases in byhand.exercises.activations. Expected values
are worked by hand in the comments, or come from that module's stable reference functions
(`reference_sigmoid`, `reference_softmax`) and from central finite differences in float64.
The grader sees only values: a sigmoid that overflows is caught where its value is wrong,
far in the left tail (z < -709, where exp(-z) overflows and 1 / (1 + exp(-z)) gives 0).
"""

import numpy as np

from byhand.exercises import assert_close, assert_unchanged
from byhand.exercises.activations import reference_sigmoid, reference_softmax
from byhand.exercises.cases import finite_differences
from byhand.grading import call_and_inputs, points

# Course modules that do what these exercises ask: a function that uses one earns nothing.
# The grader matches these names in the notebook's code and never imports them.
ANSWER_MODULES = (
    "byhand.activations",  # Sigmoid, ReLU, LeakyReLU, Softmax: forward and backward
    "byhand.layers",  # the Activation layer: any of them as a layer, forward and backward
    "byhand.prelu",  # PReLU: a leaky ReLU with a learned slope, forward and backward
    "byhand.losses",  # the sigmoid and the (log-)softmax of logits, inside the losses
    "byhand.autodiff",  # Value.sigmoid, relu, exp: derivatives by automatic differentiation
    "byhand.symbolic",  # SymPy expressions of every activation and its derivative
    "byhand.gradcheck",  # numerical gradients: a backward pass by finite differences
    "byhand.exercises",  # finite differences and the reference functions of the public cases
)


def fd_backward(forward, z, da):
    """dz of L = sum(da * forward(z)), by central finite differences in float64."""
    return finite_differences(lambda z: float(np.sum(da * forward(z))), (z,), (0,))[0]


def away_from_zero(rng, shape):
    """Random values with 0.1 <= |z| <= 3, so that finite differences never cross a kink."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 3.0, size=shape)


FD = dict(rtol=1e-6, atol=1e-8)  # finite differences are good to some 1e-10 here

# --- sigmoid: 2 points ----------------------------------------------------------------


@points(1)
def test_sigmoid_of_a_random_array_leaves_it_alone(sigmoid):
    z = np.random.default_rng(301).normal(size=(3, 4)) * 6.0
    a, after = call_and_inputs(sigmoid, z)
    assert_close(a, reference_sigmoid(z), "sigmoid of a random [3, 4] array")
    assert_unchanged(after, (z,), ("z",), "sigmoid")


@points(1)
def test_sigmoid_far_in_both_tails(sigmoid):
    # σ(±1000) = 0 and 1 exactly; σ(-37) = 8.5e-17 must keep its relative accuracy (atol 0)
    z = np.array([-1000.0, -37.0, -1.5, 0.0, 1.5, 37.0, 1000.0])
    assert_close(sigmoid(z), reference_sigmoid(z), "sigmoid far in the tails", atol=0.0)
    # σ(-712) = e^-712 / (1 + e^-712) = 6.06e-310; 1 / (1 + e^712) overflows and gives 0.
    # A plain message: the diagnosis would print a relative error that underflows to 0.
    tail = np.asarray(sigmoid(np.array([-712.0])), dtype=float)
    right = tail.shape == (1,) and np.isclose(tail[0], np.exp(-712.0), rtol=1e-7, atol=0.0)
    assert right, (
        "sigmoid where z < -709 must give a tiny positive number, not 0: there exp(-z) "
        "overflows. Take exp only of -|z| (check('sigmoid', sigmoid) shows where)"
    )


# --- sigmoid_backward: 2 points -------------------------------------------------------


@points(1)
def test_sigmoid_backward_matches_finite_differences(sigmoid_backward):
    rng = np.random.default_rng(302)
    z, da = rng.normal(size=(2, 5)) * 3.0, rng.normal(size=(2, 5))
    expected = fd_backward(reference_sigmoid, z, da)
    what = "sigmoid_backward on a random [2, 5] array (expected: finite differences)"
    assert_close(sigmoid_backward(z, da), expected, what, **FD)


@points(1)
def test_sigmoid_backward_at_the_peak_and_in_the_tails(sigmoid_backward):
    # σ'(0) = 0.25, so -4 * 0.25 = -1; σ'(±1000) = 0; σ'(±5) = σ(5) σ(-5) = 0.0066480567
    z, da = np.array([-1000.0, -5.0, 0.0, 5.0, 1000.0]), np.array([3.0, 1.0, -4.0, 2.0, 7.0])
    slope = reference_sigmoid(5.0) * reference_sigmoid(-5.0)
    result, after = call_and_inputs(sigmoid_backward, z, da)
    expected = np.array([0.0, slope, -1.0, 2.0 * slope, 0.0])
    assert_close(result, expected, "sigmoid_backward at 0, ±5 and ±1000")
    assert_unchanged(after, (z, da), ("z", "da"), "sigmoid_backward")


# --- relu: 2 points -------------------------------------------------------------------


@points(1)
def test_relu_of_a_random_array_with_zeros_leaves_it_alone(relu):
    z = np.random.default_rng(303).normal(size=(4, 3))
    z[1, 1], z[2, 0] = 0.0, -0.0
    a, after = call_and_inputs(relu, z)
    assert_close(a, np.maximum(z, 0.0), "relu of a random [4, 3] array")
    assert_unchanged(after, (z,), ("z",), "relu")


@points(1)
def test_relu_of_a_three_axis_array(relu):
    z = np.random.default_rng(304).normal(size=(2, 2, 3))
    z[0, 1, 2] = 0.0
    assert_close(relu(z), np.where(z > 0, z, 0.0), "relu of a [2, 2, 3] array")


# --- relu_backward: 2 points ----------------------------------------------------------


@points(1)
def test_relu_backward_matches_finite_differences(relu_backward):
    rng = np.random.default_rng(305)
    z, da = away_from_zero(rng, (3, 5)), rng.normal(size=(3, 5))
    expected = fd_backward(lambda z: np.maximum(z, 0.0), z, da)
    what = "relu_backward on a random [3, 5] array (expected: finite differences)"
    assert_close(relu_backward(z, da), expected, what, **FD)


@points(1)
def test_relu_backward_at_zero_leaves_its_inputs_alone(relu_backward):
    # slope 0 at z = 0 and -0.0 and below, 1 above: dz = (0, 0, 5, 0, 0)
    z, da = np.array([0.0, -0.0, 2.0, -2.0, 0.0]), np.array([5.0, 5.0, 5.0, 5.0, -1.0])
    result, after = call_and_inputs(relu_backward, z, da)
    assert_close(result, np.array([0.0, 0.0, 5.0, 0.0, 0.0]), "relu_backward at z = 0")
    assert_unchanged(after, (z, da), ("z", "da"), "relu_backward")


# --- leaky_relu: 2 points -------------------------------------------------------------


@points(1)
def test_leaky_relu_of_a_random_array_leaves_it_alone(leaky_relu):
    z = np.random.default_rng(306).normal(size=(3, 4)) * 2.0
    a, after = call_and_inputs(leaky_relu, z, 0.2)
    assert_close(a, np.where(z > 0, z, 0.2 * z), "leaky_relu of a random [3, 4] array")
    assert_unchanged(after, (z, 0.2), ("z", "alpha"), "leaky_relu")


@points(1)
def test_leaky_relu_with_two_slopes(leaky_relu):
    # alpha = 0.01: -50 -> -0.5, -1 -> -0.01, 0 -> 0; alpha = 0.3: -2 -> -0.6, -0.5 -> -0.15
    z = np.array([-50.0, -1.0, 0.0, 1.0, 50.0])
    assert_close(leaky_relu(z, 0.01), np.array([-0.5, -0.01, 0.0, 1.0, 50.0]), "alpha = 0.01")
    z2 = np.array([[-2.0, 4.0], [0.25, -0.5]])
    assert_close(leaky_relu(z2, 0.3), np.array([[-0.6, 4.0], [0.25, -0.15]]), "alpha = 0.3")


# --- leaky_relu_backward: 2 points ----------------------------------------------------


@points(1)
def test_leaky_relu_backward_matches_finite_differences(leaky_relu_backward):
    rng = np.random.default_rng(307)
    z, da = away_from_zero(rng, (4, 3)), rng.normal(size=(4, 3))
    expected = fd_backward(lambda z: np.where(z > 0, z, 0.05 * z), z, da)
    what = "leaky_relu_backward, alpha = 0.05 (expected: finite differences)"
    assert_close(leaky_relu_backward(z, da, 0.05), expected, what, **FD)


@points(1)
def test_leaky_relu_backward_at_zero_leaves_its_inputs_alone(leaky_relu_backward):
    # alpha = 0.25: slopes (α, α, 1, α) at z = (0, -3, 3, 0): dz = (0.5, 0.5, 2, -0.25)
    z, da = np.array([0.0, -3.0, 3.0, 0.0]), np.array([2.0, 2.0, 2.0, -1.0])
    result, after = call_and_inputs(leaky_relu_backward, z, da, 0.25)
    expected = np.array([0.5, 0.5, 2.0, -0.25])
    assert_close(result, expected, "leaky_relu_backward at z = 0, alpha = 0.25")
    assert_unchanged(after, (z, da, 0.25), ("z", "da", "alpha"), "leaky_relu_backward")


# --- softmax: 3 points ----------------------------------------------------------------


@points(1)
def test_softmax_of_a_random_batch(softmax):
    Z = np.random.default_rng(308).normal(size=(5, 4)) * 3.0
    assert_close(softmax(Z), reference_softmax(Z), "softmax of a random batch [5, 4]")


@points(1)
def test_softmax_of_large_logits_on_different_scales(softmax):
    Z = np.random.default_rng(309).normal(size=(4, 3)) + np.array([[900.0], [-900.0], [0], [60]])
    what = "softmax of large logits, rows on different scales"
    assert_close(softmax(Z), reference_softmax(Z), what)


@points(1)
def test_softmax_of_one_vector_and_of_a_batch_of_one(softmax):
    z = np.random.default_rng(310).normal(size=6)
    s, after = call_and_inputs(softmax, z)
    assert_close(s, reference_softmax(z), "softmax of one vector [6]")
    assert_unchanged(after, (z,), ("Z",), "softmax")
    # (ln 2, ln 3, ln 5) -> (2, 3, 5) / 10
    row = np.log(np.array([[2.0, 3.0, 5.0]]))
    assert_close(softmax(row), np.array([[0.2, 0.3, 0.5]]), "softmax of a batch of one [1, 3]")


# --- softmax_jacobian: 2 points -------------------------------------------------------


@points(1)
def test_softmax_jacobian_matches_finite_differences(softmax_jacobian):
    z = np.random.default_rng(311).normal(size=5)
    rows = [
        finite_differences(lambda z, i=i: float(reference_softmax(z)[i]), (z,), (0,))[0]
        for i in range(5)
    ]
    what = "softmax_jacobian of a random vector [5] (expected: finite differences)"
    assert_close(softmax_jacobian(z), np.array(rows), what, **FD)


@points(1)
def test_softmax_jacobian_of_three_classes_leaves_z_alone(softmax_jacobian):
    # (ln 2, ln 3, ln 5) -> s = (0.2, 0.3, 0.5): J = diag(s) - s s^T, so the diagonal is
    # (0.2 * 0.8, 0.3 * 0.7, 0.5 * 0.5) = (0.16, 0.21, 0.25) and J_12 = -0.06, J_13 = -0.1,
    # J_23 = -0.15; each row sums to 0
    z = np.log(np.array([2.0, 3.0, 5.0]))
    J, after = call_and_inputs(softmax_jacobian, z)
    expected = np.array([[0.16, -0.06, -0.1], [-0.06, 0.21, -0.15], [-0.1, -0.15, 0.25]])
    assert_close(J, expected, "softmax_jacobian of three classes")
    assert_unchanged(after, (z,), ("z",), "softmax_jacobian")


# --- softmax_backward: 3 points -------------------------------------------------------


def softmax_vjp(Z, dA):
    """S ⊙ (dA − Σ_k dA_k S_k), the sum row by row (checked against finite differences)."""
    S = reference_softmax(Z)
    return S * (dA - np.sum(dA * S, axis=-1, keepdims=True))


@points(1)
def test_softmax_backward_matches_finite_differences(softmax_backward):
    rng = np.random.default_rng(312)
    Z, dA = rng.normal(size=(5, 4)) * 2.0, rng.normal(size=(5, 4))
    expected = fd_backward(reference_softmax, Z, dA)
    what = "softmax_backward on a random batch [5, 4] (expected: finite differences)"
    assert_close(softmax_backward(Z, dA), expected, what, **FD)


@points(1)
def test_softmax_backward_of_large_logits(softmax_backward):
    rng = np.random.default_rng(313)
    Z = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -998.0], [0.5, -0.5, 0.0]])
    dA = rng.normal(size=(3, 3))
    assert_close(softmax_backward(Z, dA), softmax_vjp(Z, dA), "softmax_backward, large logits")


@points(1)
def test_softmax_backward_of_one_hot_gradients_leaves_its_inputs_alone(softmax_backward):
    rng = np.random.default_rng(314)
    Z, dA = rng.normal(size=(3, 4)), np.eye(4)[[2, 0, 3]]  # one 1 in each row
    result, after = call_and_inputs(softmax_backward, Z, dA)
    assert_close(result, softmax_vjp(Z, dA), "softmax_backward, one-hot upstream gradients")
    assert_unchanged(after, (Z, dA), ("Z", "dA"), "softmax_backward")
    # The same upstream gradient in every class: Σ dA S = c, so dZ = S (c - c) = 0
    same = np.full((3, 4), 1.5)
    assert_close(softmax_backward(Z, same), np.zeros((3, 4)), "softmax_backward, equal dA")
