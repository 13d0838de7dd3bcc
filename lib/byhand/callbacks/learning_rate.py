"""Callbacks that change the optimizer's learning rate between epochs."""

from __future__ import annotations

import inspect
import math

from byhand.callbacks.callback import Callback
from byhand.callbacks.monitor import Monitor
from byhand.checks import check_int, check_number, is_number


def _number_rate(owner, optimizer):
    """The optimizer's learning rate, which must be a number for a callback to change it."""
    rate = optimizer.learning_rate
    if callable(rate):
        raise TypeError(
            f"{owner}: the optimizer's learning_rate is a schedule, {rate!r}, but this callback "
            f"sets the rate itself and needs a number: use one or the other"
        )
    return float(rate)


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
        self.watch = Monitor(owner, monitor, mode, min_delta)
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
