"""Loss functions, with Keras's names, formulas and defaults.

    loss = Loss(...)(y_true, y_pred)         a float: the mean over the batch (the "cost")
    grad = loss.gradient(y_true, y_pred)     dL/dy_pred, shape of y_pred, already divided by N
    loss, grad = loss.value_and_gradient(y_true, y_pred)     both, checking the inputs once

Each loss writes its formulas once, as `_value(y, p)` and `_gradient(y, p)` on arrays that
`_check` has already checked; the three public methods above check, then call them. `fit`
uses `value_and_gradient` at every batch, so the checks (and, for cross-entropy from logits,
the log-softmax) run once per batch instead of twice.

As in Keras, each example's loss is taken over the last axis (a mean for mse, mae and binary
cross-entropy, a sum for the categorical losses and KL divergence) and the batch loss is the
mean over the examples, so for y of shape [N, M] or [N, K] the gradient carries a factor 1/N.
y_true [N] and y_pred [N, 1] (or the reverse) are treated as the same shape, like Keras.

Probabilities are clipped to [EPSILON, 1 - EPSILON] before any log, so exact 0s and 1s give
large but finite losses. Where the clip changed a value the loss is flat in it, so its
gradient there is 0; losses `from_logits=True` avoid both problems.
"""

from __future__ import annotations

import numpy as np

from byhand.activations import Sigmoid
from byhand.registry import lookup

EPSILON = 1e-7  # Keras's backend epsilon


def _log_softmax(z):
    """log softmax(z) over the last axis, via log-sum-exp: z - max - log(sum(exp(z - max)))."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class Loss:
    """Base class: `loss(y_true, y_pred) -> float`, `loss.gradient(y_true, y_pred) -> array`.

    A subclass gives `_value(y, p)` (the batch loss) and `_gradient(y, p)` (dL/dp).
    """

    name = "loss"

    def __call__(self, y_true, y_pred):
        return float(self._value(*self._check(y_true, y_pred)))

    def gradient(self, y_true, y_pred):
        return self._gradient(*self._check(y_true, y_pred))

    def value_and_gradient(self, y_true, y_pred):
        """(loss, dL/dy_pred) in one call: the same numbers, the inputs checked once."""
        y, p = self._check(y_true, y_pred)
        return float(self._value(y, p)), self._gradient(y, p)

    def _value(self, y, p):
        raise NotImplementedError

    def _gradient(self, y, p):
        raise NotImplementedError

    def __repr__(self):
        if hasattr(self, "from_logits"):
            return f"{type(self).__name__}(from_logits={self.from_logits})"
        return f"{type(self).__name__}()"

    def _numbers(self, a, what):
        """a as an array of numbers (kinds "b", "i", "u", "f": bool, int, unsigned, float)."""
        a = np.asarray(a)
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{type(self).__name__}: {what} must be numbers, got dtype {a.dtype}")
        return a

    def _check_pred(self, y_pred):
        """y_pred as a float array (float32 stays float32), at least 1-d, finite."""
        y_pred = self._numbers(y_pred, "y_pred")
        if y_pred.dtype.kind != "f":  # kind "f": any float dtype
            y_pred = y_pred.astype(np.float64)
        if y_pred.ndim == 0:
            raise ValueError(f"{type(self).__name__}: y_pred must be an array, got a scalar")
        if y_pred.size == 0:  # the mean of nothing is NaN
            raise ValueError(f"{type(self).__name__}: y_pred holds no examples ({y_pred.shape})")
        if not np.isfinite(y_pred).all():
            raise ValueError(f"{type(self).__name__}: y_pred contains NaN or infinity")
        return y_pred

    def _check(self, y_true, y_pred):
        """Both as float arrays of y_pred's shape and dtype, with clear errors if they aren't."""
        y_pred = self._check_pred(y_pred)
        y_true = self._numbers(y_true, "y_true").astype(y_pred.dtype, copy=False)
        if y_true.shape != y_pred.shape:
            if y_true.size == y_pred.size and (
                y_true.shape + (1,) == y_pred.shape or y_true.shape == y_pred.shape + (1,)
            ):
                y_true = y_true.reshape(y_pred.shape)  # [N] vs [N, 1]: Keras lines them up
            else:
                raise ValueError(
                    f"{type(self).__name__}: y_true has shape {y_true.shape} but y_pred has "
                    f"shape {y_pred.shape}; they must match"
                )
        if not np.isfinite(y_true).all():
            raise ValueError(f"{type(self).__name__}: y_true contains NaN or infinity")
        return y_true, y_pred


def _mean(a):
    """np.mean(a), as sum / size: the same number, without np.mean's Python wrapper, which
    costs more than the sum itself on the small arrays of a lesson."""
    return a.sum() / a.size


def _examples(p):
    """N, the number of examples: every axis but the last (the class axis) counts."""
    return p.size // p.shape[-1]


def _from_logits(loss, from_logits):
    """from_logits as a bool; a string such as "False" would otherwise count as True."""
    if not isinstance(from_logits, (bool, np.bool_)):
        raise TypeError(
            f"{type(loss).__name__}: from_logits must be True or False, got {from_logits!r}"
        )
    return bool(from_logits)


def _check_unit_range(loss, what, a, advice=""):
    """A clear error unless every entry of a lies in [0, 1]: a min and a max, no temporaries."""
    if a.size and (a.min() < 0 or a.max() > 1):
        raise ValueError(
            f"{type(loss).__name__}: {what} must lie in [0, 1], got values from {a.min()} "
            f"to {a.max()}{advice}"
        )


def _clip(p):
    """Probabilities clipped to [EPSILON, 1 - EPSILON], and where the clip left them alone."""
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    return clipped, clipped == p


class MeanSquaredError(Loss):
    """L = mean((y_true - y_pred)**2)        dL/dy_pred = 2 * (y_pred - y_true) / (N * M)"""

    name = "mean_squared_error"

    def _value(self, y, p):
        return _mean((y - p) ** 2)

    def _gradient(self, y, p):
        return 2 * (p - y) / p.size


class MeanAbsoluteError(Loss):
    """L = mean(|y_true - y_pred|)       dL/dy_pred = sign(y_pred - y_true) / (N * M)

    The slope at y_pred = y_true is taken as 0.
    """

    name = "mean_absolute_error"

    def _value(self, y, p):
        return _mean(np.abs(y - p))

    def _gradient(self, y, p):
        return np.sign(p - y) / p.size


class BinaryCrossentropy(Loss):
    """L = mean(-(y * log(p) + (1 - y) * log(1 - p))); y = y_true in [0, 1], p = y_pred, [N, M].

        dL/dp = (p - y) / (p * (1 - p)) / (N * M)          (p clipped as in Keras)

    y_true must lie in [0, 1], and so must y_pred unless from_logits=True (a clear error
    instead of logits clipped to 0 or 1, where the gradient is 0).

    from_logits=True: y_pred are logits z and p = sigmoid(z). Then, stably,
        -(y log p + (1 - y) log(1 - p)) = max(z, 0) - z * y + log(1 + exp(-|z|))
        dL/dz = (sigmoid(z) - y) / (N * M)
    """

    name = "binary_crossentropy"

    def __init__(self, from_logits=False):
        self.from_logits = _from_logits(self, from_logits)

    def _check(self, y_true, y_pred):
        y, p = super()._check(y_true, y_pred)
        _check_unit_range(self, "y_true (labels 0 and 1, or soft labels)", y)
        if not self.from_logits:  # logits here would be clipped to 0 or 1 and stop learning
            _check_unit_range(
                self,
                "y_pred (probabilities)",
                p,
                "; it looks like logits: pass from_logits=True, or end the model with a sigmoid",
            )
        return y, p

    def _value(self, y, y_pred):
        if self.from_logits:
            z = y_pred  # logits
            return _mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
        p, _ = _clip(y_pred)
        return _mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def _gradient(self, y, y_pred):
        if self.from_logits:
            p = Sigmoid()(y_pred)  # p = sigmoid(z), z = y_pred the logits
            return (p - y) / p.size  # dL/dz
        p, inside = _clip(y_pred)
        return inside * (p - y) / (p * (1 - p)) / p.size  # dL/dp


class CategoricalCrossentropy(Loss):
    """L = mean over examples of -sum_k y_k * log(q_k); y_true, y_pred [N, K], y one-hot.

    Like Keras, y_pred is first renormalized so each row sums to 1 (q = y_pred / S with
    S = sum_k y_pred_k), then clipped to [EPSILON, 1 - EPSILON]. With m the clip's mask,

        dL/dy_pred_j = (sum_k y_k * m_k - y_j * m_j / q_j) / S / N

    For a softmax output (S = 1, nothing clipped, one-hot y) this is (1 - y / q) / N.
    y_pred needs K >= 2 columns (one column would give a loss of 0 whatever the data),
    y_true must lie in [0, 1], and y_pred must be >= 0 unless from_logits=True.

    from_logits=True: y_pred are logits z, log p = log_softmax(z) by log-sum-exp, and
        dL/dz = (softmax(z) * sum_k y_k - y) / N  =  (softmax(z) - y) / N   for one-hot y.
    """

    name = "categorical_crossentropy"

    def __init__(self, from_logits=False):
        self.from_logits = _from_logits(self, from_logits)

    def _check(self, y_true, y_pred):
        y, p = super()._check(y_true, y_pred)
        self._check_scores(p)
        _check_unit_range(self, "y_true (one-hot rows or probabilities)", y)
        return y, p

    def _check_scores(self, p):
        """K >= 2 classes; without from_logits, rows of probabilities (>= 0, positive sum)."""
        if p.shape[-1] < 2:  # one column: softmax gives 1 and the loss is 0 whatever the data
            raise ValueError(
                f"{type(self).__name__}: y_pred needs K >= 2 columns, one per class, got shape "
                f"{p.shape}; for a single output column use binary_crossentropy with a sigmoid "
                "output"
            )
        if self.from_logits:
            return
        if p.min() < 0:
            raise ValueError(
                f"{type(self).__name__}: y_pred must be probabilities >= 0, got values from "
                f"{p.min()} to {p.max()}; it looks like logits: pass from_logits=True, or end "
                "the model with a softmax"
            )
        if (p.sum(axis=-1) <= 0).any():
            raise ValueError(
                f"{type(self).__name__}: every row of y_pred must have a positive sum "
                "(probabilities); pass from_logits=True for logits"
            )

    def _value(self, y, y_pred):
        if self.from_logits:
            log_p = _log_softmax(y_pred)  # log p, p = softmax(z), z = y_pred the logits
        else:
            log_p = np.log(self._probabilities(y_pred)[0])
        return -np.sum(y * log_p) / _examples(y_pred)

    def _gradient(self, y, y_pred):
        if self.from_logits:
            return self._logits_gradient(y, _log_softmax(y_pred))
        q, inside = self._probabilities(y_pred)
        s = y_pred.sum(axis=-1, keepdims=True)
        n = _examples(y_pred)
        return (np.sum(y * inside, axis=-1, keepdims=True) - y * inside / q) / s / n

    def value_and_gradient(self, y_true, y_pred):
        """As for every loss, but from logits the log-softmax is computed once for both."""
        if not self.from_logits:
            return super().value_and_gradient(y_true, y_pred)
        y, z = self._check(y_true, y_pred)
        log_p = _log_softmax(z)
        return float(-np.sum(y * log_p) / _examples(z)), self._logits_gradient(y, log_p)

    def _logits_gradient(self, y, log_p):
        """dL/dz = (p - y) / N for one-hot y, with p = softmax(z) = exp(log_softmax(z))."""
        p = np.exp(log_p)
        total = y.sum(axis=-1, keepdims=True)  # 1 for one-hot rows; soft labels may differ
        return (p * total - y) / _examples(p)

    def _probabilities(self, p):
        """Rows renormalized to sum 1, then clipped (Keras); returns them and the clip mask."""
        return _clip(p / p.sum(axis=-1, keepdims=True))


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer labels: y_true [N] in 0..K-1, y_pred [N, K].

    L = mean over examples of -log(p[label]); the same number as the categorical loss with
    one-hot labels, and computed that way (renormalize, clip, log-softmax as above).
    """

    name = "sparse_categorical_crossentropy"

    def _check(self, y_true, y_pred):
        y_pred = self._check_pred(y_pred)
        labels = np.asarray(y_true)
        if y_pred.ndim == 1 and labels.shape == y_pred.shape:
            raise ValueError(
                f"{type(self).__name__}: y_pred must be scores [N, K] with a class axis (one "
                f"column per class) for labels y_true [N], got both of shape {y_pred.shape}"
            )
        if labels.shape == y_pred.shape[:-1] + (1,):
            labels = labels.reshape(y_pred.shape[:-1])  # [N, 1] labels, as Keras allows
        if labels.shape != y_pred.shape[:-1]:
            raise ValueError(
                f"{type(self).__name__}: y_true has shape {labels.shape} but y_pred has shape "
                f"{y_pred.shape}; expected integer labels of shape {y_pred.shape[:-1]}"
            )
        self._check_scores(y_pred)
        if labels.dtype.kind not in "iuf":  # int, unsigned or float; not bool, str or object
            raise ValueError(
                f"{type(self).__name__}: labels must be integer class indices, got dtype "
                f"{labels.dtype}"
            )
        if np.isnan(labels).any():
            raise ValueError(
                f"{type(self).__name__}: labels must be integer class indices, got NaN"
            )
        if (labels != np.round(labels)).any():
            raise ValueError(
                f"{type(self).__name__}: labels must be integer class indices, got "
                f"{np.unique(labels[labels != np.round(labels)])}"
            )
        K = y_pred.shape[-1]
        if labels.size and (labels.min() < 0 or labels.max() >= K):
            raise ValueError(
                f"{type(self).__name__}: labels must lie in 0..{K - 1} for K = {K} classes, "
                f"got values from {labels.min()} to {labels.max()}"
            )
        one_hot = np.eye(K, dtype=y_pred.dtype)[labels.astype(int)]  # [N] -> [N, K]
        return one_hot, y_pred


class KLDivergence(Loss):
    """Kullback-Leibler divergence: L = mean over examples of sum_k y_k * log(y_k / p_k).

    Both y_true and y_pred are clipped to [EPSILON, 1] (Keras); with m the clip's mask on p,
        dL/dy_pred_k = -m_k * y_k / p_k / N
    """

    name = "kl_divergence"

    def _check(self, y_true, y_pred):
        y, p = super()._check(y_true, y_pred)
        _check_unit_range(self, "y_true (probabilities)", y)
        _check_unit_range(self, "y_pred (probabilities)", p, "; end the model with a softmax")
        return y, p

    def _value(self, y, p):
        y, p = np.clip(y, EPSILON, 1), np.clip(p, EPSILON, 1)
        return _mean(np.sum(y * np.log(y / p), axis=-1))

    def _gradient(self, y, p):
        q = np.clip(p, EPSILON, 1)
        return -np.clip(y, EPSILON, 1) * (q == p) / q / _examples(p)


LOSSES = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
}


def get(identifier):
    """A loss from a name (case-insensitive, defaults as in Keras), an instance, or None."""
    if identifier is None:
        return None
    return lookup("loss", identifier, LOSSES, Loss)
