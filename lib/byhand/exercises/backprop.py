"""The Chapter 4 exercise set, "Backpropagation" (exercises/04_backpropagation): cases, check.

The notebook imports this set's own `check`: `from byhand.exercises.backprop import check`.
The functions to write, in the book's batch-first convention (N examples, D inputs, H hidden
units, M outputs; one example per row):

    dense_forward(X [N, D], W [D, M], b [M]) -> Y [N, M]          Y = X W + b
    dense_backward(X, W, dY [N, M]) -> (dX [N, D], dW [D, M], db [M])
                                          dX = dY Wᵀ, dW = Xᵀ dY, db = dY summed over the batch
    two_layer_backward(X [N, D], Y [N, M], W1 [D, H], b1 [H], W2 [H, M], b2 [M])
        -> (dW1, db1, dW2, db2)           of L = mean((Ŷ − Y)²) over all N·M entries, where
                                          Ŷ = σ(X W1 + b1) W2 + b2 (a sigmoid hidden layer)
    gradient_check(f, W [any shape], dW, h=1e-5) -> a number
                                          max|dW − G| / max(1e-12, max(|dW| + |G|)), G the
                                          central differences of f at W, entry by entry
    he_normal(n_in, n_out, rng) -> W [n_in, n_out]        rng.normal(0, √(2 / n_in))
    glorot_uniform(n_in, n_out, rng) -> W [n_in, n_out]   rng.uniform(±√(6 / (n_in + n_out)))
    sgd_step(X, Y, W1, b1, W2, b2, learning_rate) -> (W1, b1, W2, b2) after one step

Expected gradients are central finite differences in float64 of the forward computation,
or worked by hand in the comments; the initializers' are the draws the description names,
from a generator of the same seed (`Seeded`, which a public case can copy and compare).
The reference code here (`sigmoid`, `two_layer_loss`, `two_layer_gradients`,
`relative_error`) is the set's own, NumPy only, and independent of the engine. Each exercise
also lists the mistakes students of this chapter make, as the wrong code would compute them,
with the hint `check` then shows.
"""

from __future__ import annotations

import numpy as np

from byhand.exercises.activations import reference_sigmoid as sigmoid
from byhand.exercises.calculus import Formula
from byhand.exercises.cases import Case, Exercise, Mistake, finite_differences, gradient_case
from byhand.exercises.checking import check_exercise

LN3 = float(np.log(3.0))  # σ(ln 3) = 1 / (1 + 1/3) = 0.75
FD = dict(rtol=1e-6, atol=1e-8)  # central differences in float64 are good to ~1e-10 here


def _fd_case(args, expected, about, what):
    """A Case whose expected gradients are central finite differences (float64) of `what`."""
    source = f"the expected gradients are central finite differences (float64) of {what}"
    return Case(args, expected, about, source=source, **FD)


# --- dense_forward ------------------------------------------------------------------------

_X2 = np.array([[1.0, 2.0], [3.0, 4.0]])  # the square cases: N = D = M = 2
_W2 = np.array([[1.0, -1.0], [0.5, 2.0]])
_X13 = np.array([[1.0, 2.0, 3.0]])  # a 1 x 3 by 3 x 2 product
_W32 = np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]])
_GATES = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])  # the four rows of a truth table

DENSE_FORWARD = Exercise(
    "dense_forward",
    ("X", "W", "b"),
    (
        # Square, so that X @ W.T and W @ X run too and their mistakes can show:
        # X W = [[1 + 1, -1 + 4], [3 + 2, -3 + 8]] = [[2, 3], [5, 5]]; + (0.5, -1)
        Case(
            (_X2, _W2, np.array([0.5, -1.0])), np.array([[2.5, 2.0], [5.5, 4.0]]), "N = D = M = 2"
        ),
        # A 1 x 3 by 3 x 2 product (the shapes of the chapter's example), entry by entry:
        # 1 * 0.1 + 2 * 0.2 + 3 * 0.3 = 1.4 and 1 * 0.4 + 2 * 0.5 + 3 * 0.6 = 3.2; + (0, 0.1)
        Case((_X13, _W32, np.array([0.0, 0.1])), np.array([[1.4, 3.3]]), "one example, [1, 3]"),
        # Integer inputs, the four rows of a truth table; row n of X W is a sum of rows of W:
        # (0, 0) -> 0; (0, 1) -> row 2; (1, 0) -> row 1; (1, 1) -> both, then + b
        Case(
            (_GATES, np.array([[1.0, -1.0, 0.5], [2.0, 0.5, -1.0]]), np.array([0.0, 0.5, -0.25])),
            np.array([[0.0, 0.5, -0.25], [2.0, 1.0, -1.25], [1.0, -0.5, 0.25], [3.0, 0.0, -0.75]]),
            "integer inputs, N = 4, D = 2, M = 3",
        ),
    ),
    batch="X",
    mistakes=(
        Mistake(
            "X @ W.T",
            "this is X Wᵀ + b: in the book's convention W has shape [D, M], one column per "
            "unit, so Y = X @ W + b needs no transpose (Wᵀ belongs to the column convention, "
            "where W is [M, D] and Z = W X)",
            lambda X, W, b: X @ W.T + b,
        ),
        Mistake(
            "W @ X",
            "this is W X + b: the examples are the rows of X, so X comes first, Y = X @ W + b",
            lambda X, W, b: W @ X + b,
        ),
        Mistake("no bias", "the bias is missing: Y = X @ W + b", lambda X, W, b: X @ W),
    ),
)

# --- dense_backward -----------------------------------------------------------------------


def _dense_backward_case(X, W, dY, about):
    """Expected (dX, dW, db): finite differences of L = Σ dY ⊙ (X W + b), at b = 0."""

    def loss(X, W, b):
        return float(np.sum(dY * (X @ W + b)))

    expected = finite_differences(loss, (X, W, np.zeros(W.shape[1])), (0, 1, 2))
    return _fd_case((X, W, dY), expected, about, "L = sum(dY * (X @ W + b))")


_rng = np.random.default_rng(4)  # the random cases of this module, drawn in this order
_XB, _WB, _DYB = _rng.normal(size=(5, 3)), _rng.normal(size=(3, 4)), _rng.normal(size=(5, 4))

DENSE_BACKWARD = Exercise(
    "dense_backward",
    ("X", "W", "dY"),
    (
        # Square (N = D = M = 2), so that X @ dY and dY @ W run too. dY = [[1, 0], [-1, 2]]:
        # dX = dY Wᵀ = [[1 * 1 + 0, 1 * 0.5 + 0], [-1 - 2, -0.5 + 4]] = [[1, 0.5], [-3, 3.5]]
        # dW = Xᵀ dY = [[1 - 3, 0 + 6], [2 - 4, 0 + 8]] = [[-2, 6], [-2, 8]]
        # db = the columns of dY summed over the batch = (1 - 1, 0 + 2) = (0, 2)
        Case(
            (_X2, _W2, np.array([[1.0, 0.0], [-1.0, 2.0]])),
            (
                np.array([[1.0, 0.5], [-3.0, 3.5]]),
                np.array([[-2.0, 6.0], [-2.0, 8.0]]),
                np.array([0.0, 2.0]),
            ),
            "N = D = M = 2",
        ),  # fmt: skip
        # The same 1 x 3 by 3 x 2 layer with dY = [[1, -2]]:
        # dX = dY Wᵀ = [[0.1 - 0.8, 0.2 - 1.0, 0.3 - 1.2]] = [[-0.7, -0.8, -0.9]]
        # dW = Xᵀ dY = [[1, -2], [2, -4], [3, -6]] (row d is x_d times dY); db = (1, -2)
        Case(
            (_X13, _W32, np.array([[1.0, -2.0]])),
            (
                np.array([[-0.7, -0.8, -0.9]]),
                np.array([[1.0, -2.0], [2.0, -4.0], [3.0, -6.0]]),
                np.array([1.0, -2.0]),
            ),
            "one example: X [1, 3], W [3, 2]",
        ),
        _dense_backward_case(_XB, _WB, _DYB, "a random batch: N = 5, D = 3, M = 4"),
    ),
    returns=("dX", "dW", "db"),
    batch="X",
    mistakes=(
        Mistake(
            "X @ dY",
            "dW is X dY here: the transpose is missing. dW[d, m] sums X[n, d] dY[n, m] over "
            "the examples n, which is Xᵀ dY, shape [D, M] like W",
            lambda X, W, dY: (dY @ W.T, X @ dY, dY.sum(axis=0)),
        ),
        Mistake(
            "dYᵀ X",
            "dW is transposed: dYᵀ X has shape [M, D]; the gradient of W has the shape of W, "
            "[D, M]: dW = Xᵀ dY",
            lambda X, W, dY: (dY @ W.T, dY.T @ X, dY.sum(axis=0)),
        ),
        Mistake(
            "dY @ W",
            "dX is dY W here: the transpose is missing. Y = X W sends input d to output m "
            "through W[d, m], so the gradient goes back the same way: dX = dY Wᵀ, shape [N, D]",
            lambda X, W, dY: (dY @ W, X.T @ dY, dY.sum(axis=0)),
        ),
        Mistake(
            "dW / N",
            "dW and db are divided by N here: the layer adds no 1/N. The loss's mean is "
            "already in dY, so dW = Xᵀ dY and db = the sum of dY over the batch",
            lambda X, W, dY: (dY @ W.T, X.T @ dY / len(X), dY.sum(axis=0) / len(X)),
        ),
        Mistake(
            "db over axis 1",
            "db is summed over axis 1, the units of each example; b is shared by the N "
            "examples, so db sums over the batch, axis 0: one number per unit, shape [M]",
            lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.sum(axis=1)),
        ),
        Mistake(
            "db = dY",
            "db is dY itself, shape [N, M]: b is shared by the N examples, so its gradient "
            "adds up their contributions, dY.sum(axis=0), shape [M]",
            lambda X, W, dY: (dY @ W.T, X.T @ dY, dY),
        ),
        Mistake(
            "db mean",
            "db is the mean of dY over the batch; it is the sum: the loss's 1/N is already "
            "in dY, and each example adds its own share to the shared bias",
            lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.mean(axis=0)),
        ),
        Mistake(
            "db one number",
            "db is one number: np.sum(dY) adds over the units too. Each unit has its own "
            "bias, so db = dY.sum(axis=0), shape [M]",
            lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.sum()),
        ),
    ),
)

# --- two_layer_backward -------------------------------------------------------------------


def two_layer_forward(X, W1, b1, W2, b2):
    """Ŷ = σ(X W1 + b1) W2 + b2: a dense layer, a sigmoid, a dense layer. -> [N, M]."""
    return sigmoid(X @ W1 + b1) @ W2 + b2


def two_layer_loss(X, Y, W1, b1, W2, b2):
    """L = mean((Ŷ − Y)²), the mean over all N·M entries (as Keras's MeanSquaredError)."""
    return float(np.mean((two_layer_forward(X, W1, b1, W2, b2) - Y) ** 2))


def two_layer_gradients(X, Y, W1, b1, W2, b2, slip=None):
    """(dW1, db1, dW2, db2) of `two_layer_loss`, by the chain rule, stage by stage.

    1. Z1 = X W1 + b1, A1 = σ(Z1), Ŷ = A1 W2 + b2       (the forward pass, kept)
    2. dŶ = 2 (Ŷ − Y) / (N M)                           (the mean's derivative)
    3. dW2 = A1ᵀ dŶ, db2 = Σ_n dŶ, dA1 = dŶ W2ᵀ           (back through the second layer)
    4. dZ1 = dA1 ⊙ A1 (1 − A1)                          (σ'(Z1), written with A1 = σ(Z1))
    5. dW1 = Xᵀ dZ1, db1 = Σ_n dZ1                       (back through the first layer)

    `slip` names one of the known mistakes (see TWO_LAYER_BACKWARD) to make instead.
    """
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    Y_hat = A1 @ W2 + b2
    count = {"sum": 1, "1/N": len(X)}.get(slip, Y.size)  # N·M = Y.size, unless a slip
    dY_hat = (1 if slip == "no 2" else 2) * (Y_hat - Y) / count
    dW2 = (Z1 if slip == "Z1" else A1).T @ dY_hat
    db2 = dY_hat.sum(axis=0)
    dA1 = dY_hat @ W2.T
    slope = {
        "σ(A1)": sigmoid(A1) * (1 - sigmoid(A1)),
        "Z1(1 − Z1)": Z1 * (1 - Z1),
        "no σ'": 1.0,
    }.get(slip, A1 * (1 - A1))
    dZ1 = dA1 * slope
    return X.T @ dZ1, dZ1.sum(axis=0), dW2, db2


def _two_layer_case(X, Y, W1, b1, W2, b2, about):
    """Expected (dW1, db1, dW2, db2): finite differences of `two_layer_loss`."""
    return gradient_case(two_layer_loss, (X, Y, W1, b1, W2, b2), (2, 3, 4, 5), about, "the loss")


# A 2-3-1 network (the chapter's shape) on the four rows of a truth table, XOR targets
_NET231 = (
    _GATES.astype(float),
    np.array([[0.0], [1.0], [1.0], [0.0]]),
    np.array([[0.5, -1.0, 0.25], [1.5, 0.5, -0.75]]),
    np.array([0.0, 0.25, -0.5]),
    np.array([[1.0], [-2.0], [0.5]]),
    np.array([0.1]),
)
# A random network with two outputs: N = 5, D = 3, H = 4, M = 2
_NETRND = (
    _rng.normal(size=(5, 3)),
    _rng.normal(size=(5, 2)),
    _rng.normal(size=(3, 4)),
    _rng.normal(size=4),
    _rng.normal(size=(4, 2)),
    _rng.normal(size=2),
)
# The 1-1-1 network worked by hand: x = 2, w1 = ln(3) / 2, so z1 = ln 3 and a1 = 0.75
_NET111 = (
    np.array([[2.0]]),
    np.array([[1.0]]),
    np.array([[LN3 / 2]]),
    np.array([0.0]),
    np.array([[2.0]]),
    np.array([0.5]),
)


def _slip(name):
    return lambda *args: two_layer_gradients(*args, slip=name)


TWO_LAYER_BACKWARD = Exercise(
    "two_layer_backward",
    ("X", "Y", "W1", "b1", "W2", "b2"),
    (
        # By hand: z1 = 2 * ln(3) / 2 = ln 3, a1 = σ(ln 3) = 0.75, ŷ = 0.75 * 2 + 0.5 = 2,
        # y = 1, N = M = 1: dŷ = 2 (2 - 1) / 1 = 2
        # dW2 = a1 dŷ = 1.5, db2 = 2, da1 = dŷ w2 = 4, dz1 = 4 * 0.75 * 0.25 = 0.75
        # dW1 = x dz1 = 2 * 0.75 = 1.5, db1 = 0.75
        Case(
            _NET111,
            (np.array([[1.5]]), np.array([0.75]), np.array([[1.5]]), np.array([2.0])),
            "the 1-1-1 network by hand: x = 2, z1 = ln 3",
        ),
        _two_layer_case(*_NET231, "the 2-3-1 network on the four rows of a truth table"),
        _two_layer_case(*_NETRND, "a random network: N = 5, D = 3, H = 4, M = 2"),
    ),
    returns=("dW1", "db1", "dW2", "db2"),
    batch="X",
    mistakes=(
        Mistake(
            "sum",
            "every gradient is N·M times too large: L is the mean of the N·M squared errors, "
            "so dL/dŶ = 2 (Ŷ − Y) / (N M), where N·M = Y.size",
            _slip("sum"),
        ),
        Mistake(
            "1/N",
            "every gradient is M times too large: the mean runs over all N·M entries of Ŷ, not "
            "over the N examples alone, so dL/dŶ = 2 (Ŷ − Y) / (N M), where N·M = Y.size",
            _slip("1/N"),
        ),
        Mistake(
            "no 2",
            "every gradient is half what it should be: the slope of (ŷ − y)² is 2 (ŷ − y)",
            _slip("no 2"),
        ),
        Mistake(
            "σ' at A1",
            "σ' was taken at A1 = σ(Z1), the sigmoid applied twice: σ(A1)(1 − σ(A1)). The "
            "slope of the sigmoid at its input Z1 is σ(Z1)(1 − σ(Z1)) = A1 (1 − A1)",
            _slip("σ(A1)"),
        ),
        Mistake(
            "Z1(1 − Z1)",
            "this uses Z1 (1 − Z1): the formula a (1 − a) needs the sigmoid's output A1 = σ(Z1), "
            "not its input Z1",
            _slip("Z1(1 − Z1)"),
        ),
        Mistake(
            "no σ'",
            "the chain rule skipped the sigmoid: between dA1 = dŶ W2ᵀ and the first layer comes "
            "the sigmoid's slope, dZ1 = dA1 ⊙ A1 (1 − A1)",
            _slip("no σ'"),
        ),
        Mistake(
            "Z1 as the input of layer 2",
            "dW2 uses Z1: the second layer's input is the activation A1 = σ(Z1), so dW2 = A1ᵀ dŶ",
            _slip("Z1"),
        ),
    ),
)

# --- gradient_check -----------------------------------------------------------------------


def relative_error(analytic, numeric):
    """max|a − g| / max(1e-12, max(|a| + |g|)), both maxima over all entries.

    The same number as `byhand.gradcheck.relative_error`; the floor 1e-12 keeps 0 / 0 away
    when both gradients are 0 (a flat spot), and gives 0 there.
    """
    a, g = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    return float(np.max(np.abs(a - g)) / max(1e-12, np.max(np.abs(a) + np.abs(g))))


def reference_gradient_check(f, W, dW, h=1e-5):
    """The relative error between dW and the central differences of f at W (float64)."""
    (numeric,) = finite_differences(f, (W,), (0,), eps=h)
    return relative_error(dW, numeric)


def _checked_with(f, W, dW, h, forward=False, divide_by=2.0, dtype=np.float64, put_back=True,
                  denominator="both", absolute=True):  # fmt: skip
    """gradient_check with one of its known mistakes switched on (see GRADIENT_CHECK).

    The nudges are made in place in a copy of W of `dtype`, as students write them, so
    that dtype=float32 rounds W_i ± h as their code does.
    """
    V = np.array(W, dtype=dtype)
    G = np.zeros(V.shape)
    for index in np.ndindex(V.shape):
        original = V[index]
        V[index] = original + h
        up = f(V)
        V[index] = original if forward else original - h
        down = f(V)
        if put_back:
            V[index] = original
        G[index] = (up - down) / (h if forward else divide_by * h)
    a = np.asarray(dW, dtype=np.float64)
    difference = np.abs(a - G) if absolute else a - G
    size = {"both": np.abs(a) + np.abs(G), "dW": np.abs(a)}[denominator]
    return float(np.max(difference) / max(1e-12, np.max(size)))


def _regression(X, Y):
    """f(W) = mean((X W − Y)²), a linear layer's mean squared error, as a Formula."""
    return Formula(
        f"f(W) = mean((X @ W - Y)**2)   [X, Y fixed, of shapes {list(X.shape)} and "
        f"{list(Y.shape)}]",
        lambda W: np.mean((X @ W - Y) ** 2),
    )


def _regression_gradient(X, Y, W):
    """dL/dW of mean((X W − Y)²) = 2 Xᵀ (X W − Y) / (N M)."""
    return 2 * X.T @ (X @ W - Y) / Y.size


SUM_OF_SQUARES = Formula("f(W) = sum(W**2)", lambda W: np.sum(W**2))
SUM_OF_TANH = Formula("f(W) = sum(tanh(W))", lambda W: np.sum(np.tanh(W)))
_WSQ = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
_WRONG_ENTRY = 2 * _WSQ + np.array([[0.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])  # 6 given as 5
_XR, _YR = _rng.normal(size=(4, 3)), _rng.normal(size=(4, 2))
_WR32 = _rng.normal(size=(3, 2)).astype(np.float32)
_WR = _WR32.astype(np.float64)
_WT = np.array([[0.3, -1.2], [2.0, 0.8]])


def _check_case(f, W, dW, h, about, **tolerance):
    """A Case whose expected relative error is the reference's, in float64."""
    expected = reference_gradient_check(f, W, dW, h)
    options = dict(rtol=1e-6, atol=1e-9) | tolerance
    return Case((f, W, dW, h), expected, about, **options)


GRADIENT_CHECK = Exercise(
    "gradient_check",
    ("f", "W", "dW", "h"),
    (
        # The gradient of sum(W²) is 2W, and central differences of a quadratic are exact
        # up to rounding: the relative error is some 1e-11, 0 within the tolerance 1e-8
        Case((SUM_OF_SQUARES, _WSQ, 2 * _WSQ, 1e-5), 0.0, "a right dW", rtol=0.0, atol=1e-8),
        # Entry [1, 0] of dW given as 5 where it is 2 * 3 = 6: max|dW - G| = 1, and the
        # largest |dW| + |G| is 5 + 6 = 11 at that same entry: 1 / 11 = 0.090909...
        _check_case(SUM_OF_SQUARES, _WSQ, _WRONG_ENTRY, 1e-5, "one wrong entry, 5 for 6"),
        # At W = 0 both gradients are 0: 0 / max(1e-12, 0) = 0, where 0 / 0 would be NaN
        Case(
            (SUM_OF_SQUARES, np.zeros((2, 2)), np.zeros((2, 2)), 1e-5),
            0.0,
            "a flat spot, both gradients 0: the floor 1e-12 keeps 0 / 0 away",
            rtol=0.0,
            atol=1e-12,
        ),
        # A linear layer's loss at a float32 W, with its right gradient 2 Xᵀ (X W − Y) / (N M):
        # in float64 the error is some 1e-11; nudges rounded to float32 give some 1e-3
        Case(
            (_regression(_XR, _YR), _WR32, _regression_gradient(_XR, _YR, _WR), 1e-5),
            0.0,
            "a float32 W, a right dW: work in float64",
            rtol=0.0,
            atol=1e-8,
        ),
        # With h = 0.01 the central differences of tanh differ from its slope 1 − tanh²
        # by about h² |tanh'''| / 6: the relative error is that truncation error, ~1e-5
        _check_case(SUM_OF_TANH, _WT, 1 - np.tanh(_WT) ** 2, 0.01, "a large step, h = 0.01"),
    ),
    mistakes=(
        Mistake(
            "forward",
            "G is the forward difference (f(W + h E) − f(W)) / h, whose error shrinks only "
            "like h; take the central difference (f(W + h E) − f(W − h E)) / (2h)",
            lambda f, W, dW, h: _checked_with(f, W, dW, h, forward=True),
        ),
        Mistake(
            "/ h",
            "G is twice the central difference: W − h E and W + h E lie 2h apart, so divide by 2h",
            lambda f, W, dW, h: _checked_with(f, W, dW, h, divide_by=1.0),
        ),
        Mistake(
            "not put back",
            "each nudged entry was left at W_i − h, so the entries after it were measured at "
            "a shifted point: put W_i back after its two calls of f",
            lambda f, W, dW, h: _checked_with(f, W, dW, h, put_back=False),
        ),
        Mistake(
            "float32",
            "W ± h was rounded to float32, the dtype W came in: near 1, float32 numbers lie "
            "1.2e-7 apart, so a step of 1e-5 keeps two or three digits. Nudge a float64 copy, "
            "np.array(W, dtype=np.float64)",
            lambda f, W, dW, h: _checked_with(f, W, dW, h, dtype=np.asarray(W).dtype),
        ),
        Mistake(
            "|dW| only",
            "the denominator is max|dW| alone: divide by max(1e-12, max(|dW| + |G|)), which "
            "is symmetric in the two gradients and does not blow up when dW is 0",
            lambda f, W, dW, h: _checked_with(f, W, dW, h, denominator="dW"),
        ),
        Mistake(
            "no abs",
            "the largest difference dW − G, with its sign, is not the largest distance: take "
            "max|dW − G|, the absolute values",
            lambda f, W, dW, h: _checked_with(f, W, dW, h, absolute=False),
        ),
    ),
)

# --- he_normal and glorot_uniform ---------------------------------------------------------


class Seeded(np.random.Generator):
    """np.random.default_rng(seed), as a public case's argument.

    `check` copies a case's arguments before each call and compares them after it. A plain
    Generator is copied with its state but compared by identity, so every call would look
    like a change to it. A Seeded copies as a fresh generator of its seed (every call draws
    the same numbers), equals any Seeded of the same seed (drawing is no change), and prints
    as the call that makes it.
    """

    def __init__(self, seed):
        super().__init__(np.random.PCG64(seed))
        self.seed = seed

    def __deepcopy__(self, memo):
        return Seeded(self.seed)

    def __eq__(self, other):
        return isinstance(other, Seeded) and other.seed == self.seed

    __hash__ = None

    def __repr__(self):
        return f"np.random.default_rng({self.seed})"

    __str__ = __repr__


def he_std(n_in):
    """He's standard deviation √(2 / n_in): the variance 2 / n_in keeps a ReLU layer's scale."""
    return np.sqrt(2.0 / n_in)


def glorot_limit(n_in, n_out):
    """Glorot's uniform limit √(6 / (n_in + n_out)): U(−l, l) has variance l² / 3."""
    return np.sqrt(6.0 / (n_in + n_out))


def _normal(rng, std, n_in, n_out, transposed=False):
    if transposed:
        return rng.normal(0.0, std, size=(n_out, n_in)).T
    return rng.normal(0.0, std, size=(n_in, n_out))


def _uniform(rng, low, high, n_in, n_out, transposed=False):
    if transposed:
        return rng.uniform(low, high, size=(n_out, n_in)).T
    return rng.uniform(low, high, size=(n_in, n_out))


def _he_case(n_in, n_out, seed, about):
    expected = _normal(np.random.default_rng(seed), he_std(n_in), n_in, n_out)
    return Case((n_in, n_out, Seeded(seed)), expected, about)


def _glorot_case(n_in, n_out, seed, about):
    limit = glorot_limit(n_in, n_out)
    expected = _uniform(np.random.default_rng(seed), -limit, limit, n_in, n_out)
    return Case((n_in, n_out, Seeded(seed)), expected, about)


HE_NORMAL = Exercise(
    "he_normal",
    ("n_in", "n_out", "rng"),
    (
        # n_in = 8: variance 2 / 8 = 0.25, standard deviation √0.25 = 0.5
        _he_case(8, 2, 0, "n_in = 8, n_out = 2: standard deviation 0.5"),
        # n_in = 3: variance 2 / 3, standard deviation 0.816497
        _he_case(3, 5, 7, "n_in = 3, n_out = 5"),
        # n_in = 200: standard deviation √0.01 = 0.1
        _he_case(200, 50, 11, "n_in = 200, n_out = 50"),
    ),
    mistakes=(
        Mistake(
            "n_out",
            "the scale uses n_out: He's variance is 2 / n_in, the number of inputs each unit "
            "sums (the rows of W)",
            lambda n_in, n_out, rng: _normal(rng, np.sqrt(2.0 / n_out), n_in, n_out),
        ),
        Mistake(
            "variance as std",
            "2 / n_in is the variance; rng.normal takes the standard deviation, its square "
            "root √(2 / n_in)",
            lambda n_in, n_out, rng: _normal(rng, 2.0 / n_in, n_in, n_out),
        ),
        Mistake(
            "LeCun",
            "this is LeCun's scale √(1 / n_in): He's variance has a 2, 2 / n_in, because a "
            "ReLU zeroes about half of its inputs",
            lambda n_in, n_out, rng: _normal(rng, np.sqrt(1.0 / n_in), n_in, n_out),
        ),
        Mistake(
            "Glorot",
            "this is Glorot's normal scale √(2 / (n_in + n_out)); He's uses n_in alone: "
            "√(2 / n_in)",
            lambda n_in, n_out, rng: _normal(rng, np.sqrt(2.0 / (n_in + n_out)), n_in, n_out),
        ),
        Mistake(
            "drawn as [n_out, n_in]",
            "the numbers were drawn as an [n_out, n_in] array and transposed: draw them in "
            "their final shape, size=(n_in, n_out), so that the same seed gives the same W",
            lambda n_in, n_out, rng: _normal(rng, he_std(n_in), n_in, n_out, transposed=True),
        ),
    ),
)

GLOROT_UNIFORM = Exercise(
    "glorot_uniform",
    ("n_in", "n_out", "rng"),
    (
        # limit = √(6 / (6 + 4)) = √0.6 = 0.774597
        _glorot_case(6, 4, 0, "n_in = 6, n_out = 4: limit √0.6"),
        # limit = √(6 / 8) = 0.866025
        _glorot_case(3, 5, 3, "n_in = 3, n_out = 5"),
        # limit = √(6 / 600) = 0.1
        _glorot_case(400, 200, 5, "n_in = 400, n_out = 200: limit 0.1"),
    ),
    mistakes=(
        Mistake(
            "std as limit",
            "the limit is √(2 / (n_in + n_out)), Glorot's standard deviation: a uniform on "
            "(−l, l) has variance l² / 3, so the limit is √3 times larger, √(6 / (n_in + n_out))",
            lambda n_in, n_out, rng: _uniform(
                rng, -np.sqrt(2 / (n_in + n_out)), np.sqrt(2 / (n_in + n_out)), n_in, n_out
            ),
        ),
        Mistake(
            "no √",
            "the limit is 6 / (n_in + n_out): take its square root, √(6 / (n_in + n_out))",
            lambda n_in, n_out, rng: _uniform(
                rng, -6 / (n_in + n_out), 6 / (n_in + n_out), n_in, n_out
            ),
        ),
        Mistake(
            "n_in only",
            "the limit is √(6 / n_in), He's uniform limit: Glorot's averages the two fans, "
            "√(6 / (n_in + n_out))",
            lambda n_in, n_out, rng: _uniform(
                rng, -np.sqrt(6 / n_in), np.sqrt(6 / n_in), n_in, n_out
            ),
        ),
        Mistake(
            "from 0",
            "the weights were drawn from (0, limit): draw from (−limit, limit), which has "
            "mean 0, rng.uniform(-limit, limit, size=(n_in, n_out))",
            lambda n_in, n_out, rng: _uniform(rng, 0.0, glorot_limit(n_in, n_out), n_in, n_out),
        ),
        Mistake(
            "drawn as [n_out, n_in]",
            "the numbers were drawn as an [n_out, n_in] array and transposed: draw them in "
            "their final shape, size=(n_in, n_out), so that the same seed gives the same W",
            lambda n_in, n_out, rng: _uniform(
                rng, -glorot_limit(n_in, n_out), glorot_limit(n_in, n_out), n_in, n_out, True
            ),
        ),
    ),
)

# --- sgd_step -----------------------------------------------------------------------------


def sgd_update(X, Y, W1, b1, W2, b2, learning_rate, slip=None):
    """(W1, b1, W2, b2) − learning_rate × their gradients, as new arrays."""
    grads = two_layer_gradients(X, Y, W1, b1, W2, b2)
    rate = 1.0 if slip == "no learning rate" else learning_rate
    return tuple(p - rate * g for p, g in zip((W1, b1, W2, b2), grads, strict=True))


SGD_STEP = Exercise(
    "sgd_step",
    ("X", "Y", "W1", "b1", "W2", "b2", "learning_rate"),
    (
        # The 1-1-1 network's gradients (1.5, 0.75, 1.5, 2), learning rate 0.1:
        # W1 = ln(3)/2 - 0.15 = 0.399306, b1 = 0 - 0.075, W2 = 2 - 0.15 = 1.85, b2 = 0.5 - 0.2
        Case(
            (*_NET111, 0.1),
            (np.array([[LN3 / 2 - 0.15]]), np.array([-0.075]), np.array([[1.85]]), np.array([0.3])),
            "the 1-1-1 network by hand, learning rate 0.1",
        ),  # fmt: skip
        # The 2-3-1 network, whose loss falls from 0.607 to 0.327 in this step
        Case(
            (*_NET231, 0.2),
            sgd_update(*_NET231, 0.2),
            "the 2-3-1 network, learning rate 0.2",
            rtol=1e-6,
            atol=1e-8,
        ),
    ),
    returns=("W1", "b1", "W2", "b2"),
    batch="X",
    updates=("W1", "b1", "W2", "b2"),
    mistakes=(
        Mistake(
            "no learning rate",
            "the whole gradient was subtracted: the step is W − learning_rate × dW, for each "
            "of the four parameters",
            lambda *args: sgd_update(*args, slip="no learning rate"),
        ),
    ),
)

EXERCISES = (
    DENSE_FORWARD,
    DENSE_BACKWARD,
    TWO_LAYER_BACKWARD,
    GRADIENT_CHECK,
    HE_NORMAL,
    GLOROT_UNIFORM,
    SGD_STEP,
)


def check(name, function):
    """Run the public cases of this set's exercise `name` on `function`; print the outcome.

    `check("dense_backward", dense_backward)` prints "dense_backward: all 3 public cases
    pass", or the first case that fails, with a hint. It returns None. See
    `byhand.exercises.checking`.
    """
    check_exercise(EXERCISES, name, function)
