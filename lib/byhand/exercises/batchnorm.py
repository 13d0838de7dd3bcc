"""The Chapter 8 exercise set, "Batch normalization" (exercises/08_batch_normalization).

The notebook imports this set's own `check`: `from byhand.exercises.batchnorm import check`.
The functions to write, with the course's letters (N examples in the batch, D features):

    batch_statistics(x [N, D]) -> (mu [D], var [D])
                    the mean and the variance of each feature over the batch, divided by N
    batchnorm_forward_train(x [N, D], gamma [D], beta [D], epsilon) -> (y, x_hat, sigma)
                    sigma = √(var + ε) [D];  x_hat = (x − μ) / sigma;  y = γ x_hat + β [N, D]
    update_moving_averages(moving_mean, moving_variance, mu, var, momentum)
                    -> (moving_mean, moving_variance), each [D]:
                    moving <- momentum · moving + (1 − momentum) · batch value
    batchnorm_forward_inference(x, gamma, beta, moving_mean, moving_variance, epsilon) -> y
                    y = γ (x − moving_mean) / √(moving_variance + ε) + β, no batch statistics
    batchnorm_backward(dy [N, D], x_hat [N, D], sigma [D], gamma [D]) -> (dx, dgamma, dbeta)
                    the gradients of the training forward pass, μ and σ depending on x

The conventions are Keras's and those of byhand.normalization.BatchNormalization: the batch
variance is divided by N (not N − 1), ε sits inside the square root, and the moving averages
keep the weight `momentum` (0.99 by default) for the old value. The backward pass's expected
values are central finite differences in float64 of L(x, γ, β) = Σ dy ⊙ y, the forward pass
run in training mode; the other cases are worked by hand in the comments.
"""

from __future__ import annotations

import numpy as np

from byhand.exercises.cases import Case, Exercise, Mistake, finite_differences
from byhand.exercises.checking import check_exercise

# --- Reference functions: the expected values of the cases and of the hidden tests ---------


def reference_batch_statistics(x):
    """The mean and the variance (divided by N) of each feature. x [N, D] -> ([D], [D])."""
    x = np.asarray(x, dtype=float)
    mu = x.mean(axis=0)
    return mu, ((x - mu) ** 2).mean(axis=0)


def reference_batchnorm_forward_train(x, gamma, beta, epsilon):
    """Batch normalization with the batch's statistics: (y [N, D], x_hat [N, D], sigma [D])."""
    mu, var = reference_batch_statistics(x)
    sigma = np.sqrt(var + epsilon)
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, x_hat, sigma


def reference_update_moving_averages(moving_mean, moving_variance, mu, var, momentum):
    """moving <- momentum · moving + (1 − momentum) · batch value, for the mean and variance."""
    return (
        momentum * moving_mean + (1 - momentum) * mu,
        momentum * moving_variance + (1 - momentum) * var,
    )


def reference_batchnorm_forward_inference(x, gamma, beta, moving_mean, moving_variance, epsilon):
    """Batch normalization with the moving statistics: y [N, D], the same for any batch."""
    return gamma * (x - moving_mean) / np.sqrt(moving_variance + epsilon) + beta


def reference_batchnorm_backward(dy, x_hat, sigma, gamma):
    """(dx, dgamma, dbeta) of the training forward pass; sums run over the batch.

    dx = γ / (N σ) · (N dy − Σ dy − x_hat Σ (dy x_hat)), dγ = Σ dy x_hat, dβ = Σ dy.
    """
    n = len(dy)
    dbeta = dy.sum(axis=0)
    dgamma = (dy * x_hat).sum(axis=0)
    return gamma / (n * sigma) * (n * dy - dbeta - x_hat * dgamma), dgamma, dbeta


def training_loss(dy, epsilon):
    """L(x, γ, β) = Σ dy ⊙ y, y the training forward pass: dL/dy = dy, the upstream gradient."""

    def loss(x, gamma, beta):
        y, _, _ = reference_batchnorm_forward_train(x, gamma, beta, epsilon)
        return float(np.sum(dy * y))

    return loss


def backward_case(x, gamma, dy, epsilon, about):
    """A Case for batchnorm_backward: its arguments come from the forward pass on x, and its
    expected (dx, dgamma, dbeta) are central finite differences (float64) of Σ dy ⊙ y."""
    x, gamma, dy = (np.asarray(a, dtype=np.float64) for a in (x, gamma, dy))
    beta = np.zeros_like(gamma)  # β only shifts y: the gradients do not depend on it
    _, x_hat, sigma = reference_batchnorm_forward_train(x, gamma, beta, epsilon)
    expected = finite_differences(training_loss(dy, epsilon), (x, gamma, beta), (0, 1, 2))
    return Case(
        (dy, x_hat, sigma, gamma),
        expected,
        about,
        rtol=1e-6,
        atol=1e-8,
        source="the expected gradients are central finite differences (float64) of "
        "sum(dy * y) with respect to x, gamma and beta, y the training forward pass",
    )


# --- batch_statistics ----------------------------------------------------------------------

# Four examples, two features: column 0 is 1, 3, 5, 7 and column 1 is 1, 1, 1, 9
_X42 = np.array([[1.0, 1.0], [3.0, 1.0], [5.0, 1.0], [7.0, 9.0]])
# Three examples whose two features have very different scales
_SCALES = np.array([[100.0, 0.1], [300.0, 0.3], [200.0, 0.2]])
# A square batch, N = D = 3, so that statistics over the rows have the right shape
_X33 = np.array([[2.0, 0.0, -1.0], [4.0, 0.0, 1.0], [6.0, 3.0, 3.0]])


def _over_n_minus_1(x):
    mu = x.mean(axis=0)
    return mu, ((x - mu) ** 2).sum(axis=0) / (len(x) - 1)


N_MINUS_1_HINT = (
    "the variance was divided by N − 1 (np.var(..., ddof=1), or np.std(..., ddof=1)**2, "
    "pandas' default). Batch normalization, in Keras and in byhand, uses the batch's own "
    "variance, divided by N: np.mean((x - mu)**2, axis=0), or np.var(x, axis=0)"
)
ROWS_HINT = (
    "these are statistics of each example (row) over its features, axis=1: that is layer "
    "normalization. Batch normalization takes each feature (column) over the batch, axis=0, "
    "so that μ and the variance have one entry per feature, shape [D]"
)

BATCH_STATISTICS = Exercise(
    "batch_statistics",
    ("x",),
    (
        # column 0: μ = 16 / 4 = 4, deviations −3, −1, 1, 3: var = (9 + 1 + 1 + 9) / 4 = 5;
        # column 1: μ = 12 / 4 = 3, deviations −2, −2, −2, 6: var = (4 + 4 + 4 + 36) / 4 = 12
        Case((_X42,), (np.array([4.0, 3.0]), np.array([5.0, 12.0])), "N = 4 examples, D = 2"),
        # μ = (200, 0.2); var = (100² + 100² + 0) / 3 = 20000 / 3 = 6666.67 and
        # (0.1² + 0.1² + 0) / 3 = 0.02 / 3 = 0.00666667: the scales differ by 10⁶
        Case(
            (_SCALES,),
            (np.array([200.0, 0.2]), np.array([20000 / 3, 0.02 / 3])),
            "two features on very different scales",
        ),
        # μ = (12 / 3, 3 / 3, 3 / 3) = (4, 1, 1); var = ((4 + 0 + 4) / 3, (1 + 1 + 4) / 3,
        # (4 + 0 + 4) / 3) = (8/3, 2, 8/3)
        Case(
            (_X33,),
            (np.array([4.0, 1.0, 1.0]), np.array([8 / 3, 2.0, 8 / 3])),
            "a square batch, N = D = 3",
        ),
    ),
    returns=("mu", "var"),
    batch="x",
    mistakes=(
        Mistake("N − 1", N_MINUS_1_HINT, _over_n_minus_1),
        Mistake("rows", ROWS_HINT, lambda x: (x.mean(axis=1), x.var(axis=1))),
        Mistake(
            "standard deviation",
            "var came back as the standard deviation, the square root of the variance "
            "(np.std): return the variance itself, the mean of (x − μ)². The square root "
            "comes later, in σ = √(var + ε)",
            lambda x: (x.mean(axis=0), x.std(axis=0)),
        ),
        Mistake(
            "not centred",
            "var is the mean of x², not of (x − μ)²: subtract each feature's batch mean "
            "before squaring",
            lambda x: (x.mean(axis=0), (x**2).mean(axis=0)),
        ),
    ),
)

# --- batchnorm_forward_train ---------------------------------------------------------------


def _forward(x, gamma, beta, epsilon, *, ddof=0, axis=0, root=np.sqrt, outside=False):
    """A (possibly mistaken) training forward pass: the keyword arguments name the mistake."""
    mu = x.mean(axis=axis, keepdims=axis == 1)
    var = x.var(axis=axis, keepdims=axis == 1) * len(x) / (len(x) - ddof)
    sigma = root(var) + epsilon if outside else root(var + epsilon)
    x_hat = (x - mu) / sigma
    return gamma * x_hat + beta, x_hat, sigma


def _no_root(value):
    return value


_X32 = np.array([[0.0, 10.0], [3.0, 10.0], [6.0, 16.0]])
_CONSTANT = np.array([[5.0, 1.0], [5.0, -1.0]])  # feature 0 is the same in both examples

EPSILON_HINT = (
    "ε is missing: σ = √(var + ε). Without it, a feature that is constant over the batch "
    "(var = 0) gives 0 / 0, and a nearly constant one is blown up"
)
EPSILON_OUTSIDE_HINT = (
    "ε was added outside the square root, √var + ε: Keras and byhand add it to the "
    "variance, σ = √(var + ε). With ε = 1e-3 the two differ most where var is small"
)
NO_ROOT_HINT = (
    "x − μ was divided by var + ε, the variance: divide by the standard deviation, "
    "σ = √(var + ε), so that x_hat has variance about 1"
)

BATCHNORM_FORWARD_TRAIN = Exercise(
    "batchnorm_forward_train",
    ("x", "gamma", "beta", "epsilon"),
    (
        # μ = (4, 3), var = (5, 12) as in batch_statistics; a large ε = 4 makes the roots
        # whole: σ = (√9, √16) = (3, 4). x_hat column 0 = (−3, −1, 1, 3) / 3, column 1 =
        # (−2, −2, −2, 6) / 4 = (−0.5, −0.5, −0.5, 1.5); y column 0 = 2 x_hat + 1 =
        # (−1, 1/3, 5/3, 3), column 1 = 0.5 x_hat − 1 = (−1.25, −1.25, −1.25, −0.25)
        Case(
            (_X42, np.array([2.0, 0.5]), np.array([1.0, -1.0]), 4.0),
            (
                np.array([[-1.0, -1.25], [1 / 3, -1.25], [5 / 3, -1.25], [3.0, -0.25]]),
                np.array([[-1.0, -0.5], [-1 / 3, -0.5], [1 / 3, -0.5], [1.0, 1.5]]),
                np.array([3.0, 4.0]),
            ),
            "N = 4, D = 2, with ε = 4 so that σ comes out whole",
        ),
        # Keras's start, γ = 1, β = 0, ε = 1e-3: μ = (3, 12), var = ((9 + 0 + 9) / 3,
        # (4 + 4 + 16) / 3) = (6, 8), σ = (√6.001, √8.001) = (2.449694, 2.828604);
        # y = x_hat: column 0 = (−3, 0, 3) / 2.449694 = (−1.224643, 0, 1.224643),
        # column 1 = (−2, −2, 4) / 2.828604 = (−0.707063, −0.707063, 1.414125)
        Case(
            (_X32, np.ones(2), np.zeros(2), 1e-3),
            (
                np.array([[-3.0, -2.0], [0.0, -2.0], [3.0, 4.0]]) / np.sqrt([6.001, 8.001]),
                np.array([[-3.0, -2.0], [0.0, -2.0], [3.0, 4.0]]) / np.sqrt([6.001, 8.001]),
                np.sqrt([6.001, 8.001]),
            ),
            "γ = 1, β = 0 and ε = 1e-3, Keras's defaults",
        ),
        # feature 0 is constant: μ = 5, var = 0, σ = √0.001 = 0.031623, x_hat = 0, y = β =
        # 0.5; feature 1: μ = 0, var = 1, σ = √1.001 = 1.000500, x_hat = ±1 / 1.000500 =
        # ±0.999500, y = 2 x_hat = ±1.999001
        Case(
            (_CONSTANT, np.array([3.0, 2.0]), np.array([0.5, 0.0]), 1e-3),
            (
                np.array([[0.5, 2 / np.sqrt(1.001)], [0.5, -2 / np.sqrt(1.001)]]),
                np.array([[0.0, 1 / np.sqrt(1.001)], [0.0, -1 / np.sqrt(1.001)]]),
                np.sqrt([0.001, 1.001]),
            ),
            "a feature that is constant over the batch: var = 0",
        ),
    ),
    returns=("y", "x_hat", "sigma"),
    batch="x",
    mistakes=(
        Mistake("no ε", EPSILON_HINT, lambda *a: _forward(*a[:3], 0.0)),
        Mistake("ε outside √", EPSILON_OUTSIDE_HINT, lambda *a: _forward(*a, outside=True)),
        Mistake("no √", NO_ROOT_HINT, lambda *a: _forward(*a, root=_no_root)),
        Mistake("N − 1", N_MINUS_1_HINT, lambda *a: _forward(*a, ddof=1)),
        Mistake("rows", ROWS_HINT, lambda *a: _forward(*a, axis=1)),
    ),
)

# --- update_moving_averages ----------------------------------------------------------------

UPDATE_MOVING_AVERAGES = Exercise(
    "update_moving_averages",
    ("moving_mean", "moving_variance", "mu", "var", "momentum"),
    (
        # Keras's start, moving mean 0 and variance 1, momentum 0.99: mean = 0.01 (2, −4) =
        # (0.02, −0.04); variance = 0.99 · 1 + 0.01 (9, 0.5) = (0.99 + 0.09, 0.99 + 0.005) =
        # (1.08, 0.995): one batch moves the averages only 1 % of the way
        Case(
            (np.zeros(2), np.ones(2), np.array([2.0, -4.0]), np.array([9.0, 0.5]), 0.99),
            (np.array([0.02, -0.04]), np.array([1.08, 0.995])),
            "the first update from Keras's start, momentum 0.99",
        ),
        # momentum 0.9: mean = 0.9 (1, 2, 3) + 0.1 (3, 2, −1) = (0.9 + 0.3, 1.8 + 0.2,
        # 2.7 − 0.1) = (1.2, 2.0, 2.6); variance = 0.9 (4, 1, 0.25) + 0.1 (2, 1, 0.5) =
        # (3.6 + 0.2, 0.9 + 0.1, 0.225 + 0.05) = (3.8, 1.0, 0.275)
        Case(
            (
                np.array([1.0, 2.0, 3.0]),
                np.array([4.0, 1.0, 0.25]),
                np.array([3.0, 2.0, -1.0]),
                np.array([2.0, 1.0, 0.5]),
                0.9,
            ),
            (np.array([1.2, 2.0, 2.6]), np.array([3.8, 1.0, 0.275])),
            "momentum 0.9, D = 3",
        ),
        # momentum 0.8: mean = 0.8 (10, 0) + 0.2 (5, 5) = (8 + 1, 0 + 1) = (9, 1);
        # variance = 0.8 (2, 1) + 0.2 (7, 1) = (1.6 + 1.4, 0.8 + 0.2) = (3, 1)
        Case(
            (
                np.array([10.0, 0.0]),
                np.array([2.0, 1.0]),
                np.full(2, 5.0),
                np.array([7.0, 1.0]),
                0.8,
            ),  # fmt: skip
            (np.array([9.0, 1.0]), np.array([3.0, 1.0])),
            "momentum 0.8",
        ),
    ),
    returns=("moving_mean", "moving_variance"),
    updates=("moving_mean", "moving_variance"),
    mistakes=(
        Mistake(
            "momentum swapped",
            "momentum and 1 − momentum are swapped: the OLD moving value keeps the weight "
            "momentum (0.99 in Keras, so the averages change slowly) and the batch's value "
            "gets 1 − momentum: moving <- momentum · moving + (1 − momentum) · batch",
            lambda mm, mv, mu, var, m: reference_update_moving_averages(mu, var, mm, mv, m),
        ),
        Mistake(
            "batch values",
            "the moving averages were replaced by this batch's μ and variance: they average "
            "over many batches, moving <- momentum · moving + (1 − momentum) · batch",
            lambda mm, mv, mu, var, m: (mu, var),
        ),
        Mistake(
            "no 1 − momentum",
            "the batch's value was added without its weight 1 − momentum: the two weights "
            "add up to 1, moving <- momentum · moving + (1 − momentum) · batch",
            lambda mm, mv, mu, var, m: (m * mm + mu, m * mv + var),
        ),
    ),
)

# --- batchnorm_forward_inference -----------------------------------------------------------


def _inference(x, gamma, beta, moving_mean, moving_variance, epsilon, *, root=np.sqrt,
               outside=False):  # fmt: skip
    """A (possibly mistaken) inference pass: the keyword arguments name the mistake."""
    sigma = root(moving_variance) + epsilon if outside else root(moving_variance + epsilon)
    return gamma * (x - moving_mean) / sigma + beta


def _with_batch_statistics(x, gamma, beta, moving_mean, moving_variance, epsilon):
    return reference_batchnorm_forward_train(x, gamma, beta, epsilon)[0]


_XI = np.array([[3.0, 2.0], [1.0, -6.0], [-1.0, 6.0]])
_X23 = np.array([[1.0, -2.0, 0.5], [4.0, 0.0, -1.0]])

BATCHNORM_FORWARD_INFERENCE = Exercise(
    "batchnorm_forward_inference",
    ("x", "gamma", "beta", "moving_mean", "moving_variance", "epsilon"),
    (
        # ε = 1: σ = (√(3 + 1), √(15 + 1)) = (2, 4); x_hat column 0 = (3 − 1, 1 − 1, −1 − 1)
        # / 2 = (1, 0, −1), column 1 = (2 + 2, −6 + 2, 6 + 2) / 4 = (1, −1, 2);
        # y = (1, 0.5) x_hat + (0, 1): column 0 (1, 0, −1), column 1 (1.5, 0.5, 2)
        Case(
            (
                _XI,
                np.array([1.0, 0.5]),
                np.array([0.0, 1.0]),
                np.array([1.0, -2.0]),
                np.array([3.0, 15.0]),
                1.0,
            ),  # fmt: skip
            np.array([[1.0, 1.5], [0.0, 0.5], [-1.0, 2.0]]),
            "N = 3, with ε = 1 so that σ comes out whole",
        ),
        # one example; σ = (√(2.249 + 0.001), √(0.999 + 0.001)) = (1.5, 1);
        # x_hat = ((2 − 0.5) / 1.5, (0.5 − 0.5) / 1) = (1, 0); y = (2 · 1 + 0.1, 0.2) =
        # (2.1, 0.2). (The batch's own statistics would give var = 0, x_hat = 0, y = β.)
        Case(
            (
                np.array([[2.0, 0.5]]),
                np.array([2.0, 3.0]),
                np.array([0.1, 0.2]),
                np.full(2, 0.5),
                np.array([2.249, 0.999]),
                1e-3,
            ),  # fmt: skip
            np.array([[2.1, 0.2]]),
            "a batch of one example, N = 1",
        ),
        # a layer just built: moving mean 0, moving variance 1, γ = 1, β = 0, ε = 1e-3:
        # y = x / √1.001 = 0.999500 x, nearly the identity
        Case(
            (_X23, np.ones(3), np.zeros(3), np.zeros(3), np.ones(3), 1e-3),
            _X23 / np.sqrt(1.001),
            "a layer just built: moving mean 0, moving variance 1",
        ),
    ),
    batch="x",
    mistakes=(
        Mistake(
            "batch statistics",
            "this used the batch's own mean and variance, as in training. At inference "
            "batch normalization uses moving_mean and moving_variance, so that an example's "
            "output does not depend on the other examples of its batch (or on the batch "
            "having more than one example)",
            _with_batch_statistics,
        ),
        Mistake(
            "no ε",
            "ε is missing: divide by √(moving_variance + ε), as in training",
            lambda *a: _inference(*a[:5], 0.0),
        ),
        Mistake(
            "ε outside √",
            "ε was added outside the square root, √moving_variance + ε: add it to the "
            "variance, √(moving_variance + ε), as in training",
            lambda *a: _inference(*a, outside=True),
        ),
        Mistake(
            "no √",
            "x − moving_mean was divided by moving_variance + ε, a variance: divide by the "
            "standard deviation √(moving_variance + ε)",
            lambda *a: _inference(*a, root=_no_root),
        ),
    ),
)

# --- batchnorm_backward --------------------------------------------------------------------


def _backward(dy, x_hat, sigma, gamma, *, mu_path=True, sigma_path=True, times_gamma=True,
              reduce=np.sum, axis=0):  # fmt: skip
    """A (possibly mistaken) backward pass: the keyword arguments name the mistake."""
    n = len(dy)
    dbeta = reduce(dy, axis=axis)
    dgamma = reduce(dy * x_hat, axis=axis)
    sum_dy = dy.sum(axis=axis, keepdims=True)
    sum_dy_x_hat = (dy * x_hat).sum(axis=axis, keepdims=True)
    inner = n * dy - mu_path * sum_dy - sigma_path * x_hat * sum_dy_x_hat
    return (gamma if times_gamma else 1) / (n * sigma) * inner, dgamma, dbeta


_rng = np.random.default_rng(8)
_X_RANDOM = _rng.normal(size=(6, 3)) * np.array([1.0, 3.0, 0.5]) + np.array([0.0, 5.0, -2.0])
_GAMMA_RANDOM = _rng.uniform(0.5, 2.0, size=3)
_DY_RANDOM = _rng.normal(size=(6, 3))

BATCHNORM_BACKWARD = Exercise(
    "batchnorm_backward",
    ("dy", "x_hat", "sigma", "gamma"),
    (
        # x, γ and ε = 4 of the forward pass's first case: σ = (3, 4), x_hat column 0 =
        # (−1, −1/3, 1/3, 1), column 1 = (−0.5, −0.5, −0.5, 1.5). dy column 0 = (1, 0, 0, −1):
        # Σ dy = 0, Σ dy x_hat = −1 − 1 = −2, so dβ = 0, dγ = −2 and
        # dx = 2 / (4 · 3) (4 dy − 0 + 2 x_hat) = (1/3, −1/9, 1/9, −1/3). Column 1, dy =
        # (0, 1, 0, 2): Σ dy = 3, Σ dy x_hat = −0.5 + 3 = 2.5, so dβ = 3, dγ = 2.5 and
        # dx = 0.5 / (4 · 4) (4 dy − 3 − 2.5 x_hat) = (−1.75, 2.25, −1.75, 1.25) / 32.
        # Each column of dx adds up to 0
        backward_case(
            _X42,
            np.array([2.0, 0.5]),
            np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [-1.0, 2.0]]),
            4.0,
            "N = 4, D = 2: the forward pass's first case",
        ),
        backward_case(
            _X32,
            np.array([1.5, -0.5]),
            np.array([[1.0, 2.0], [-1.0, 0.0], [0.5, 1.0]]),
            1e-3,
            "N = 3, ε = 1e-3, a negative γ",
        ),
        backward_case(_X_RANDOM, _GAMMA_RANDOM, _DY_RANDOM, 1e-3, "a random batch, N = 6, D = 3"),
    ),
    returns=("dx", "dgamma", "dbeta"),
    batch="dy",
    mistakes=(
        Mistake(
            "μ and σ constant",
            "this dx treats μ and σ as constants (dx = γ dy / σ, the backward pass at "
            "inference). In training both are computed from the batch, so each x also moves "
            "μ and σ and, through them, every y of its feature: add the paths through μ and "
            "σ (with them, each column of dx adds up to 0)",
            lambda *a: _backward(*a, mu_path=False, sigma_path=False),
        ),
        Mistake(
            "no path through μ",
            "the path through μ is missing: dx lacks the term −γ Σ dy / (N σ), where the sum "
            "runs over the batch (with it, each column of dx adds up to 0)",
            lambda *a: _backward(*a, mu_path=False),
        ),
        Mistake(
            "no path through σ",
            "the path through σ (and the variance) is missing: dx lacks the term "
            "−γ x_hat Σ (dy x_hat) / (N σ), where the sum runs over the batch",
            lambda *a: _backward(*a, sigma_path=False),
        ),
        Mistake(
            "no γ",
            "γ is missing from dx: y = γ x_hat + β, so the gradient reaching x_hat is γ dy, not dy",
            lambda *a: _backward(*a, times_gamma=False),
        ),
        Mistake(
            "means",
            "dγ and dβ are the batch means: they are SUMS over the batch, dβ = Σ dy and "
            "dγ = Σ dy x_hat, since γ and β act on every example (the 1/N of a mean loss is "
            "already in dy)",
            lambda *a: _backward(*a, reduce=np.mean),
        ),
        Mistake(
            "rows",
            "the sums run over each example's features (axis=1): γ, β, μ and σ belong to a "
            "feature and are shared by the examples of the batch, so their sums run over "
            "the batch, axis=0, and dγ, dβ have shape [D]",
            lambda *a: _backward(*a, axis=1),
        ),
    ),
)

EXERCISES = (
    BATCH_STATISTICS,
    BATCHNORM_FORWARD_TRAIN,
    UPDATE_MOVING_AVERAGES,
    BATCHNORM_FORWARD_INFERENCE,
    BATCHNORM_BACKWARD,
)


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("batchnorm_backward", batchnorm_backward)` prints "batchnorm_backward: all 3
    public cases pass", or the first case that fails, with a hint. It returns None. See
    `byhand.exercises.checking`.
    """
    check_exercise(EXERCISES, name, function)
