"""Public cases of the Chapter 1 exercise set, "The perceptron" (exercises/01_perceptron).

The functions to write, with the course's shape letters (N examples, D inputs):

    net_input(X [N, D], w [D], b) -> z [N]                  z = X @ w + b
    step(z [any shape]) -> int array, same shape             1 where z >= 0, else 0
    predict(X [N, D], w [D], b) -> int [N]                   step(net_input(X, w, b))
    perceptron_update(w, b, x [D], target, learning_rate) -> (new w [D], new b)
    train_perceptron(X, y [N], learning_rate, epochs) -> (w [D], b, errors [epochs run])
    logistic_gradient(X, y, w, b) -> (dw [D], db)            of the mean cross-entropy

Most expected values are worked by hand in the comments; the gradients come from finite
differences of `mean_cross_entropy`.
"""

from __future__ import annotations

import numpy as np

from byhand.exercises.cases import Case, Exercise, gradient_case

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
)

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
    ),
    returns=("w", "b"),
)

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
)


def _gradient_case(X, y, w, b, about):
    """Expected (dw, db): finite differences of the mean cross-entropy in w and b."""
    return gradient_case(mean_cross_entropy, (X, y, w, b), (2, 3), about, "the mean cross-entropy")


_rng = np.random.default_rng(0)  # the random batch: X [6, 3], y [6], w [3]
_X, _y, _w = _rng.normal(size=(6, 3)), _rng.integers(0, 2, size=6), _rng.normal(size=3)

LOGISTIC_GRADIENT = Exercise(
    "logistic_gradient",
    ("X", "y", "w", "b"),
    (
        # w = 0, b = 0: p = 0.5 everywhere, p - y = (0.5, -0.5, -0.5, -0.5) for OR, so
        # dw = X.T @ (p - y) / 4 = (0 + 0 - 0.5 - 0.5, 0 - 0.5 + 0 - 0.5) / 4 = (-0.25, -0.25)
        # db = mean(p - y) = (0.5 - 1.5) / 4 = -0.25
        _gradient_case(GATE_X, OR, np.zeros(2), 0.0, "OR at w = 0, b = 0"),
        _gradient_case(GATE_X, AND, np.array([4.0, 4.0]), -6.0, "the chapter's logistic AND unit"),
        _gradient_case(_X, _y, _w, 0.3, "a random batch, N = 6, D = 3"),
    ),
    returns=("dw", "db"),
)

EXERCISES = (NET_INPUT, STEP, PREDICT, PERCEPTRON_UPDATE, TRAIN_PERCEPTRON, LOGISTIC_GRADIENT)
