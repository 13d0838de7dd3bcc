"""Callbacks: code that `fit` runs at fixed points of the training loop.

The loop calls these hooks, in this order:

    on_train_begin
        on_epoch_begin(epoch)
            on_batch_begin(batch) ... on_batch_end(batch, logs)    for every batch
        on_epoch_end(epoch, logs)       logs: {"loss": ..., "accuracy": ..., "val_loss": ...}
    on_train_end

A callback sees the model as `self.model` and talks to the loop only through `logs` and
`self.model.stop_training = True`, which ends training after the current batch. Each callback
resets its own state in `on_train_begin`, so one instance can serve several `fit` calls.
Names, arguments and defaults follow Keras 3; epochs are counted from 0, as in Keras.
"""

from __future__ import annotations

import csv
import inspect
import math
import os
import warnings

from byhand.checks import check_int, check_number, check_path, is_number


def _number_rate(owner, optimizer):
    """The optimizer's learning rate, which must be a number for a callback to change it."""
    rate = optimizer.learning_rate
    if callable(rate):
        raise TypeError(
            f"{owner}: the optimizer's learning_rate is a schedule, {rate!r}, but this callback "
            f"sets the rate itself and needs a number: use one or the other"
        )
    return float(rate)


class Callback:
    """The base class: every hook does nothing. Subclass it and override what you need."""

    def __init__(self):
        self.model = None

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass


class History(Callback):
    """Records every epoch's logs: `history.history["val_loss"][k]` is epoch k's value.

    `fit` always adds one and returns it.
    """

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)


class _Monitor:
    """Which way is better for a logged quantity, and whether a value improves on another.

    mode "min": better means smaller by more than min_delta; "max": larger by more than
    min_delta; "auto": "max" for accuracies and AUC, "min" for everything else (losses).
    """

    def __init__(self, owner, monitor, mode, min_delta):
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}")
        if not isinstance(monitor, str):
            raise TypeError(f"{owner}: monitor must be a name such as 'val_loss', got {monitor!r}")
        min_delta = check_number(owner, "min_delta", min_delta)
        if mode == "auto":
            maximize = monitor.endswith(("acc", "accuracy", "auc", "precision", "recall", "f1"))
            mode = "max" if maximize else "min"
        self.owner, self.monitor, self.mode, self.min_delta = owner, monitor, mode, abs(min_delta)
        self.worst = -math.inf if mode == "max" else math.inf

    def improves(self, value, reference):
        if self.mode == "max":
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def read(self, logs):
        """The monitored value from `logs`, or None (with a warning naming what is there)."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"{self.owner}: the monitored quantity {self.monitor!r} is not in the logs, "
                f"which have {sorted(logs or {})}; pass validation data for 'val_' names",
                stacklevel=3,
            )
        return value


class EarlyStopping(Callback):
    """Stop training once `monitor` has not improved for `patience` epochs in a row.

    With restore_best_weights=True, the weights of the best epoch are put back when training
    is stopped early (as in Keras: not when `fit` simply runs out of epochs).
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__()
        self.watch = _Monitor("EarlyStopping", monitor, mode, min_delta)
        patience = check_int("EarlyStopping", "patience", patience)
        start_from_epoch = check_int("EarlyStopping", "start_from_epoch", start_from_epoch)
        if baseline is not None:
            baseline = check_number("EarlyStopping", "baseline", baseline)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = self.watch.worst
        self.best_epoch = 0
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        value = self.watch.read(logs)
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # so there is always one to restore
        self.wait += 1
        if self.watch.improves(value, self.best):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.watch.improves(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.verbose:
            print(
                f"Epoch {self.stopped_epoch + 1}: early stopping (best epoch {self.best_epoch + 1})"
            )


class ModelCheckpoint(Callback):
    """Save the model's weights (a .npz file) after every epoch, or only when `monitor` improves.

    `filepath` may hold format fields: the epoch (counted from 1) and any logged value, e.g.
    "ckpt/epoch{epoch:02d}-{val_loss:.3f}.weights.npz".
    """

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=True,
        mode="auto",
    ):
        super().__init__()
        if not save_weights_only:
            raise ValueError(
                "ModelCheckpoint: byhand saves weights only (a .npz file); "
                "got save_weights_only=False"
            )
        filepath = check_path("ModelCheckpoint", filepath)
        self.filepath, self.verbose, self.save_best_only = filepath, verbose, save_best_only
        self.watch = _Monitor("ModelCheckpoint", monitor, mode, 0)

    def on_train_begin(self, logs=None):
        self.best = self.watch.worst

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = self.watch.read(logs)
            if value is None or not self.watch.improves(value, self.best):
                return
            self.best = value
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as error:  # a {name} that is not in the logs
            raise ValueError(
                f"ModelCheckpoint: no value for {error} in the filepath {self.filepath!r}; "
                f"the names available are {['epoch', *logs]} (pass validation data for "
                f"'val_' names)"
            ) from None
        self.model.save_weights(path)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved weights to {path}")


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of every epoch.

    `schedule(epoch, learning_rate) -> new learning_rate`, epoch counted from 0 (Keras 3).
    A function of the epoch alone, `schedule(epoch)` (the Keras 2 form), works too, and so
    does a schedule of byhand.schedules, its step being then the epoch.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                f"LearningRateScheduler: schedule must be a function (epoch, learning_rate) -> "
                f"learning_rate, got {schedule!r}"
            )
        self.schedule, self.verbose = schedule, verbose
        # Keras 3 calls schedule(epoch) when schedule(epoch, learning_rate) raises a TypeError;
        # reading the signature instead keeps a TypeError from inside the schedule visible.
        self.takes_rate = _takes_two_arguments(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        rate = _number_rate("LearningRateScheduler", optimizer)
        rate = self.schedule(epoch, rate) if self.takes_rate else self.schedule(epoch)
        if not is_number(rate) or not 0 <= rate < math.inf:
            raise ValueError(
                f"LearningRateScheduler: schedule returned {rate!r} for epoch {epoch}; "
                f"expected a finite number >= 0"
            )
        rate = float(rate)
        optimizer.learning_rate = rate
        if self.verbose:
            print(f"Epoch {epoch + 1}: learning rate {rate:g}")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


def _takes_two_arguments(function):
    """Whether function(epoch, learning_rate) is a valid call (False for lambda epoch: ...)."""
    try:
        inspect.signature(function).bind(0, 0.1)
    except TypeError:
        return False
    except ValueError:  # no signature to read (some built-ins): assume the Keras 3 form
        return True
    return True


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` once `monitor` stalls for `patience` epochs."""

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
    ):
        super().__init__()
        owner = "ReduceLROnPlateau"
        if not is_number(factor) or not 0 < factor < 1:
            raise ValueError(f"{owner}: factor must be a number in (0, 1), got {factor!r}")
        self.watch = _Monitor(owner, monitor, mode, min_delta)
        patience = check_int(owner, "patience", patience)
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown = check_int(owner, "cooldown", cooldown)
        self.min_lr = check_number(owner, "min_lr", min_lr, 0)

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.cooldown_counter = 0
        self.best = self.watch.worst

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        rate = _number_rate("ReduceLROnPlateau", optimizer)
        logs = logs if logs is not None else {}
        logs["learning_rate"] = rate
        value = self.watch.read(logs)
        if value is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.watch.improves(value, self.best):
            self.best, self.wait = value, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience and rate > self.min_lr:
                optimizer.learning_rate = max(rate * self.factor, self.min_lr)
                self.cooldown_counter, self.wait = self.cooldown, 0
                if self.verbose:
                    print(
                        f"Epoch {epoch + 1}: learning rate reduced to {optimizer.learning_rate:g}"
                    )


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: invalid loss {loss}, terminating training")
            self.model.stop_training = True


class CSVLogger(Callback):
    """Write one row per epoch (the epoch, then every logged value) to a CSV file.

    With append=True the rows go under the header already in the file, which must then
    name the same columns (Keras writes them under a header that may not match).
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(
                f"CSVLogger: separator must be one character such as ',' or ';', got {separator!r}"
            )
        filename = check_path("CSVLogger", filename)
        self.filename, self.separator, self.append = filename, separator, append

    def on_train_begin(self, logs=None):
        self.header = None  # the columns already in the file, when appending to one
        if self.append and os.path.isfile(self.filename):
            with open(self.filename, newline="") as old:
                self.header = next(csv.reader(old, delimiter=self.separator), None)
        self.file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch, **(logs or {})}
        if self.writer is None:
            if self.header is not None and self.header != list(row):
                self.file.close()
                raise ValueError(
                    f"CSVLogger: {self.filename} has the columns {self.header}, but this run "
                    f"logs {list(row)}; append=True needs the same ones (or use a new file)"
                )
            self.writer = csv.DictWriter(self.file, fieldnames=list(row), delimiter=self.separator)
            if self.header is None:
                self.writer.writeheader()
        self.writer.writerow(row)
        self.file.flush()

    def on_train_end(self, logs=None):
        self.file.close()
