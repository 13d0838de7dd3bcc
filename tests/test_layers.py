"""Tests for byhand.layers: the registry, hand-worked examples, behaviour, properties, errors.

The gradient checks of every layer are in test_gradcheck.py.
"""

import importlib
import pkgutil
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import byhand
from byhand import regularizers
from byhand.layers import (
    LAYERS,
    Activation,
    BatchNormalization,
    Concatenate,
    Dense,
    Dropout,
    InputLayer,
    Layer,
)


def built(layer, input_shape, dtype="float64", seed=0):
    layer.build(input_shape, np.random.default_rng(seed), dtype=dtype)
    return layer


# --- the registry ------------------------------------------------------------------------


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_layer_defined_in_byhand_is_registered():
    for module in pkgutil.walk_packages(byhand.__path__, "byhand."):
        importlib.import_module(module.name)  # so that every Layer subclass exists
    defined = {cls for cls in _all_subclasses(Layer) if cls.__module__.startswith("byhand.")}
    missing = defined - set(LAYERS.values())
    assert not missing, f"add these layers to byhand.layers.LAYERS: {missing}"
    assert {Dense, Activation, Dropout, BatchNormalization, Concatenate, InputLayer} <= defined


def test_registry_names_are_the_default_layer_names():
    for name, cls in LAYERS.items():
        assert cls.default_name == name


def test_default_names_are_unique_per_class_with_a_counter():
    first, second = Dense(1), Dense(1)
    n = 0 if first.name == "dense" else int(first.name.removeprefix("dense_"))
    assert re.fullmatch(r"dense(_\d+)?", first.name)
    assert second.name == f"dense_{n + 1}"
    assert re.fullmatch(r"batch_normalization(_\d+)?", BatchNormalization().name)
    assert Dense(1, name="output").name == "output"


# --- hand-worked examples ----------------------------------------------------------------


def test_dense_1x3_by_3x2_element_by_element():
    layer = built(Dense(2), (3,))
    x = np.array([[1.0, 2.0, 3.0]])  # x11 x12 x13
    W = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]])  # w_ij: row i = input, column j = output
    layer.set_weights([W, np.array([1.0, 2.0])])
    y = layer.forward(x)
    # y11 = w11 x11 + w21 x12 + w31 x13 + b1 = 1*1 + 2*2 + 0*3 + 1 = 6
    # y12 = w12 x11 + w22 x12 + w32 x13 + b2 = -1*1 + 0*2 + 3*3 + 2 = 10
    np.testing.assert_allclose(y, [[6.0, 10.0]])
    dx = layer.backward(np.array([[0.5, -2.0]]))  # dL/dy11 = 0.5, dL/dy12 = -2
    # dL/dx1i = dL/dy11 * wi1 + dL/dy12 * wi2      (dx = dy @ W.T)
    #   dx11 = 0.5*1 + (-2)*(-1) = 2.5 ; dx12 = 0.5*2 + (-2)*0 = 1 ; dx13 = 0.5*0 + (-2)*3 = -6
    np.testing.assert_allclose(dx, [[2.5, 1.0, -6.0]])
    # dL/dwij = x1i * dL/dy1j                         (dW = x.T @ dy)
    #   row 1: 1*0.5, 1*(-2) ; row 2: 2*0.5, 2*(-2) ; row 3: 3*0.5, 3*(-2)
    np.testing.assert_allclose(layer.grads["kernel"], [[0.5, -2.0], [1.0, -4.0], [1.5, -6.0]])
    # dL/db = dy summed over the batch (one example here)
    np.testing.assert_allclose(layer.grads["bias"], [0.5, -2.0])


@pytest.mark.parametrize("m", [1, 2, 16])
def test_dense_backward_is_the_textbook_formulas_for_narrow_layers(m):
    # backward takes detours for speed (db as ones @ dz, dx with np.dot); same numbers
    layer = built(Dense(m, activation="tanh"), (3,))
    rng = np.random.default_rng(m)
    x, dy = rng.normal(size=(50, 3)), rng.normal(size=(50, m))
    y = layer.forward(x)
    dx = layer.backward(dy)
    dz = dy * (1 - y**2)
    np.testing.assert_allclose(layer.grads["bias"], dz.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], x.T @ dz, rtol=1e-12)
    np.testing.assert_allclose(dx, dz @ layer.params["kernel"].T, rtol=1e-12)


def test_batch_normalization_on_a_tiny_batch_by_hand():
    layer = built(BatchNormalization(momentum=0.5, epsilon=3.0), (2,))
    layer.set_weights([np.array([2.0, 1.0]), np.array([1.0, -1.0]), np.zeros(2), np.ones(2)])
    x = np.array([[1.0, 10.0], [3.0, 10.0]])
    y = layer.forward(x, training=True)
    # feature 1: mu = (1 + 3)/2 = 2 ; var = ((1-2)^2 + (3-2)^2)/2 = 1 ; sigma = sqrt(1 + 3) = 2
    #   x_hat = (-1/2, 1/2) ; y = gamma * x_hat + beta = 2*(-0.5) + 1, 2*0.5 + 1 = (0, 2)
    # feature 2: mu = 10, var = 0, x_hat = (0, 0) ; y = 1*0 - 1 = (-1, -1)
    np.testing.assert_allclose(y, [[0.0, -1.0], [2.0, -1.0]])
    dx = layer.backward(np.array([[1.0, 1.0], [3.0, 5.0]]))
    # dbeta = sum(dy) = (1 + 3, 1 + 5) = (4, 6)
    # dgamma = sum(dy * x_hat) = (1*(-0.5) + 3*0.5, 0) = (1, 0)
    np.testing.assert_allclose(layer.grads["beta"], [4.0, 6.0])
    np.testing.assert_allclose(layer.grads["gamma"], [1.0, 0.0])
    # dx = (1/N) * gamma/sigma * (N*dy - sum(dy) - x_hat * sum(dy * x_hat))
    # feature 1: (1/2)*(2/2)*((2, 6) - 4 - (-0.5, 0.5)*1) = 0.5*(-1.5, 1.5) = (-0.75, 0.75)
    # feature 2: (1/2)*(1/sqrt(3))*((2, 10) - 6 - 0) = (-2/sqrt(3), 2/sqrt(3))
    r3 = np.sqrt(3.0)
    np.testing.assert_allclose(dx, [[-0.75, -2 / r3], [0.75, 2 / r3]])
    # moving = 0.5 * moving + 0.5 * batch: mean (0 + 2, 0 + 10)/2 = (1, 5),
    # variance (1 + 1, 1 + 0)/2 = (1, 0.5)
    np.testing.assert_allclose(layer.state["moving_mean"], [1.0, 5.0])
    np.testing.assert_allclose(layer.state["moving_variance"], [1.0, 0.5])
    # inference uses them: feature 1 (x - 1)/sqrt(1 + 3) = (0, 1) -> 2*(0, 1) + 1 = (1, 3)
    # feature 2: (10 - 5)/sqrt(0.5 + 3) - 1 = 5/sqrt(3.5) - 1 for both rows
    y_inf = layer.forward(x, training=False)
    np.testing.assert_allclose(y_inf[:, 0], [1.0, 3.0])
    np.testing.assert_allclose(y_inf[:, 1], 5 / np.sqrt(3.5) - 1)


def test_dense_regularization_loss_by_hand():
    layer = built(Dense(2, kernel_regularizer=regularizers.L2(0.5), bias_regularizer="l1"), (2,))
    layer.set_weights([np.ones((2, 2)), np.array([3.0, -1.0])])
    # 0.5 * (1 + 1 + 1 + 1) + 0.01 * (|3| + |-1|) = 2 + 0.04
    assert layer.regularization_loss() == pytest.approx(2.04)
    assert built(Dense(2), (2,)).regularization_loss() == 0.0


# --- batch normalization -----------------------------------------------------------------


def test_batch_norm_moving_averages_follow_the_update_rule():
    rng = np.random.default_rng(0)
    layer = built(BatchNormalization(momentum=0.9), (3,))
    mean, variance = np.zeros(3), np.ones(3)
    for _ in range(5):
        x = rng.normal(5.0, 2.0, size=(8, 3))
        layer.forward(x, training=True)
        mean = 0.9 * mean + 0.1 * x.mean(axis=0)
        variance = 0.9 * variance + 0.1 * x.var(axis=0)  # the biased (1/N) variance, as Keras
    np.testing.assert_allclose(layer.state["moving_mean"], mean)
    np.testing.assert_allclose(layer.state["moving_variance"], variance)
    before = layer.get_weights()
    x_test = rng.normal(size=(4, 3))
    y = layer.forward(x_test, training=False)  # inference: no update, the moving statistics
    for a, b in zip(before, layer.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(y, (x_test - mean) / np.sqrt(variance + 1e-3))


def test_batch_norm_training_output_is_normalized_and_weights_in_keras_order():
    layer = built(BatchNormalization(), (4,))
    y = layer.forward(np.random.default_rng(1).normal(3.0, 5.0, size=(500, 4)), training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 1.0, atol=1e-3)  # eps = 1e-3 vs variance ~25
    assert list(layer.params) == ["gamma", "beta"]
    assert list(layer.state) == ["moving_mean", "moving_variance"]
    gamma, beta, moving_mean, moving_variance = layer.get_weights()
    np.testing.assert_array_equal(gamma, layer.params["gamma"])
    np.testing.assert_array_equal(moving_variance, layer.state["moving_variance"])
    assert layer.count_params() == 16


# --- dropout -----------------------------------------------------------------------------


def test_dropout_is_inverted_it_keeps_the_mean():
    layer = built(Dropout(0.3), (1000,))
    x = np.full((200, 1000), 2.0)
    y = layer.forward(x, training=True)
    kept = y != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)  # 200 000 draws: std ~0.001
    np.testing.assert_allclose(y[kept], 2.0 / 0.7)  # kept values scaled by 1 / (1 - rate)
    assert y.mean() == pytest.approx(2.0, rel=0.01)  # the expected value is preserved
    dx = layer.backward(np.ones_like(y))
    np.testing.assert_array_equal(dx, kept / 0.7)  # the same mask and scale


def test_dropout_is_the_identity_at_inference_and_with_rate_zero():
    x = np.random.default_rng(0).normal(size=(6, 5))
    layer = built(Dropout(0.5), (5,))
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))
    zero = built(Dropout(0.0), (5,))
    np.testing.assert_array_equal(zero.forward(x, training=True), x)


def test_dropout_masks_come_from_the_build_generator():
    x = np.ones((4, 10))
    a = built(Dropout(0.5), (10,), seed=7).forward(x, training=True)
    b = built(Dropout(0.5), (10,), seed=7).forward(x, training=True)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.5", True])
def test_dropout_rate_must_be_in_zero_one(rate):
    with pytest.raises(ValueError, match=r"rate.*\[0, 1\)"):
        Dropout(rate)


# --- concatenate, input layer, weights ---------------------------------------------------


def test_concatenate_joins_and_splits():
    layer = built(Concatenate(), [(2,), (3,)])
    a, b = np.arange(4.0).reshape(2, 2), np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(layer.forward([a, b]), np.hstack([a, b]))
    dy = np.arange(10.0).reshape(2, 5)
    da, db = layer.backward(dy)
    np.testing.assert_array_equal(da, dy[:, :2])
    np.testing.assert_array_equal(db, dy[:, 2:])
    assert layer.compute_output_shape([(2,), (3,)]) == (5,)


def test_input_layer_passes_data_through():
    layer = built(InputLayer((3,)), (3,))
    x = np.ones((2, 3))
    assert layer.forward(x) is x and layer.count_params() == 0
    with pytest.raises(ValueError, match=r"made for shape \(3,\), got \(4,\)"):
        built(InputLayer((3,)), (4,))


def test_set_weights_writes_in_place_and_get_weights_copies():
    layer = built(Dense(2), (3,))
    kernel = layer.params["kernel"]
    layer.set_weights([np.full((3, 2), 7.0), np.zeros(2)])
    assert layer.params["kernel"] is kernel and np.all(kernel == 7.0)
    copy = layer.get_weights()[0]
    copy[...] = 0
    assert np.all(layer.params["kernel"] == 7.0)
    assert layer.count_params() == 3 * 2 + 2
    assert layer.compute_output_shape((3,)) == (2,)


def test_dense_weights_come_from_the_generator():
    a = built(Dense(4), (3,), seed=5).get_weights()
    b = built(Dense(4), (3,), seed=5).get_weights()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], np.zeros(4))  # bias_initializer="zeros"


# --- properties --------------------------------------------------------------------------

SIZES = st.integers(min_value=1, max_value=6)


def _layers(d, m):
    return [
        Dense(m, activation="tanh"),
        Activation("softmax"),
        Dropout(0.5),
        BatchNormalization(),
        InputLayer((d,)),
    ]


@settings(max_examples=30, deadline=None)
@given(n=SIZES, d=SIZES, m=SIZES, seed=st.integers(0, 2**16))
def test_shapes_repeatable_backward_and_untouched_inputs(n, d, m, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) * 10
    for layer in _layers(d, m):
        built(layer, (d,), seed=seed)
        x_before = x.copy()
        y = layer.forward(x, training=True)
        assert y.shape == (n, *layer.compute_output_shape((d,)))
        np.testing.assert_array_equal(x, x_before)  # forward does not change its input
        dy = rng.normal(size=y.shape)
        dx1 = layer.backward(dy)
        grads1 = {key: g.copy() for key, g in layer.grads.items()}
        dx2 = layer.backward(dy)  # twice: grads are overwritten, never accumulated
        assert dx1.shape == x.shape
        np.testing.assert_array_equal(dx1, dx2)
        assert grads1.keys() == layer.grads.keys() == layer.params.keys()
        for key, g in grads1.items():
            np.testing.assert_array_equal(g, layer.grads[key])
            assert g.shape == layer.params[key].shape


@settings(max_examples=20, deadline=None)
@given(n=SIZES, d=SIZES, m=SIZES, scale=st.sampled_from([1.0, 1e3]))
def test_float32_in_float32_out(n, d, m, scale):
    x = (np.random.default_rng(n).normal(size=(n, d)) * scale).astype(np.float32)
    for layer in [*_layers(d, m), Dense(m, activation="sigmoid")]:
        built(layer, (d,), dtype="float32")
        y = layer.forward(x, training=True)
        assert y.dtype == np.float32 and np.isfinite(y).all()
        dx = layer.backward(np.ones_like(y))
        assert dx.dtype == np.float32 and np.isfinite(dx).all()
        assert all(g.dtype == np.float32 for g in layer.grads.values())


# --- clear errors ------------------------------------------------------------------------


def test_wrong_feature_count_names_the_layer_the_expected_d_and_the_shape():
    layer = built(Dense(3, name="dense_x"), (4,))
    expected = "Dense 'dense_x': expected input with D = 4 features, got shape (32, 3)"
    with pytest.raises(ValueError, match=re.escape(expected)):
        layer.forward(np.zeros((32, 3)))
    with pytest.raises(ValueError, match=re.escape("got shape (4,)")):
        layer.forward(np.zeros(4))  # a single example needs its batch axis: shape (1, 4)


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="'bn'.*backward called before forward"):
        built(BatchNormalization(name="bn"), (2,)).backward(np.zeros((1, 2)))


def test_forward_before_build_and_build_twice():
    layer = Dense(2)
    with pytest.raises(RuntimeError, match=r"call build\(input_shape, rng\) before forward"):
        layer.forward(np.zeros((1, 2)))
    built(layer, (2,))
    with pytest.raises(RuntimeError, match=r"already built for input shape \(2,\)"):
        built(layer, (3,))


def test_dy_with_the_wrong_shape():
    layer = built(Dense(2), (3,))
    layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"output's shape \(4, 2\), got \(4, 3\)"):
        layer.backward(np.zeros((4, 3)))


def test_set_weights_with_the_wrong_count_or_shape():
    layer = built(Dense(2), (3,))
    with pytest.raises(ValueError, match=r"expected 2 weight arrays \['kernel', 'bias'\].*got 1"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"'kernel' has shape \(3, 2\), got \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match="expected 4 weight arrays"):
        built(BatchNormalization(), (3,)).set_weights([np.ones(3), np.zeros(3)])


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="Unknown activation 'rleu'.*relu"):
        Dense(2, activation="rleu")
    with pytest.raises(ValueError, match="Unknown activation"):
        Activation("swishy")


def test_nan_in_the_input():
    for layer in [Dense(2), BatchNormalization(), Activation("relu"), Dropout(0.1)]:
        built(layer, (2,))
        with pytest.raises(ValueError, match=f"'{layer.name}'.*NaN"):
            layer.forward(np.array([[0.0, np.nan]]))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="units must be a positive int, got 0"):
        Dense(0)
    with pytest.raises(ValueError, match="momentum"):
        BatchNormalization(momentum=1.5)
    with pytest.raises(TypeError, match="Generator"):
        Dropout(0.5).build((3,), None)


def test_concatenate_errors():
    with pytest.raises(ValueError, match="shapes must agree except along the last axis"):
        built(Concatenate(), [(2, 3), (4, 3)])
    layer = built(Concatenate(), [(2,), (3,)])
    with pytest.raises(ValueError, match="expected a list of 2 arrays"):
        layer.forward(np.zeros((1, 5)))
    with pytest.raises(ValueError, match=re.escape("D = 3 features, got shape (1, 4)")):
        layer.forward([np.zeros((1, 2)), np.zeros((1, 4))])


def test_concatenate_needs_a_list_and_rows_that_match():
    from byhand.model import Input

    a, b = Input((2,)), Input((3,))
    with pytest.raises(TypeError, match="takes a list of tensors, got one"):
        Concatenate()(a)
    with pytest.raises(TypeError, match=r"takes one tensor, got 2.*Concatenate\(\)"):
        Dense(3)([a, b])
    with pytest.raises(ValueError, match="two or more inputs"):
        built(Concatenate(), [(2,)])
    with pytest.raises(ValueError, match="at least one axis"):
        built(Concatenate(), [(), ()])
    with pytest.raises(RuntimeError, match="not built yet"):
        Concatenate().forward([np.zeros((1, 2)), np.zeros((1, 3))])
    layer = built(Concatenate(), [(2,), (3,)])
    with pytest.raises(ValueError, match=r"different numbers of examples \[2, 3\]"):
        layer.forward([np.zeros((2, 2)), np.zeros((3, 3))])


@pytest.mark.parametrize("shape", [4.0, (4.5,), "4", (0,), (True,), None])
def test_shapes_must_be_positive_ints(shape):
    with pytest.raises(ValueError, match="a shape must be a tuple of positive ints"):
        built(Dense(3), shape)


def test_an_int_or_a_numpy_int_is_a_one_axis_shape():
    assert built(Dense(3), 4).input_shape == (4,)
    assert built(Dense(3), (np.int64(4),)).input_shape == (4,)


def test_set_weights_refuses_nan_and_an_unbuilt_layer():
    layer = built(Dense(2), (3,))
    with pytest.raises(ValueError, match="'bias' must be finite"):
        layer.set_weights([np.zeros((3, 2)), np.array([0.0, np.nan])])
    with pytest.raises(RuntimeError, match="not built yet.*before set_weights"):
        Dense(2).set_weights([])


def test_dropout_rate_may_be_a_numpy_scalar():
    assert Dropout(np.float32(0.5)).rate == 0.5


def test_dropout_of_integer_inputs_scales_in_floats():
    layer = Dropout(0.3)
    layer.build((4,), np.random.default_rng(0))
    y = layer.forward(np.ones((1000, 4), int), training=True)
    assert y.dtype.kind == "f" and y.mean() == pytest.approx(1, abs=0.05)  # not 0.70
    assert np.unique(y).tolist() == pytest.approx([0, 1 / 0.7])


@pytest.mark.parametrize("momentum", ["0.9", None, 1.5, True])
def test_batch_normalization_momentum_must_be_in_zero_one(momentum):
    with pytest.raises(
        ValueError, match=rf"momentum must be a number in \[0, 1\], got {momentum!r}"
    ):
        BatchNormalization(momentum=momentum)


def test_batch_normalization_epsilon_must_be_positive():
    with pytest.raises(ValueError, match="epsilon must be a number > 0, got 0"):
        BatchNormalization(epsilon=0)
    assert BatchNormalization(momentum=np.float32(0.5), epsilon=np.float32(0.5)).momentum == 0.5


def test_batch_normalization_refuses_an_empty_training_batch():
    layer = BatchNormalization()
    layer.build((3,), np.random.default_rng(0))
    with pytest.raises(
        ValueError, match=r"a training batch needs at least 1 row, got shape \(0, 3\)"
    ):
        layer.forward(np.zeros((0, 3)), training=True)
    assert np.all(layer.state["moving_mean"] == 0) and np.all(layer.state["moving_variance"] == 1)
    assert layer.forward(np.zeros((0, 3))).shape == (0, 3)  # at inference, no rows is fine
