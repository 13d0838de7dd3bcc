"""CSVLogger: one row per epoch in a CSV file."""

from __future__ import annotations

import csv
import os

from byhand.callbacks.callback import Callback
from byhand.checks import check_path


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
