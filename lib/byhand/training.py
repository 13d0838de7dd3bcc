"""The training loop that `Model` and `Sequential` share: compile, fit, evaluate, predict.

One epoch of `fit`, written out:

    order = rng.permutation(N)                       # shuffle indices, never the data
    for each batch of indices b in order:
        y_hat = model.forward(x[b], training=True)   # 1. forward
        loss  = loss_fn(y[b], y_hat) + penalties     # 2. loss (+ regularization)
        dy    = loss_fn.gradient(y[b], y_hat)        # 3. dL/dy_hat
        model.backward(dy)                           # 4. backward: every layer's grads
        optimizer.step(params, grads)                # 5. update
    evaluate on the validation data -> val_ logs; callbacks; stop if model.stop_training

Steps 2 and 3 are one call, `loss_fn.value_and_gradient`, which checks the batch once. When
one batch holds all the data, shuffling would change nothing but the order of a sum, so
it is skipped: lesson-sized models spend most of their time in such fixed costs.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from tqdm import tqdm

from byhand import losses, optimizers
from byhand.callbacks import Callback, History


def _accuracy(loss):
    """Keras's "accuracy": which kind depends on the loss (binary, categorical or sparse)."""
    threshold = 0.0 if getattr(loss, "from_logits", False) else 0.5
    if isinstance(loss, losses.BinaryCrossentropy):
        return lambda y, p: np.mean((p > threshold) == (y > 0.5))
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        return lambda y, p: np.mean(np.argmax(p, axis=-1) == np.reshape(y, -1))
    if isinstance(loss, losses.CategoricalCrossentropy):
        return lambda y, p: np.mean(np.argmax(p, axis=-1) == np.argmax(y, axis=-1))
    return lambda y, p: np.mean(y == p)  # Keras's plain Accuracy: exact equality


def _metric(name, loss):
    if name in ("accuracy", "acc"):
        return _accuracy(loss)
    try:
        metric_loss = losses.get(name)
    except ValueError:
        raise ValueError(
            f"compile: unknown metric {name!r}; use 'accuracy' or a loss name such as 'mae'"
        ) from None
    return metric_loss


class TrainingMixin:
    """compile / fit / evaluate / predict for a model with forward, backward and layers."""

    def _setup(self, seed, name, dtype):
        self.rng = np.random.default_rng(seed)
        self.name, self.dtype = name, np.dtype(dtype)
        self.optimizer = self.loss = None
        self.metrics = {}
        self.stop_training = False

    def _ensure_built(self, xs):
        """Functional models are built when made; Sequential may wait for data."""

    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics to log (names or objects)."""
        if loss is None:
            raise ValueError(f"{self.name}: compile needs a loss, e.g. loss='mse'")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        self.metrics = {name: _metric(name, self.loss) for name in metrics or []}

    # -- input checks -----------------------------------------------------------------
    def _inputs(self, x, where):
        """x as a list of float arrays (one per Input), checked for shape and NaN."""
        xs = list(x) if isinstance(x, (list, tuple)) else [x]
        xs = [np.asarray(a) for a in xs]
        self._ensure_built(xs)
        if len(xs) != len(self.input_shapes):
            raise ValueError(
                f"{self.name}.{where}: expected {len(self.input_shapes)} input arrays, "
                f"got {len(xs)}"
            )
        for k, (a, shape) in enumerate(zip(xs, self.input_shapes, strict=True)):
            if a.ndim != len(shape) + 1 or a.shape[1:] != shape:
                raise ValueError(
                    f"{self.name}.{where}: input {k} should have shape (N, "
                    f"{', '.join(map(str, shape))}), got {a.shape}"
                )
            # NaN spreads through min(): one pass over the data, no temporary as large as it.
            if not np.issubdtype(a.dtype, np.number) or (a.size and np.isnan(a.min())):
                raise ValueError(f"{self.name}.{where}: input {k} contains NaN or non-numbers")
        if len({len(a) for a in xs}) > 1:
            raise ValueError(f"{self.name}.{where}: inputs have different numbers of examples")
        return xs

    def _targets(self, y, n, where):
        y = np.asarray(y)
        if len(y) != n:
            raise ValueError(f"{self.name}.{where}: {n} inputs but {len(y)} targets")
        if np.issubdtype(y.dtype, np.floating) and np.isnan(y).any():
            raise ValueError(f"{self.name}.{where}: targets contain NaN")
        return y

    def _check_compiled(self, where):
        if self.optimizer is None:
            raise RuntimeError(
                f"{self.name}.{where}: call compile(optimizer, loss) first, "
                "e.g. model.compile(optimizer='adam', loss='mse')"
            )

    # -- one batch ----------------------------------------------------------------------
    def _params_and_grads(self):
        layers = self.layers
        params = [layer.params[key] for layer in layers for key in layer.params]
        grads = [layer.grads[key] for layer in layers for key in layer.params]
        return params, grads

    def _penalty(self):
        return sum(layer.regularization_loss() for layer in self.layers)

    def train_on_batch(self, x, y):
        """One step of gradient descent on one batch; returns the logs of that batch.

        A batch whose loss is NaN or infinite changes no weight: its gradients would turn
        every weight into NaN. fit then stops with an error, unless a callback such as
        TerminateOnNaN has already stopped training.
        """
        y_hat = self.forward(x, training=True)
        loss, dy = self.loss.value_and_gradient(y, y_hat)  # steps 2 and 3 in one call
        logs = {"loss": loss + self._penalty()}
        if math.isfinite(logs["loss"]):
            self.backward(dy, input_grads=False)
            self.optimizer.step(*self._params_and_grads())
        logs.update((name, float(metric(y, y_hat))) for name, metric in self.metrics.items())
        return logs

    def _batches(self, n, batch_size, order=None):
        """Each batch's indices into the data: slices of `order`, or plain slices (views)."""
        if order is None:
            return [slice(i, i + batch_size) for i in range(0, n, batch_size)]
        return [order[i : i + batch_size] for i in range(0, n, batch_size)]

    def _cast(self, xs, index):
        return [a[index].astype(self.dtype, copy=False) for a in xs]

    # -- fit / evaluate / predict ---------------------------------------------------------
    def fit(
        self,
        x,
        y,
        batch_size=32,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
    ):
        """Train for `epochs` passes over the data; returns the `History`."""
        self._check_compiled("fit")
        xs = self._inputs(x, "fit")
        y = self._targets(y, len(xs[0]), "fit")
        if not (isinstance(batch_size, int) and batch_size > 0):
            raise ValueError(
                f"{self.name}.fit: batch_size must be a positive int, got {batch_size!r}"
            )
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"{self.name}.fit: epochs must be an int >= 0, got {epochs!r}")
        if not 0 <= validation_split < 1:
            raise ValueError(f"{self.name}.fit: validation_split must be in [0, 1)")
        if validation_data is not None:  # checked once here, not at every epoch
            x_val = self._inputs(validation_data[0], "fit(validation_data)")
            validation_data = (x_val, self._targets(validation_data[1], len(x_val[0]), "fit"))
        elif validation_split > 0:
            # Like Keras: the LAST fraction of the data, taken before any shuffling.
            cut = int(len(y) * (1 - validation_split))
            validation_data = ([a[cut:] for a in xs], y[cut:])
            xs, y = [a[:cut] for a in xs], y[:cut]
        history = History()
        hooks = [history, *(callbacks or [])]
        for callback in hooks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"{self.name}.fit: callbacks must be Callback objects, got {callback!r}"
                )
            callback.set_model(self)
        self.stop_training = False
        for callback in hooks:
            callback.on_train_begin()
        for epoch in range(epochs):
            for callback in hooks:
                callback.on_epoch_begin(epoch)
            logs = self._train_epoch(xs, y, batch_size, shuffle, hooks, epoch, epochs, verbose)
            if validation_data is not None:
                results = self._evaluate(*validation_data, batch_size)
                logs.update((f"val_{name}", value) for name, value in results.items())
            for callback in hooks:
                callback.on_epoch_end(epoch, logs)
            if verbose == 2:
                print(
                    f"Epoch {epoch + 1}/{epochs} - "
                    + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
                )
            if self.stop_training:
                break
        for callback in hooks:
            callback.on_train_end()
        return history

    def _train_epoch(self, xs, y, batch_size, shuffle, hooks, epoch, epochs, verbose):
        """One pass over the data, batch by batch; returns the epoch's mean loss and metrics."""
        # One batch for all the data: shuffling would only reorder a sum, so skip it.
        order = self.rng.permutation(len(y)) if shuffle and batch_size < len(y) else None
        batches = self._batches(len(y), batch_size, order)
        bar = None  # the progress bar, only with verbose=1: even a disabled one costs time
        if verbose == 1:
            bar = tqdm(batches, desc=f"Epoch {epoch + 1}/{epochs}", file=sys.stdout, ncols=100)
        totals, seen = {}, 0
        for b, index in enumerate(batches if bar is None else bar):
            for callback in hooks:
                callback.on_batch_begin(b)
            y_batch = y[index]
            logs = self.train_on_batch(self._cast(xs, index), y_batch)
            seen += len(y_batch)
            for name, value in logs.items():  # running means over the epoch so far
                totals[name] = totals.get(name, 0.0) + value * len(y_batch)
            for callback in hooks:
                callback.on_batch_end(b, logs)
            if bar is not None:
                bar.set_postfix({k: f"{v / seen:.4f}" for k, v in totals.items()}, refresh=False)
            if self.stop_training:
                break
            if not math.isfinite(logs["loss"]):
                raise FloatingPointError(
                    f"{self.name}.fit: the loss became {logs['loss']} at epoch {epoch + 1}, "
                    f"batch {b + 1}; lower the learning rate, scale the inputs, or pass "
                    "callbacks=[TerminateOnNaN()] to stop quietly"
                )
        if bar is not None:
            bar.close()
        return {name: total / seen for name, total in totals.items()}

    def predict(self, x, batch_size=32, verbose=0):
        """The model's outputs for `x`, batch by batch, in inference mode."""
        return self._predict(self._inputs(x, "predict"), batch_size)

    def evaluate(self, x, y, batch_size=32, verbose=0, return_dict=False):
        """Loss (with regularization) and metrics on (x, y); a float, a list or a dict."""
        self._check_compiled("evaluate")
        xs = self._inputs(x, "evaluate")
        results = self._evaluate(xs, self._targets(y, len(xs[0]), "evaluate"), batch_size)
        if return_dict:
            return results
        return results["loss"] if len(results) == 1 else list(results.values())

    # The two below trust their arrays: the public methods above check them once.
    def _predict(self, xs, batch_size):
        batches = self._batches(len(xs[0]), batch_size)
        outputs = [self.forward(self._cast(xs, index), training=False) for index in batches]
        return np.concatenate(outputs) if outputs else np.empty((0,))

    def _evaluate(self, xs, y, batch_size):
        y_hat = self._predict(xs, batch_size)
        results = {"loss": float(self.loss(y, y_hat)) + self._penalty()}
        results.update((name, float(metric(y, y_hat))) for name, metric in self.metrics.items())
        return results
