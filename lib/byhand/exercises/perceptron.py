"""The Chapter 1 exercise set, "The perceptron" (exercises/01_perceptron): public cases, check.

The notebook imports this set's own `check`: `from byhand.exercises.perceptron import check`.
The functions to write, with the course's shape letters (N examples, D inputs):

    net_input(X [N, D], w [D], b) -> z [N]                  z = X @ w + b
    step(z [any shape]) -> int array, same shape             1 where z >= 0, else 0
    predict(X [N, D], w [D], b) -> int [N]                   step(net_input(X, w, b))
    perceptron_update(w, b, x [D], target, learning_rate) -> (new w [D], new b)
    train_perceptron(X, y [N], learning_rate, epochs) -> (w [D], b, errors [epochs run])
    logistic_gradient(X, y, w, b) -> (dw [D], db)            of the mean cross-entropy

Most expected values are worked by hand in the comments; the gradients come from finite
differences of `mean_cross_entropy`. Each exercise also lists the mistakes students of this
chapter make, as the wrong code would compute them, with the hint `check` then shows.
"""

from __future__ import annotations

import numpy as np

from byhand.exercises.cases import Case, Exercise, Mistake, gradient_case
from byhand.exercises.checking import check_exercise

GATE_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # [4, 2] truth-table rows
AND = np.array([0, 0, 0, 1])
OR = np.array([0, 1, 1, 1])
XOR = np.array([0, 1, 1, 0])


def mean_cross_entropy(X, y, w, b):
    """L = -(1/N) sum_n [y_n log p_n + (1 - y_n) log(1 - p_n)],  p = sigmoid(X @ w + b).

    X [N, D], y [N] of 0s and 1s, w [D], b a number -> L, a float. Written with
    -log p = log(1 + e^-z) and -log(1 - p) = log(1 + e^z), which never overflow.
    """
    z = X @ w + b
    return float(np.mean(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)))


NET_INPUT = Exercise(
    "net_input",
    ("X", "w", "b"),
    (
        # A square X, so that w @ X runs too and its mistake can show:
        # 1*0.5 + 2*(-1) + 0.25 = -1.25;  3*0.5 + 4*(-1) + 0.25 = -2.25
        Case((np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0]), 0.25), [-1.25, -2.25]),
        # The chapter's AND unit, bias -1.5: sums 0, 1, 1, 2 minus 1.5
        Case((GATE_X, np.array([1.0, 1.0]), -1.5), [-1.5, -0.5, -0.5, 0.5], "the AND unit"),
        # One example: 2*1 + (-1)*3 + 0.5*(-2) + 0 = -2; still an array of shape [1]
        Case(
            (np.array([[2.0, -1.0, 0.5]]), np.array([1.0, 3.0, -2.0]), 0.0),
            np.array([-2.0]),
            "a batch of one example (N = 1)",
        ),
        # Integer inputs, float weights: 0.5 + 0.1, 0.25 + 0.1, 0.75 + 0.1
        Case(
            (np.array([[1, 0], [0, 1], [1, 1]]), np.array([0.5, 0.25]), 0.1),
            [0.6, 0.35, 0.85],
            "integer inputs",
        ),
    ),
    batch="X",
    mistakes=(
        Mistake(
            "w @ X",
            "this is w @ X + b, which multiplies w with the columns of X; each example is a "
            "row of X, so write X @ w + b",
            lambda X, w, b: w @ X + b,
        ),
        Mistake(
            "X * w",
            "this is X * w + b, a product entry by entry, of shape [N, D]; a net input sums "
            "over the D inputs: X @ w + b",
            lambda X, w, b: X * w + b,
        ),
        Mistake("no bias", "the bias is missing: z = X @ w + b", lambda X, w, b: X @ w),
        Mistake(
            "- b",
            "the bias is subtracted; it is added, z = X @ w + b (what is subtracted is the "
            "threshold θ = −b)",
            lambda X, w, b: X @ w - b,
        ),
    ),
)

STEP = Exercise(
    "step",
    ("z",),
    (
        Case((np.array([-2.0, -0.5, 0.0, 0.5, 3.0]),), np.array([0, 0, 1, 1, 1]), "z = 0 fires"),
        Case(
            (np.array([[0.5, -0.5, 0.0], [-2.0, 2.0, -0.0]]),),
            np.array([[1, 0, 1], [0, 1, 1]]),
            "a [2, 3] array keeps its shape",
        ),
        # -0.0 >= 0 is True; 1e-12 is above 0 and -1e-12 below, however small
        Case((np.array([-0.0, 1e-12, -1e-12]),), np.array([1, 1, 0]), "tiny values and -0.0"),
    ),
    mistakes=(
        Mistake(
            "z > 0",
            "at z = 0 the unit fires: step is 1 where z >= 0, and z > 0 leaves z = 0 out",
            lambda z: (z > 0).astype(int),
        ),
    ),
)

PREDICT = Exercise(
    "predict",
    ("X", "w", "b"),
    (
        # AND: z = -1.5, -0.5, -0.5, 0.5 -> only the last is >= 0
        Case((GATE_X, np.array([1.0, 1.0]), -1.5), AND, "the AND unit"),
        # NAND: z = 1.5, 0.5, 0.5, -0.5 -> fires unless both inputs are on
        Case((GATE_X, np.array([-1.0, -1.0]), 1.5), np.array([1, 1, 1, 0]), "a NAND unit"),
        # z = 1 - 1 = 0 (fires), 2 - 0 = 2, 0 - 1 = -1
        Case(
            (np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 1.0]]), np.array([1.0, -1.0]), 0.0),
            np.array([1, 1, 0]),
            "an example exactly on the boundary",
        ),
    ),
    batch="X",
    mistakes=(
        Mistake(
            "z > 0",
            "at z = 0 the unit fires: ŷ = 1 where z >= 0, and z > 0 leaves z = 0 out",
            lambda X, w, b: (X @ w + b > 0).astype(int),
        ),
    ),
)


def _error(w, b, x, target):
    """e = y − ŷ for one example: its target minus the unit's prediction step(x @ w + b)."""
    return target - int(x @ w + b >= 0)


def _update(w, b, x, learning_rate, error):
    """Rosenblatt's rule with the error given: (w + η e x, b + η e)."""
    return w + learning_rate * error * x, b + learning_rate * error


PERCEPTRON_UPDATE = Exercise(
    "perceptron_update",
    ("w", "b", "x", "target", "learning_rate"),
    (
        # The chapter's third step: z = 1.2 - 1 = 0.2 >= 0 fires, error 0 - 1 = -1,
        # w = (1.2, 0.6) + 0.5 * (-1) * (1, 0) = (0.7, 0.6), b = -1 + 0.5 * (-1) = -1.5
        Case(
            (np.array([1.2, 0.6]), -1.0, np.array([1.0, 0.0]), 0, 0.5),
            (np.array([0.7, 0.6]), -1.5),
            "fires for a target of 0",
        ),
        # z = 0.6 - 1 = -0.4 < 0, predicted 0 = target: nothing changes
        Case(
            (np.array([1.2, 0.6]), -1.0, np.array([0.0, 1.0]), 0, 0.5),
            (np.array([1.2, 0.6]), -1.0),
            "a correct prediction",
        ),
        # z = 0.5 - 1 + 0 - 0.25 = -0.75: silent for a target of 1, error +1,
        # w = (0.5, -0.5, 0) + 0.1 * (1, 2, -1) = (0.6, -0.3, -0.1), b = -0.25 + 0.1 = -0.15
        Case(
            (np.array([0.5, -0.5, 0.0]), -0.25, np.array([1.0, 2.0, -1.0]), 1, 0.1),
            (np.array([0.6, -0.3, -0.1]), -0.15),
            "silent for a target of 1",
        ),
        # z = 0.5 + 0.5 - 1 = 0 fires for a target of 0: error -1,
        # w = (0.5, 0.5) + 1 * (-1) * (1, 1) = (-0.5, -0.5), b = -1 - 1 = -2
        Case(
            (np.array([0.5, 0.5]), -1.0, np.array([1.0, 1.0]), 0, 1.0),
            (np.array([-0.5, -0.5]), -2.0),
            "z = 0 exactly: the unit fires",
        ),
    ),
    returns=("w", "b"),
    updates=("w", "b"),
    mistakes=(
        Mistake(
            "ŷ − y",
            "w and b both moved the wrong way: the error is e = y − ŷ, the target minus the "
            "prediction",
            lambda w, b, x, y, lr: _update(w, b, x, lr, -_error(w, b, x, y)),
        ),
        Mistake(
            "z > 0",  # before "z for ŷ", which returns the same at z = 0
            "at z = 0 the unit fires: ŷ = 1 where z >= 0, and z > 0 leaves z = 0 out",
            lambda w, b, x, y, lr: _update(w, b, x, lr, y - int(x @ w + b > 0)),
        ),
        Mistake(
            "z for ŷ",
            "the error uses the net input z where the prediction belongs: e = y − ŷ with "
            "ŷ = step(z), which is 0 or 1",
            lambda w, b, x, y, lr: _update(w, b, x, lr, y - (x @ w + b)),
        ),
        Mistake(
            "no learning rate",
            "the learning rate is missing: w + η e x and b + η e",
            lambda w, b, x, y, lr: _update(w, b, x, 1, _error(w, b, x, y)),
        ),
    ),
)


def _train(X, y, learning_rate, epochs, stop=True, count_after_update=False, last_zero=True):
    """train_perceptron with one of its known mistakes switched on (see TRAIN_PERCEPTRON)."""
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(X, y, strict=True):
            error = _error(w, b, x, target)
            w, b = _update(w, b, x, learning_rate, error)
            if count_after_update:
                error = _error(w, b, x, target)
            mistakes += error != 0
        if stop and mistakes == 0:
            errors += [0] if last_zero else []
            break
        errors.append(mistakes)
    return w, b, errors


# AND from w = (0, 0), b = 0 with learning rate 1, mistakes marked x:
#   epoch 1: (0,0) z=0 fires x b=-1; (0,1) z=-1; (1,0) z=-1; (1,1) z=-1 x w=(1,1) b=0    -> 2
#   epoch 2: (0,0) z=0 x b=-1; (0,1) z=0 x w=(1,0) b=-2; (1,0) z=-1; (1,1) z=-1 x w=(2,1) b=-1
#                                                                                         -> 3
#   epoch 3: (0,0) z=-1; (0,1) z=0 x w=(2,0) b=-2; (1,0) z=0 x w=(1,0) b=-3;
#            (1,1) z=-2 x w=(2,1) b=-2                                                    -> 3
#   epoch 4: (0,0) -2; (0,1) -1; (1,0) z=0 x w=(1,1) b=-3; (1,1) z=-1 x w=(2,2) b=-2       -> 2
#   epoch 5: (0,0) -2; (0,1) z=0 x w=(2,1) b=-3; (1,0) -1; (1,1) z=0 fires, right         -> 1
#   epoch 6: z = -3, -2, -1, 0: all right, stop                                           -> 0
# XOR, same start: epoch 1 ends at w=(-1,0) b=-1 (3 mistakes), epoch 2 at w=(-1,0) b=0 (3),
#   epoch 3 at w=(-1,0) b=0 with all 4 wrong; it never converges.
TRAIN_PERCEPTRON = Exercise(
    "train_perceptron",
    ("X", "y", "learning_rate", "epochs"),
    (
        Case(
            (GATE_X, AND, 1.0, 10),
            (np.array([2.0, 1.0]), -3.0, np.array([2, 3, 3, 2, 1, 0])),
            "AND converges in 6 epochs",
        ),
        Case(
            (GATE_X, AND, 1.0, 2),
            (np.array([2.0, 1.0]), -1.0, np.array([2, 3])),
            "AND, stopped after epochs = 2",
        ),
        Case(
            (GATE_X, XOR, 1.0, 3),
            (np.array([-1.0, 0.0]), 0.0, np.array([3, 3, 4])),
            "XOR never converges",
        ),
    ),
    returns=("w", "b", "errors"),
    batch="X",
    mistakes=(
        Mistake(
            "never stops",
            "training goes on after an epoch without mistakes: stop after the first one "
            "(errors then ends with its 0)",
            lambda X, y, lr, epochs: _train(X, y, lr, epochs, stop=False),
        ),
        Mistake(
            "last 0 missing",
            "the epoch without mistakes is left out of errors: record its 0, then stop",
            lambda X, y, lr, epochs: _train(X, y, lr, epochs, last_zero=False),
        ),
        Mistake(
            "counted after the update",
            "mistakes are counted with the weights after the update; count the prediction "
            "the rule corrects, made before it",
            lambda X, y, lr, epochs: _train(X, y, lr, epochs, count_after_update=True),
        ),
    ),
)


def _gradient_case(X, y, w, b, about):
    """Expected (dw, db): finite differences of the mean cross-entropy in w and b."""
    return gradient_case(mean_cross_entropy, (X, y, w, b), (2, 3), about, "the mean cross-entropy")


def _p(X, w, b):
    """The logistic unit's outputs p = σ(X @ w + b), σ(z) = 1 / (1 + e^-z)."""
    return 1 / (1 + np.exp(-(X @ w + b)))


_rng = np.random.default_rng(0)  # the random batch: X [6, 3], y [6], w [3]
_X, _y, _w = _rng.normal(size=(6, 3)), _rng.integers(0, 2, size=6), _rng.normal(size=3)

LOGISTIC_GRADIENT = Exercise(
    "logistic_gradient",
    ("X", "y", "w", "b"),
    (
        # A square X (N = D = 3), so that X @ dz runs too and its mistake can show.
        # w = 0, b = 0: p = 0.5 everywhere, p - y = (-0.5, 0.5, -0.5) for y = (1, 0, 1), so
        # dw = X.T @ (p - y) / 3 = (-0.5 + 0 - 0.5, -1 + 0.5 + 0, 0 + 0.5 - 0.5) / 3
        #    = (-1/3, -1/6, 0),   db = mean(p - y) = -0.5 / 3 = -1/6
        _gradient_case(
            np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]),
            np.array([1, 0, 1]),
            np.zeros(3),
            0.0,
            "three examples, three inputs, at w = 0, b = 0",
        ),
        # OR: p - y = (0.5, -0.5, -0.5, -0.5), so
        # dw = X.T @ (p - y) / 4 = (0 + 0 - 0.5 - 0.5, 0 - 0.5 + 0 - 0.5) / 4 = (-0.25, -0.25)
        # db = mean(p - y) = (0.5 - 1.5) / 4 = -0.25
        _gradient_case(GATE_X, OR, np.zeros(2), 0.0, "OR at w = 0, b = 0"),
        _gradient_case(GATE_X, AND, np.array([4.0, 4.0]), -6.0, "the chapter's logistic AND unit"),
        _gradient_case(_X, _y, _w, 0.3, "a random batch, N = 6, D = 3"),
    ),
    returns=("dw", "db"),
    batch="X",
    mistakes=(
        Mistake(
            "sum",
            "both are N times too large: the loss is a mean over the N examples, so its "
            "gradient has a factor 1/N",
            lambda X, y, w, b: (X.T @ (_p(X, w, b) - y), np.sum(_p(X, w, b) - y)),
        ),
        Mistake(
            "y − p",
            "both have the wrong sign: the slope of the loss in z_n is p_n − y_n, prediction "
            "minus target",
            lambda X, y, w, b: (X.T @ (y - _p(X, w, b)) / len(y), np.mean(y - _p(X, w, b))),
        ),
        Mistake(
            "X @ dz",
            "X multiplies the slopes (p − y) / N here where its transpose belongs: dw_j sums "
            "x_nj (p_n − y_n) / N down column j of X, over the examples n",
            lambda X, y, w, b: (X @ (_p(X, w, b) - y) / len(y), np.mean(_p(X, w, b) - y)),
        ),
        Mistake(
            "no sigmoid",
            "p is the sigmoid of the net input, p = σ(X @ w + b), not X @ w + b itself",
            lambda X, y, w, b: (X.T @ (X @ w + b - y) / len(y), np.mean(X @ w + b - y)),
        ),
        Mistake(
            "extra σ'",
            "there is an extra factor σ'(z) = p (1 − p): for the cross-entropy the slope in "
            "z_n is just p_n − y_n",
            lambda X, y, w, b: _with_sigmoid_slope(X, y, w, b),
        ),
    ),
)


def _with_sigmoid_slope(X, y, w, b):
    """The gradient with dz multiplied once more by σ'(z) = p (1 − p) (a known mistake)."""
    p = _p(X, w, b)
    dz = (p - y) * p * (1 - p) / len(y)
    return X.T @ dz, dz.sum()


EXERCISES = (NET_INPUT, STEP, PREDICT, PERCEPTRON_UPDATE, TRAIN_PERCEPTRON, LOGISTIC_GRADIENT)


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("net_input", net_input)` prints "net_input: all 4 public cases pass", or the first
    case that fails, with a hint. It returns None. See `byhand.exercises.checking`.
    """
    check_exercise(EXERCISES, name, function)
