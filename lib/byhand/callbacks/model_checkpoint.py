"""ModelCheckpoint: save the weights during training."""

from __future__ import annotations

from byhand.callbacks.callback import Callback
from byhand.callbacks.monitor import Monitor
from byhand.checks import check_path


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
        self.watch = Monitor("ModelCheckpoint", monitor, mode, 0)

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
