"""Frozen layers (`trainable = False`), with Keras 3's rules.

- compile fixes what trains: the optimizer neither sees nor changes a frozen layer's params;
- a frozen layer keeps its place in get_weights(), and summary() counts it as non-trainable;
- a frozen BatchNormalization runs as at inference (moving statistics, left unchanged);
- the regularization penalty of a frozen layer is not part of the loss;
- `model.trainable = False` freezes every layer.
"""

import numpy as np
import pytest

from byhand import gradcheck
from byhand.layers import BatchNormalization, Dense
from byhand.model import Input, Model, Sequential
from byhand.optimizers import SGD, Adam
from byhand.regularizers import L2


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = np.sin(x @ np.array([[1.0], [-2.0], [0.5]]))
    return x, y


def three_layers(seed=0, dtype="float64", **first):
    return Sequential(
        [Input((3,)), Dense(8, activation="tanh", **first), Dense(6, activation="tanh"), Dense(1)],
        seed=seed,
        dtype=dtype,
    )


def test_a_frozen_layer_keeps_its_weights_and_its_place():
    x, y = data()
    model = three_layers()
    before = model.get_weights()
    model.layers[0].trainable = False
    model.compile(optimizer=Adam(0.05), loss="mse")
    model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    after = model.get_weights()
    # Same order and shapes as before freezing: [kernel_1, bias_1, kernel_2, ...].
    assert [w.shape for w in after] == [(3, 8), (8,), (8, 6), (6,), (6, 1), (1,)]
    np.testing.assert_array_equal(after[0], before[0])
    np.testing.assert_array_equal(after[1], before[1])
    for k in range(2, 6):
        assert not np.allclose(after[k], before[k]), k  # the others trained
    # The optimizer's slots cover only the 48 + 6 + 6 + 1 = 61 trainable numbers.
    assert sum(m.size for m in model.optimizer.state["m"]) == 61


def test_training_above_a_frozen_layer_is_training_on_its_outputs():
    # With the first layer frozen, fit must do exactly what fitting the two upper layers
    # on the first layer's outputs h = tanh(x W1 + b1) does: same losses, same weights.
    x, y = data()
    full = three_layers()
    full.layers[0].trainable = False
    full.compile(optimizer=SGD(0.1, momentum=0.9), loss="mse")
    upper = Sequential([Input((8,)), Dense(6, activation="tanh"), Dense(1)], dtype="float64")
    upper.set_weights(full.get_weights()[2:])
    upper.compile(optimizer=SGD(0.1, momentum=0.9), loss="mse")
    h = full.layers[0].forward(x)
    a = full.fit(x, y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    b = upper.fit(h, y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(a.history["loss"], b.history["loss"], rtol=1e-12)
    for w_full, w_upper in zip(full.get_weights()[2:], upper.get_weights(), strict=True):
        np.testing.assert_allclose(w_full, w_upper, rtol=1e-12, atol=1e-15)


def test_gradients_still_flow_through_a_frozen_layer():
    # Freeze the middle layer: the first layer's gradients pass through it (float64 check).
    x, y = data(n=5)
    model = three_layers()
    model.layers[1].trainable = False
    model.compile(optimizer="sgd", loss="mse")
    first = model.layers[0]

    def loss_of_kernel(value):
        saved = first.params["kernel"].copy()
        first.params["kernel"][...] = value
        result = float(np.mean((model.forward([x]) - y) ** 2))
        first.params["kernel"][...] = saved
        return result

    y_hat = model.forward([x], training=True)
    model.backward(2 * (y_hat - y) / y.size)
    numeric = gradcheck.numerical_gradient(loss_of_kernel, first.params["kernel"].copy())
    assert gradcheck.relative_error(first.grads["kernel"], numeric) < 1e-7


def test_summary_counts_frozen_params_as_non_trainable():
    # Dense(3 -> 8): 32 params, frozen; Dense(8 -> 6): 54; Dense(6 -> 1): 7. Trainable 61.
    model = three_layers()
    model.layers[0].trainable = False
    lines = []
    model.summary(print_fn=lines.append)
    assert "Total params: 93" in lines
    assert "Trainable params: 61" in lines and "Non-trainable params: 32" in lines


def test_a_frozen_batch_normalization_runs_as_at_inference():
    # Keras 3: trainable=False makes BatchNormalization use (and keep) its moving statistics.
    x, y = data()
    bn = BatchNormalization()
    model = Sequential([Input((3,)), bn, Dense(1)], seed=0, dtype="float64")
    bn.set_weights([np.full(3, 2.0), np.full(3, 0.5), np.full(3, 0.1), np.full(3, 4.0)])
    bn.trainable = False
    model.compile(optimizer=Adam(0.05), loss="mse")
    np.testing.assert_array_equal(model.forward([x], training=True), model.predict(x, verbose=0))
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    gamma, beta, moving_mean, moving_variance = bn.get_weights()
    np.testing.assert_array_equal(moving_mean, 0.1)  # not moved towards the batch means
    np.testing.assert_array_equal(moving_variance, 4.0)
    np.testing.assert_array_equal(gamma, 2.0)
    np.testing.assert_array_equal(beta, 0.5)
    # Unfrozen, the same layer normalizes with the batch statistics again.
    bn.trainable = True
    assert not np.allclose(model.forward([x], training=True), model.predict(x, verbose=0))


def test_a_frozen_layers_penalty_is_not_part_of_the_loss():
    x, y = data()
    model = three_layers(kernel_regularizer=L2(0.5))
    model.compile(optimizer="sgd", loss="mse")
    with_penalty = model.evaluate(x, y, verbose=0)
    plain = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    penalty = 0.5 * float(np.sum(model.layers[0].params["kernel"] ** 2))
    assert with_penalty == pytest.approx(plain + penalty, rel=1e-12)
    model.layers[0].trainable = False
    model.compile(optimizer="sgd", loss="mse")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(plain, rel=1e-12)


def test_model_trainable_false_freezes_every_layer():
    x, y = data()
    model = three_layers()
    model.trainable = False
    assert [layer.trainable for layer in model.layers] == [False, False, False]
    assert not model.trainable
    before = model.get_weights()
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert len(history.history["loss"]) == 2 and model.optimizer.iterations == 4
    # Freezing a Sequential that is not built yet reaches its layers as well.
    unbuilt = Sequential([Dense(4), Dense(1)])
    unbuilt.trainable = False
    assert [layer.trainable for layer in unbuilt.layers] == [False, False]


def test_compile_fixes_what_trains_until_the_next_compile():
    x, y = data()
    model = three_layers()
    model.compile(optimizer=Adam(0.05), loss="mse")
    model.layers[0].trainable = False  # after compile: no effect until compile runs again
    kernel = model.layers[0].get_weights()[0]
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert not np.allclose(model.layers[0].get_weights()[0], kernel)
    # The Adam that trained all 93 weights cannot go on with 61 of them.
    with pytest.raises(ValueError, match=r"has already trained weights of shapes .* new optimizer"):
        model.compile(optimizer=model.optimizer, loss="mse")
    model.compile(optimizer=Adam(0.05), loss="mse")
    kernel = model.layers[0].get_weights()[0]
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], kernel)


def test_a_functional_model_with_a_frozen_shared_trunk():
    # Transfer learning's shape: a trunk from one model reused, frozen, under a new head.
    x, y = data()
    inputs = Input((3,))
    trunk = Dense(8, activation="tanh")
    first = Model(inputs, Dense(1)(trunk(inputs)), seed=0, dtype="float64")
    first.compile(optimizer=Adam(0.05), loss="mse")
    first.fit(x, y, epochs=3, batch_size=16, verbose=0)
    trunk.trainable = False
    trunk_weights = trunk.get_weights()
    second = Model(inputs, Dense(1, activation="sigmoid")(trunk(inputs)), seed=1, dtype="float64")
    second.compile(optimizer=Adam(0.05), loss="binary_crossentropy")
    history = second.fit(x, (y > 0).astype(float), epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    for a, b in zip(trunk.get_weights(), trunk_weights, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's torch backend and NumPy 2
def test_frozen_layers_train_as_in_keras():
    # Keras 3 (PyTorch backend), same weights and batches, float32: the first Dense and the
    # BatchNormalization frozen. After 3 epochs of SGD every weight (batch norm's moving
    # statistics too, which a frozen layer leaves alone) and the trainable counts agree.
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    x, y = data()
    ours = Sequential(
        [Input((3,)), Dense(8, activation="tanh"), BatchNormalization(), Dense(1)], seed=0
    )
    theirs = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(8, activation="tanh"),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(1),
        ]
    )
    theirs.set_weights(ours.get_weights())
    for model in (ours, theirs):
        model.layers[0].trainable = False
        model.layers[1].trainable = False
    ours.compile(optimizer=SGD(0.05, momentum=0.9), loss="mse")
    theirs.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    fit = {"epochs": 3, "batch_size": 16, "shuffle": False, "verbose": 0}
    a = ours.fit(x.astype("float32"), y.astype("float32"), **fit).history["loss"]
    b = theirs.fit(x.astype("float32"), y.astype("float32"), **fit).history["loss"]
    np.testing.assert_allclose(a, b, rtol=1e-5)
    for w_ours, w_theirs in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w_ours, w_theirs, rtol=1e-5, atol=1e-6)
    trainable = sum(int(np.prod(w.shape)) for w in theirs.trainable_weights)
    lines = []
    ours.summary(print_fn=lines.append)
    assert f"Trainable params: {trainable}" in lines  # 8 + 1 = 9
