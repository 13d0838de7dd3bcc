"""Sequential and functional models: graph, training loop, weights, errors."""

import tracemalloc

import numpy as np
import pytest

from byhand import gradcheck
from byhand.callbacks import (
    Callback,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)
from byhand.layers import Activation, BatchNormalization, Concatenate, Dense, Dropout
from byhand.losses import BinaryCrossentropy
from byhand.model import Input, Model, Sequential
from byhand.optimizers import Adam


def regression_data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.3 + 0.01 * rng.normal(size=(n, 1))
    return x, y


def small_model(seed=0, **kwargs):
    model = Sequential([Input((3,)), Dense(8, activation="tanh"), Dense(1)], seed=seed, **kwargs)
    model.compile(optimizer=Adam(learning_rate=0.02), loss="mse", metrics=["mae"])
    return model


def test_summary_lists_layers_shapes_and_parameter_counts():
    lines = []
    small_model().summary(print_fn=lines.append)
    text = "\n".join(lines)
    # Dense(3 -> 8): 3 * 8 + 8 = 32 parameters; Dense(8 -> 1): 8 + 1 = 9; total 41.
    assert "(None, 8)" in text and "32" in text and "(None, 1)" in text
    assert "Total params: 41" in text and "Trainable params: 41" in text


def test_fit_lowers_the_loss_and_records_history_with_val_prefix():
    x, y = regression_data()
    model = small_model()
    before = model.evaluate(x, y)
    history = model.fit(x, y, epochs=60, batch_size=32, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert len(history.history["loss"]) == 60 and history.epoch == list(range(60))
    after = model.evaluate(x, y)
    assert after[0] < 0.1 * before[0], (before, after)
    assert history.history["val_loss"][-1] < history.history["val_loss"][0]


def test_same_seed_same_run_and_different_seed_different_run():
    x, y = regression_data()
    runs = []
    for seed in (1, 1, 2):
        model = small_model(seed=seed)
        model.fit(x, y, epochs=2, verbose=0)
        runs.append(model.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(runs[0], runs[1], strict=True))
    assert not np.array_equal(runs[0][0], runs[2][0])


def test_sequential_without_input_builds_on_first_data():
    x, y = regression_data(n=40)
    model = Sequential([Dense(4, activation="relu"), Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    assert [w.shape for w in model.get_weights()] == [(3, 4), (4,), (4, 1), (1,)]
    assert model.predict(x).shape == (40, 1)


def test_weights_round_trip_through_get_set_and_npz_files(tmp_path):
    x, _ = regression_data(n=10)
    model, twin = small_model(seed=0), small_model(seed=5)
    path = tmp_path / "model.weights"  # no .npz ending: the file must be written as named
    model.save_weights(path)
    assert path.exists()
    twin.load_weights(path)
    np.testing.assert_array_equal(twin.predict(x), model.predict(x))
    with pytest.raises(ValueError, match="expected 4 arrays, got 3"):
        twin.set_weights(model.get_weights()[:3])


def test_batch_norm_weights_in_keras_order():
    model = Sequential([Input((2,)), Dense(3), BatchNormalization()], seed=0)
    shapes = [w.shape for w in model.get_weights()]
    # kernel, bias, then gamma, beta, moving_mean, moving_variance
    assert shapes == [(2, 3), (3,), (3,), (3,), (3,), (3,)]


def two_branch_model(seed=0, dtype="float32"):
    """SYLLABUS 9: two inputs of 4 features, Dense(30)->Dense(40) and Dense(20)->Dense(50)."""
    a, b = Input((4,)), Input((4,))
    left = Dense(40, activation="tanh")(Dense(30, activation="tanh")(a))
    right = Dense(50, activation="tanh")(Dense(20, activation="tanh")(b))
    out = Dense(1)(Concatenate()([left, right]))
    return Model([a, b], out, seed=seed, dtype=dtype)


def test_functional_model_with_two_inputs_trains_and_counts_parameters():
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(64, 4)), rng.normal(size=(64, 4))
    y = (xa[:, :1] - xb[:, 1:2]) ** 2
    model = two_branch_model()
    # (4*30+30) + (30*40+40) + (4*20+20) + (20*50+50) + (90*1+1) = 2631
    assert model.count_params() == 2631
    model.compile(optimizer=Adam(learning_rate=0.01), loss="mse")
    history = model.fit([xa, xb], y, epochs=40, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]


def test_gradients_add_where_branches_meet():
    """One input feeds two branches; the model's dL/dx must sum both paths (float64)."""
    x_in = Input((3,))
    left, right = Dense(4, activation="tanh")(x_in), Dense(2, activation="sigmoid")(x_in)
    model = Model(x_in, Dense(2)(Concatenate()([left, right])), seed=0, dtype="float64")
    rng = np.random.default_rng(1)
    x, r = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))

    def loss(x_value):
        return float(np.sum(model.forward([x_value]) * r))

    model.forward([x])
    (dx,) = model.backward(r)
    numeric = gradcheck.numerical_gradient(loss, x)
    assert gradcheck.relative_error(dx, numeric) < 1e-7
    # And each parameter, through the same walk.
    for layer in model.layers:
        for key, param in layer.params.items():
            model.forward([x])
            model.backward(r)
            analytic = layer.grads[key].copy()

            def loss_of_param(value, param=param):
                saved = param.copy()
                param[...] = value
                result = loss(x)
                param[...] = saved
                return result

            numeric = gradcheck.numerical_gradient(loss_of_param, param.copy())
            assert gradcheck.relative_error(analytic, numeric) < 1e-7, (layer.name, key)


def test_sequential_chain_passes_match_the_graph_walk_of_a_functional_model():
    """Sequential runs its layers as a plain chain; the functional walk must agree."""
    chain = Sequential(
        [Input((3,)), Dense(5, activation="tanh"), Dropout(0.5), Dense(2)], seed=0, dtype="float64"
    )
    x_in = Input((3,))
    a, b, c = Dense(5, activation="tanh"), Dropout(0.5), Dense(2)
    graph = Model(x_in, c(b(a(x_in))), seed=0, dtype="float64")
    graph.set_weights(chain.get_weights())
    rng = np.random.default_rng(2)
    x, r = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    for training in (False, True):
        chain.layers[1].rng, b.rng = np.random.default_rng(3), np.random.default_rng(3)
        np.testing.assert_array_equal(
            chain.forward([x], training=training), graph.forward([x], training=training)
        )
        (dx_chain,), (dx_graph,) = chain.backward(r), graph.backward(r)
        np.testing.assert_array_equal(dx_chain, dx_graph)
        for mine, theirs in zip(chain.layers, graph.layers, strict=True):
            for key in mine.params:
                np.testing.assert_array_equal(mine.grads[key], theirs.grads[key])
    assert chain.backward(r, input_grads=False) is None
    assert graph.backward(r, input_grads=False) is None


def test_a_model_without_weights_trains_without_error():
    model = Sequential([Input((2,)), Activation("sigmoid")], seed=0)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(np.zeros((4, 2)), np.full((4, 2), 0.5), epochs=2, verbose=0)
    assert history.history["loss"] == [0.0, 0.0] and model.optimizer.iterations == 2


def test_callbacks_stop_training_only_through_the_model_flag(tmp_path):
    x, y = regression_data(n=64)
    model = small_model()

    class StopAfterTwoBatches(Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[StopAfterTwoBatches()])
    assert len(history.history["loss"]) == 1

    stopper = EarlyStopping(monitor="val_loss", patience=0)
    checkpoint = ModelCheckpoint(tmp_path / "best.npz", save_best_only=True)
    model.compile(optimizer="sgd", loss="mse")
    model.optimizer.learning_rate = 5.0  # diverges at once, so val_loss gets worse
    history = model.fit(
        x, y, epochs=10, verbose=0, validation_split=0.25, callbacks=[stopper, checkpoint]
    )
    assert len(history.history["loss"]) < 10 and stopper.stopped_epoch > 0
    assert (tmp_path / "best.npz").exists()


def test_history_records_the_learning_rate_the_schedulers_log():
    # Keras 3 adds History after the user's callbacks, so it sees their logs. Halving from
    # 0.02 at every epoch after the first: rates 0.02, 0.01, 0.005 were used in epochs 0-2.
    x, y = regression_data(n=64)
    model = small_model()
    halve = LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr / 2)
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[halve])
    assert history.history["learning_rate"] == pytest.approx([0.02, 0.01, 0.005])
    # ReduceLROnPlateau logs the rate used in the epoch, before its own cut at the epoch's
    # end: with patience 0 and min_delta 10, no epoch counts as an improvement after the
    # first, so the rate 0.02 becomes 0.01 after epoch 1 and 0.005 after epoch 2.
    model = small_model()
    reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0)
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[reduce])
    assert history.history["learning_rate"] == pytest.approx([0.02, 0.02, 0.01])
    assert model.optimizer.learning_rate == pytest.approx(0.005)


def test_early_stopping_in_fit_restores_the_best_epoch_when_epochs_run_out():
    # SGD at a rate of 5.0 diverges: the first epoch has the lowest loss, the next ones only
    # grow. patience=10 never stops 4 epochs, yet the weights end as they were after epoch 0.
    x, y = regression_data(n=64)
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    model.optimizer.learning_rate = 5.0
    weights_after = []

    class Record(Callback):
        def on_epoch_end(self, epoch, logs=None):
            weights_after.append(self.model.get_weights())

    stopper = EarlyStopping(monitor="loss", patience=10, restore_best_weights=True)
    history = model.fit(x, y, epochs=4, batch_size=64, verbose=0, callbacks=[Record(), stopper])
    losses = history.history["loss"]
    assert len(losses) == 4 and stopper.stopped_epoch == 0
    assert stopper.best_epoch == int(np.argmin(losses))
    for final, best in zip(model.get_weights(), weights_after[stopper.best_epoch], strict=True):
        np.testing.assert_array_equal(final, best)
    assert stopper.best_epoch < 3  # so restoring changed something
    assert any(
        not np.array_equal(a, b) for a, b in zip(model.get_weights(), weights_after[3], strict=True)
    )


def test_dropout_is_active_only_in_training():
    model = Sequential([Input((50,)), Dropout(0.5)], seed=0)
    x = np.ones((4, 50), dtype="float32")
    np.testing.assert_array_equal(model.predict(x), x)
    trained = model.forward([x], training=True)
    assert set(np.unique(trained)) == {0.0, 2.0}


def test_one_batch_for_all_the_data_is_not_shuffled():
    # Shuffling a single batch would only reorder the sums of its gradient, so fit skips
    # it: shuffle=True and shuffle=False then train to exactly the same weights.
    x, y = regression_data(n=40)
    weights = []
    for shuffle in (True, False):
        model = Sequential([Input((3,)), Dense(4, activation="tanh"), Dense(1)], seed=0)
        model.compile(optimizer=Adam(0.01), loss="mse")
        model.fit(x, y, batch_size=40, epochs=5, verbose=0, shuffle=shuffle)
        weights.append(model.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(*weights, strict=True))


def test_fit_indexes_batches_instead_of_copying_the_data():
    x = np.random.default_rng(0).normal(size=(100_000, 20)).astype("float32")  # 8 MB
    y = x[:, :1].copy()
    model = Sequential([Input((20,)), Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    tracemalloc.start()
    model.fit(x, y, epochs=2, batch_size=1000, verbose=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.5 * x.nbytes, f"fit allocated {peak / 1e6:.1f} MB at peak"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda m, x, y: m.fit(x[:, :2], y, verbose=0),
            ValueError,
            r"input 0 should have shape \(N, 3\), got \(20, 2\)",
        ),
        (lambda m, x, y: m.fit(x, y[:5], verbose=0), ValueError, "20 inputs but 5 targets"),
        (lambda m, x, y: m.fit(np.where(x > 1, np.nan, x), y, verbose=0), ValueError, "NaN"),
        (
            lambda m, x, y: m.fit(x, y, batch_size=0, verbose=0),
            ValueError,
            "batch_size must be a positive int",
        ),
        (lambda m, x, y: m.fit([x, x], y, verbose=0), ValueError, "expected 1 input arrays, got 2"),
        (lambda m, x, y: m.fit(x, y, epochs=2.5, verbose=0), ValueError, "epochs must be an int"),
        (
            lambda m, x, y: m.compile(loss="mse", metrics=["acuracy"]),
            ValueError,
            "unknown metric 'acuracy'",
        ),
        # What the bad-input hunt found: each was a bare NumPy/Python error or silent.
        (lambda m, x, y: m.compile(loss="mse", metrics="mae"), TypeError, "a list of names"),
        (lambda m, x, y: m.fit(x, y, callbacks=EarlyStopping()), TypeError, "must be a list"),
        (lambda m, x, y: m.fit(x, None), ValueError, r"expected targets y \[N, ...\]"),
        (lambda m, x, y: m.evaluate(x, 3.0), ValueError, r"expected targets y \[N, ...\]"),
        (lambda m, x, y: m.fit(x, np.array(["a"] * 20)), TypeError, "targets must be numbers"),
        (lambda m, x, y: m.fit(np.full_like(x, np.inf), y), ValueError, "no NaN or infinity"),
        (lambda m, x, y: m.fit(x * 1e200, y), ValueError, "within float32's range"),
        (lambda m, x, y: m.fit(x, y * 1e300), ValueError, "targets must be finite .* float32's"),
        (lambda m, x, y: m.fit(x, np.full_like(y, np.nan)), ValueError, r"targets must be finite"),
        (lambda m, x, y: m.predict(x, batch_size=0), ValueError, "batch_size must be a positive"),
        (lambda m, x, y: m.predict(x, batch_size=-1), ValueError, "batch_size must be a positive"),
        (lambda m, x, y: m.evaluate(x, y, batch_size=2.0), ValueError, "batch_size must be"),
        (lambda m, x, y: m.fit(x, y, validation_data=(x,)), ValueError, r"a pair \(x_val, y_val\)"),
        (lambda m, x, y: m.fit(x, y, validation_data=(x, y, y)), ValueError, "no sample weights"),
        (lambda m, x, y: m.fit(x, y, validation_split="0.2"), ValueError, "validation_split"),
        (lambda m, x, y: m.fit(x, y, validation_split=0.99), ValueError, "no examples to train"),
        (lambda m, x, y: m.fit(x[:0], y[:0]), ValueError, "no examples to train on"),
        (lambda m, x, y: m.evaluate(x[:0], y[:0]), ValueError, "no examples to evaluate"),
        (lambda m, x, y: m.forward([x, x]), ValueError, "expected a list of 1 input arrays"),
        (
            lambda m, x, y: m.set_weights([np.full((3, 8), np.nan)] + m.get_weights()[1:]),
            ValueError,
            "must be finite",
        ),  # fmt: skip
    ],
)
def test_bad_input_gets_clear_errors(call, error, message):
    x, y = regression_data(n=20)
    with pytest.raises(error, match=message):
        call(small_model(), x, y)


def test_fit_before_compile_says_what_to_do():
    model = Sequential([Input((3,)), Dense(1)])
    with pytest.raises(RuntimeError, match=r"call compile\(optimizer, loss\) first"):
        model.fit(*regression_data(n=8), verbose=0)


def test_a_layer_cannot_be_used_twice():
    x = Input((3,))
    shared = Dense(3)
    with pytest.raises(ValueError, match="called more than once"):
        Model(x, shared(shared(x)))


def test_output_must_come_from_the_given_inputs():
    a, b = Input((2,)), Input((2,))
    with pytest.raises(ValueError, match="not in the model's inputs"):
        Model(a, Concatenate()([Dense(1)(a), Dense(1)(b)]))


def test_a_small_network_learns_the_8x8_digits_on_a_held_out_split():
    """A real task: 1,797 handwritten digits, a quarter held out, 20 epochs (under a second)."""
    from byhand.data import load_digits, train_test_split
    from byhand.losses import SparseCategoricalCrossentropy

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, seed=0, stratify=y
    )
    model = Sequential(
        [Input((64,)), Dense(64, activation="relu", kernel_initializer="he_normal"), Dense(10)],
        seed=0,
    )
    model.compile(
        optimizer=Adam(learning_rate=0.005),
        loss=SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(X_train, y_train, batch_size=32, epochs=20, verbose=0)
    loss, accuracy = model.evaluate(X_test, y_test)
    assert len(y_test) == 450
    assert accuracy > 0.95, f"held-out accuracy {accuracy:.3f}"


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_a_diverging_run_stops_with_a_clear_error_or_quietly_with_terminate_on_nan():
    from byhand.callbacks import TerminateOnNaN
    from byhand.optimizers import SGD

    x, y = regression_data(n=64)
    y = y * 1e20  # targets so large that the squared error overflows float32 to inf
    model = Sequential([Input((3,)), Dense(1)], seed=0)
    model.compile(optimizer=SGD(learning_rate=0.1), loss="mse")
    before = model.get_weights()
    with pytest.raises(FloatingPointError, match=r"loss became inf at epoch 1, batch 1"):
        model.fit(x, y, epochs=3, verbose=0)
    # The bad batch changed no weight.
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[TerminateOnNaN()])
    assert len(history.history["loss"]) == 1


def test_accuracy_lines_up_labels_n_with_outputs_n_by_1_and_follows_the_output_shape():
    # p = sigmoid(x) with W = 1, b = 0: x = (-2, -1, 1, 2) gives classes (0, 0, 1, 1);
    # the labels (0, 1, 1, 1) agree in 3 of 4 places, so accuracy = 0.75. Compared as
    # [4] against [4, 1] they would broadcast to a 4 x 4 table (and give 0.5 here).
    x = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    labels = np.array([0.0, 1.0, 1.0, 1.0])
    for loss, activation in [("binary_crossentropy", "sigmoid"), ("mse", "sigmoid"),
                             (BinaryCrossentropy(from_logits=True), None)]:  # fmt: skip
        model = Sequential([Input((1,)), Dense(1, activation=activation)])
        model.set_weights([np.ones((1, 1)), np.zeros(1)])
        model.compile(loss=loss, metrics=["accuracy"])
        for y in (labels, labels[:, None]):
            assert model.evaluate(x, y)[1] == pytest.approx(0.75), (loss, y.shape)
            assert model.evaluate(x, y, return_dict=True)["accuracy"] == pytest.approx(0.75)
    # Two classes, logits (x, -x): class 0 for x > 0. Labels (1, 0, 0, 0): 3 of 4 right.
    model = Sequential([Input((1,)), Dense(2, activation="softmax")])
    model.set_weights([np.array([[1.0, -1.0]]), np.zeros(2)])
    sparse = np.array([1, 0, 0, 0])
    for loss, y in [("sparse_categorical_crossentropy", sparse),
                    ("sparse_categorical_crossentropy", sparse[:, None]),
                    ("categorical_crossentropy", np.eye(2)[sparse])]:  # fmt: skip
        model.compile(loss=loss, metrics=["accuracy"])
        assert model.evaluate(x, y)[1] == pytest.approx(0.75), (loss, y.shape)


def test_rows_given_as_a_python_list_are_one_input():
    x, y = regression_data(n=8)
    model = small_model()
    np.testing.assert_allclose(model.predict(x.tolist()), model.predict(x), rtol=1e-6)
    unbuilt = Sequential([Dense(2)], seed=0)
    assert unbuilt.predict([[1.0, 2.0], [3.0, 4.0]]).shape == (2, 2)
    with pytest.raises(ValueError, match=r"expected a batch of examples.*got shape \(4,\)"):
        Sequential([Dense(2)]).predict(np.ones(4))


def test_a_model_not_built_yet_says_so():
    for model in (Sequential([Dense(3), Dense(1)]), Sequential([])):
        with pytest.raises(ValueError, match=r"not built yet.*Input\(\(D,\)\)"):
            model.summary()
    with pytest.raises(ValueError, match="not built yet"):
        Sequential([Dense(3)]).set_weights([])


def test_set_weights_checks_every_array_before_changing_any():
    model = small_model()
    before = model.get_weights()
    bad = [w + 1 for w in before]
    bad[2] = np.zeros((5, 5))  # the second layer's kernel has the wrong shape
    with pytest.raises(ValueError, match=r"'kernel' has shape \(8, 1\), got \(5, 5\)"):
        model.set_weights(bad)
    for old, now in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, now)  # the first layer was left alone too


def test_load_weights_explains_a_wrong_file(tmp_path):
    model = small_model()
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not numpy at all")
    with pytest.raises(ValueError, match="not a file written by save_weights"):
        model.load_weights(junk)
    np.save(tmp_path / "one.npy", np.ones(3))
    with pytest.raises(ValueError, match="holds one array"):
        model.load_weights(tmp_path / "one.npy")
    with pytest.raises(FileNotFoundError):
        model.load_weights(tmp_path / "missing.npz")
    np.savez(tmp_path / "objects.npz", w=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="objects.npz: Object arrays cannot be loaded"):
        model.load_weights(tmp_path / "objects.npz")
    with pytest.raises(TypeError, match="filepath must be a path"):
        model.save_weights(123)  # open(123) would write to file descriptor 123


def test_train_on_batch_takes_arrays_like_keras():
    x, y = regression_data(n=16)
    model = small_model()
    before = model.evaluate(x, y, return_dict=True)
    logs = model.train_on_batch(x, y, return_dict=True)
    assert logs["loss"] == pytest.approx(before["loss"], rel=1e-5)  # the loss before the step
    assert model.evaluate(x, y)[0] < before["loss"]
    loss, mae = model.train_on_batch(x, y)
    assert np.isfinite(loss) and np.isfinite(mae)
    with pytest.raises(RuntimeError, match="call compile"):
        Sequential([Input((3,)), Dense(1)]).train_on_batch(x, y)


def test_constructor_arguments_are_checked():
    with pytest.raises(TypeError, match="expected a list of layers"):
        Sequential(Dense(3))
    with pytest.raises(TypeError, match=r"did you mean Dense\(...\)"):
        Sequential([Input((4,)), Dense])
    with pytest.raises(TypeError, match="expected a layer or Input"):
        Sequential([Input((4,)), "dense"])
    with pytest.raises(ValueError, match="seed must be None or an int >= 0"):
        Sequential([Dense(1)], seed="a")
    with pytest.raises(ValueError, match="dtype must be a float type"):
        Sequential([Dense(1)], dtype="int32")
    assert Sequential([Input((np.int64(4),)), Dense(1)], seed=np.int64(3)).count_params() == 5


def test_a_layer_built_for_another_width_is_refused():
    dense = Dense(2)
    Sequential([Input((3,)), dense])
    with pytest.raises(ValueError, match=r"built for inputs of shape \(3,\), but here it reads"):
        Sequential([Input((5,)), dense])


def test_predict_on_no_examples_keeps_the_output_shape():
    assert small_model().predict(np.zeros((0, 3))).shape == (0, 1)


def test_params_and_grads_are_views_of_one_flat_array_that_fit_updates_in_place():
    from byhand.layers import BatchNormalization, Dense
    from byhand.model import Input, Sequential

    model = Sequential([Input((3,)), Dense(4), BatchNormalization(), Dense(1)], seed=0)
    model.compile(optimizer="adam", loss="mse")
    w, g = model.weights_vector, model.gradients_vector
    assert w.size == g.size == model.count_params() - 8  # all but the 2 x 4 moving averages
    for layer in model.layers:
        for key in layer.params:
            assert np.shares_memory(layer.params[key], w)
            assert np.shares_memory(layer.grads[key], g)
    before = w.copy()
    x = np.random.default_rng(0).normal(size=(8, 3))
    model.fit(x, x[:, :1], epochs=1, batch_size=8, verbose=0)
    assert model.weights_vector is w and not np.array_equal(w, before)
    # BatchNormalization assigns new grads arrays; the model copies them back into g.
    bn = model.layers[1]
    assert np.shares_memory(bn.grads["gamma"], g) and np.any(bn.grads["gamma"] != 0)
    assert model.layers[0].skip_dx is False  # set only during fit's backward
