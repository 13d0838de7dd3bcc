"""Loss functions, with Keras's names, formulas and defaults.

    loss = Loss(...)(y_true, y_pred)         a float: the mean over the batch (the "cost")
    grad = loss.gradient(y_true, y_pred)     dL/dy_pred, shape of y_pred, already divided by N
    loss, grad = loss.value_and_gradient(y_true, y_pred)     both, checking the inputs once

Each loss writes its formulas once, as `_value(y, p)` and `_gradient(y, p)` (z for logits),
on arrays it trusts. What a user hands in is checked in one place, `check_loss_inputs` at the
bottom of this module: the three public methods above call it, then the formulas. `fit`
checks its targets once per call (`check_targets`) and then, at every batch, calls the
unchecked `_value_and_gradient` (for cross-entropy from logits it takes the log-softmax once).

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


def _mean(a):
    """np.mean(a), as sum / size: the same number, without np.mean's Python wrapper, which
    costs more than the sum itself on the small arrays of a lesson."""
    return a.sum() / a.size


def _examples(p):
    """N, the number of examples: every axis but the last (the class axis) counts."""
    return p.size // p.shape[-1]


def _clip(p):
    """Probabilities clipped to [EPSILON, 1 - EPSILON], and where the clip left them alone."""
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    return clipped, clipped == p


class Loss:
    """Base class: `loss(y_true, y_pred) -> float`, `loss.gradient(y_true, y_pred) -> array`.

    A subclass gives `_value(y, p)` (the batch loss) and `_gradient(y, p)` (dL/dp), on arrays
    that `check_loss_inputs` has checked: y and p of the same shape and float dtype.
    """

    name = "loss"

    def __call__(self, y_true, y_pred):
        return float(self._value(*check_loss_inputs(self, y_true, y_pred)))

    def gradient(self, y_true, y_pred):
        return self._gradient(*check_loss_inputs(self, y_true, y_pred))

    def value_and_gradient(self, y_true, y_pred):
        """(loss, dL/dy_pred) in one call: the same numbers, the inputs checked once."""
        return self._value_and_gradient(*check_loss_inputs(self, y_true, y_pred))

    def _value_and_gradient(self, y, p):
        """Both, on checked arrays: what fit calls at every batch."""
        return float(self._value(y, p)), self._gradient(y, p)

    def _value(self, y, p):
        raise NotImplementedError

    def _gradient(self, y, p):
        raise NotImplementedError

    def __repr__(self):
        if hasattr(self, "from_logits"):
            return f"{type(self).__name__}(from_logits={self.from_logits})"
        return f"{type(self).__name__}()"


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
        self.from_logits = _check_from_logits(self, from_logits)

    def _value(self, y, y_pred):
        if self.from_logits:
            z = y_pred  # logits
            return _mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
        p, _ = _clip(y_pred)
        return _mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def _gradient(self, y, y_pred):
        if self.from_logits:
            z = y_pred  # logits
            p = Sigmoid()(z)
            return (p - y) / p.size  # dL/dz
        p, inside = _clip(y_pred)
        return inside * (p - y) / (p * (1 - p)) / p.size  # dL/dp, 0 where p was clipped


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
        self.from_logits = _check_from_logits(self, from_logits)

    def _value(self, y, y_pred):
        if self.from_logits:
            z = y_pred  # logits
            log_p = _log_softmax(z)  # log p, p = softmax(z)
        else:
            log_p = np.log(self._probabilities(y_pred)[0])
        return -np.sum(y * log_p) / _examples(y_pred)

    def _gradient(self, y, y_pred):
        if self.from_logits:
            z = y_pred  # logits
            return self._logits_gradient(y, _log_softmax(z))
        q, inside = self._probabilities(y_pred)
        s = y_pred.sum(axis=-1, keepdims=True)
        n = _examples(y_pred)
        return (np.sum(y * inside, axis=-1, keepdims=True) - y * inside / q) / s / n

    def _value_and_gradient(self, y, y_pred):
        """As for every loss, but from logits the log-softmax is computed once for both."""
        if not self.from_logits:
            return super()._value_and_gradient(y, y_pred)
        z = y_pred  # logits
        log_p = _log_softmax(z)
        return float(-np.sum(y * log_p) / _examples(z)), self._logits_gradient(y, log_p)

    def _logits_gradient(self, y, log_p):
        """dL/dz = (p - y) / N for one-hot y, with p = softmax(z) = exp(log_softmax(z))."""
        p = np.exp(log_p)
        total = y.sum(axis=-1, keepdims=True)  # 1 for one-hot rows; soft labels may differ
        return (p * total - y) / _examples(p)

    def _probabilities(self, y_pred):
        """Rows renormalized to sum 1, then clipped (Keras); returns them and the clip mask."""
        return _clip(y_pred / y_pred.sum(axis=-1, keepdims=True))


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer labels: y_true [N] in 0..K-1, y_pred [N, K].

    L = mean over examples of -log(p[label]); the same number as the categorical loss with
    one-hot labels, and computed that way: the labels become one-hot rows, then everything
    (renormalize, clip, log-softmax) is as above.
    """

    name = "sparse_categorical_crossentropy"

    @staticmethod
    def _one_hot(labels, K, dtype):
        """Integer labels [N] in 0..K-1 -> one-hot rows [N, K]: row n is 1 at column labels[n]."""
        return np.eye(K, dtype=dtype)[labels.astype(int)]


class KLDivergence(Loss):
    """Kullback-Leibler divergence: L = mean over examples of sum_k y_k * log(y_k / p_k).

    Both y_true and y_pred are clipped to [EPSILON, 1] (Keras); with m the clip's mask on p,
        dL/dy_pred_k = -m_k * y_k / p_k / N
    """

    name = "kl_divergence"

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


# -- input checks: the one place where what a user hands to a loss is checked ----------------
#
# check_loss_inputs(loss, y_true, y_pred) = check_predictions, then check_targets. fit and
# train_on_batch call check_targets once on all their targets and check_predictions once on
# the model's first outputs; the formulas above then trust their arrays at every batch.


def check_loss_inputs(loss, y_true, y_pred):
    """(y, p): y_true and y_pred as float arrays of one shape and dtype, or a clear error.

    For the sparse loss y is the labels' one-hot rows [N, K], so every formula reads y, p.
    """
    p = check_predictions(loss, y_pred)
    return check_targets(loss, y_true, p.shape, p.dtype), p


def check_predictions(loss, y_pred):
    """y_pred as a float array (float32 stays float32), at least 1-d, finite, and in the
    range the loss reads: probabilities unless from_logits=True, K >= 2 class columns."""
    who = type(loss).__name__
    p = _numbers(loss, y_pred, "y_pred")
    if p.dtype.kind != "f":  # kind "f": any float dtype
        p = p.astype(np.float64)
    if p.ndim == 0:
        raise ValueError(f"{who}: y_pred must be an array, got a scalar")
    if p.size == 0:  # the mean of nothing is NaN
        raise ValueError(f"{who}: y_pred holds no examples ({p.shape})")
    if not np.isfinite(p).all():
        raise ValueError(f"{who}: y_pred contains NaN or infinity")
    logits = getattr(loss, "from_logits", False)
    if isinstance(loss, CategoricalCrossentropy):  # the sparse loss too
        _check_class_scores(loss, p, logits)
    elif isinstance(loss, BinaryCrossentropy) and not logits:
        # logits here would be clipped to 0 or 1 and stop learning
        advice = "; it looks like logits: pass from_logits=True, or end the model with a sigmoid"
        _check_unit_range(loss, "y_pred (probabilities)", p, advice)
    elif isinstance(loss, KLDivergence):
        _check_unit_range(loss, "y_pred (probabilities)", p, "; end the model with a softmax")
    return p


def check_targets(loss, y_true, pred_shape, dtype):
    """y_true as the float array [pred_shape] of `dtype` that the formulas read, or an error.

    pred_shape is y_pred's shape: in fit, (N, *the model's output shape). y_true [N] and
    y_pred [N, 1] (or the reverse) are lined up, like Keras. Sparse labels become one-hot.
    """
    if isinstance(loss, SparseCategoricalCrossentropy):
        labels = _check_labels(loss, y_true, pred_shape)
        return loss._one_hot(labels, pred_shape[-1], dtype)
    who, pred_shape = type(loss).__name__, tuple(pred_shape)
    y = _numbers(loss, y_true, "y_true").astype(dtype, copy=False)
    if y.shape != pred_shape:
        if y.size == np.prod(pred_shape) and (
            y.shape + (1,) == pred_shape or y.shape == pred_shape + (1,)
        ):
            y = y.reshape(pred_shape)  # [N] vs [N, 1]: Keras lines them up
        else:
            raise ValueError(
                f"{who}: y_true has shape {y.shape} but y_pred has shape {pred_shape}; "
                "they must match"
            )
    if not np.isfinite(y).all():
        raise ValueError(f"{who}: y_true contains NaN or infinity")
    if isinstance(loss, BinaryCrossentropy):
        _check_unit_range(loss, "y_true (labels 0 and 1, or soft labels)", y)
    elif isinstance(loss, CategoricalCrossentropy):
        _check_unit_range(loss, "y_true (one-hot rows or probabilities)", y)
    elif isinstance(loss, KLDivergence):
        _check_unit_range(loss, "y_true (probabilities)", y)
    return y


def _check_labels(loss, y_true, pred_shape):
    """Integer class labels [N] (or [N, 1]) in 0..K-1 for scores of shape [N, K]."""
    who = type(loss).__name__
    pred_shape = tuple(pred_shape)
    labels = np.asarray(y_true)
    if len(pred_shape) == 1 and labels.shape == pred_shape:
        raise ValueError(
            f"{who}: y_pred must be scores [N, K] with a class axis (one column per class) "
            f"for labels y_true [N], got both of shape {pred_shape}"
        )
    if labels.shape == pred_shape[:-1] + (1,):
        labels = labels.reshape(pred_shape[:-1])  # [N, 1] labels, as Keras allows
    if labels.shape != pred_shape[:-1]:
        raise ValueError(
            f"{who}: y_true has shape {labels.shape} but y_pred has shape {pred_shape}; "
            f"expected integer labels of shape {pred_shape[:-1]}"
        )
    if labels.dtype.kind not in "iuf":  # int, unsigned or float; not bool, str or object
        raise ValueError(f"{who}: labels must be integer class indices, got dtype {labels.dtype}")
    if np.isnan(labels).any():
        raise ValueError(f"{who}: labels must be integer class indices, got NaN")
    if (labels != np.round(labels)).any():
        raise ValueError(
            f"{who}: labels must be integer class indices, got "
            f"{np.unique(labels[labels != np.round(labels)])}"
        )
    K = pred_shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= K):
        raise ValueError(
            f"{who}: labels must lie in 0..{K - 1} for K = {K} classes, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def _check_class_scores(loss, p, logits):
    """K >= 2 classes; without from_logits, rows of probabilities (>= 0, positive sum)."""
    who = type(loss).__name__
    if p.shape[-1] < 2:  # one column: softmax gives 1 and the loss is 0 whatever the data
        raise ValueError(
            f"{who}: y_pred needs K >= 2 columns, one per class, got shape {p.shape}; for a "
            "single output column use binary_crossentropy with a sigmoid output"
        )
    if logits:
        return
    if p.min() < 0:
        raise ValueError(
            f"{who}: y_pred must be probabilities >= 0, got values from {p.min()} to "
            f"{p.max()}; it looks like logits: pass from_logits=True, or end the model with "
            "a softmax"
        )
    if (p.sum(axis=-1) <= 0).any():
        raise ValueError(
            f"{who}: every row of y_pred must have a positive sum (probabilities); pass "
            "from_logits=True for logits"
        )


def _numbers(loss, a, what):
    """a as an array of numbers (kinds "b", "i", "u", "f": bool, int, unsigned, float)."""
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{type(loss).__name__}: {what} must be numbers, got dtype {a.dtype}")
    return a


def _check_unit_range(loss, what, a, advice=""):
    """A clear error unless every entry of a lies in [0, 1]: a min and a max, no temporaries."""
    if a.size and (a.min() < 0 or a.max() > 1):
        raise ValueError(
            f"{type(loss).__name__}: {what} must lie in [0, 1], got values from {a.min()} "
            f"to {a.max()}{advice}"
        )


def _check_from_logits(loss, from_logits):
    """from_logits as a bool; a string such as "False" would otherwise count as True."""
    if not isinstance(from_logits, (bool, np.bool_)):
        raise TypeError(
            f"{type(loss).__name__}: from_logits must be True or False, got {from_logits!r}"
        )
    return bool(from_logits)
