"""The Chapter 5 exercise set, "Loss functions" (exercises/05_losses): cases, check.

The notebook imports this set's own `check`: `from byhand.exercises.losses import check`.
The functions to write, with the course's shape letters (N examples, M outputs, K classes):

    mean_squared_error(y_true [N, M], y_pred [N, M]) -> a number      mean of (ŷ − y)²
    mean_squared_error_gradient(y_true, y_pred) -> [N, M]             2 (ŷ − y) / (N M)
    binary_crossentropy(y_true [N], logits [N]) -> a number           mean of the losses
                                          max(z, 0) − z y + log(1 + e^−|z|), from logits z
    binary_crossentropy_gradient(y_true, logits) -> [N]               (σ(z) − y) / N
    logsumexp(Z [N, K] or [K]) -> [N] or a number                     log Σ_k e^z_k, each row
                                          as m + log Σ_k e^(z_k − m), m the row's maximum
    sparse_categorical_crossentropy(y_true [N] ints, logits [N, K]) -> a number
                                          mean of logsumexp(z_n) − z_n[y_n]
    sparse_categorical_crossentropy_gradient(y_true, logits) -> [N, K]
                                          (softmax(Z) − onehot(y)) / N
    kl_divergence(p [K], q [K]) -> a number    Σ over p_k > 0 of p_k ln(p_k / q_k), in nats

Means follow Keras: each example's loss is the mean over its last axis (for mse and binary
cross-entropy), and the batch's loss is the mean over the examples. For arrays of one shape
that is the mean over all entries, so the gradients divide by the number of entries
(y_pred.size, or logits.size): N M for an [N, M] batch. mse and binary cross-entropy accept
[N] or [N, M]; the gradient cases of every gradient are central finite differences in
float64, next to cases worked by hand in the comments.

`check` runs the five functions that must be numerically stable (STABLE_ADVICE) with NumPy
raising an error at an overflow, a log of 0 or an invalid operation (0 · inf, inf − inf),
where it would otherwise warn and go on with inf or nan; the report then ends with what to
do instead. kl_divergence runs with those warnings off, since a right answer may compute
log 0 in a term it then drops; when its result holds NaN, the check names the cause, the
term 0 · log 0 (see `check`).
"""

from __future__ import annotations

import functools

import numpy as np

from byhand.exercises.activations import reference_sigmoid, reference_softmax
from byhand.exercises.cases import Case, Exercise, Mistake, finite_differences
from byhand.exercises.checking import check_exercise, find, report
from byhand.exercises.feedback import hint, hint_lines

LN2, LN3 = float(np.log(2.0)), float(np.log(3.0))
CLIP = 1e-7  # Keras's epsilon: what a student who clips probabilities usually takes


# --- Reference functions: the expected values of the cases and of the hidden tests ---------


def reference_mse(y_true, y_pred):
    """mean((ŷ − y)²) over all entries. [N, M] or [N] -> float."""
    return float(np.mean((np.asarray(y_pred, float) - y_true) ** 2))


def reference_logsumexp(Z):
    """log Σ_k e^(z_k) of each row, as m + log Σ_k e^(z_k − m), m the row maximum.

    [N, K] -> [N]; a vector [K] -> a float.
    """
    Z = np.asarray(Z, dtype=float)
    m = Z.max(axis=-1, keepdims=True)
    result = (m + np.log(np.exp(Z - m).sum(axis=-1, keepdims=True)))[..., 0]
    return float(result) if result.ndim == 0 else result


def reference_binary_crossentropy(y_true, logits):
    """mean of max(z, 0) − z y + log(1 + e^−|z|), = −[y log σ(z) + (1 − y) log(1 − σ(z))]."""
    z = np.asarray(logits, dtype=float)
    return float(np.mean(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))))


def reference_sparse_categorical_crossentropy(y_true, logits):
    """mean over n of logsumexp(z_n) − z_n[y_n] = −log softmax(z_n)[y_n]. [N], [N, K] -> float."""
    Z = np.asarray(logits, dtype=float)
    picked = Z[np.arange(len(Z)), y_true]  # row n's logit of its own class y_n: [N]
    return float(np.mean(reference_logsumexp(Z) - picked))


def reference_kl_divergence(p, q):
    """Σ p_k ln(p_k / q_k) over the k with p_k > 0 (0 · log 0 = 0). [K], [K] -> float."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    kept = p > 0
    return float(np.sum(p[kept] * np.log(p[kept] / q[kept])))


def one_hot(y_true, K):
    """Labels [N] in 0..K−1 as one-hot rows [N, K]: row n is 1 in column y_n, else 0."""
    return np.eye(K)[y_true]


# --- Helpers for the cases and the mistakes ------------------------------------------------


def _gradient_case(loss, y_true, x, about, name):
    """A Case for loss_gradient(y_true, x): the expected dL/dx is central finite
    differences (float64) of loss(y_true, x) with respect to x."""
    (expected,) = finite_differences(loss, (y_true, x), (1,))
    return Case(
        (y_true, x),
        expected,
        about,
        rtol=1e-6,
        atol=1e-8,
        source=f"the expected gradient is central finite differences (float64) of {name}",
    )


def _quietly(function):
    """`function` run with NumPy's floating-point warnings off (a mistake may take log 0)."""

    @functools.wraps(function)
    def quiet(*args):
        with np.errstate(all="ignore"):
            return function(*args)

    return quiet


def _bce_terms(y, z):
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def _clipped_bce(y, z):
    p = np.clip(reference_sigmoid(z), CLIP, 1 - CLIP)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _log_softmax(Z):
    return Z - reference_logsumexp(Z)[..., None]


_rng = np.random.default_rng(5)  # the random cases

# --- mean squared error --------------------------------------------------------------------

# Two examples with three outputs each, y_pred − y_true = [[0, 0, 2], [1, −1, 1]]
_Y23 = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
_P23 = np.array([[1.0, 2.0, 5.0], [1.0, -1.0, 1.0]])
# Four examples of one output, errors (0.5, −0.5, 1, 0)
_Y4 = np.array([0.5, 1.5, -1.0, 2.0])
_P4 = np.array([1.0, 1.0, 0.0, 2.0])
# The notes' car: a price of 50,000 as the target, an untrained network's output 0.9
_PRICE, _OUTPUT = np.array([[50000.0]]), np.array([[0.9]])
_Y32, _P32 = _rng.normal(size=(3, 2)), _rng.normal(size=(3, 2))

MEAN_SQUARED_ERROR = Exercise(
    "mean_squared_error",
    ("y_true", "y_pred"),
    (
        # squares [[0, 0, 4], [1, 1, 1]]: sum 7 over N M = 6 entries, 7/6 = 1.1666667
        # (Keras: the examples' means 4/3 and 3/3, then their mean 7/6, the same number)
        Case((_Y23, _P23), 7 / 6, "N = 2 examples, M = 3 outputs: the mean of 6 squares"),
        # squares (0.25, 0.25, 1, 0): sum 1.5 over 4 entries, 0.375
        Case((_Y4, _P4), 0.375, "one output per example, y of shape [4]"),
        # (0.9 − 50000)² = 49999.1² = 2499910000.81: the raw price dwarfs everything
        Case((_PRICE, _OUTPUT), 49999.1**2, "a raw car price of 50,000 against an output of 0.9"),
    ),
    mistakes=(
        Mistake(
            "sum",
            "this is the sum of the squared errors; the loss is their mean over all N·M "
            "entries (np.mean)",
            lambda y, p: np.sum((p - y) ** 2),
        ),
        Mistake(
            "/ N only",
            "the sum was divided by N, the number of examples, only. Each example's loss is "
            "already the mean over its M outputs (as in Keras), so the batch's loss is the "
            "sum divided by N·M, the number of entries (y_pred.size)",
            lambda y, p: np.sum((p - y) ** 2) / len(p),
        ),
        Mistake(
            "(mean)²",
            "the errors were averaged before squaring, so positive and negative ones cancel: "
            "square each error first, then average, mean((ŷ − y)²)",
            lambda y, p: np.mean(p - y) ** 2,
        ),
        Mistake(
            "root",
            "this is the root mean squared error (RMSE): the loss is the mean of the squares "
            "itself, without the square root",
            lambda y, p: np.sqrt(np.mean((p - y) ** 2)),
        ),
    ),
)

MEAN_SQUARED_ERROR_GRADIENT = Exercise(
    "mean_squared_error_gradient",
    ("y_true", "y_pred"),
    (
        # 2 (ŷ − y) / 6 = [[0, 0, 4], [2, −2, 2]] / 6
        Case(
            (_Y23, _P23),
            np.array([[0.0, 0.0, 4.0], [2.0, -2.0, 2.0]]) / 6,
            "N = 2, M = 3: each entry is divided by N·M = 6",
        ),
        # 2 (0.5, −0.5, 1, 0) / 4 = (0.25, −0.25, 0.5, 0)
        Case((_Y4, _P4), np.array([0.25, -0.25, 0.5, 0.0]), "y of shape [4]"),
        _gradient_case(reference_mse, _Y32, _P32, "a random [3, 2] batch", "mean_squared_error"),
        # 2 (0.9 − 50000) / 1 = −99998.2: a step of learning rate 0.01 would move ŷ by 1000
        Case((_PRICE, _OUTPUT), np.array([[-99998.2]]), "the raw car price: a huge gradient"),
    ),
    batch="y_pred",
    mistakes=(
        Mistake(
            "y − ŷ",
            "the sign is flipped: the derivative of (ŷ − y)² with respect to the prediction ŷ "
            "is 2(ŷ − y). y − ŷ is the direction in which ŷ should move, the negative "
            "gradient; the update step puts in that minus sign",
            lambda y, p: 2 * (y - p) / p.size,
        ),
        Mistake(
            "no 2",
            "half the gradient: this is the derivative of ½(ŷ − y)², a convention some books "
            "use. The course's loss (as Keras's) has no ½, and d/dŷ (ŷ − y)² = 2(ŷ − y)",
            lambda y, p: (p - y) / p.size,
        ),
        Mistake(
            "no mean",
            "the 1/(N·M) of the mean is missing: the loss averages over all N·M entries, so "
            "the derivative with respect to each one is divided by their number, y_pred.size",
            lambda y, p: 2 * (p - y),
        ),
        Mistake(
            "/ N only",
            "divided by N, the number of examples, only: the loss is the mean over all N·M "
            "entries (each example's mean over its M outputs, then the mean over the batch), "
            "so divide by N·M, y_pred.size",
            lambda y, p: 2 * (p - y) / len(p),
        ),
    ),
)

# --- binary cross-entropy from logits ------------------------------------------------------

# σ(0) = 1/2, σ(ln 3) = 3/4, σ(−ln 3) = 1/4
_Z4 = np.array([0.0, LN3, -LN3, LN3])
_T4 = np.array([1.0, 1.0, 0.0, 0.0])
# |z| = 40: σ(40) rounds to 1 in float64, so log(1 − σ(40)) = log 0
_Z40 = np.array([[40.0, -40.0], [40.0, -40.0]])
_T40 = np.array([[1.0, 0.0], [0.0, 1.0]])
# |z| = 1000: exp(1000) overflows
_Z1000 = np.array([1000.0, -1000.0, 1000.0, -1000.0])
_T1000 = np.array([1, 0, 0, 1])  # integer labels
_Z5 = _rng.normal(size=5) * 3.0
_T5 = np.array([1.0, 0.0, 0.0, 1.0, 1.0])

BINARY_CROSSENTROPY = Exercise(
    "binary_crossentropy",
    ("y_true", "logits"),
    (
        # losses −log σ(0) = ln 2 = 0.693147, −log 3/4 = 0.287682 (y = 1, z = ln 3),
        # −log(1 − 1/4) = 0.287682 (y = 0, z = −ln 3), −log(1 − 3/4) = ln 4 = 1.386294;
        # sum 2.654806, mean 0.663701
        Case(
            (_T4, _Z4),
            (LN2 + 2 * np.log(4 / 3) + np.log(4.0)) / 4,
            "logits 0 and ±ln 3, labels 1, 1, 0, 0",
        ),
        # right with |z| = 40: log(1 + e^−40) = 4.2e−18; wrong: 40 + 4.2e−18. Mean 80/4 = 20
        Case(
            (_T40, _Z40),
            reference_binary_crossentropy(_T40, _Z40),
            "|z| = 40, an [N, M] = [2, 2] array: two right, two wrong, mean 20",
        ),
        # the right pair costs 0 (e^−1000 underflows to 0), the wrong pair 1000 each: 2000/4
        Case((_T1000, _Z1000), 500.0, "|z| = 1000, integer labels: no overflow, no log 0"),
    ),
    mistakes=(
        Mistake(
            "sum",
            "this is the sum of the examples' losses; the loss of a batch is their mean "
            "(np.mean), divided by the number of entries",
            lambda y, z: np.sum(_bce_terms(y, z)),
        ),
        Mistake(
            "no |z|",
            "where z < 0 this is |z| too large: the formula has e^(−|z|), with the absolute "
            "value. log(1 + e^(−z)) is right only for z >= 0, and it overflows for large "
            "negative z",
            _quietly(lambda y, z: np.mean(np.maximum(z, 0) - z * y + np.log(1 + np.exp(-z)))),
        ),
        Mistake(
            "clipped",
            "the losses of the confident logits are capped at −log(1e−7) ≈ 16.1: clipping "
            "σ(z) keeps the log finite but changes the loss, and its gradient is 0 where the "
            "clip acts. From logits nothing needs clipping: max(z, 0) − z·y + "
            "log(1 + e^(−|z|)) is exact for every z",
            _clipped_bce,
        ),
    ),
)

BINARY_CROSSENTROPY_GRADIENT = Exercise(
    "binary_crossentropy_gradient",
    ("y_true", "logits"),
    (
        # σ(z) − y = (0.5 − 1, 0.75 − 1, 0.25 − 0, 0.75 − 0) = (−0.5, −0.25, 0.25, 0.75), / 4
        Case(
            (_T4, _Z4),
            np.array([-0.125, -0.0625, 0.0625, 0.1875]),
            "logits 0 and ±ln 3: (σ(z) − y) / 4",
        ),
        _gradient_case(
            reference_binary_crossentropy, _T5, _Z5, "random logits [5]", "binary_crossentropy"
        ),
        # σ(±1000) = 1 or 0: (1 − 1, 0 − 0, 1 − 0, 0 − 1) / 4 = (0, 0, 0.25, −0.25)
        Case(
            (_T1000, _Z1000),
            np.array([0.0, 0.0, 0.25, -0.25]),
            "|z| = 1000: no overflow",
        ),
    ),
    batch="logits",
    mistakes=(
        Mistake(
            "y − σ",
            "the sign is flipped: the gradient with respect to the logits is σ(z) − y, "
            "positive where the predicted probability is above the label",
            lambda y, z: (y - reference_sigmoid(z)) / z.size,
        ),
        Mistake(
            "no sigmoid",
            "the logits were used as probabilities: the gradient is σ(z) − y, the sigmoid of "
            "the logit minus the label",
            lambda y, z: (z - y) / z.size,
        ),
        Mistake(
            "σ' again",
            "the sigmoid's slope σ(1 − σ) is multiplied in: the derivative of the "
            "cross-entropy with respect to σ, (σ − y) / (σ(1 − σ)), already cancels it, so "
            "the gradient with respect to z is σ(z) − y (over N)",
            lambda y, z: (
                (reference_sigmoid(z) - y)
                * reference_sigmoid(z)
                * (1 - reference_sigmoid(z))
                / z.size
            ),
        ),
    ),
)

# --- log-sum-exp ---------------------------------------------------------------------------

_LOG125 = np.log(np.array([1.0, 2.0, 5.0]))
# Rows (ln 1, ln 1, ln 2), (0, 0, 0), and (ln 2, ln 3, ln 5) + 1000
_ROWS = np.log(np.array([[1.0, 1.0, 2.0], [1.0, 1.0, 1.0], [2.0, 3.0, 5.0]])) + [[0], [0], [1000]]
_FAR = np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0], [0.5, -0.5, 2.0]])

LOGSUMEXP = Exercise(
    "logsumexp",
    ("Z",),
    (
        # log(1 + 2 + 5) = ln 8 = 2.0794415
        Case((_LOG125,), float(np.log(8.0)), "one vector [K]: log(1 + 2 + 5) = ln 8"),
        # ln(1 + 1 + 2) = ln 4; ln(1 + 1 + 1) = ln 3; 1000 + ln(2 + 3 + 5) = 1000 + ln 10
        Case(
            (_ROWS,),
            np.array([np.log(4.0), LN3, 1000.0 + np.log(10.0)]),
            "a batch [3, 3], one row near 1000: no overflow",
        ),
        # rows far apart: 1000 + ln(1 + e^−1 + e^−2) = 1000.407606, −1000 + the same, and
        # 2 + ln(1 + e^−1.5 + e^−2.5) = 2.266368
        Case(
            (_FAR,),
            reference_logsumexp(_FAR),
            "rows near 1000, near −1000 and near 0: each row shifted by its own maximum",
        ),
    ),
    mistakes=(
        Mistake(
            "max not added back",
            "the shift is not undone: log Σ e^(z − m) = log Σ e^z − m, so add the row's "
            "maximum m back after the log",
            lambda Z: np.log(np.exp(Z - Z.max(axis=-1, keepdims=True)).sum(axis=-1)),
        ),
        Mistake(
            "axis 0",
            "the max and the sum ran down the columns, over the examples: each row is one "
            "example, so take them over its classes, axis=-1",
            lambda Z: Z.max(axis=0) + np.log(np.exp(Z - Z.max(axis=0)).sum(axis=0)),
        ),
    ),
)

# --- sparse categorical cross-entropy from logits ------------------------------------------

# Logits that are log-probabilities (each row sums to 1 already, so softmax gives them back)
_PROBS = np.array([[0.1, 0.3, 0.6], [0.2, 0.2, 0.6], [0.5, 0.25, 0.25]])
_Z33, _L3 = np.log(_PROBS), np.array([1, 2, 0])
_Z54, _L5 = _rng.normal(size=(5, 4)) * 2.0, np.array([3, 0, 0, 2, 1])
_Z45, _L4 = _rng.normal(size=(4, 5)) * 2.0, np.array([4, 4, 1, 0])
# Extreme logits: a confident wrong row, a confident right row, a row of ties
_ZBIG = np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0], [0.0, 0.0, 0.0]])
_LBIG = np.array([2, 1, 0])


def _one_hot_product(y, Z):
    """y_true taken for one-hot rows: y [N] broadcast against log p [N, K] (needs N = K)."""
    if len(y) != Z.shape[-1]:
        raise ValueError("the mistake needs N = K")
    return float(-np.mean(np.sum(y * _log_softmax(Z), axis=-1)))


SPARSE_CATEGORICAL_CROSSENTROPY = Exercise(
    "sparse_categorical_crossentropy",
    ("y_true", "logits"),
    (
        # softmax gives the rows back: −log 0.3 = 1.203973 (the notes' example, class 1),
        # −log 0.6 = 0.510826, −log 0.5 = 0.693147; mean 2.407946 / 3 = 0.802649
        Case(
            (_L3, _Z33),
            -(np.log(0.3) + np.log(0.6) + np.log(0.5)) / 3,
            "logits ln p: the losses −ln 0.3, −ln 0.6, −ln 0.5",
        ),
        Case(
            (_L5, _Z54),
            reference_sparse_categorical_crossentropy(_L5, _Z54),
            "random logits [5, 4]",
        ),
        # row 1: logsumexp = 1000, z_2 = −1000: loss 2000; row 2: 1000 − 1000 = 0;
        # row 3: ln 3 − 0. Mean (2000 + ln 3) / 3 = 667.032871
        Case(
            (_LBIG, _ZBIG),
            (2000.0 + LN3) / 3,
            "logits ±1000: a confident wrong class costs 2000, not inf",
        ),
    ),
    mistakes=(
        Mistake(
            "Z[:, y]",
            "logits[:, y_true] (or P[:, y_true]) takes whole columns, an [N, N] array that "
            "pairs every example with every label. Pair each row with its own label: "
            "logits[np.arange(N), y_true]",
            lambda y, Z: float(np.mean(reference_logsumexp(Z) - Z[:, y])),
        ),
        Mistake(
            "one-hot product",
            "y_true holds class numbers, not one-hot rows, so y_true * log p multiplies by "
            "the labels' values. Take each row's log-probability at its own label, "
            "log_p[np.arange(N), y_true] (or make one-hot rows with np.eye(K)[y_true])",
            _one_hot_product,
        ),
        Mistake(
            "no logsumexp",
            "−z_y alone is not the loss: −log p_y = logsumexp(z) − z_y, and the log-sum-exp "
            "term is what turns the logits into probabilities that sum to 1",
            lambda y, Z: float(-np.mean(Z[np.arange(len(Z)), y])),
        ),
        Mistake(
            "sum",
            "this is the sum of the N examples' losses; the loss of a batch is their mean",
            lambda y, Z: reference_sparse_categorical_crossentropy(y, Z) * len(Z),
        ),
        Mistake(
            "log2",
            "this is in bits, with log base 2: the course measures cross-entropy in nats, "
            "with the natural log (np.log). The two differ by the factor ln 2 ≈ 0.693",
            lambda y, Z: reference_sparse_categorical_crossentropy(y, Z) / LN2,
        ),
    ),
)


def _subtract_in_columns(y, Z):
    """P[:, y] -= 1: 1 is taken from every row, in every column that is someone's label."""
    P = reference_softmax(Z)
    P[:, y] -= 1
    return P / len(Z)


SPARSE_CATEGORICAL_CROSSENTROPY_GRADIENT = Exercise(
    "sparse_categorical_crossentropy_gradient",
    ("y_true", "logits"),
    (
        # P − onehot = [[0.1, −0.7, 0.6], [0.2, 0.2, −0.4], [−0.5, 0.25, 0.25]], over N = 3
        Case(
            (_L3, _Z33),
            np.array([[0.1, -0.7, 0.6], [0.2, 0.2, -0.4], [-0.5, 0.25, 0.25]]) / 3,
            "logits ln p: (p − onehot(y)) / 3",
        ),
        _gradient_case(
            reference_sparse_categorical_crossentropy,
            _L4,
            _Z45,
            "random logits [4, 5], a label twice",
            "sparse_categorical_crossentropy",
        ),
        # softmax rows (1, 0, 0), (0, 1, 0), (1/3, 1/3, 1/3); minus one-hot of (2, 1, 0); / 3
        Case(
            (_LBIG, _ZBIG),
            np.array([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0], [-2 / 3, 1 / 3, 1 / 3]]) / 3,
            "logits ±1000: no overflow",
        ),
    ),
    batch="logits",
    mistakes=(
        Mistake(
            "y − p",
            "the sign is flipped: the gradient is p − onehot(y), negative only at the true "
            "class (raising that logit lowers the loss) and positive elsewhere",
            lambda y, Z: (one_hot(y, Z.shape[-1]) - reference_softmax(Z)) / len(Z),
        ),
        Mistake(
            "P[:, y]",
            "P[:, y_true] -= 1 takes 1 from whole columns, in every row, at every label of "
            "the batch. Take it from each row at its own label only: "
            "P[np.arange(N), y_true] -= 1 (on a new array P, not on the logits)",
            _subtract_in_columns,
        ),
        Mistake(
            "no softmax",
            "the logits were used as probabilities: the gradient is softmax(z) − onehot(y), "
            "the probabilities minus the one-hot labels, over N",
            lambda y, Z: (Z - one_hot(y, Z.shape[-1])) / len(Z),
        ),
    ),
)

# --- KL divergence -------------------------------------------------------------------------

_P2, _Q2 = np.array([0.5, 0.5]), np.array([0.25, 0.75])
_P_FOUR, _Q_FOUR = np.array([0.8, 0.2]), np.array([0.2, 0.8])
_P_ZERO, _Q_FLAT = np.array([0.5, 0.5, 0.0, 0.0]), np.full(4, 0.25)
_P_SAME = np.array([0.2, 0.0, 0.3, 0.5])


def _kl_terms(p, q):
    """The terms p_k log(p_k / q_k) as NumPy computes them, 0 · log 0 giving nan."""
    return p * np.log(p / q)


KL_DIVERGENCE = Exercise(
    "kl_divergence",
    ("p", "q"),
    (
        # 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) = 0.5 (0.693147 − 0.405465) = 0.143841
        Case((_P2, _Q2), 0.5 * (LN2 + np.log(2 / 3)), "two outcomes"),
        # ratios 4 and 1/4: 0.8 ln 4 + 0.2 ln(1/4) = 0.6 ln 4 = 0.831777
        Case((_P_FOUR, _Q_FOUR), 0.6 * np.log(4.0), "ratios 4 and 1/4: log 4 = −log(1/4)"),
        # the outcomes with p = 0 count 0: 0.5 ln 2 + 0.5 ln 2 = ln 2 = 0.693147
        Case((_P_ZERO, _Q_FLAT), LN2, "p = 0 for two outcomes: 0 · log 0 counts as 0"),
        # KL(P‖P) = 0, with a p = 0 among the outcomes
        Case((_P_SAME, _P_SAME), 0.0, "p = q: KL is 0"),
    ),
    mistakes=(
        Mistake(
            "swapped",
            "the arguments are swapped: this is KL(Q‖P). KL is not symmetric, and "
            "KL(P‖Q) = Σ p_k log(p_k / q_k) weighs the log-ratios by the first "
            "distribution, p",
            _quietly(lambda p, q: np.sum(np.where(q > 0, _kl_terms(q, p), 0.0))),
        ),
        Mistake(
            "log2",
            "this is in bits, with log base 2: the course measures KL divergence in nats, "
            "with the natural log (np.log). The two differ by the factor ln 2 ≈ 0.693",
            _quietly(lambda p, q: np.sum(np.where(p > 0, p * np.log2(p / q), 0.0))),
        ),
        Mistake(
            "log(q/p)",
            "the ratio is upside down: Σ p log(q/p) = −KL(P‖Q). The divergence is "
            "Σ p_k log(p_k / q_k), which is never negative",
            _quietly(lambda p, q: np.sum(np.where(p > 0, p * np.log(q / p), 0.0))),
        ),
        Mistake(
            "no weights",
            "each log-ratio log(p_k / q_k) must be weighted by p_k, the probability of "
            "outcome k under P: Σ p_k log(p_k / q_k)",
            _quietly(lambda p, q: np.sum(np.where(p > 0, np.log(p / q), 0.0))),
        ),
        Mistake(
            "mean",
            "this is the mean over the K outcomes: KL is the sum Σ p_k log(p_k / q_k), in "
            "which the p_k are already the weights",
            _quietly(lambda p, q: np.mean(np.where(p > 0, _kl_terms(p, q), 0.0))),
        ),
    ),
)

EXERCISES = (
    MEAN_SQUARED_ERROR,
    MEAN_SQUARED_ERROR_GRADIENT,
    BINARY_CROSSENTROPY,
    BINARY_CROSSENTROPY_GRADIENT,
    LOGSUMEXP,
    SPARSE_CATEGORICAL_CROSSENTROPY,
    SPARSE_CATEGORICAL_CROSSENTROPY_GRADIENT,
    KL_DIVERGENCE,
)

# --- What check adds: NumPy stopped at the first overflow or log 0, and what to do ---------

STOPPED = (
    "NumPy stopped at the line above (check makes it stop at an overflow, a log of 0 or an "
    "invalid operation; elsewhere it only warns, and the result holds inf or nan). "
)
STABLE_ADVICE = {
    "binary_crossentropy": STOPPED
    + "Do not take the log of σ(z): for large |z| it rounds to 0 or 1, and its log to −inf. "
    "From the logits each loss is max(z, 0) − z·y + log(1 + e^(−|z|)), where exp only sees "
    "numbers <= 0 (np.log1p(x) computes log(1 + x))",
    "binary_crossentropy_gradient": STOPPED
    + "σ(z) − y needs a sigmoid that never overflows: with e = exp(−|z|), σ(z) is "
    "1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0. np.where computes both of its "
    "branches, so neither may hold exp(z) or exp(−z)",
    "logsumexp": STOPPED
    + "Subtract each row's own maximum, m = Z.max(axis=-1, keepdims=True), before exp, and "
    "add it back after the log: the largest exponent is then 0, and every row's sum is at "
    "least 1, so neither exp nor log can fail",
    "sparse_categorical_crossentropy": STOPPED
    + "Do not take the log of the softmax: a very unlikely class gets the probability 0, "
    "and log 0 = −inf. Stay with logs: −log p_y = logsumexp(z) − z_y, with your "
    "logsumexp of Exercise 3",
    "sparse_categorical_crossentropy_gradient": STOPPED
    + "Compute the softmax stably, from logits shifted by each row's maximum (or as "
    "exp(Z − logsumexp(Z)[:, None]) with your logsumexp); the shift changes no probability",
}
NAN_ADVICE = {
    "kl_divergence": "the result is NaN: the terms with p_k = 0 count as 0 (0 · log 0 = 0, "
    "the limit of p log p as p → 0), but NumPy computes 0 * log(0) = 0 * (−inf) = nan. "
    "Sum only the terms with p > 0: with kept = p > 0, use p[kept] and q[kept]",
}


def _guarded(function, errors, stopped):
    """`function` run under np.errstate(**errors), noting in `stopped` whether NumPy stopped."""

    @functools.wraps(function)
    def guarded(*args):
        with np.errstate(**errors):
            try:
                return function(*args)
            except FloatingPointError:
                stopped.append(True)
                raise

    return guarded


def _indented(text):
    return "\n".join("  " + line for line in hint_lines(text))


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("logsumexp", logsumexp)` prints "logsumexp: all 3 public cases pass", or the first
    case that fails, with a hint. It returns None. The functions in STABLE_ADVICE run with
    NumPy raising FloatingPointError at an overflow, a division by 0 (log 0 among them) or
    an invalid operation; when one does, the failing case is followed by the advice.
    kl_divergence runs with those warnings off, and a NaN result gets NAN_ADVICE in place of
    the general hint about NaN. See `byhand.exercises.checking`.
    """
    if not callable(function) or (name not in STABLE_ADVICE and name not in NAN_ADVICE):
        check_exercise(EXERCISES, name, function)
        return
    stopped = []
    if name in STABLE_ADVICE:
        errors, advice = dict(over="raise", divide="raise", invalid="raise"), STABLE_ADVICE[name]
    else:
        errors, advice = dict(divide="ignore", invalid="ignore"), None
    text = report(find(EXERCISES, name), _guarded(function, errors, stopped))
    if name in NAN_ADVICE:  # the general hint "look for 0 / 0, log(0)..." made specific
        text = text.replace(_indented(hint("nan")), _indented(NAN_ADVICE[name]))
    print(text)
    if stopped:  # the report ended at the case where NumPy stopped: add what to do
        print(_indented(advice))
