"""Callbacks, driven by hand with known sequences of logged values (Keras 3 semantics)."""

import csv
import math

import numpy as np
import pytest

from byhand.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from byhand.schedules import ExponentialDecay


class FakeOptimizer:
    def __init__(self, learning_rate=0.1):
        self.learning_rate = learning_rate


class FakeModel:
    """Just what callbacks touch: weights, stop_training, optimizer, save_weights."""

    def __init__(self):
        self.weights = [np.zeros(2)]
        self.stop_training = False
        self.optimizer = FakeOptimizer()
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]

    def save_weights(self, path):
        self.saved.append(path)


def run(callback, values, key="val_loss", model=None):
    """Feed one logged value per epoch; the weights record the epoch number.

    Returns the epochs that ran (training stops when the callback sets stop_training).
    """
    model = model or FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    ran = []
    for epoch, value in enumerate(values):
        model.weights = [np.full(2, float(epoch))]
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {key: value})
        ran.append(epoch)
        if model.stop_training:
            break
    callback.on_train_end()
    return ran, model


def test_base_callback_hooks_do_nothing():
    callback = Callback()
    for hook in ("on_train_begin", "on_train_end"):
        getattr(callback, hook)({})
    callback.on_epoch_begin(0)
    callback.on_epoch_end(0, {})
    callback.on_batch_begin(0)
    callback.on_batch_end(0, {})


def test_history_records_every_epoch_and_resets_on_train_begin():
    history = History()
    run(history, [3.0, 2.0, 1.0])
    assert history.history == {"val_loss": [3.0, 2.0, 1.0]}
    assert history.epoch == [0, 1, 2]
    run(history, [5.0])
    assert history.history == {"val_loss": [5.0]}


def test_early_stopping_counts_epochs_without_improvement():
    # epoch 0: best 1.0 | 1: 0.9 improves, wait 0 | 2: 0.95 wait 1 | 3: 0.96 wait 2 >= 2 -> stop
    stopper = EarlyStopping(patience=2)
    ran, model = run(stopper, [1.0, 0.9, 0.95, 0.96, 0.5])
    assert ran == [0, 1, 2, 3]
    assert stopper.stopped_epoch == 3 and stopper.best == 0.9 and stopper.best_epoch == 1
    assert model.weights[0][0] == 3.0  # not restored: restore_best_weights is False


def test_early_stopping_restores_the_best_epochs_weights():
    ran, model = run(EarlyStopping(patience=1, restore_best_weights=True), [1.0, 0.5, 0.7, 0.1])
    assert ran == [0, 1, 2]
    assert model.weights[0][0] == 1.0  # epoch 1 had the best val_loss


def test_early_stopping_restores_the_best_weights_also_when_fit_runs_out_of_epochs():
    # Keras 3 restores in on_train_end. patience 5 never runs out over 3 epochs:
    # e0 1.0 best | e1 0.5 best (weights 1.0) | e2 0.7 wait 1; training ends after e2 with
    # the weights of e2 (2.0) in the model, and the callback puts back those of e1.
    stopper = EarlyStopping(patience=5, restore_best_weights=True)
    ran, model = run(stopper, [1.0, 0.5, 0.7])
    assert ran == [0, 1, 2] and stopper.stopped_epoch == 0
    assert stopper.best_epoch == 1 and model.weights[0][0] == 1.0
    # Without restore_best_weights the last epoch's weights stay.
    _, model = run(EarlyStopping(patience=5), [1.0, 0.5, 0.7])
    assert model.weights[0][0] == 2.0


def test_early_stopping_restores_only_at_the_end_of_training():
    # Stopping sets stop_training at e2; the weights change back only in on_train_end, after
    # every other callback has seen epoch 2 (a checkpoint of e2 saves e2's weights).
    stopper = EarlyStopping(patience=1, restore_best_weights=True)
    model = FakeModel()
    stopper.set_model(model)
    stopper.on_train_begin()
    for epoch, value in enumerate([1.0, 0.5, 0.7]):
        model.weights = [np.full(2, float(epoch))]
        stopper.on_epoch_end(epoch, {"val_loss": value})
    assert model.stop_training and model.weights[0][0] == 2.0
    stopper.on_train_end()
    assert model.weights[0][0] == 1.0


def test_early_stopping_patience_zero_stops_at_the_first_non_improvement():
    ran, _ = run(EarlyStopping(), [1.0, 0.9, 0.95, 0.8])
    assert ran == [0, 1, 2]


def test_early_stopping_min_delta_ignores_tiny_improvements():
    # 1.0 -> 0.995 is an improvement of 0.005 < min_delta 0.01: it does not count.
    ran, _ = run(EarlyStopping(min_delta=0.01, patience=1), [1.0, 0.995, 0.5])
    assert ran == [0, 1]


def test_early_stopping_auto_mode_maximizes_accuracies():
    stopper = EarlyStopping(monitor="val_accuracy", patience=1)
    ran, _ = run(stopper, [0.5, 0.6, 0.55, 0.9], key="val_accuracy")
    assert ran == [0, 1, 2] and stopper.best == 0.6


def test_early_stopping_baseline_must_be_beaten():
    # Without a baseline: e0 best 1.0, wait 0 | e1 wait 1 | e2 wait 2 >= 2 -> stop at e2.
    ran, _ = run(EarlyStopping(patience=2), [1.0, 1.1, 1.2, 1.3])
    assert ran == [0, 1, 2]
    # With baseline 0.5: e0's 1.0 is the best so far but misses the baseline, so its wait
    # is not reset (wait 1) | e1 wait 2 >= 2 -> stop one epoch earlier.
    ran, _ = run(EarlyStopping(patience=2, baseline=0.5), [1.0, 1.1, 1.2, 1.3])
    assert ran == [0, 1]


def test_early_stopping_waits_for_start_from_epoch():
    ran, _ = run(EarlyStopping(patience=0, start_from_epoch=2), [1.0, 2.0, 3.0, 4.0, 5.0])
    assert ran == [0, 1, 2, 3]


def test_missing_monitor_warns_with_the_available_names():
    with pytest.warns(UserWarning, match=r"'val_loss' is not in the logs, which have \['loss'\]"):
        ran, model = run(EarlyStopping(), [1.0, 2.0], key="loss")
    assert ran == [0, 1] and not model.stop_training


def test_bad_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max', got 'lowest'"):
        EarlyStopping(mode="lowest")


def test_checkpoint_saves_every_epoch_with_formatted_names():
    checkpoint = ModelCheckpoint("w-{epoch:02d}-{val_loss:.2f}.npz")
    _, model = run(checkpoint, [0.5, 0.25])
    assert model.saved == ["w-01-0.50.npz", "w-02-0.25.npz"]  # epochs counted from 1


def test_checkpoint_save_best_only_keeps_improvements():
    _, model = run(ModelCheckpoint("best-{epoch}.npz", save_best_only=True), [0.5, 0.7, 0.4, 0.45])
    assert model.saved == ["best-1.npz", "best-3.npz"]


def test_checkpoint_names_a_missing_format_field():
    checkpoint = ModelCheckpoint("ck{val_loss:.2f}.npz")
    message = (
        r"no value for 'val_loss' in the filepath 'ck\{val_loss:.2f\}.npz'; .* \['epoch', 'loss'\]"
    )
    with pytest.raises(ValueError, match=message):
        run(checkpoint, [0.5], key="loss")


def test_checkpoint_weights_only():
    with pytest.raises(ValueError, match="weights only"):
        ModelCheckpoint("x.npz", save_weights_only=False)


def test_learning_rate_scheduler_sets_the_rate_each_epoch_and_logs_it():
    scheduler = LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)
    model = FakeModel()
    scheduler.set_model(model)
    rates = []
    for epoch in range(3):
        scheduler.on_epoch_begin(epoch)
        logs = {}
        scheduler.on_epoch_end(epoch, logs)
        rates.append(logs["learning_rate"])
    assert rates == [0.1, 0.05, 0.025]


def test_learning_rate_scheduler_rejects_bad_rates():
    scheduler = LearningRateScheduler(lambda epoch, lr: -1.0)
    scheduler.set_model(FakeModel())
    with pytest.raises(ValueError, match="returned -1.0 for epoch 0"):
        scheduler.on_epoch_begin(0)


def test_learning_rate_scheduler_takes_a_function_of_the_epoch_alone():
    # Keras 3 falls back to schedule(epoch) for the Keras 2 form; a byhand schedule works too.
    for schedule, expected in [
        (lambda epoch: 0.1 / (epoch + 1), [0.1, 0.05, 0.1 / 3]),
        (ExponentialDecay(0.2, decay_steps=1, decay_rate=0.5), [0.2, 0.1, 0.05]),
    ]:
        scheduler = LearningRateScheduler(schedule)
        model = FakeModel()
        scheduler.set_model(model)
        rates = []
        for epoch in range(3):
            scheduler.on_epoch_begin(epoch)
            rates.append(model.optimizer.learning_rate)
        assert rates == pytest.approx(expected)


def test_learning_rate_scheduler_keeps_a_type_error_of_the_schedule_visible():
    scheduler = LearningRateScheduler(lambda epoch, lr: lr * "2")
    scheduler.set_model(FakeModel())
    with pytest.raises(TypeError, match="can't multiply sequence"):
        scheduler.on_epoch_begin(0)


@pytest.mark.parametrize("returned", [None, "0.1", math.nan])
def test_learning_rate_scheduler_names_the_epoch_and_the_bad_value(returned):
    scheduler = LearningRateScheduler(lambda epoch: returned)
    scheduler.set_model(FakeModel())
    with pytest.raises(ValueError, match=f"returned {returned!r} for epoch 0; expected a finite"):
        scheduler.on_epoch_begin(0)


@pytest.mark.parametrize("callback", [LearningRateScheduler(lambda e, lr: lr), ReduceLROnPlateau()])
def test_rate_changing_callbacks_need_a_number_learning_rate(callback):
    model = FakeModel()
    model.optimizer.learning_rate = ExponentialDecay(0.1, 10, 0.9)
    callback.set_model(model)
    callback.on_train_begin()
    with pytest.raises(TypeError, match=r"learning_rate is a schedule, ExponentialDecay\(.*"):
        callback.on_epoch_begin(0)
        callback.on_epoch_end(0, {"val_loss": 1.0})


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: EarlyStopping(monitor=None), TypeError, "monitor must be a name .* got None"),
        (lambda: EarlyStopping(min_delta="0.1"), ValueError, "min_delta must be .* got '0.1'"),
        (lambda: EarlyStopping(patience="2"), ValueError, "patience must be an int >= 0"),
        (lambda: EarlyStopping(patience=-1), ValueError, "patience must be an int >= 0, got -1"),
        (lambda: EarlyStopping(baseline="1"), ValueError, "baseline must be a finite number"),
        (lambda: ReduceLROnPlateau(factor="0.5"), ValueError, r"factor .* \(0, 1\), got '0.5'"),
        (lambda: ReduceLROnPlateau(cooldown=None), ValueError, "cooldown must be an int >= 0"),
        (lambda: ReduceLROnPlateau(min_lr=-1), ValueError, "min_lr must be a number >= 0"),
        (lambda: ModelCheckpoint(None), TypeError, "file path must be a str .* got None"),
        (lambda: CSVLogger(None), TypeError, "file path must be a str .* got None"),
        (lambda: CSVLogger("x.csv", separator=";;"), ValueError, "separator must be one char"),
        (lambda: LearningRateScheduler(0.1), TypeError, "schedule must be a function"),
    ],
)
def test_bad_arguments_are_refused_at_construction(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_reduce_lr_on_plateau_with_cooldown_and_floor():
    # patience 1, cooldown 2, as Keras 3 counts (the cooldown counter drops before the check):
    # e0 best 1.0 | e1 no gain: wait 1 -> lr 0.1 * 0.5 = 0.05, cooldown 2
    # e2 cooldown 2 -> 1: still cooling, no wait | e3 cooldown 1 -> 0, no gain: wait 1 ->
    # lr 0.025, raised to the floor 0.03 | e4 lr is at the floor: no change
    reducer = ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2, min_lr=0.03)
    model = FakeModel()
    rates = []
    reducer.set_model(model)
    reducer.on_train_begin()
    for epoch, value in enumerate([1.0, 1.0, 1.0, 1.0, 1.0]):
        reducer.on_epoch_end(epoch, {"val_loss": value})
        rates.append(model.optimizer.learning_rate)
    assert rates == pytest.approx([0.1, 0.05, 0.05, 0.03, 0.03])


def test_reduce_lr_on_plateau_resets_on_improvement():
    reducer = ReduceLROnPlateau(factor=0.5, patience=2)
    _, model = run(reducer, [1.0, 0.9, 0.8, 0.7])
    assert model.optimizer.learning_rate == 0.1


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_terminate_on_nan(bad):
    model = FakeModel()
    callback = TerminateOnNaN()
    callback.set_model(model)
    callback.on_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    callback.on_batch_end(1, {"loss": bad})
    assert model.stop_training


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.set_model(FakeModel())
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 1.5, "val_loss": 2.0})
    logger.on_epoch_end(1, {"loss": 1.0, "val_loss": 1.8})
    logger.on_train_end()
    rows = list(csv.DictReader(path.open()))
    assert rows == [
        {"epoch": "0", "loss": "1.5", "val_loss": "2.0"},
        {"epoch": "1", "loss": "1.0", "val_loss": "1.8"},
    ]
    appender = CSVLogger(path, append=True)
    appender.on_train_begin()
    appender.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.9})
    appender.on_train_end()
    assert len(list(csv.DictReader(path.open()))) == 3  # no second header
    other_columns = CSVLogger(path, append=True)
    other_columns.on_train_begin()
    with pytest.raises(ValueError, match=r"has the columns \['epoch', 'loss', 'val_loss'\], but"):
        other_columns.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.9})
    assert len(list(csv.DictReader(path.open()))) == 3  # nothing written


def test_csv_logger_with_another_separator(tmp_path):
    path = tmp_path / "log.csv"
    for append in (False, True):
        logger = CSVLogger(path, separator=";", append=append)
        logger.on_train_begin()
        logger.on_epoch_end(0, {"loss": 1.5})
        logger.on_train_end()
    assert path.read_text().splitlines() == ["epoch;loss", "0;1.5", "0;1.5"]
