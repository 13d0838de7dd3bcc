"""The Chapter 7 exercise set, "Optimizers" (exercises/07_optimizers): cases, check.

The notebook imports this set's own `check`: `from byhand.exercises.optimizers import check`.
The functions to write, with the course's letters (N examples, B the batch size, T steps):

    minibatch_indices(permutation [N] ints, batch_size) -> a list of int arrays
                    one epoch: permutation[0:B], permutation[B:2B], ..., the last one
                    shorter when B does not divide N; every index exactly once
    ewma(thetas [T], beta) -> [T]                 v_t = β v_(t−1) + (1 − β) θ_t, v_0 = 0
    ewma_bias_corrected(thetas [T], beta) -> [T]  v_t / (1 − β^t), t = 1, 2, ..., T
    momentum_step(w, g, velocity, learning_rate, momentum) -> (w, velocity)
                    v <- m v + η g;  w <- w − v         (the engine's SGD convention)
    adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon) -> (w, m, v)
                    m <- β1 m + (1 − β1) g;  v <- β2 v + (1 − β2) g²
                    m̂ = m / (1 − β1^t);  v̂ = v / (1 − β2^t);  w <- w − η m̂ / (√v̂ + ε)
                    t is the number of this step, 1 for the first

adam_step adds ε to √v̂, as the Adam paper and PyTorch do. Keras (and byhand.optimizers.Adam)
adds ε to √v before the bias correction, which is the same as adding ε / √(1 − β2^t) to √v̂:
the two agree unless √v̂ is as small as ε. One public case takes ε = 0.1 so that the
placements differ, and its hint names Keras's form.

A step returns NEW arrays and leaves its arguments alone; `check` names an argument that a
function changed (an update in place, w -= ..., changes the caller's array).
"""

from __future__ import annotations

import numpy as np

from byhand.exercises.cases import Case, Exercise, Mistake
from byhand.exercises.checking import check_exercise

# --- Reference functions: the expected values of the cases and of the hidden tests ---------


def reference_minibatch_indices(permutation, batch_size):
    """The batches of one epoch: consecutive slices of `permutation`, the last one shorter."""
    permutation = np.asarray(permutation)
    return tuple(
        permutation[start : start + batch_size] for start in range(0, len(permutation), batch_size)
    )


def reference_ewma(thetas, beta):
    """v_t = β v_(t−1) + (1 − β) θ_t from v_0 = 0, for t = 1..T. [T] -> [T]."""
    v, averages = 0.0, []
    for theta in np.asarray(thetas, dtype=float):
        v = beta * v + (1 - beta) * theta
        averages.append(v)
    return np.array(averages)


def reference_ewma_bias_corrected(thetas, beta):
    """v_t / (1 − β^t), t = 1..T. [T] -> [T]."""
    t = np.arange(1, len(thetas) + 1)
    return reference_ewma(thetas, beta) / (1 - beta**t)


def reference_momentum_step(w, g, velocity, learning_rate, momentum):
    """v = m v + η g, then w − v: (new w, new v), as byhand.optimizers.SGD(momentum=m)."""
    new_velocity = momentum * velocity + learning_rate * g
    return w - new_velocity, new_velocity


def reference_adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    """One Adam step, ε added to √v̂ (the paper's form): (new w, new m, new v)."""
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


# --- minibatch_indices ---------------------------------------------------------------------


def _drops_the_last(permutation, batch_size):
    full = len(permutation) // batch_size
    return tuple(permutation[i * batch_size : (i + 1) * batch_size] for i in range(full))


def _positions(permutation, batch_size):
    return reference_minibatch_indices(np.arange(len(permutation)), batch_size)


_P5, _P6 = np.array([3, 0, 4, 1, 2]), np.array([5, 2, 0, 1, 4, 3])
_P7 = np.array([6, 1, 3, 0, 5, 2, 4])

MINIBATCH_INDICES = Exercise(
    "minibatch_indices",
    ("permutation", "batch_size"),
    (
        # N = 5, B = 2: slices [0:2], [2:4], [4:6] of the permutation: (3, 0), (4, 1), (2)
        Case((_P5, 2), (np.array([3, 0]), np.array([4, 1]), np.array([2])), "N = 5, B = 2"),
        # N = 6, B = 3: two full batches, (5, 2, 0) and (1, 4, 3)
        Case((_P6, 3), (np.array([5, 2, 0]), np.array([1, 4, 3])), "N = 6, B = 3: no remainder"),
        # N = 7, B = 3: (6, 1, 3), (0, 5, 2) and the remainder (4)
        Case(
            (_P7, 3),
            (np.array([6, 1, 3]), np.array([0, 5, 2]), np.array([4])),
            "N = 7, B = 3: the last batch holds one example",
        ),
        # B = 8 > N = 3: one batch, the whole permutation
        Case((np.array([1, 0, 2]), 8), (np.array([1, 0, 2]),), "B larger than N: one batch"),
    ),
    mistakes=(
        Mistake(
            "last dropped",
            "the last, smaller batch is missing: when B does not divide N, the epoch ends "
            "with a batch of the N mod B examples left over, or those examples are never "
            "seen. range(0, N, batch_size) gives every batch's start, the last one included",
            _drops_the_last,
        ),
        Mistake(
            "positions",
            "these are the positions 0, 1, 2, ... in order, not the shuffled indices: each "
            "batch is a slice of the permutation itself, permutation[start:start + "
            "batch_size], so that the examples come in the permutation's order",
            _positions,
        ),
        Mistake(
            "array_split",
            "np.array_split(permutation, k) makes k batches of nearly EQUAL sizes; the "
            "exercise wants batches of exactly batch_size examples, only the last one "
            "smaller: slice the permutation from start to start + batch_size",
            lambda p, b: tuple(np.array_split(p, max(len(p) // b, 1))),
        ),
    ),
)

# --- ewma and ewma_bias_corrected ----------------------------------------------------------


def _swapped_weights(thetas, beta):
    return reference_ewma(thetas, 1 - beta)


def _starts_at_the_first(thetas, beta):
    thetas = np.asarray(thetas, dtype=float)
    v, averages = thetas[0], [thetas[0]]
    for theta in thetas[1:]:
        v = beta * v + (1 - beta) * theta
        averages.append(v)
    return np.array(averages)


def _corrected_with_t_minus_1(thetas, beta):
    t = np.arange(len(thetas))
    with np.errstate(divide="ignore", invalid="ignore"):  # the first value over 1 − β^0 = 0
        return reference_ewma(thetas, beta) / (1 - beta**t)


def _corrected_fed_back(thetas, beta):
    v, averages = 0.0, []
    for t, theta in enumerate(np.asarray(thetas, dtype=float), 1):
        v = (beta * v + (1 - beta) * theta) / (1 - beta**t)
        averages.append(v)
    return np.array(averages)


_ONES = np.ones(4)
_TENS = np.array([10.0, 20.0, 30.0])
_MIXED = np.array([4.0, -2.0, 0.0, 6.0, 2.0])

SWAPPED_HINT = (
    "β and 1 − β are swapped: the old average keeps the weight β (close to 1, so it changes "
    "slowly) and the new value gets 1 − β, v_t = β v_(t−1) + (1 − β) θ_t"
)

EWMA = Exercise(
    "ewma",
    ("thetas", "beta"),
    (
        # β = 0.5 on ones: v = 0.5, 0.75, 0.875, 0.9375 = 1 − 0.5^t, biased towards v_0 = 0
        Case((_ONES, 0.5), np.array([0.5, 0.75, 0.875, 0.9375]), "four ones, β = 0.5"),
        # β = 0.9: v1 = 0.1·10 = 1, v2 = 0.9·1 + 0.1·20 = 2.9, v3 = 0.9·2.9 + 3 = 5.61
        Case((_TENS, 0.9), np.array([1.0, 2.9, 5.61]), "10, 20, 30 with β = 0.9"),
        # β = 0.75: v1 = 1, v2 = 0.75 − 0.5 = 0.25, v3 = 0.1875, v4 = 0.140625 + 1.5 =
        # 1.640625, v5 = 1.23046875 + 0.5 = 1.73046875
        Case(
            (_MIXED, 0.75),
            np.array([1.0, 0.25, 0.1875, 1.640625, 1.73046875]),
            "five values with β = 0.75",
        ),
    ),
    mistakes=(
        Mistake("1 − β swapped", SWAPPED_HINT, _swapped_weights),
        Mistake(
            "v_1 = θ_1",
            "the average starts at the first value, v_1 = θ_1; this exercise starts from "
            "v_0 = 0 as Adam and momentum do, so v_1 = (1 − β) θ_1 (the bias that "
            "ewma_bias_corrected then removes)",
            _starts_at_the_first,
        ),
    ),
)

EWMA_BIAS_CORRECTED = Exercise(
    "ewma_bias_corrected",
    ("thetas", "beta"),
    (
        # every v_t = 1 − 0.5^t, divided by 1 − 0.5^t: ones, the average of ones
        Case((_ONES, 0.5), np.ones(4), "four ones, β = 0.5: the correction removes the bias"),
        # 1 / 0.1 = 10, 2.9 / 0.19 = 15.263158, 5.61 / 0.271 = 20.701107
        Case((_TENS, 0.9), np.array([1 / 0.1, 2.9 / 0.19, 5.61 / 0.271]), "10, 20, 30, β = 0.9"),
        # 1 / 0.25 = 4, 0.25 / 0.4375 = 0.571429, 0.1875 / 0.578125 = 0.324324,
        # 1.640625 / 0.68359375 = 2.4, 1.73046875 / 0.7626953125 = 2.268886
        Case(
            (_MIXED, 0.75),
            np.array([4.0, 0.25 / 0.4375, 0.1875 / 0.578125, 2.4, 1.73046875 / 0.7626953125]),
            "five values with β = 0.75",
        ),
    ),
    mistakes=(
        Mistake(
            "no correction",
            "this is the average without the correction: divide each v_t by 1 − β^t, with "
            "t = 1 for the first value",
            reference_ewma,
        ),
        Mistake(
            "β^(t−1)",
            "the correction uses β^(t−1), as when t counts from 0 (enumerate starts at 0): "
            "the first value is then divided by 1 − β^0 = 0. The first average is v_1, "
            "corrected by 1 − β^1: count t from 1 (enumerate(thetas, 1))",
            _corrected_with_t_minus_1,
        ),
        Mistake(
            "fed back",
            "the corrected value was fed back into the average: the recursion runs on the "
            "uncorrected v_t = β v_(t−1) + (1 − β) θ_t, and only the value returned for step "
            "t is divided by 1 − β^t",
            _corrected_fed_back,
        ),
        Mistake(
            "1 − β swapped",
            SWAPPED_HINT,
            lambda x, b: _swapped_weights(x, b) / (1 - b ** np.arange(1, len(x) + 1)),
        ),
    ),
)

# --- momentum_step -------------------------------------------------------------------------

_W2, _G2 = np.array([1.0, -2.0]), np.array([0.5, -1.0])
_W22 = np.array([[0.0, 1.0], [2.0, 3.0]])
_G22 = np.array([[-2.0, 0.0], [1.0, 4.0]])
_V22 = np.array([[0.5, 0.2], [0.0, -0.1]])

MOMENTUM_STEP = Exercise(
    "momentum_step",
    ("w", "g", "velocity", "learning_rate", "momentum"),
    (
        # the first step, v = 0: v = 0.1 (0.5, −1) = (0.05, −0.1), w = (0.95, −1.9)
        Case(
            (_W2, _G2, np.zeros(2), 0.1, 0.9),
            (np.array([0.95, -1.9]), np.array([0.05, -0.1])),
            "the first step, from velocity 0",
        ),
        # v = 0.9 (0.05, −0.1) + 0.1 (0.4, −0.6) = (0.045 + 0.04, −0.09 − 0.06) = (0.085,
        # −0.15); w = (0.95 − 0.085, −1.9 + 0.15) = (0.865, −1.75)
        Case(
            (np.array([0.95, -1.9]), np.array([0.4, -0.6]), np.array([0.05, -0.1]), 0.1, 0.9),
            (np.array([0.865, -1.75]), np.array([0.085, -0.15])),
            "the second step: the old velocity counts 0.9",
        ),
        # m = 0.5, η = 0.05: v = 0.5 V + 0.05 G = [[0.25 − 0.1, 0.1], [0.05, −0.05 + 0.2]]
        # = [[0.15, 0.1], [0.05, 0.15]]; w = [[−0.15, 0.9], [1.95, 2.85]]. Where g = −2 the
        # old velocity 0.5 still carries the weight on: w moves by −0.15
        Case(
            (_W22, _G22, _V22, 0.05, 0.5),
            (np.array([[-0.15, 0.9], [1.95, 2.85]]), np.array([[0.15, 0.1], [0.05, 0.15]])),
            "a [2, 2] weight matrix, a gradient against the velocity",
        ),
    ),
    returns=("w", "velocity"),
    updates=("w", "velocity"),
    mistakes=(
        Mistake(
            "w + v",
            "the weights moved uphill: v adds up the steps downhill, η g, so it is "
            "SUBTRACTED, w <- w − v",
            lambda w, g, v, lr, m: (w + (m * v + lr * g), m * v + lr * g),
        ),
        Mistake(
            "no η in v",
            "the learning rate was left out of the velocity (v = m v + g, w <- w − η v). "
            "In this exercise's convention, the engine's, v holds whole steps, "
            "v <- m v + η g, and w <- w − v",
            lambda w, g, v, lr, m: (w - lr * (m * v + g), m * v + g),
        ),
        Mistake(
            "(1 − m) g",
            "this is the other form of momentum, an average v <- m v + (1 − m) g with "
            "w <- w − η v. It moves the weights by a factor (1 − m) less. This exercise uses "
            "the engine's form, v <- m v + η g and w <- w − v",
            lambda w, g, v, lr, m: (w - lr * (m * v + (1 - m) * g), m * v + (1 - m) * g),
        ),
        Mistake(
            "old velocity",
            "the weights moved by the OLD velocity: first update v <- m v + η g, then "
            "subtract the new v from w",
            lambda w, g, v, lr, m: (w - v, m * v + lr * g),
        ),
        Mistake(
            "no momentum",
            "the old velocity was dropped (v = η g, plain gradient descent): keep m times "
            "the old velocity, v <- m v + η g",
            lambda w, g, v, lr, m: (w - lr * g, lr * g),
        ),
    ),
)

# --- adam_step -----------------------------------------------------------------------------


def _adam(w, g, m, v, t, lr, b1, b2, eps, correct=lambda t: t, keras=False, inside=False,
          square_m=False, swap=False, sign=-1):  # fmt: skip
    """A (possibly mistaken) Adam step: the keyword arguments name the mistake."""
    with np.errstate(divide="ignore", invalid="ignore"):  # 1 − β^(t−1) is 0 at t = 1
        return _adam_quietly(w, g, m, v, t, lr, b1, b2, eps, correct, keras, inside, square_m,
                             swap, sign)  # fmt: skip


def _adam_quietly(w, g, m, v, t, lr, b1, b2, eps, correct, keras, inside, square_m, swap, sign):
    if swap:
        m, v = b1 * g + (1 - b1) * m, b2 * g**2 + (1 - b2) * v
    else:
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * (m**2 if square_m else g**2)
    c1, c2 = (1, 1) if correct is None else (1 - b1 ** correct(t), 1 - b2 ** correct(t))
    m_hat, v_hat = m / c1, v / c2
    if keras:
        step = lr * np.sqrt(c2) / c1 * m / (np.sqrt(v) + eps)
    elif inside:
        step = lr * m_hat / np.sqrt(v_hat + eps)
    else:
        step = lr * m_hat / (np.sqrt(v_hat) + eps)
    return w + sign * step, m, v


_ADAM_W2 = np.array([1.0, -0.5])
_V_HAT = np.array([0.009999, 0.001999]) / 0.001999  # v / (1 − 0.999²)

ADAM_STEP = Exercise(
    "adam_step",
    ("w", "g", "m", "v", "t", "learning_rate", "beta_1", "beta_2", "epsilon"),
    (
        # t = 2 after a first gradient (1, −1): m = (0.1, −0.1), v = (0.001, 0.001); g = (3, 1),
        # β1 = 0.9, β2 = 0.999: m = (0.09 + 0.3, −0.09 + 0.1) = (0.39, 0.01),
        # v = (0.000999 + 0.009, 0.000999 + 0.001) = (0.009999, 0.001999); 1 − β1² = 0.19,
        # 1 − β2² = 0.001999: m̂ = (2.052632, 0.052632), v̂ = (5.002001, 1),
        # √v̂ = (2.236515, 1); step 0.1 m̂ / (√v̂ + 1e−8) = (0.091778, 0.005263):
        # w = (0.908222, −0.505263)
        Case(
            (
                _ADAM_W2,
                np.array([3.0, 1.0]),
                np.array([0.1, -0.1]),
                np.full(2, 0.001),
                2,
                0.1,
                0.9,
                0.999,
                1e-8,
            ),  # fmt: skip
            (
                _ADAM_W2 - 0.1 * np.array([0.39, 0.01]) / 0.19 / (np.sqrt(_V_HAT) + 1e-8),
                np.array([0.39, 0.01]),
                np.array([0.009999, 0.001999]),
            ),
            "the second step, t = 2",
        ),
        # t = 1 from m = v = 0: m = 0.1 g = (0.05, −0.2), v = 0.001 g² = (0.00025, 0.004);
        # m̂ = g, v̂ = g², so the step is η g / (|g| + ε) = 0.1 sign(g) (to 1e-8): w = (0.9,
        # 1.1). Adam's first step has the size η whatever the size of the gradient
        Case(
            (
                np.ones(2),
                np.array([0.5, -2.0]),
                np.zeros(2),
                np.zeros(2),
                1,
                0.1,
                0.9,
                0.999,
                1e-8,
            ),  # fmt: skip
            (
                np.ones(2) - 0.1 * np.array([0.5, -2.0]) / (np.array([0.5, 2.0]) + 1e-8),
                np.array([0.05, -0.2]),
                np.array([0.00025, 0.004]),
            ),
            "the first step, t = 1, from m = v = 0",
        ),
        # t = 1, ε = 0.1, g = (0.3, −0.1): m̂ = g, √v̂ = |g| = (0.3, 0.1);
        # step 0.2 g / (|g| + 0.1) = (0.2 · 0.75, −0.2 · 0.5) = (0.15, −0.1): w = (1.85, −0.9).
        # m = 0.1 g = (0.03, −0.01), v = 0.001 g² = (0.00009, 0.00001). (ε inside the root:
        # 0.2 · 0.3 / √0.19 = 0.137649; Keras's ε / √(1 − β2) = 3.162278 in place of ε:
        # 0.2 · 0.3 / 3.462278 = 0.017330)
        Case(
            (
                np.array([2.0, -1.0]),
                np.array([0.3, -0.1]),
                np.zeros(2),
                np.zeros(2),
                1,
                0.2,
                0.9,
                0.999,
                0.1,
            ),  # fmt: skip
            (np.array([1.85, -0.9]), np.array([0.03, -0.01]), np.array([0.00009, 0.00001])),
            "a large ε = 0.1: where ε goes matters",
        ),
    ),
    returns=("w", "m", "v"),
    updates=("w", "m", "v"),
    mistakes=(
        Mistake(
            "no correction",
            "the bias correction is missing: m and v start at 0, so early on they are "
            "too small. Divide by 1 − β^t: m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)",
            lambda *a: _adam(*a, correct=None),
        ),
        Mistake(
            "β^(t−1)",
            "the correction uses the exponent t − 1, as if t counted from 0: t is the number "
            "of THIS step, 1 for the first, so the first step divides by 1 − β^1 (1 − β^0 is "
            "0). Use the t you are given, after no increment or decrement",
            lambda *a: _adam(*a, correct=lambda t: t - 1),
        ),
        Mistake(
            "β^(t+1)",
            "the correction uses the exponent t + 1: t is already the number of this step "
            "(1 for the first); do not add 1 to it",
            lambda *a: _adam(*a, correct=lambda t: t + 1),
        ),
        Mistake(
            "ε inside √",
            "ε went inside the square root, √(v̂ + ε): this exercise adds it to the root, "
            "m̂ / (√v̂ + ε)",
            lambda *a: _adam(*a, inside=True),
        ),
        Mistake(
            "Keras's ε",
            "this is Keras's placement of ε (and byhand.optimizers.Adam's): η √(1 − β2^t) / "
            "(1 − β1^t) · m / (√v + ε) adds ε to √v BEFORE the correction, the same as "
            "adding ε / √(1 − β2^t) to √v̂. The two forms agree unless √v̂ is as small as ε; "
            "this exercise adds ε itself to √v̂: η m̂ / (√v̂ + ε)",
            lambda *a: _adam(*a, keras=True),
        ),
        Mistake(
            "m²",
            "v averages the SQUARED GRADIENTS, v <- β2 v + (1 − β2) g²: here m² went in "
            "instead of g²",
            lambda *a: _adam(*a, square_m=True),
        ),
        Mistake(
            "1 − β swapped",
            "β and 1 − β are swapped: the old averages keep the weights β1 and β2 (close to "
            "1) and the new gradient gets 1 − β: m <- β1 m + (1 − β1) g, "
            "v <- β2 v + (1 − β2) g²",
            lambda *a: _adam(*a, swap=True),
        ),
        Mistake(
            "w + step",
            "the weights moved uphill: m̂ points along the gradient, so the step is "
            "subtracted, w <- w − η m̂ / (√v̂ + ε)",
            lambda *a: _adam(*a, sign=1),
        ),
    ),
)

EXERCISES = (MINIBATCH_INDICES, EWMA, EWMA_BIAS_CORRECTED, MOMENTUM_STEP, ADAM_STEP)


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("adam_step", adam_step)` prints "adam_step: all 3 public cases pass", or the
    first case that fails, with a hint. It returns None. See `byhand.exercises.checking`.
    """
    check_exercise(EXERCISES, name, function)
