"""Tests for byhand.gradcheck, then the gradient check of every registered layer."""

import numpy as np
import pytest

from byhand import activations, initializers, regularizers
from byhand.gradcheck import check_layer_gradients, numerical_gradient, relative_error
from byhand.layers import (
    LAYERS,
    Activation,
    BatchNormalization,
    Concatenate,
    Dense,
    Dropout,
    InputLayer,
    PReLU,
)

# --- numerical_gradient and relative_error on known functions ---------------------------


def test_numerical_gradient_of_sum_of_squares_is_2x():
    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -0.25]])
    grad = numerical_gradient(lambda v: float(np.sum(v**2)), x)
    # d/dx_i sum(x**2) = 2 x_i; the central difference of a parabola is exact up to rounding
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-8, atol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0, 0.5], [0.0, 3.0, -0.25]])  # put back


def test_numerical_gradient_of_a_matrix_product():
    rng = np.random.default_rng(0)
    X, W, R = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    # f(W) = sum((X @ W) * R)  ->  df/dW = X.T @ R  (the Dense rule with dY = R)
    grad_w = numerical_gradient(lambda w: float(np.sum((X @ w) * R)), W)
    assert relative_error(grad_w, X.T @ R) < 1e-8
    # df/dX = R @ W.T
    grad_x = numerical_gradient(lambda x: float(np.sum((x @ W) * R)), X)
    assert relative_error(grad_x, R @ W.T) < 1e-8


def test_numerical_gradient_sees_the_array_through_another_reference():
    params = {"w": np.array([3.0, -1.0])}
    # f reads params["w"], not its argument: it works because x is nudged in place
    grad = numerical_gradient(lambda _: float(np.sum(params["w"] ** 3)), params["w"])
    np.testing.assert_allclose(grad, 3 * params["w"] ** 2, rtol=1e-8)  # [27, 3]


@pytest.mark.parametrize("bad", [[1.0, 2.0], np.array([1.0, 2.0], dtype=np.float32)])
def test_numerical_gradient_needs_a_float64_array(bad):
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda v: 0.0, bad)


@pytest.mark.parametrize(
    ("f", "eps", "error", "message"),
    [
        (lambda v: v * 2, 1e-6, TypeError, r"one number \(the loss\), got ndarray of shape \(2,\)"),
        (lambda v: None, 1e-6, TypeError, "one number"),
        (lambda v: float(v.sum()), 0.0, ValueError, "eps must be a small number > 0"),
    ],
)
def test_numerical_gradient_needs_a_scalar_f_and_a_positive_step(f, eps, error, message):
    with pytest.raises(error, match=message):
        numerical_gradient(f, np.ones(2), eps)


def test_layer_check_reads_a_list_of_rows_as_one_input_and_refuses_an_empty_batch():
    rng = np.random.default_rng(0)
    errors = check_layer_gradients(Dense(2), [[1.0, 2.0], [3.0, 4.0]], rng)
    assert max(errors.values()) < 1e-7
    with pytest.raises(ValueError, match=r"N >= 1 examples, got shape \(0, 3\)"):
        check_layer_gradients(Dense(2), np.zeros((0, 3)), rng)
    with pytest.raises(TypeError, match="expected a byhand layer, got 'dense'"):
        check_layer_gradients("dense", np.zeros((1, 3)), rng)


def test_relative_error_by_hand():
    # max|a - b| = |2 - 2.1| = 0.1 ; max(|a| + |b|) = 2 + 2.1 = 4.1 ; 0.1 / 4.1 = 0.0243902...
    assert relative_error([1.0, 2.0], [1.0, 2.1]) == pytest.approx(0.1 / 4.1, rel=1e-12)
    # the error does not depend on the scale: everything times 1000 gives the same number
    assert relative_error([1e3, 2e3], [1e3, 2.1e3]) == pytest.approx(0.1 / 4.1, rel=1e-12)
    # opposite signs: |1 - (-1)| / (1 + 1) = 1, the largest possible value
    assert relative_error([1.0], [-1.0]) == pytest.approx(1.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # tiny values: the 1e-12 floor, 1e-13 / max(1e-12, 1e-13) = 0.1
    assert relative_error([0.0], [1e-13]) == pytest.approx(0.1)
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


# --- every layer, driven by the registry -----------------------------------------------


def _x(shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


X = _x((5, 4))
X_WIDE = _x((5, 3), seed=2)
X_IMAGES = _x((5, 2, 3, 4), seed=7)  # [N, H, W, C], for PReLU's shared_axes

# name -> (a function making the layer, its input, training); every class in LAYERS is here
CASES = {
    **{
        f"dense_{name}": (lambda name=name: Dense(3, activation=name), X, True)
        for name in activations.ACTIVATIONS
    },
    "dense_regularized": (
        lambda: Dense(
            3,
            bias_initializer="random_normal",  # nonzero, so the L1 sign(b) term is tested
            kernel_regularizer=regularizers.L1L2(l1=0.1, l2=0.3),
            bias_regularizer=regularizers.L1(0.2),
        ),
        X,
        True,
    ),
    "dense_no_bias": (lambda: Dense(2, use_bias=False, kernel_regularizer="l2"), X, True),
    "activation_tanh": (lambda: Activation("tanh"), X, True),
    "activation_softmax": (lambda: Activation("softmax"), X, True),
    "dropout": (lambda: Dropout(0.4), X, True),
    "dropout_inference": (lambda: Dropout(0.4), X, False),
    "batch_normalization": (lambda: BatchNormalization(), X, True),
    "batch_normalization_inference": (lambda: BatchNormalization(), X, False),
    "concatenate": (lambda: Concatenate(), [X, X_WIDE], True),
    "input_layer": (lambda: InputLayer((4,)), X, True),
    # alpha drawn away from 0, so that dx = alpha * dy on the negative side is tested too
    "prelu": (lambda: PReLU(alpha_initializer=initializers.RandomUniform(-1.0, 1.0)), X, True),
    "prelu_shared_regularized": (
        lambda: PReLU(
            alpha_initializer=initializers.RandomUniform(-1.0, 1.0),
            alpha_regularizer=regularizers.L1L2(l1=0.1, l2=0.3),
            shared_axes=[1, 2],  # alpha [1, 1, 4]: each alpha serves N * H * W inputs
        ),
        X_IMAGES,
        True,
    ),
}


def test_every_registered_layer_has_a_gradient_check():
    checked = {type(make()) for make, _, _ in CASES.values()}
    assert checked == set(LAYERS.values())


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_gradients_match_finite_differences(case):
    make, x, training = CASES[case]
    layer = make()
    if isinstance(layer, BatchNormalization):
        # non-trivial gamma, beta and moving averages, so every term of the formulas counts
        layer.build((4,), np.random.default_rng(0), dtype="float64")
        layer.set_weights([_x(4, 3) + 1, _x(4, 4), _x(4, 5), _x(4, 6) ** 2 + 0.5])
    errors = check_layer_gradients(layer, x, np.random.default_rng(0), training=training)
    expected_keys = ["dx"] if not isinstance(x, list) else ["dx_0", "dx_1"]
    assert sorted(errors) == sorted(expected_keys + list(layer.params))
    for name, error in errors.items():
        assert error < 1e-6, f"{case}: {name} relative error {error:.2e}"


def test_dropout_gradient_check_really_drops_units():
    # the check above must not pass only because the mask is all ones
    layer = Dropout(0.4)
    layer.build((4,), np.random.default_rng(0), dtype="float64")
    y = layer.forward(X, training=True)
    assert np.count_nonzero(y == 0) > 0
    np.testing.assert_allclose(y[y != 0], X[y != 0] / 0.6)


def test_gradient_check_catches_a_wrong_backward():
    class OffByOnePercent(Dense):  # defined in a test module, so not a byhand layer
        def backward(self, dy):
            dx = super().backward(dy)
            self.grads["kernel"] = self.grads["kernel"] * 1.01
            return dx

    errors = check_layer_gradients(OffByOnePercent(3), X, np.random.default_rng(0))
    assert errors["dx"] < 1e-6 and errors["bias"] < 1e-6
    assert errors["kernel"] > 1e-3  # 1% off: 0.01 / 2.01 ~ 5e-3


def test_gradient_check_refuses_float32_weights():
    layer = Dense(2)
    layer.build((4,), np.random.default_rng(0))  # float32 by default
    with pytest.raises(TypeError, match="float64"):
        check_layer_gradients(layer, X, np.random.default_rng(0))
