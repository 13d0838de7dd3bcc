"""EarlyStopping: end training once the monitored quantity stops improving."""

from __future__ import annotations

from byhand.callbacks.callback import Callback
from byhand.callbacks.monitor import Monitor
from byhand.checks import check_int, check_number


class EarlyStopping(Callback):
    """Stop training once `monitor` has not improved for `patience` epochs in a row.

    With restore_best_weights=True, the weights of the best epoch are put back when training
    ends, whether this callback stopped it or `fit` ran out of epochs with the best epoch
    earlier than the last. That is Keras 3's rule; Keras 2 restored only when it stopped
    training early.
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
        self.watch = Monitor("EarlyStopping", monitor, mode, min_delta)
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
            self.best_epoch = epoch
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

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.verbose:
            print(
                f"Epoch {self.stopped_epoch + 1}: early stopping (best epoch {self.best_epoch + 1})"
            )
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring the weights of the best epoch, {self.best_epoch + 1}")
            self.model.set_weights(self.best_weights)
