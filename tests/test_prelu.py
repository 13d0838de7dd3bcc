"""Tests for byhand.layers.PReLU: Keras's values by hand, shapes, learning alpha, errors.

The finite-difference check is in test_gradcheck.py and the SymPy check in
test_sympy_layers.py, both driven by the layer registry. The expected numbers below were
also produced by Keras 3.15 (JAX backend): keras.layers.PReLU with the same alpha, its
output, and jax.grad of sum(r * y) with respect to x and alpha.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from byhand import Input, Sequential, initializers, regularizers
from byhand.activations import LeakyReLU, ReLU
from byhand.layers import LAYERS, Dense, PReLU


def built(layer, input_shape, dtype="float64", seed=0):
    layer.build(input_shape, np.random.default_rng(seed), dtype=dtype)
    return layer


# --- Keras's semantics, by hand ---------------------------------------------------------


def test_forward_and_backward_by_hand():
    layer = built(PReLU(), (5,))
    layer.set_weights([np.array([0.25, -1.0, 0.5, 0.1, 3.0])])  # one alpha per unit
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
    y = layer.forward(x)
    # x <= 0: y = alpha * x -> 0.25 * -2 = -0.5 ; -1 * -0.5 = 0.5 ; 0.5 * 0 = 0
    # x > 0:  y = x          -> 0.5, 2
    np.testing.assert_array_equal(y, [[-0.5, 0.5, 0.0, 0.5, 2.0]])
    dx = layer.backward(np.array([[1.0, 2.0, 3.0, 4.0, 5.0]]))  # dy = r
    # dx = dy * (1 if x > 0, alpha if x < 0, 0 at x = 0):
    #   1 * 0.25 = 0.25 ; 2 * -1 = -2 ; 3 * 0 = 0 (the kink, as Keras) ; 4 * 1 ; 5 * 1
    np.testing.assert_array_equal(dx, [[0.25, -2.0, 0.0, 4.0, 5.0]])
    # dalpha = dy * min(x, 0): 1 * -2 = -2 ; 2 * -0.5 = -1 ; 0 ; 0 ; 0
    np.testing.assert_array_equal(layer.grads["alpha"], [-2.0, -1.0, 0.0, 0.0, 0.0])


def test_dalpha_sums_over_the_batch():
    layer = built(PReLU(), (2,))
    x = np.array([[-1.0, 3.0], [-2.0, -4.0], [5.0, -0.5]])
    layer.forward(x)
    layer.backward(np.array([[1.0, 1.0], [0.5, 2.0], [7.0, -2.0]]))
    # unit 1: 1 * -1 + 0.5 * -2 + 7 * 0 = -2 ; unit 2: 1 * 0 + 2 * -4 + (-2) * -0.5 = -7
    np.testing.assert_array_equal(layer.grads["alpha"], [-2.0, -7.0])


def test_keras_defaults_name_and_weights():
    layer = PReLU()
    assert re.fullmatch(r"p_re_lu(_\d+)?", layer.name)  # Keras's automatic name
    assert LAYERS["p_re_lu"] is PReLU
    built(layer, (4,))
    assert list(layer.params) == ["alpha"]
    (alpha,) = layer.get_weights()  # get_weights() is [alpha], as in Keras
    np.testing.assert_array_equal(alpha, np.zeros(4))  # alpha_initializer="zeros"
    assert layer.count_params() == 4 and layer.compute_output_shape((4,)) == (4,)


def test_zero_alpha_is_relu_and_small_alpha_is_leaky_relu():
    x = np.random.default_rng(0).normal(size=(50, 6))
    layer = built(PReLU(), (6,))
    np.testing.assert_array_equal(layer.forward(x), ReLU()(x))
    dy = np.ones_like(x)
    np.testing.assert_array_equal(layer.backward(dy), ReLU().backward(x, ReLU()(x), dy))
    layer.set_weights([np.full(6, 0.01)])
    leaky = LeakyReLU(alpha=0.01)
    np.testing.assert_allclose(layer.forward(x), leaky(x), rtol=1e-15)
    np.testing.assert_allclose(layer.backward(dy), leaky.backward(x, leaky(x), dy), rtol=1e-15)


@pytest.mark.parametrize(
    ("shared_axes", "alpha_shape"),
    [(None, (3, 4, 5)), ([1, 2], (1, 1, 5)), (2, (3, 1, 5)), ((1, 2, 3), (1, 1, 1))],
)
def test_shared_axes_give_keras_alpha_shapes(shared_axes, alpha_shape):
    # Keras: PReLU(shared_axes=[1, 2]) on [N, 3, 4, 5] has alpha (1, 1, 5); a bare int works
    layer = built(PReLU(shared_axes=shared_axes), (3, 4, 5))
    assert layer.params["alpha"].shape == alpha_shape
    x = np.random.default_rng(1).normal(size=(2, 3, 4, 5))
    layer.set_weights([np.random.default_rng(2).uniform(-1, 1, alpha_shape)])
    y = layer.forward(x)
    np.testing.assert_array_equal(y, np.where(x > 0, x, layer.params["alpha"] * x))
    layer.backward(np.ones_like(x))
    # each shared alpha collects min(x, 0) from every position it serves
    summed = tuple(k for k, n in enumerate((2, *alpha_shape)) if n == 1 or k == 0)
    expected = np.minimum(x, 0).sum(axis=summed, keepdims=True)[0]
    np.testing.assert_allclose(layer.grads["alpha"], expected, rtol=1e-12)


def test_alpha_regularizer_adds_its_penalty_and_gradient():
    layer = built(PReLU(alpha_regularizer=regularizers.L2(0.5)), (2,))
    layer.set_weights([np.array([0.2, -0.4])])
    # 0.5 * (0.2^2 + 0.4^2) = 0.5 * 0.2 = 0.1
    assert layer.regularization_loss() == pytest.approx(0.1, rel=1e-12)
    layer.forward(np.array([[-1.0, 1.0]]))
    layer.backward(np.array([[1.0, 1.0]]))
    # data part (-1, 0) plus 2 * 0.5 * alpha = (0.2, -0.4): (-0.8, -0.4)
    np.testing.assert_allclose(layer.grads["alpha"], [-0.8, -0.4], rtol=1e-12)
    assert built(PReLU(), (2,)).regularization_loss() == 0.0


# --- in a model: alpha is learned -----------------------------------------------------------


def test_alpha_learns_the_absolute_value():
    # |x| = prelu(x) with alpha = -1, so a lone PReLU fitted to |x| must drive alpha from 0 to -1
    x = np.linspace(-1, 1, 41).reshape(-1, 1)
    model = Sequential([Input((1,)), PReLU()], seed=0, dtype="float64")
    model.compile(optimizer="sgd", loss="mse")
    alphas = []
    for _ in range(30):
        model.fit(x, np.abs(x), batch_size=41, epochs=1, verbose=0)
        alphas.append(float(model.get_weights()[0][0]))
    assert np.all(np.diff(alphas) < 0)  # every step goes down
    # plain gradient descent on a quadratic in alpha: the gap to -1 shrinks by a fixed
    # factor 1 - 2 * lr * mean(x^2 [x < 0]) per step (lr = 0.01), so after 30 steps
    x_neg = x[x < 0]
    factor = 1 - 2 * 0.01 * np.sum(x_neg**2) / len(x)
    assert alphas[-1] == pytest.approx(-1 + factor**30, rel=1e-12)


def test_prelu_after_dense_in_a_model_has_one_alpha_per_unit():
    model = Sequential([Input((3,)), Dense(4), PReLU(), Dense(1)], seed=0)
    lines = []
    model.summary(print_fn=lines.append)
    assert any(re.match(r"p_re_lu(_\d+)? \(PReLU\) +\(None, 4\) +4", line) for line in lines)
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 4), (4,), (4,), (4, 1), (1,)]
    assert model.count_params() == 12 + 4 + 4 + 5


# --- properties --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 6),
    d=st.integers(1, 6),
    dtype=st.sampled_from(["float32", "float64"]),
    scale=st.sampled_from([1.0, 1e3]),
)
def test_shapes_dtype_and_backward_overwrites(n, d, dtype, scale):
    rng = np.random.default_rng(n * 7 + d)
    layer = built(PReLU(alpha_initializer=initializers.RandomNormal(0, 0.5)), (d,), dtype)
    x = (rng.normal(size=(n, d)) * scale).astype(dtype)
    x_before = x.copy()
    y = layer.forward(x)
    assert y.shape == x.shape and y.dtype == dtype
    np.testing.assert_array_equal(x, x_before)
    dy = rng.normal(size=y.shape).astype(dtype)
    dx1 = layer.backward(dy)
    first = layer.grads["alpha"].copy()
    dx2 = layer.backward(dy)  # twice: grads are overwritten, never accumulated
    np.testing.assert_array_equal(dx1, dx2)
    np.testing.assert_array_equal(first, layer.grads["alpha"])
    assert dx1.dtype == dtype and first.dtype == dtype and first.shape == (d,)


def test_backward_takes_dy_alone_and_fills_grads():
    layer = built(PReLU(), (3,))  # alpha = 0: dx = dy * (x > 0) = 0 for x = -1
    layer.forward(-np.ones((2, 3)))
    np.testing.assert_array_equal(layer.backward(np.ones((2, 3))), np.zeros((2, 3)))
    np.testing.assert_array_equal(layer.grads["alpha"], [-2.0, -2.0, -2.0])  # sum of 1 * -1


# --- clear errors ------------------------------------------------------------------------


@pytest.mark.parametrize("shared_axes", [0, [0, 1], "1", [1.5], -1, True])
def test_shared_axes_must_be_axes_of_one_example(shared_axes):
    with pytest.raises(ValueError, match="shared_axes must be None, an int or a list of ints >= 1"):
        PReLU(shared_axes=shared_axes)


def test_shared_axis_beyond_the_input_is_an_error_at_build():
    with pytest.raises(ValueError, match=r"shared_axes \[2\] name axes beyond the 1 axes"):
        built(PReLU(shared_axes=2), (4,))


def test_wrong_input_and_order_of_calls():
    layer = PReLU(name="act")
    with pytest.raises(RuntimeError, match="'act': not built yet"):
        layer.forward(np.zeros((1, 3)))
    built(layer, (3,))
    with pytest.raises(ValueError, match=re.escape("D = 3 features, got shape (2, 4)")):
        layer.forward(np.zeros((2, 4)))
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="'act'.*NaN"):
        layer.forward(np.array([[0.0, np.nan, 1.0]]))
    with pytest.raises(ValueError, match=r"'alpha' has shape \(3,\), got \(1,\)"):
        layer.set_weights([np.zeros(1)])
    with pytest.raises(ValueError, match="Unknown initializer 'zero'"):
        PReLU(alpha_initializer="zero")
