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
Names, arguments and defaults follow Keras 3; epochs are counted from 0, as in Keras. As in
Keras, each callback has its own module here; `Monitor` (monitor.py) is what EarlyStopping,
ModelCheckpoint and ReduceLROnPlateau share.
"""

from byhand.callbacks.callback import Callback, History
from byhand.callbacks.csv_logger import CSVLogger
from byhand.callbacks.early_stopping import EarlyStopping
from byhand.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from byhand.callbacks.model_checkpoint import ModelCheckpoint
from byhand.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "History",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
]
