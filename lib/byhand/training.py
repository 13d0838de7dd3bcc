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

A model with several outputs has a loss for each (compile(loss=[...], loss_weights=[...]));
step 2 adds them up, each times its weight, and step 3 hands each output its own dL/dy_hat,
times the same weight. The logs hold that weighted total as "loss" and, as Keras 3 names
them, each output's own (unweighted) loss as "<output name>_loss".

Steps 2 and 3 are one call, `loss_fn._value_and_gradient`, which trusts its arrays: fit checks
what it receives once, before the first epoch (`_check_fit`: the data, the targets as the loss
reads them, and the model's first outputs), never at every batch. When one batch holds all
the data, shuffling would change nothing but the order of a sum, so it is skipped:
lesson-sized models spend most of their time in such fixed costs.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from tqdm import tqdm

from byhand import losses, optimizers
from byhand.callbacks import Callback, History
from byhand.checks import is_int, is_number


def _accuracy(loss):
    """Keras's "accuracy", its kind chosen as Keras chooses it, for outputs p and targets y:

    binary       p [N, 1] (or a binary cross-entropy loss): the share of (p > 0.5) == y,
                 with threshold 0 for a loss from logits (Keras keeps 0.5 there)
    sparse       integer labels y [N] (or [N, 1]) for p [N, K]: argmax(p) == y
    categorical  one-hot y [N, K]: argmax(p) == argmax(y)

    y [N] against p [N, 1] is lined up first, as the losses do: compared directly they
    would broadcast to an [N, N] table and give a meaningless number.
    """
    threshold = 0.0 if getattr(loss, "from_logits", False) else 0.5

    def accuracy(y, p):
        y = np.asarray(y)
        if isinstance(loss, losses.BinaryCrossentropy) or p.shape[-1] == 1:
            return np.mean((p > threshold) == (y.reshape(p.shape) > 0.5))
        if y.ndim < p.ndim or y.shape[-1] == 1:  # integer labels
            return np.mean(np.argmax(p, axis=-1) == y.reshape(p.shape[:-1]))
        return np.mean(np.argmax(p, axis=-1) == np.argmax(y, axis=-1))

    return accuracy


class _Output:
    """What compile says about one output of the model: its loss, the weight of that loss in
    the total, its metrics, and the prefix of its names in the logs ("" for a lone output,
    "<output name>_" when there are several)."""

    def __init__(self, prefix, loss, weight, metric_names):
        self.prefix, self.loss, self.weight = prefix, loss, weight
        self.metrics = {name: _metric(name, loss) for name in metric_names}


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
        if seed is not None and not (is_int(seed) and seed >= 0):
            raise ValueError(f"{name}: seed must be None or an int >= 0, got {seed!r}")
        self.rng = np.random.default_rng(seed)
        self.name, self.dtype = name, np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"{name}: dtype must be a float type such as 'float32', got {dtype!r}")
        self.optimizer = self.loss = None
        self._outputs = []  # an _Output for each of the model's outputs, made by compile
        self.stop_training = False

    def _ensure_built(self, xs):
        """Functional models are built when made; Sequential may wait for data."""

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None):
        """Choose the optimizer, the loss and the metrics to log (names or objects).

        For a model with several outputs, loss, loss_weights and metrics each give one entry
        per output, as a list in the order of the outputs or as a dict keyed by the output
        names (`model.output_names`); a single loss serves every output, and the weights
        default to 1. As in Keras, compile also fixes which layers train: set
        `layer.trainable = False` (or `model.trainable = False`) before it, and compile
        again after changing it."""
        if loss is None:
            raise ValueError(f"{self.name}: compile needs a loss, e.g. loss='mse'")
        self.optimizer = optimizers.get(optimizer)
        self._outputs = self._check_outputs_spec(loss, loss_weights, metrics)
        self.loss = [out.loss for out in self._outputs]
        self.loss = self.loss if self.several_outputs else self.loss[0]
        self._lay_out_for_training()
        self._check_optimizer_fits()

    def _check_optimizer_fits(self):
        """An optimizer that has already trained keeps slots (Adam's m and v) shaped for
        the weights it trained; a clear error if they are not the weights that train now."""
        shapes = getattr(self.optimizer, "_shapes", None)
        if self.steps and self.optimizer.slots is not None and shapes != self._trainable_shapes:
            raise ValueError(
                f"{self.name}.compile: this {type(self.optimizer).__name__} has already trained "
                f"weights of shapes {shapes}, but the weights that train now have shapes "
                f"{self._trainable_shapes}; give compile a new optimizer"
            )

    def _check_outputs_spec(self, loss, loss_weights, metrics):
        """compile's loss, loss_weights and metrics, checked: one _Output per output."""
        names = self.output_names if self.several_outputs else [None]
        if not self.several_outputs:
            if loss_weights is not None and not is_number(loss_weights):
                loss_weights = self._per_output(loss_weights, "loss_weights", names)[0]
            if metrics is not None and not isinstance(metrics, (list, tuple)):
                raise TypeError(
                    f"{self.name}: metrics must be a list of names, e.g. "
                    f"metrics=['accuracy'], got {metrics!r}"
                )
            weight = 1.0 if loss_weights is None else loss_weights
            return [_Output("", losses.get(loss), self._weight(weight), metrics or [])]
        several = isinstance(loss, (list, tuple, dict))
        loss_list = self._per_output(loss, "loss", names) if several else [loss] * len(names)
        weights = self._per_output(loss_weights, "loss_weights", names, default=1.0)
        metric_lists = self._per_output(metrics, "metrics", names, default=[])
        for name, entry in zip(names, metric_lists, strict=True):
            if not isinstance(entry, (list, tuple)):
                raise TypeError(
                    f"{self.name}: the metrics of output {name!r} must be a list of names, "
                    f"e.g. ['accuracy'], got {entry!r}"
                )
        return [
            _Output(f"{name}_", losses.get(one), self._weight(weight), entry)
            for name, one, weight, entry in zip(
                names, loss_list, weights, metric_lists, strict=True
            )
        ]

    def _per_output(self, value, what, names, default=None):
        """A list with one entry per output, from a list in output order or a dict keyed by
        output names (missing names get `default`); None gives `default` for every output."""
        if value is None:
            return [default] * len(names)
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(names), key=str)
            if unknown or (default is None and set(value) != set(names)):
                raise ValueError(
                    f"{self.name}: {what} names outputs {sorted(value, key=str)}, but the "
                    f"model's outputs are {names}"
                )
            return [value.get(name, default) for name in names]
        if not isinstance(value, (list, tuple)) or len(value) != len(names):
            raise ValueError(
                f"{self.name}: the model has {len(names)} outputs {names}, so {what} must "
                f"be a list of {len(names)} entries or a dict keyed by those names, "
                f"got {value!r}"
            )
        return list(value)

    def _weight(self, weight):
        if not (is_number(weight) and 0 <= weight < math.inf):
            raise ValueError(
                f"{self.name}: a loss weight must be a finite number >= 0, got {weight!r}"
            )
        return float(weight)

    # -- input checks -----------------------------------------------------------------
    def _inputs(self, x, where):
        """x as a list of arrays (one per Input), checked: shape, numbers that fit the dtype.

        A list of arrays is one array per Input; any other list (rows of numbers) is one
        array, as is everything else.
        """
        several = isinstance(x, (list, tuple)) and x and all(isinstance(a, np.ndarray) for a in x)
        xs = [np.asarray(a) for a in (x if several else [x])]
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
            self._check_numbers(a, f"input {k}", where)
        if len({len(a) for a in xs}) > 1:
            raise ValueError(f"{self.name}.{where}: inputs have different numbers of examples")
        return xs

    def _targets(self, y, n, where):
        """The targets as a list with one array per output, each checked against n inputs.

        A model with several outputs takes a list in the order of its outputs or a dict
        keyed by their names."""
        if self.several_outputs:
            if isinstance(y, dict):
                y = self._per_output(y, f"{where}'s targets", self.output_names)
            ys = self._output_list(y, where)
        else:
            ys = [y]
        ys = [np.asarray(a) for a in ys]
        for k, a in enumerate(ys):
            what = f"targets of output {self.output_names[k]!r}" if self.several_outputs else ""
            if a.ndim == 0:
                raise ValueError(f"{self.name}.{where}: expected targets y [N, ...], got {a!r}")
            if len(a) != n:
                raise ValueError(
                    f"{self.name}.{where}: {n} inputs but {len(a)} {what or 'targets'}"
                )
            hint = "; turn class names into labels 0..K-1 first"
            self._check_numbers(a, what or "targets", where, hint)
        return ys

    def _check_numbers(self, a, what, where, hint=""):
        """A clear error unless `a` holds finite numbers that fit the model's dtype."""
        if a.dtype.kind not in "biuf":  # booleans, integers or floats
            raise TypeError(f"{self.name}.{where}: {what} must be numbers, not {a.dtype}{hint}")
        # NaN spreads through min() and max(): two passes, no temporary as large as a.
        big = np.finfo(self.dtype).max
        if a.size and not -big <= a.min() <= a.max() <= big:
            raise ValueError(
                f"{self.name}.{where}: {what} must be finite (no NaN or infinity) and within "
                f"{self.dtype}'s range, got values from {a.min()} to {a.max()}"
            )

    def _batch_size(self, batch_size, where):
        """batch_size as a positive int; None means Keras's default, 32."""
        if batch_size is None:
            return 32
        if not (is_int(batch_size) and batch_size > 0):
            raise ValueError(
                f"{self.name}.{where}: batch_size must be a positive int, got {batch_size!r}"
            )
        return int(batch_size)

    def _check_loss_inputs(self, xs, ys, batch_size):
        """Each output's targets as its loss reads them, checked once against the output's
        shape; and the model's outputs on the first batch, checked once (probabilities where
        the loss needs them: the usual slip is a linear output with a probability loss)."""
        shapes, n = self._output_shapes(), len(ys[0])
        firsts = self._output_list(self._predict([a[:batch_size] for a in xs], batch_size), "fit")
        y_losses = []
        for out, y, shape, first in zip(self._outputs, ys, shapes, firsts, strict=True):
            y_losses.append(losses.check_targets(out.loss, y, (n, *shape), self.dtype))
            losses.check_predictions(out.loss, first)
        return y_losses

    def _check_compiled(self, where):
        if self.optimizer is None:
            raise RuntimeError(
                f"{self.name}.{where}: call compile(optimizer, loss) first, "
                "e.g. model.compile(optimizer='adam', loss='mse')"
            )

    # -- one batch ----------------------------------------------------------------------
    def _penalty(self):
        """The regularizers' penalty of the layers that train (Keras skips frozen ones)."""
        return sum(layer.regularization_loss() for layer in self._trained)

    def train_on_batch(self, x, y, return_dict=False):
        """One step of gradient descent on the batch (x, y); returns its loss and metrics
        as `evaluate` does (before the step's update)."""
        self._check_compiled("train_on_batch")
        xs = self._inputs(x, "train_on_batch")
        ys = self._targets(y, len(xs[0]), "train_on_batch")
        y_losses = self._check_loss_inputs(xs, ys, len(ys[0]))
        logs = self._train_step(self._cast(xs, slice(None)), ys, y_losses)
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    def _train_step(self, xs, ys, y_losses):
        """One step of gradient descent on one batch; returns the logs of that batch.

        ys are the targets as given (for the metrics), y_losses the same targets as the
        losses read them (checked once by fit; one-hot rows for the sparse loss), one of
        each per output. A batch whose loss is NaN or infinite changes no weight: its
        gradients would turn every weight into NaN. fit then stops with an error, unless
        a callback such as TerminateOnNaN has already stopped training.
        """
        y_hats = self._output_list(self.forward(xs, training=True), "fit")  # 1.
        logs, dy, total = {}, [], self._penalty()
        for out, y_loss, y_hat in zip(self._outputs, y_losses, y_hats, strict=True):
            loss, dy_out = out.loss._value_and_gradient(y_loss, y_hat)  # 2. and 3.
            total += out.weight * loss  # L = sum of weight * loss, over the outputs
            dy.append(out.weight * dy_out)  # dL/dy_hat of this output
            if self.several_outputs:
                logs[f"{out.prefix}loss"] = loss
        logs = {"loss": total, **logs}
        if math.isfinite(total):
            self.backward(dy if self.several_outputs else dy[0], input_grads=False)  # 4.
            self._update()  # 5.
        logs.update(self._metric_logs(ys, y_hats))
        return logs

    def _metric_logs(self, ys, y_hats):
        """{name: value} of every output's metrics on targets ys and outputs y_hats."""
        return {
            out.prefix + name: float(metric(y, y_hat))
            for out, y, y_hat in zip(self._outputs, ys, y_hats, strict=True)
            for name, metric in out.metrics.items()
        }

    def _update(self):
        """optimizer.step(params, grads), on the model's flat arrays: nothing is copied.

        The trainable params come first in the flat arrays (see `_flat_weights`): the
        optimizer sees w[:n] and g[:n] and never the frozen layers' params."""
        n = self._n_trainable
        if n == 0:  # no weights to train: the step is only counted
            self.optimizer.step([], [])
            return
        self._views_in_place()
        w, g = self.weights_vector[:n], self.gradients_vector[:n]
        self.optimizer.apply(w, g, self._trainable_shapes)

    def _batches(self, n, batch_size, order=None):
        """Each batch's indices into the data: slices of `order`, or plain slices (views)."""
        if order is None:
            return [slice(i, i + batch_size) for i in range(0, n, batch_size)]
        return [order[i : i + batch_size] for i in range(0, n, batch_size)]

    def _cast(self, xs, index):
        return [a[index].astype(self.dtype, copy=False) for a in xs]

    # -- what fit receives, checked once ---------------------------------------------
    def _check_fit(self, x, y, batch_size, epochs, validation_split, validation_data):
        """fit's arguments, checked; the validation data split off or checked.

        Returns (xs, ys, y_losses), batch_size and the validation data; ys holds one array
        of targets per output, y_losses the same targets as the losses read them (e.g.
        one-hot rows for the sparse loss)."""
        self._check_compiled("fit")
        xs = self._inputs(x, "fit")
        ys = self._targets(y, len(xs[0]), "fit")
        batch_size = self._batch_size(batch_size, "fit")
        if not (is_int(epochs) and epochs >= 0):
            raise ValueError(f"{self.name}.fit: epochs must be an int >= 0, got {epochs!r}")
        if not (is_number(validation_split) and 0 <= validation_split < 1):
            raise ValueError(
                f"{self.name}.fit: validation_split must be a number in [0, 1), "
                f"got {validation_split!r}"
            )
        if validation_data is not None:  # checked once here, not at every epoch
            if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
                raise ValueError(
                    f"{self.name}.fit: validation_data must be a pair (x_val, y_val) "
                    "(byhand has no sample weights)"
                )
            x_val = self._inputs(validation_data[0], "fit(validation_data)")
            validation_data = (x_val, self._targets(validation_data[1], len(x_val[0]), "fit"))
        elif validation_split > 0:
            # Like Keras: the LAST fraction of the data, taken before any shuffling.
            cut = int(len(ys[0]) * (1 - validation_split))
            validation_data = ([a[cut:] for a in xs], [y[cut:] for y in ys])
            xs, ys = [a[:cut] for a in xs], [y[:cut] for y in ys]
        n = len(ys[0])
        if n == 0 or (validation_data is not None and len(validation_data[1][0]) == 0):
            raise ValueError(
                f"{self.name}.fit: no examples to "
                + ("train on" if n == 0 else "validate on")
                + f" (validation_split={validation_split})"
            )
        return (xs, ys, self._check_loss_inputs(xs, ys, batch_size)), batch_size, validation_data

    def _check_callbacks(self, callbacks, history):
        """[*callbacks, history], each checked and told which model it watches.

        History comes last, as in Keras 3, so that it records what the user's callbacks add
        to an epoch's logs (the `learning_rate` of LearningRateScheduler, for example)."""
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            raise TypeError(
                f"{self.name}.fit: callbacks must be a list, e.g. callbacks=[EarlyStopping()], "
                f"got {callbacks!r}"
            )
        hooks = [*(callbacks or []), history]
        for callback in hooks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"{self.name}.fit: callbacks must be Callback objects, got {callback!r}"
                )
            callback.set_model(self)
        return hooks

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
        """Train for `epochs` passes over the data; returns the `History`.

        The loop of the module docstring; `_train_step` does steps 1 to 5 on one batch."""
        data, batch_size, validation_data = self._check_fit(  # data: (xs, y, y_loss)
            x, y, batch_size, epochs, validation_split, validation_data
        )
        history = History()
        hooks = self._check_callbacks(callbacks, history)
        self.stop_training = False
        for callback in hooks:
            callback.on_train_begin()
        for epoch in range(epochs):
            for callback in hooks:
                callback.on_epoch_begin(epoch)
            logs = self._train_epoch(data, batch_size, shuffle, hooks, epoch, epochs, verbose)
            if validation_data is not None:
                results = self._evaluate(*validation_data, batch_size)
                logs.update((f"val_{name}", value) for name, value in results.items())
            for callback in hooks:
                callback.on_epoch_end(epoch, logs)
            if verbose == 2:
                _print_epoch(epoch, epochs, logs)
            if self.stop_training:
                break
        for callback in hooks:
            callback.on_train_end()
        return history

    def _train_epoch(self, data, batch_size, shuffle, hooks, epoch, epochs, verbose):
        """One pass over the data, batch by batch; returns the epoch's mean loss and metrics."""
        xs, ys, y_losses = data
        n = len(ys[0])
        # One batch for all the data: shuffling would only reorder a sum, so skip it.
        order = self.rng.permutation(n) if shuffle and batch_size < n else None
        batches = self._batches(n, batch_size, order)
        bar = None  # the progress bar, only with verbose=1: even a disabled one costs time
        if verbose == 1:
            bar = tqdm(batches, desc=f"Epoch {epoch + 1}/{epochs}", file=sys.stdout, ncols=100)
        totals, seen = {}, 0
        for b, index in enumerate(batches if bar is None else bar):
            for callback in hooks:
                callback.on_batch_begin(b)
            y_batch = [y[index] for y in ys]
            logs = self._train_step(self._cast(xs, index), y_batch, [y[index] for y in y_losses])
            size = len(y_batch[0])
            seen += size
            for name, value in logs.items():  # running means over the epoch so far
                totals[name] = totals.get(name, 0.0) + value * size
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
        """The model's outputs for `x`, batch by batch, in inference mode (a list of
        arrays for a model with several outputs)."""
        xs = self._inputs(x, "predict")
        return self._predict(xs, self._batch_size(batch_size, "predict"))

    def evaluate(self, x, y, batch_size=32, verbose=0, return_dict=False):
        """Loss (with regularization) and metrics on (x, y); a float, a list or a dict."""
        self._check_compiled("evaluate")
        xs = self._inputs(x, "evaluate")
        ys = self._targets(y, len(xs[0]), "evaluate")
        if len(ys[0]) == 0:
            raise ValueError(f"{self.name}.evaluate: no examples to evaluate on")
        results = self._evaluate(xs, ys, self._batch_size(batch_size, "evaluate"))
        if return_dict:
            return results
        return results["loss"] if len(results) == 1 else list(results.values())

    # The two below trust their arrays: the public methods above check them once.
    def _predict(self, xs, batch_size):
        parts = [[] for _ in self._output_ids]  # each output's batches
        for index in self._batches(len(xs[0]), batch_size):
            y_hats = self.forward(self._cast(xs, index), training=False)
            for part, y_hat in zip(parts, self._output_list(y_hats, "predict"), strict=True):
                part.append(y_hat)
        shapes = self._output_shapes()
        outputs = [
            np.concatenate(part) if part else np.empty((0, *shape), self.dtype)
            for part, shape in zip(parts, shapes, strict=True)
        ]
        return outputs if self.several_outputs else outputs[0]

    def _evaluate(self, xs, ys, batch_size):
        y_hats = self._output_list(self._predict(xs, batch_size), "evaluate")
        results, total = {}, self._penalty()
        for out, y, y_hat in zip(self._outputs, ys, y_hats, strict=True):
            loss = float(out.loss(y, y_hat))
            total += out.weight * loss
            if self.several_outputs:
                results[f"{out.prefix}loss"] = loss
        return {"loss": float(total), **results, **self._metric_logs(ys, y_hats)}


def _print_epoch(epoch, epochs, logs):
    """One line per epoch (verbose=2), e.g. "Epoch 3/10 - loss: 0.2510 - val_loss: 0.2735"."""
    print(f"Epoch {epoch + 1}/{epochs} - " + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
