"""User input is checked where it enters, once per call; the inner training path trusts it.

fit checks its targets as the loss reads them (`losses.check_targets`) and the model's first
outputs (`losses.check_predictions`) once, before the first epoch; every batch then calls
the loss's unchecked `_value_and_gradient`. These tests count the checks and make sure the
clear errors still come, now before any weight has changed.
"""

import numpy as np
import pytest

from byhand import losses
from byhand.functional import topological_order
from byhand.layers import Dense
from byhand.model import Input, Model, Sequential
from byhand.model_io import WeightsAndSummary


def _counting(monkeypatch, name):
    calls = []
    original = getattr(losses, name)

    def counted(*args, **kwargs):
        calls.append(args[1:2])
        return original(*args, **kwargs)

    monkeypatch.setattr(losses, name, counted)
    return calls


def _classes(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    return x, (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)  # labels 0, 1, 2


def test_fit_checks_its_targets_once_per_call_not_once_per_batch(monkeypatch):
    x, y = _classes()
    model = Sequential([Input((4,)), Dense(3)], seed=0)
    model.compile(optimizer="sgd", loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    targets = _counting(monkeypatch, "check_targets")
    predictions = _counting(monkeypatch, "check_predictions")
    everything = _counting(monkeypatch, "check_loss_inputs")
    model.fit(x, y, batch_size=4, epochs=3, verbose=0)  # 10 batches a epoch, 30 in all
    assert len(targets) == 1 and len(predictions) == 1 and everything == []


def test_training_on_checked_targets_gives_the_numbers_of_the_checked_loss():
    # The per-batch loss is computed on targets checked (and one-hot encoded) up front:
    # one full batch of SGD must log exactly the loss that the public loss call gives.
    x, y = _classes()
    model = Sequential([Input((4,)), Dense(3)], seed=0)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer="sgd", loss=loss)
    expected = loss(y, model.predict(x))
    history = model.fit(x, y, batch_size=len(y), epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("loss", "y", "message"),
    [
        ("sparse_categorical_crossentropy", np.full(40, 3), r"labels must lie in 0..2"),
        ("sparse_categorical_crossentropy", np.full(40, 0.5), r"integer class indices"),
        ("categorical_crossentropy", np.full((40, 2), 0.5), r"y_true has shape \(40, 2\)"),
        ("mse", np.zeros((40, 2)), r"y_true has shape \(40, 2\) but y_pred has shape \(40, 3\)"),
        # a linear output read as probabilities: the first outputs are checked once
        ("categorical_crossentropy", np.eye(3)[np.zeros(40, int)], r"it looks like logits"),
    ],
)
def test_bad_targets_or_outputs_stop_fit_before_any_weight_changes(loss, y, message):
    x, _ = _classes()
    model = Sequential([Input((4,)), Dense(3)], seed=0)
    model.compile(optimizer="sgd", loss=loss)
    before = model.get_weights()
    with pytest.raises(ValueError, match=message):
        model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_train_on_batch_checks_like_fit():
    x, _ = _classes()
    model = Sequential([Input((4,)), Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(ValueError, match="it looks like logits"):
        model.train_on_batch(x * 100, np.ones(40))
    with pytest.raises(ValueError, match=r"y_true .*\[0, 1\]"):
        model.train_on_batch(x, np.full(40, 2.0))


def test_the_loss_formulas_trust_their_arrays_and_the_public_calls_check_them():
    loss = losses.MeanSquaredError()
    y, p = np.array([[1.0], [3.0]]), np.array([[2.0], [5.0]])
    # L = ((1 - 2)**2 + (3 - 5)**2) / 2 = 2.5;  dL/dp = 2 * (p - y) / 2 = [[1], [2]]
    value, grad = loss._value_and_gradient(y, p)
    assert value == 2.5 and grad.tolist() == [[1.0], [2.0]]
    assert loss._value_and_gradient(y, np.array([[np.nan], [5.0]]))[0] != 2.5  # no check here
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        loss(y, np.array([[np.nan], [5.0]]))


def test_the_graph_walk_handles_more_layers_than_the_recursion_limit():
    x = Input((2,))
    tensor = x
    for _ in range(1500):
        tensor = Dense(2)(tensor)
    order = topological_order([x], [tensor])
    assert len(order) == 1501 and order[0] is x and order[-1] is tensor


def test_models_keep_their_weight_and_summary_methods():
    x = Input((3,))
    model = Model(x, Dense(2)(x), seed=0)
    assert isinstance(model, WeightsAndSummary)
    for name in ("get_weights", "set_weights", "save_weights", "load_weights", "summary"):
        assert callable(getattr(model, name)), name
    assert model.count_params() == 3 * 2 + 2
