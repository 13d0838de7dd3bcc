"""Every layer and regularizer against SymPy: the engine's backward equals SymPy's derivative.

For each layer we write its forward pass a second time, as a SymPy formula, on a tiny batch
(N = 3 examples, D = 2 or 3 features; batch norm also N = 2 and 4) whose entries and weights
are symbols. With a fixed random projection r the loss is

    L = sum(r * y)  (+ the weight penalties of a Dense layer)

so dL/dy = r: we call `layer.backward(r)` and compare dx and every `layer.grads[key]` with
SymPy's dL/dx and dL/dparam (`sympy.diff`), evaluated at the same float64 numbers. SymPy
works with the exact values of those floats and rounds only at the end (30 digits), so the
tolerance, rtol = 1e-10, measures the engine's float64 rounding alone.

`SYMPY_CASES` must name every layer of `byhand.layers.LAYERS` (and `PENALTIES` every
regularizer): a new layer fails `test_every_registered_layer_has_a_sympy_case` until it gets one.
The finite-difference checks are in test_gradcheck.py and test_regularizers.py.
"""

import numpy as np
import pytest
import sympy as sp

from byhand import regularizers
from byhand.activations import ACTIVATIONS, ELU, LeakyReLU
from byhand.layers import (
    LAYERS,
    Activation,
    BatchNormalization,
    Concatenate,
    Dense,
    Dropout,
    InputLayer,
    PReLU,
)
from byhand.regularizers import L1, L1L2, L2
from byhand.symbolic import activation_expression

RTOL, ATOL = 1e-10, 1e-13  # atol only for entries that are exactly 0 (relu, dropped units)


# --- helpers ---------------------------------------------------------------------------------


def symbols(name, shape):
    """A Matrix of real symbols name_ij, one per entry of an array of `shape` (1-D: one row)."""
    rows, cols = (1, shape[0]) if len(shape) == 1 else shape
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}", real=True))


def numbers(expr, values):
    """A SymPy expression or Matrix, with `values` (symbol -> float) put in, as float64.

    Each float is put in as the exact fraction it stores, and the result is rounded to 30
    digits before it becomes a float64: SymPy's answer carries no rounding of its own.
    """
    exact = {symbol: sp.Rational(value) for symbol, value in values.items()}
    return np.array(sp.Matrix([expr]).xreplace(exact).evalf(30), dtype=np.float64)


def gradient(L, S):
    """dL/dS: the Matrix of the derivatives of L with respect to each symbol of S."""
    return S.applyfunc(lambda s: sp.diff(L, s))


def assign(S, array):
    """{symbol: number}: the entries of the Matrix S paired with those of `array` (row-major)."""
    return dict(zip(S, np.asarray(array, dtype=np.float64).ravel(), strict=True))


def elementwise(activation, Z):
    """f(Z) entry by entry for f = the layer's activation; softmax goes row by row."""
    name = activation.name
    if name == "softmax":
        z, f, _ = activation_expression(name, classes=Z.cols)
        rows = [f.xreplace(dict(zip(z, Z.row(i), strict=True))).T for i in range(Z.rows)]
        return sp.Matrix.vstack(*rows)
    z, f, _ = activation_expression(name, alpha=getattr(activation, "alpha", None))
    return Z.applyfunc(lambda zij: f.xreplace({z: zij}))


def total(M):
    """The sum of all entries of a Matrix (0 for an empty one)."""
    return sum(M, sp.Integer(0))


# --- the penalties, written out ----------------------------------------------------------------

# penalty(W) as SymPy writes it, for each regularizer; sp.Abs(w) has derivative sign(w) away from 0
PENALTIES = {
    "l1": lambda reg, W: reg.l1 * total(W.applyfunc(sp.Abs)),
    "l2": lambda reg, W: reg.l2 * total(W.applyfunc(lambda w: w**2)),
    "l1_l2": lambda reg, W: (
        reg.l1 * total(W.applyfunc(sp.Abs)) + reg.l2 * total(W.applyfunc(lambda w: w**2))
    ),
}


# --- each layer's forward pass, written out ------------------------------------------------------
# forward(layer, xs, p, training) -> (y, penalty): xs the list of input Matrices, p the
# parameter Matrices under the layer's keys. Each is called after the NumPy forward pass, so
# that dropout can read the mask the layer drew.


def input_layer_forward(layer, xs, p, training):
    (x,) = xs
    return x, 0  # y = x


def dense_forward(layer, xs, p, training):
    (x,) = xs
    z = x * p["kernel"]  # z = x @ W + b, b added to every row
    if "bias" in p:
        z += sp.ones(x.rows, 1) * p["bias"]
    penalty = 0
    if layer.kernel_regularizer is not None:
        reg = layer.kernel_regularizer
        penalty += PENALTIES[reg.name](reg, p["kernel"])
    if layer.bias_regularizer is not None:
        reg = layer.bias_regularizer
        penalty += PENALTIES[reg.name](reg, p["bias"])
    return elementwise(layer.activation, z), penalty


def activation_forward(layer, xs, p, training):
    (x,) = xs
    return elementwise(layer.activation, x), 0  # y = f(x)


def concatenate_forward(layer, xs, p, training):
    return sp.Matrix.hstack(*xs), 0  # y = [x_0 | x_1 | ...]


def dropout_forward(layer, xs, p, training):
    (x,) = xs
    if not training:
        return x, 0  # inference: y = x
    m = sp.Matrix((layer.cache != 0).astype(int))  # the mask the layer drew: 1 kept, 0 dropped
    rate = sp.Rational(layer.rate)
    return x.multiply_elementwise(m) / (1 - rate), 0  # y = x * m / (1 - rate)


def prelu_forward(layer, xs, p, training):
    (x,) = xs
    alpha = p["alpha"]  # [1, D]: one slope per column
    y = sp.Matrix(
        x.rows,
        x.cols,
        lambda i, j: sp.Piecewise((x[i, j], x[i, j] > 0), (alpha[j] * x[i, j], True)),
    )
    penalty = 0
    if layer.alpha_regularizer is not None:
        reg = layer.alpha_regularizer
        penalty = PENALTIES[reg.name](reg, alpha)
    return y, penalty  # y = x if x > 0 else alpha * x


def batch_norm_statistics(layer, x, training):
    """mu, var [1, D] of the batch (divided by N, as Keras), or the moving averages."""
    n = x.rows
    if not training:  # inference: the moving averages, constants
        mu = sp.Matrix([[sp.Rational(v) for v in layer.state["moving_mean"]]])
        var = sp.Matrix([[sp.Rational(v) for v in layer.state["moving_variance"]]])
        return mu, var
    mu = sp.ones(1, n) * x / n  # 1. the column means: functions of every x_ij
    centred = x - sp.ones(n, 1) * mu
    var = sp.ones(1, n) * centred.applyfunc(lambda c: c**2) / n  # 2.
    return mu, var


def batch_norm_forward(layer, xs, p, training):
    (x,) = xs
    mu, var = batch_norm_statistics(layer, x, training)
    eps = sp.Rational(layer.epsilon)
    sigma = var.applyfunc(lambda v: sp.sqrt(v + eps))  # 3.
    x_hat = sp.Matrix(x.rows, x.cols, lambda i, j: (x[i, j] - mu[j]) / sigma[j])  # 4.
    gamma, beta = p["gamma"], p["beta"]
    return sp.Matrix(x.rows, x.cols, lambda i, j: gamma[j] * x_hat[i, j] + beta[j]), 0  # 5.


# --- the table of cases -------------------------------------------------------------------------
# case name -> (layer factory, input feature sizes, training, symbolic forward)
# The registry name of each case is the part before "/".

SYMPY_CASES = {
    "input_layer": (lambda: InputLayer((3,)), [3], False, input_layer_forward),
    **{
        f"dense/{name}": (lambda name=name: Dense(2, activation=name), [3], False, dense_forward)
        for name in sorted(ACTIVATIONS)
        if name not in ("leaky_relu", "elu", "softmax")
    },
    "dense/leaky_relu": (lambda: Dense(2, LeakyReLU(alpha=0.1)), [3], False, dense_forward),
    "dense/elu": (lambda: Dense(2, ELU(alpha=0.7)), [3], False, dense_forward),
    "dense/softmax": (lambda: Dense(3, activation="softmax"), [2], False, dense_forward),
    "dense/no_bias": (lambda: Dense(2, "tanh", use_bias=False), [3], False, dense_forward),
    "dense/regularized": (
        lambda: Dense(2, "sigmoid", kernel_regularizer=L1L2(0.2, 0.3), bias_regularizer=L2(0.5)),
        [3],
        False,
        dense_forward,
    ),
    "dense/l1_kernel": (lambda: Dense(2, kernel_regularizer=L1(0.4)), [2], False, dense_forward),
    **{
        f"activation/{name}": (lambda name=name: Activation(name), [3], False, activation_forward)
        for name in sorted(ACTIVATIONS)
    },
    "concatenate": (Concatenate, [2, 3], False, concatenate_forward),
    "dropout/training": (lambda: Dropout(0.4), [3], True, dropout_forward),
    "dropout/inference": (lambda: Dropout(0.4), [3], False, dropout_forward),
    "batch_normalization/training": (BatchNormalization, [2], True, batch_norm_forward),
    "batch_normalization/training_3_features": (BatchNormalization, [3], True, batch_norm_forward),
    "batch_normalization/inference": (BatchNormalization, [2], False, batch_norm_forward),
    "p_re_lu": (PReLU, [3], False, prelu_forward),
    "p_re_lu/regularized": (
        lambda: PReLU(alpha_regularizer=L1L2(0.2, 0.3)),
        [3],
        False,
        prelu_forward,
    ),
}
BATCH_SIZES = {"batch_normalization/training": [2, 3, 4]}  # the others: N = 3


def test_every_registered_layer_has_a_sympy_case():
    covered = {case.split("/")[0] for case in SYMPY_CASES}
    missing = set(LAYERS) - covered
    assert not missing, f"add a SymPy case to SYMPY_CASES for these layers: {missing}"
    for case, (make, *_) in SYMPY_CASES.items():
        assert isinstance(make(), LAYERS[case.split("/")[0]])


def test_every_registered_regularizer_has_a_penalty_formula():
    assert set(PENALTIES) == set(regularizers.REGULARIZERS)


def away_from_zero(rng, shape):
    """Random numbers with 0.2 <= |value| <= 1.5: away from the kinks of relu and |w| at 0."""
    return rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def _build(case, n, seed):
    """The NumPy layer (float64) with random weights, its inputs, and the symbols for both."""
    make, sizes, training, _ = SYMPY_CASES[case]
    rng = np.random.default_rng(seed)
    layer = make()
    shapes = [(d,) for d in sizes]
    layer.build(shapes if isinstance(layer, Concatenate) else shapes[0], rng, dtype="float64")
    for w in layer.params.values():
        w[...] = away_from_zero(rng, w.shape)
    if layer.state:  # batch norm's moving averages, used at inference
        layer.state["moving_mean"][...] = away_from_zero(rng, shapes[0])
        layer.state["moving_variance"][...] = rng.uniform(0.5, 2.0, shapes[0])
    xs = [away_from_zero(rng, (n, d)) for d in sizes]
    x_symbols = [symbols(f"x{k}", (n, d)) for k, d in enumerate(sizes)]
    p_symbols = {key: symbols(key, w.shape) for key, w in layer.params.items()}
    return layer, xs, training, x_symbols, p_symbols, rng


def _sympy_against_backward(case, n, seed=0):
    """Run the layer forward and backward, and SymPy on the same numbers.

    Returns the pairs (name, engine's array, SymPy's array) to compare.
    """
    layer, xs, training, x_symbols, p_symbols, rng = _build(case, n, seed)
    x = xs if isinstance(layer, Concatenate) else xs[0]
    y = layer.forward(x, training=training)
    r = rng.normal(size=y.shape)  # L = sum(r * y) has dL/dy = r
    dx = layer.backward(r)
    dxs = dx if isinstance(layer, Concatenate) else [dx]

    y_symbolic, penalty = SYMPY_CASES[case][3](layer, x_symbols, p_symbols, training)
    L = total(sp.Matrix(r).multiply_elementwise(y_symbolic)) + penalty
    values = {}
    for S, value in zip(x_symbols, xs, strict=True):
        values |= assign(S, value)
    for key, S in p_symbols.items():
        values |= assign(S, layer.params[key])

    pairs = [("y", y, numbers(y_symbolic, values).reshape(y.shape))]
    if penalty != 0:
        pairs.append(
            ("penalty", layer.regularization_loss(), float(numbers(penalty, values)[0, 0]))
        )
    # SymPy's numbers take the shape of x and of each param, so a wrong shape is an error too
    for k, (S, x_k, dx_k) in enumerate(zip(x_symbols, xs, dxs, strict=True)):
        pairs.append((f"dx{k}", dx_k, numbers(gradient(L, S), values).reshape(x_k.shape)))
    for key, S in p_symbols.items():
        dparam = numbers(gradient(L, S), values).reshape(layer.params[key].shape)
        pairs.append((f"d{key}", layer.grads[key], dparam))
    return pairs


CASES_AND_SIZES = [(case, n) for case in SYMPY_CASES for n in BATCH_SIZES.get(case, [3])]


@pytest.mark.parametrize(
    ("case", "n"), CASES_AND_SIZES, ids=[f"{c}-N{n}" for c, n in CASES_AND_SIZES]
)
def test_backward_equals_sympy_derivative(case, n):
    for name, engine, sympy_value in _sympy_against_backward(case, n):
        np.testing.assert_allclose(
            engine, sympy_value, rtol=RTOL, atol=ATOL, err_msg=f"{case}, N = {n}: {name}"
        )


# --- batch norm's compact backward, as a formula ------------------------------------------------


@pytest.mark.parametrize("n", [2, 3])
def test_batch_norm_compact_backward_is_sympys_derivative(n):
    # One feature is enough: batch norm treats each feature on its own. Everything is a
    # symbol here (x, dy = r, gamma, beta, epsilon), so this is an identity, not a spot check.
    x = sp.Matrix(sp.symbols(f"x_1:{n + 1}", real=True))
    dy = sp.Matrix(sp.symbols(f"dy_1:{n + 1}", real=True))
    gamma, beta = sp.symbols("gamma beta", real=True)
    eps = sp.Symbol("epsilon", positive=True)
    mu = total(x) / n  # 1.
    var = total((x - mu * sp.ones(n, 1)).applyfunc(lambda c: c**2)) / n  # 2.
    sigma = sp.sqrt(var + eps)  # 3.
    x_hat = (x - mu * sp.ones(n, 1)) / sigma  # 4.
    y = gamma * x_hat + beta * sp.ones(n, 1)  # 5.
    L = total(dy.multiply_elementwise(y))  # so that dL/dy = dy
    # the docstring's compact form: dx = (1/N) gamma / sigma (N dy - sum(dy) - x_hat sum(dy x_hat))
    compact = gamma / (n * sigma) * (n * dy - total(dy) * sp.ones(n, 1) - x_hat * dy.dot(x_hat))
    for i in range(n):
        assert sp.expand(sp.together(sp.diff(L, x[i]) - compact[i])) == 0
    # and dgamma = sum(dy x_hat), dbeta = sum(dy)
    assert sp.expand(sp.diff(L, gamma) - dy.dot(x_hat)) == 0
    assert sp.diff(L, beta) == total(dy)


# --- the regularizers ---------------------------------------------------------------------------

REGULARIZER_CASES = [L1(0.3), L2(0.3), L1L2(0.2, 0.7)]


def test_the_derivative_of_abs_is_sign():
    w = sp.Symbol("w", real=True)
    assert sp.diff(sp.Abs(w), w) == sp.sign(w)  # undefined at w = 0; the engine uses sign(0) = 0


@pytest.mark.parametrize("reg", REGULARIZER_CASES, ids=repr)
def test_regularizer_penalty_and_gradient_equal_sympy(reg):
    rng = np.random.default_rng(0)
    w = rng.uniform(0.1, 2.0, (3, 2)) * rng.choice([-1, 1], (3, 2))  # away from the kink at 0
    W = symbols("w", w.shape)
    penalty = PENALTIES[reg.name](reg, W)
    values = assign(W, w)
    assert reg(w) == pytest.approx(numbers(penalty, values)[0, 0], rel=RTOL)
    np.testing.assert_allclose(reg.gradient(w), numbers(gradient(penalty, W), values), rtol=RTOL)
