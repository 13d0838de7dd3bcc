"""Watching one logged quantity: which way is better, and whether a value improves."""

from __future__ import annotations

import math
import warnings

from byhand.checks import check_number


class Monitor:
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
