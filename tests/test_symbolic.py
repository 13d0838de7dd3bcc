"""Tests for byhand.symbolic: SymPy's derivatives agree with the textbook formulas."""

import subprocess
import sys

import pytest
import sympy as sp

from byhand.activations import ACTIVATIONS
from byhand.losses import LOSSES
from byhand.symbolic import activation_expression, loss_expression


def is_zero(expr):
    return sp.simplify(expr) == 0


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_has_an_expression(name):
    z, f, df = activation_expression(name)
    assert f.free_symbols and df is not None


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_has_an_expression(name):
    y, y_hat, L, dL = loss_expression(name)
    assert L.free_symbols and dL is not None


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    z, f, df = activation_expression("sigmoid")
    assert is_zero(df - f * (1 - f))
    assert not is_zero(df - f / (1 - f))  # the notes' slip
    assert df.subs(z, 0) == sp.Rational(1, 4)  # the peak: 0.5 * 0.5


def test_sigmoid_derivative_by_the_chain_rule():
    # p = -z, q = 1 + e^p, f = 1/q:  df/dz = (df/dq)(dq/dp)(dp/dz) = (-1/q^2)(e^p)(-1)
    z, f, df = activation_expression("sigmoid")
    p = -z
    q = 1 + sp.exp(p)
    chain = (-1 / q**2) * sp.exp(p) * (-1)
    assert is_zero(chain - df)


def test_tanh_relu_leaky_elu_derivatives():
    z, f, df = activation_expression("tanh")
    assert is_zero(df - (1 - f**2))
    z, f, df = activation_expression("relu")
    assert [df.subs(z, v) for v in (-2, 0, 3)] == [0, 0, 1]
    alpha = sp.Symbol("alpha", positive=True)
    z, f, df = activation_expression("leaky_relu", alpha=alpha)
    assert [df.subs(z, v) for v in (-2, 0, 3)] == [alpha, alpha, 1]
    z, f, df = activation_expression("leaky_relu")
    assert df.subs(z, -1) == sp.Float(0.01)  # the course's default slope
    z, f, df = activation_expression("elu", alpha=alpha)
    assert is_zero(df.subs(z, -2) - (f.subs(z, -2) + alpha))  # elu' = elu + alpha for z < 0
    assert df.subs(z, 0) == 1
    z, f, df = activation_expression("linear")
    assert f == z and df == 1


def test_softmax_sums_to_one_and_its_jacobian():
    z, s, J = activation_expression("softmax", classes=3)
    assert is_zero(sum(s) - 1)
    for i in range(3):
        for j in range(3):
            expected = s[i] * (1 - s[i]) if i == j else -s[i] * s[j]
            assert is_zero(J[i, j] - expected)


def test_sigmoid_is_the_two_class_softmax():
    z, s, _ = activation_expression("softmax", classes=2)
    t, sigma, _ = activation_expression("sigmoid")
    # softmax(t, 0)_0 = e^t / (e^t + 1) = 1 / (1 + e^-t)
    assert is_zero(s[0].subs({z[0]: t, z[1]: 0}) - sigma)


def test_mse_mae_and_bce_derivatives():
    y, y_hat, L, dL = loss_expression("mse")
    assert sp.expand(dL - 2 * (y_hat - y)) == 0
    y, y_hat, L, dL = loss_expression("mae")
    assert dL.subs({y: 1, y_hat: 3}) == 1 and dL.subs({y: 3, y_hat: 1}) == -1
    y, y_hat, L, dL = loss_expression("binary_crossentropy")
    assert is_zero(dL - (y_hat - y) / (y_hat * (1 - y_hat)))


def test_sigmoid_plus_bce_gives_y_hat_minus_y():
    y, z, L, dL = loss_expression("binary_crossentropy", from_logits=True)
    assert is_zero(dL - (1 / (1 + sp.exp(-z)) - y))


def test_softmax_plus_crossentropy_gives_y_hat_minus_y():
    y, z, L, dL = loss_expression("categorical_crossentropy", from_logits=True)
    _, s, _ = activation_expression("softmax", classes=3)
    s = s.subs(dict(zip(activation_expression("softmax")[0], z, strict=True)))
    # for any y summing to 1 (so for one-hot y): dL/dz = softmax(z) - y
    on_simplex = {y[2]: 1 - y[0] - y[1]}
    for k in range(3):
        assert is_zero((dL[k] - (s[k] - y[k])).subs(on_simplex))


def test_sparse_is_categorical_with_a_one_hot_label():
    label, y_hat, L_sparse, dL_sparse = loss_expression("sparse_categorical_crossentropy", label=1)
    y, y_hat_c, L_cat, dL_cat = loss_expression("categorical_crossentropy")
    one_hot = {y[0]: 0, y[1]: 1, y[2]: 0}
    same = dict(zip(y_hat_c, y_hat, strict=True))
    assert label == 1
    assert is_zero(L_cat.subs(one_hot).subs(same) - L_sparse)
    assert is_zero((dL_cat.subs(one_hot).subs(same) - dL_sparse).norm())
    # on a distribution (sum 1) the loss is -log y_hat[label]
    assert is_zero(L_sparse.subs(y_hat[2], 1 - y_hat[0] - y_hat[1]) + sp.log(y_hat[1]))


def test_cross_entropy_is_entropy_plus_kl():
    y, q, KL, dKL = loss_expression("kl_divergence", classes=2)
    _, q_c, CE, _ = loss_expression("categorical_crossentropy", classes=2)
    CE = CE.subs(dict(zip(q_c, q, strict=True))).subs(q[1], 1 - q[0])  # q a distribution
    entropy = -sum(y_k * sp.log(y_k) for y_k in y)
    y_pos = {v: sp.Symbol(v.name, positive=True) for v in list(y) + list(q)}
    difference = (CE - entropy - KL.subs(q[1], 1 - q[0])).subs(y_pos)
    assert is_zero(sp.expand_log(difference, force=True))
    assert [is_zero(d + y_k / q_k) for d, y_k, q_k in zip(dKL, y, q, strict=True)] == [True, True]


def test_unknown_names_are_errors():
    with pytest.raises(ValueError, match="swish.*sigmoid, tanh, relu"):
        activation_expression("swish")
    with pytest.raises(ValueError, match="hinge.*mse"):
        loss_expression("hinge")
    with pytest.raises(ValueError, match="'mse' has no from_logits"):
        loss_expression("mse", from_logits=True)


def test_core_modules_do_not_import_sympy():
    code = "import sys, byhand.activations, byhand.losses; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: activation_expression(None), TypeError, "expected a name such as"),
        (lambda: loss_expression(5), TypeError, "expected a name such as"),
        (lambda: activation_expression("softmax", classes=0), ValueError, "classes must be"),
        (lambda: loss_expression("kld", classes=2.5), ValueError, "classes must be an int >= 2"),
        # A label outside 0..K-1 picks no class: the loss would be 0 whatever y_hat is.
        (
            lambda: loss_expression("sparse_categorical_crossentropy", label=5),
            ValueError,
            r"label must be an int in 0..2, got 5",
        ),
    ],
)
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
