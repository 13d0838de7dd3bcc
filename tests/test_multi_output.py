"""Models with several outputs, named and weighted as in Keras 3.

Model(inputs, [out_a, out_b]) takes a loss per output (a list in output order, a dict keyed
by the outputs' layer names, or one loss for all); the loss that fit minimizes and logs as
"loss" is sum_k weight_k * loss_k, and each output's own unweighted loss is logged as
"<output name>_loss" (and "val_<output name>_loss").
"""

import numpy as np
import pytest

from byhand import gradcheck
from byhand.layers import Dense
from byhand.losses import BinaryCrossentropy, MeanSquaredError
from byhand.model import Input, Model
from byhand.optimizers import SGD


def two_headed(seed=0):
    """A trunk of 6 tanh units under two heads: a number ("value") and a probability
    ("is_big")."""
    x = Input((3,))
    trunk = Dense(6, activation="tanh", name="trunk")(x)
    value = Dense(1, name="value")(trunk)
    is_big = Dense(1, activation="sigmoid", name="is_big")(trunk)
    return Model(x, [value, is_big], seed=seed, dtype="float64")


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    value = x @ np.array([[1.0], [-1.0], [0.5]])
    return x, [value, (value > 0).astype(float)]


def test_forward_and_predict_return_one_array_per_output():
    model = two_headed()
    x, _ = data()
    assert model.output_names == ["value", "is_big"]
    outputs = model.predict(x, batch_size=16)
    assert isinstance(outputs, list) and [a.shape for a in outputs] == [(40, 1), (40, 1)]
    np.testing.assert_allclose(outputs[1], model.forward([x])[1], rtol=1e-12)
    assert np.all((outputs[1] > 0) & (outputs[1] < 1))


def test_the_logged_loss_is_the_weighted_sum_of_the_outputs_losses():
    x, ys = data()
    model = two_headed()
    model.compile(optimizer=SGD(0.1), loss=["mse", "binary_crossentropy"], loss_weights=[1, 0.5])
    history = model.fit(x, ys, epochs=3, batch_size=10, verbose=0, validation_split=0.25)
    h = history.history
    assert list(h) == [
        "loss",
        "value_loss",
        "is_big_loss",
        "val_loss",
        "val_value_loss",
        "val_is_big_loss",
    ]
    # Per batch, loss = value_loss + 0.5 * is_big_loss; the epoch means keep that sum.
    for prefix in ("", "val_"):
        total = np.array(h[f"{prefix}value_loss"]) + 0.5 * np.array(h[f"{prefix}is_big_loss"])
        np.testing.assert_allclose(h[f"{prefix}loss"], total, rtol=1e-12)
    # evaluate: [loss, value_loss, is_big_loss], each from the predictions by hand.
    p_value, p_big = model.predict(x)
    mse = float(np.mean((p_value - ys[0]) ** 2))
    bce = float(np.mean(-(ys[1] * np.log(p_big) + (1 - ys[1]) * np.log(1 - p_big))))
    loss, value_loss, big_loss = model.evaluate(x, ys)
    assert value_loss == pytest.approx(mse, rel=1e-6) and big_loss == pytest.approx(bce, rel=1e-6)
    assert loss == pytest.approx(mse + 0.5 * bce, rel=1e-6)
    assert model.evaluate(x, ys, return_dict=True)["is_big_loss"] == big_loss


def test_one_step_follows_the_gradient_of_the_weighted_total():
    # After one SGD step of rate lr, w_new = w - lr * dL/dw with L = mse + 0.3 * bce.
    # dL/dw is taken numerically (central differences, float64) through the whole model.
    x, ys = data(n=8)
    model = two_headed()
    mse, bce = MeanSquaredError(), BinaryCrossentropy()

    def total_loss():
        p_value, p_big = model.forward([x])
        return float(mse(ys[0], p_value) + 0.3 * bce(ys[1], p_big))

    numeric = {}
    for layer in model.layers:
        for key, param in layer.params.items():

            def loss_of(value, param=param):
                saved = param.copy()
                param[...] = value
                result = total_loss()
                param[...] = saved
                return result

            numeric[layer.name, key] = gradcheck.numerical_gradient(loss_of, param.copy())
    before = {(layer.name, k): p.copy() for layer in model.layers for k, p in layer.params.items()}
    model.compile(optimizer=SGD(0.1), loss=[mse, bce], loss_weights=[1.0, 0.3])
    model.train_on_batch(x, ys)
    for layer in model.layers:
        for key, param in layer.params.items():
            step = (before[layer.name, key] - param) / 0.1
            error = gradcheck.relative_error(step, numeric[layer.name, key])
            assert error < 1e-6, (layer.name, key, error)


def test_dicts_keyed_by_output_names_mean_the_same_as_lists():
    x, ys = data()
    by_list, by_dict = two_headed(), two_headed()
    by_list.compile(SGD(0.1), loss=["mse", "binary_crossentropy"], loss_weights=[1.0, 0.5])
    by_dict.compile(
        SGD(0.1),
        loss={"is_big": "binary_crossentropy", "value": "mse"},
        loss_weights={"is_big": 0.5},  # "value" is missing: weight 1
    )
    a = by_list.fit(x, ys, epochs=2, batch_size=10, verbose=0, shuffle=False)
    b = by_dict.fit(
        x, {"value": ys[0], "is_big": ys[1]}, epochs=2, batch_size=10, verbose=0, shuffle=False
    )
    assert a.history == b.history


def test_one_loss_serves_every_output_and_metrics_are_named_per_output():
    x, ys = data()
    model = two_headed()
    model.compile(SGD(0.1), loss="mse", metrics=[["mae"], ["accuracy"]])
    logs = model.evaluate(x, ys, return_dict=True)
    assert list(logs) == ["loss", "value_loss", "is_big_loss", "value_mae", "is_big_accuracy"]
    assert logs["loss"] == pytest.approx(logs["value_loss"] + logs["is_big_loss"], rel=1e-12)
    p_value, p_big = model.predict(x)
    assert logs["value_mae"] == pytest.approx(float(np.mean(np.abs(p_value - ys[0]))))
    assert logs["is_big_accuracy"] == pytest.approx(float(np.mean((p_big > 0.5) == ys[1])))


def test_an_output_that_feeds_another_gets_both_gradients():
    # "first" is an output and also the input of "second": dL/d(first) adds both paths.
    x_in = Input((3,))
    first = Dense(2, activation="tanh", name="first")(x_in)
    second = Dense(1, name="second")(first)
    model = Model(x_in, [first, second], seed=0, dtype="float64")
    rng = np.random.default_rng(2)
    x, r1, r2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 2)), rng.normal(size=(5, 1))

    def loss(x_value):
        a, b = model.forward([x_value])
        return float(np.sum(a * r1) + np.sum(b * r2))

    model.forward([x])
    (dx,) = model.backward([r1, r2])
    assert gradcheck.relative_error(dx, gradcheck.numerical_gradient(loss, x)) < 1e-7


@pytest.mark.parametrize(
    "compile_args, message",
    [
        ({"loss": ["mse"]}, r"2 outputs \['value', 'is_big'\], so loss must be a list of 2"),
        ({"loss": {"value": "mse"}}, r"loss names outputs \['value'\], but the model's"),
        ({"loss": "mse", "loss_weights": {"size": 2}}, r"loss_weights names outputs \['size'\]"),
        ({"loss": "mse", "loss_weights": [1, -1]}, "a loss weight must be a finite number >= 0"),
        ({"loss": "mse", "metrics": ["mae"]}, r"so metrics must be a list of 2 entries"),
        ({"loss": "mse", "metrics": ["mae", "mae"]}, "metrics of output 'value' must be a list"),
    ],
)
def test_compile_says_what_each_output_needs(compile_args, message):
    with pytest.raises((ValueError, TypeError), match=message):
        two_headed().compile("sgd", **compile_args)


def test_fit_says_when_the_targets_do_not_match_the_outputs():
    x, ys = data()
    model = two_headed()
    model.compile("sgd", loss="mse")
    with pytest.raises(ValueError, match=r"2 outputs \['value', 'is_big'\]: expected a list of 2"):
        model.fit(x, ys[0], verbose=0)
    with pytest.raises(ValueError, match="40 inputs but 39 targets of output 'is_big'"):
        model.fit(x, [ys[0], ys[1][:39]], verbose=0)
    with pytest.raises(ValueError, match="the same tensor is given twice among the outputs"):
        x_in = Input((3,))
        out = Dense(1)(x_in)
        Model(x_in, [out, out])


def test_matches_pytorch_with_a_frozen_trunk_and_two_weighted_heads():
    # The same network in PyTorch (float64, same initial weights): trunk frozen, loss
    # mse(value) + 0.5 * bce(is_big), Adam with a tiny epsilon (Keras adds it before the
    # bias correction, PyTorch after; the two agree when it is negligible). Five full-batch
    # steps, then every weight must agree.
    torch = pytest.importorskip("torch")
    from byhand.optimizers import Adam

    x, ys = data()
    model = two_headed()
    model.layers[0].trainable = False
    start = model.get_weights()
    model.compile(Adam(0.05, epsilon=1e-12), ["mse", "binary_crossentropy"], [1.0, 0.5])
    model.fit(x, ys, epochs=5, batch_size=len(x), shuffle=False, verbose=0)

    def linear(kernel, bias, trainable=True):
        layer = torch.nn.Linear(*kernel.shape).double()
        layer.weight.data = torch.tensor(kernel.T.copy())
        layer.bias.data = torch.tensor(bias)
        layer.requires_grad_(trainable)
        return layer

    trunk = linear(start[0], start[1], trainable=False)
    value, is_big = linear(start[2], start[3]), linear(start[4], start[5])
    params = [*value.parameters(), *is_big.parameters()]
    adam = torch.optim.Adam(params, lr=0.05, eps=1e-12)
    tx, t_value, t_big = (torch.tensor(a) for a in (x, *ys))
    for _ in range(5):
        adam.zero_grad()
        h = torch.tanh(trunk(tx))
        loss = torch.nn.functional.mse_loss(value(h), t_value)
        p = torch.sigmoid(is_big(h))
        loss = loss + 0.5 * torch.nn.functional.binary_cross_entropy(p, t_big)
        loss.backward()
        adam.step()
    theirs = [trunk.weight.T, trunk.bias, value.weight.T, value.bias, is_big.weight.T, is_big.bias]
    for ours, their in zip(model.get_weights(), theirs, strict=True):
        np.testing.assert_allclose(ours, their.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(model.get_weights()[0], start[0])  # the frozen trunk


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's torch backend and NumPy 2
def test_history_names_and_values_match_keras():
    # Keras 3 (PyTorch backend), same weights, same batches (shuffle=False), float32: the
    # History of a two-output model has the same keys and, epoch by epoch, the same values.
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    x, ys = data()
    x_in = Input((3,))
    trunk = Dense(6, activation="tanh", name="trunk")(x_in)
    value = Dense(1, name="value")(trunk)
    is_big = Dense(1, activation="sigmoid", name="is_big")(trunk)
    ours = Model(x_in, [value, is_big], seed=0)  # float32, as Keras
    k_in = keras.Input((3,))
    k_trunk = keras.layers.Dense(6, activation="tanh", name="trunk")(k_in)
    k_value = keras.layers.Dense(1, name="value")(k_trunk)
    k_big = keras.layers.Dense(1, activation="sigmoid", name="is_big")(k_trunk)
    theirs = keras.Model(k_in, [k_value, k_big])
    theirs.set_weights(ours.get_weights())
    settings = {
        "loss": ["mse", "binary_crossentropy"],
        "loss_weights": [1.0, 0.5],
        "metrics": [["mae"], ["accuracy"]],
    }
    ours.compile(SGD(0.1), **settings)
    theirs.compile(keras.optimizers.SGD(0.1), **settings)
    fit = {"epochs": 3, "batch_size": 10, "shuffle": False, "verbose": 0, "validation_split": 0.25}
    a = ours.fit(x.astype("float32"), [y.astype("float32") for y in ys], **fit).history
    b = theirs.fit(x.astype("float32"), [y.astype("float32") for y in ys], **fit).history
    assert set(a) == set(b)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-5, atol=1e-6, err_msg=key)
