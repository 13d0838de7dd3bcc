"""Rosenblatt's perceptron: one layer of threshold logic units (TLUs).

A TLU fires (outputs 1) when the weighted sum of its inputs reaches its threshold theta.
Writing the bias b = -theta turns this into a step of the net input z:

    z = x1*w1 + x2*w2 + ... + xD*wD + b = x @ w + b     (the net input, or pre-activation)
    y_hat = step(z)                  (1 if z >= 0, that is if x @ w >= theta; else 0)

A perceptron is M such units side by side, all reading the same D inputs: a dense (fully
connected) layer Z = X @ W + b, with weights W [D, M] and biases b [M], and a step activation.

Rosenblatt's learning rule, for one example x [D] with target y (0 or 1):

    w_i <- w_i + eta * (y - y_hat) * x_i        b <- b + eta * (y - y_hat)

It is one step of stochastic gradient descent on the perceptron loss L = (y_hat - y) * z,
whose gradient is dL/dw_i = (y_hat - y) * x_i and dL/db = y_hat - y.

Shapes use the course's letters: N examples in a batch, D inputs, M units.
"""

from __future__ import annotations

import numpy as np

from byhand.checks import check_int


def heaviside(z):
    """The step function: 1 where z >= 0, else 0.

        step(z) = 1 if z >= 0 else 0        d step / dz = 0 for every z != 0

    The slope is zero everywhere except at z = 0, where it is undefined. A loss that sees a
    unit only through its step output therefore sends no gradient back to the unit's weights:
    this is why layers of step units cannot be trained by gradient descent.

    Parameters
    ----------
    z : array-like, any shape

    Returns
    -------
    int array of the same shape as z (an int for a scalar z).
    """
    z = np.asarray(z, dtype=float)
    if np.isnan(z).any():
        raise ValueError("heaviside: input contains NaN; the step of NaN is undefined")
    return (z >= 0).astype(int)


def errors_per_epoch(trace):
    """How many examples were misclassified in each epoch of a `Perceptron.fit` trace.

    Returns an int array of shape [epochs]; entry k counts the updates of epoch k + 1
    whose error was not zero (for a layer: any unit wrong counts the example once).
    """
    epochs = max((record["epoch"] for record in trace), default=0)
    counts = np.zeros(epochs, dtype=int)
    for record in trace:
        counts[record["epoch"] - 1] += bool(np.any(record["error"] != 0))
    return counts


def _plain(value):
    """A 0-d array as a Python number, anything else as a copy (for trace records)."""
    value = np.asarray(value)
    return value.item() if value.ndim == 0 else value.copy()


class Perceptron:
    """One layer of threshold logic units trained with Rosenblatt's rule.

    Parameters
    ----------
    weights : array-like, shape [D] or [D, M]
        [D]: one unit, whose outputs have shape [N]. [D, M]: M units, outputs [N, M].
    threshold : float, or array-like of shape [M] for M units
        A unit fires when x @ w >= its threshold theta; its bias is b = -theta.
    learning_rate : float > 0
        The step size eta of the learning rule.
    learn_threshold : bool
        Whether `update` changes the threshold too (it always changes the weights).

    The arrays passed in are copied, never changed.
    """

    def __init__(self, weights, threshold=0.0, learning_rate=0.5, learn_threshold=True):
        weights = np.array(weights, dtype=float)  # a copy: the caller's array stays as it was
        if weights.ndim not in (1, 2) or weights.size == 0:
            raise ValueError(
                "Perceptron: weights must have shape [D] (one unit) or [D, M] (M units), "
                f"got shape {weights.shape}"
            )
        if not np.isfinite(weights).all():
            raise ValueError("Perceptron: weights contain NaN or infinity")
        threshold = np.array(threshold, dtype=float)
        if weights.ndim == 1 and threshold.ndim != 0:
            raise ValueError(
                "Perceptron: one unit (weights of shape [D]) needs a scalar threshold, "
                f"got shape {threshold.shape}"
            )
        if weights.ndim == 2:
            units = weights.shape[1]
            if threshold.ndim == 0:
                threshold = np.full(units, float(threshold))  # one threshold per unit
            elif threshold.shape != (units,):
                raise ValueError(
                    f"Perceptron: weights of shape {weights.shape} have M = {units} units, "
                    f"so threshold must be a scalar or shape ({units},), "
                    f"got shape {threshold.shape}"
                )
        if not np.isfinite(threshold).all():
            raise ValueError("Perceptron: threshold contains NaN or infinity")
        if not np.isfinite(learning_rate) or learning_rate <= 0:
            raise ValueError(f"Perceptron: learning_rate must be > 0, got {learning_rate}")
        self.weights = weights
        self.threshold = _plain(threshold)
        self.learning_rate = float(learning_rate)
        self.learn_threshold = bool(learn_threshold)
        self.converged = False

    @property
    def bias(self):
        """b = -threshold: a number for one unit, shape [M] for a layer."""
        return -self.threshold

    def __repr__(self):
        weights = np.array2string(self.weights, precision=4, separator=", ")
        threshold = np.array2string(np.asarray(self.threshold), precision=4, separator=", ")
        return (
            f"Perceptron(weights={weights}, threshold={threshold}, "
            f"learning_rate={self.learning_rate:g}, learn_threshold={self.learn_threshold})"
        )

    # --- input checks: once, where the data come in -------------------------------------

    def _check_inputs(self, X, where):
        """X as a float array [N, D] (or one example [D]), with a clear error if not."""
        X = np.asarray(X, dtype=float)
        D = self.weights.shape[0]
        if X.ndim not in (1, 2) or X.shape[-1] != D:
            raise ValueError(
                f"Perceptron.{where}: expected D = {D} features, inputs of shape [N, {D}] "
                f"or [{D}], got shape {X.shape}"
            )
        if not np.isfinite(X).all():
            raise ValueError(f"Perceptron.{where}: inputs contain NaN or infinity")
        return X

    def _check_targets(self, target, shape, where):
        """Targets as an int array of the given shape, every entry 0 or 1."""
        target = np.asarray(target)
        if target.shape != shape:
            raise ValueError(
                f"Perceptron.{where}: expected targets of shape {shape}, got shape {target.shape}"
            )
        if not np.isin(target, (0, 1)).all():  # NaN is not in (0, 1) either
            wrong = np.unique(target[~np.isin(target, (0, 1))])
            raise ValueError(f"Perceptron.{where}: targets must be 0 or 1, got {wrong}")
        return target.astype(int)

    def _check_example(self, x, target):
        """`update`'s arguments: one example x [D] and its target(s), checked."""
        x = self._check_inputs(x, "update")
        if x.ndim != 1:
            raise ValueError(f"Perceptron.update: expected one example of shape [D], got {x.shape}")
        return x, self._check_targets(target, np.shape(self.threshold), "update")

    def _check_training_data(self, X, y, epochs):
        """`fit`'s arguments: X [N, D], targets [N] or [N, M], and epochs >= 1, checked."""
        X = self._check_inputs(X, "fit")
        if X.ndim != 2:
            raise ValueError(f"Perceptron.fit: expected inputs of shape [N, D], got {X.shape}")
        y = self._check_targets(y, (X.shape[0], *np.shape(self.threshold)), "fit")
        epochs = check_int("Perceptron.fit", "epochs", epochs, 1)
        return X, y, epochs

    # --- the perceptron ---------------------------------------------------------------

    def net_input(self, X):
        """The net inputs Z = X @ W + b, where b = -threshold.

        X [N, D] -> Z [N] (one unit) or [N, M] (M units); one example x [D] -> a
        scalar or [M].
        """
        X = self._check_inputs(X, "net_input")
        return X @ self.weights + self.bias

    def predict(self, X):
        """The units' outputs Y_hat = step(X @ W + b), each 0 or 1.

        X [N, D] -> int [N] (one unit) or [N, M] (M units).
        """
        return heaviside(self.net_input(X))

    def update(self, x, target):
        """Apply Rosenblatt's learning rule to one example and return what happened.

        Parameters
        ----------
        x : array-like, shape [D]
            One example.
        target : 0 or 1 (one unit), or array of shape [M] (M units)
            The target y.

        Returns
        -------
        dict with the inputs, target, net_input z (before the update), predicted and
        error of this step, and the weights and threshold *after* the update.
        """
        x, target = self._check_example(x, target)
        z = x @ self.weights + self.bias  # net input: a number, or [M]
        predicted = heaviside(z)
        error = target - predicted  # +1: missed a positive, -1: false positive, 0: right
        eta = self.learning_rate
        # w_i <- w_i + eta * (y - y_hat) * x_i    (a new array, so old records keep theirs)
        if self.weights.ndim == 1:
            self.weights = self.weights + eta * error * x  # [D]
        else:
            self.weights = self.weights + eta * np.outer(x, error)  # [D, M]
        if self.learn_threshold:
            # b <- b + eta * (y - y_hat), the same as theta <- theta - eta * (y - y_hat)
            self.threshold = _plain(self.threshold - eta * error)
        return {
            "inputs": x.copy(),
            "target": _plain(target),
            "net_input": _plain(z),
            "predicted": _plain(predicted),
            "error": _plain(error),
            "weights": self.weights.copy(),
            "threshold": _plain(self.threshold),
        }

    def fit(self, X, y, epochs=100):
        """Sweep over the examples in order, updating after each, for up to `epochs` epochs.

        Training stops after the first epoch in which every example was already right;
        `self.converged` then becomes True.

        Parameters
        ----------
        X : array-like, shape [N, D]
        y : array-like of 0s and 1s, shape [N] (one unit) or [N, M] (M units)
        epochs : int >= 1

        Returns
        -------
        list of dict, one record per update (see `update`), each with its "epoch"
        (counted from 1).
        """
        X, y, epochs = self._check_training_data(X, y, epochs)
        self.converged = False
        trace = []
        for epoch in range(1, epochs + 1):
            mistakes = 0
            for x, target in zip(X, y, strict=True):
                record = {"epoch": epoch, **self.update(x, target)}
                trace.append(record)
                mistakes += bool(np.any(record["error"] != 0))
            if mistakes == 0:  # a whole epoch without a mistake: nothing will change
                self.converged = True
                break
        return trace
