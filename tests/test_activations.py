"""Tests for byhand.activations: hand-worked values, three-way derivative checks, properties."""

import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from byhand import activations
from byhand.activations import ACTIVATIONS, ELU, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from byhand.gradcheck import numerical_gradient
from byhand.symbolic import activation_expression

# ---------------------------------------------------------------------------------------------
# Hand-worked values


def test_sigmoid_at_zero_by_hand():
    # sigma(0) = 1 / (1 + e^0) = 1 / 2;  sigma'(0) = sigma (1 - sigma) = 0.5 * 0.5 = 0.25
    s = Sigmoid()
    a = s(0.0)
    assert float(a) == pytest.approx(0.5, abs=1e-15)
    assert float(s.backward(0.0, a, 1.0)) == pytest.approx(0.25, abs=1e-15)
    # sigma(2) = 1 / (1 + e^-2) = 1 / 1.135335 = 0.880797;  sigma'(2) = 0.880797 * 0.119203
    a = s(2.0)
    assert float(a) == pytest.approx(0.880797, abs=1e-6)
    assert float(s.backward(2.0, a, 1.0)) == pytest.approx(0.104994, abs=1e-6)


def test_sigmoid_derivative_is_not_sigma_over_one_minus_sigma():
    # The notes' slip: sigma / (1 - sigma) at z = 0 would be 0.5 / 0.5 = 1, not the peak 0.25.
    s = Sigmoid()
    a = s(0.0)
    assert float(s.backward(0.0, a, 1.0)) != pytest.approx(float(a / (1 - a)))


def test_softmax_worked_example_by_hand():
    # e^3.2 = 24.53253, e^1.3 = 3.66930, e^0.2 = 1.22140, e^0.8 = 2.22554; sum = 31.64877
    # 24.53253 / 31.64877 = 0.77515 (the book's 0.775), 3.66930 / 31.64877 = 0.11594,
    # 1.22140 / 31.64877 = 0.03859, 2.22554 / 31.64877 = 0.07032
    a = Softmax()(np.array([3.2, 1.3, 0.2, 0.8]))
    np.testing.assert_allclose(a, [0.77515, 0.11594, 0.03859, 0.07032], atol=5e-6)
    assert round(float(a[0]), 3) == 0.775
    assert a.sum() == pytest.approx(1.0, abs=1e-15)


def test_other_activations_by_hand():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    # tanh(0.5) = (e - 1) / (e + 1) with e = e^1 -> 1.71828 / 3.71828 = 0.462117
    np.testing.assert_allclose(Tanh()(z)[3], 0.462117, atol=1e-6)
    # tanh'(0) = 1 - 0^2 = 1
    assert float(Tanh().backward(0.0, Tanh()(0.0), 1.0)) == 1.0
    np.testing.assert_array_equal(ReLU()(z), [0, 0, 0, 0.5, 2])
    np.testing.assert_array_equal(ReLU().backward(z, ReLU()(z), np.ones(5)), [0, 0, 0, 1, 1])
    # leaky: -2 * 0.01 = -0.02, -0.5 * 0.01 = -0.005
    np.testing.assert_allclose(LeakyReLU()(z), [-0.02, -0.005, 0, 0.5, 2], atol=1e-15)
    np.testing.assert_allclose(LeakyReLU(alpha=0.1)(z)[0], -0.2, atol=1e-15)
    # elu(-2) = e^-2 - 1 = 0.135335 - 1 = -0.864665; elu'(-2) = e^-2 = elu(-2) + 1 = 0.135335
    a = ELU()(z)
    np.testing.assert_allclose(a[0], -0.864665, atol=1e-6)
    np.testing.assert_allclose(ELU().backward(z, a, np.ones(5))[0], 0.135335, atol=1e-6)
    np.testing.assert_array_equal(Linear()(z), z)


# ---------------------------------------------------------------------------------------------
# Three ways: backward, SymPy's derivative, central finite differences (float64)

# name -> (the instance to test, a symbolic alpha or None). Every registry name needs a case.
THREE_WAY_CASES = {
    "sigmoid": (Sigmoid(), None),
    "tanh": (Tanh(), None),
    "relu": (ReLU(), None),
    "leaky_relu": (LeakyReLU(alpha=0.1), 0.1),
    "elu": (ELU(alpha=0.7), 0.7),
    "softmax": (Softmax(), None),
    "linear": (Linear(), None),
}


def test_every_registered_activation_has_a_three_way_case():
    assert set(THREE_WAY_CASES) == set(ACTIVATIONS)
    for name, (act, _) in THREE_WAY_CASES.items():
        assert isinstance(act, ACTIVATIONS[name]) and act.name == name


def _sample(rng, shape):
    """Values away from the kinks at 0, where a one-sided slope would not match."""
    z = rng.uniform(0.1, 3.0, size=shape)
    return z * rng.choice([-1.0, 1.0], size=shape)


@pytest.mark.parametrize("name", sorted(THREE_WAY_CASES))
def test_backward_matches_finite_differences(name):
    act, _ = THREE_WAY_CASES[name]
    rng = np.random.default_rng(0)
    z = _sample(rng, (4, 5))
    r = rng.normal(size=z.shape)  # the loss L = sum(a * r) has dL/da = r
    numeric = numerical_gradient(lambda x: np.sum(act(x) * r), z)
    analytic = act.backward(z, act(z), r)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(THREE_WAY_CASES))
def test_forward_and_backward_match_sympy(name):
    act, alpha = THREE_WAY_CASES[name]
    rng = np.random.default_rng(1)
    if name == "softmax":
        z_sym, f, jac = activation_expression(name, classes=4)
        f_num = sp.lambdify([list(z_sym)], list(f), "numpy")
        jac_num = sp.lambdify([list(z_sym)], jac, "numpy")
        for z in _sample(rng, (5, 4)):
            da = rng.normal(size=4)
            a = act(z)
            np.testing.assert_allclose(a, f_num(z), rtol=1e-12)
            # backward is the vector-Jacobian product J^T da (J is symmetric here)
            np.testing.assert_allclose(act.backward(z, a, da), jac_num(z).T @ da, atol=1e-12)
        return
    z_sym, f, df = activation_expression(name, alpha=alpha)
    f_num = np.vectorize(sp.lambdify(z_sym, f, "math"), otypes=[float])
    df_num = np.vectorize(sp.lambdify(z_sym, df, "math"), otypes=[float])
    z = np.concatenate([_sample(rng, 20), [0.0]])  # and the convention at the kink z = 0
    a = act(z)
    np.testing.assert_allclose(a, f_num(z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(act.backward(z, a, np.ones_like(z)), df_num(z), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Properties (Hypothesis)

NAMES = sorted(ACTIVATIONS)
finite = st.floats(-1000, 1000, allow_nan=False, width=32)


def _run(name, z):
    """Forward and backward (with da = 1) with every warning turned into an error."""
    act = activations.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act(z)
        dz = act.backward(z, a, np.ones_like(a))
    return a, dz


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    z=arrays(
        np.float64, array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), elements=finite
    ),
)
def test_shape_preserved_and_finite(name, z):
    a, dz = _run(name, z)
    assert a.shape == z.shape and dz.shape == z.shape
    assert np.isfinite(a).all() and np.isfinite(dz).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_stay_finite_and_keep_dtype(name, dtype):
    z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], dtype=dtype)  # batch size 1
    a, dz = _run(name, z)
    assert a.dtype == dtype and dz.dtype == dtype
    assert np.isfinite(a).all() and np.isfinite(dz).all()
    if name == "sigmoid":
        np.testing.assert_array_equal(a[0, [0, 2, 4]], [0.0, 0.5, 1.0])
    if name == "softmax":
        np.testing.assert_allclose(a, [[0, 0, 0, 0, 1]], atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(NAMES), z=arrays(np.float32, (3, 4), elements=finite))
def test_float32_in_float32_out(name, z):
    a, dz = _run(name, z)
    assert a.dtype == np.float32 and dz.dtype == np.float32


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(NAMES), z=arrays(np.float64, (2, 3), elements=finite))
def test_backward_twice_same_answer_and_inputs_untouched(name, z):
    act = activations.get(name)
    z_copy = z.copy()
    a = act(z)
    da = np.linspace(-1, 1, z.size).reshape(z.shape)
    a_copy, da_copy = a.copy(), da.copy()
    first = act.backward(z, a, da)
    second = act.backward(z, a, da)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(z, z_copy)
    np.testing.assert_array_equal(a, a_copy)
    np.testing.assert_array_equal(da, da_copy)


@settings(max_examples=50, deadline=None)
@given(z=arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=6), elements=finite))
def test_softmax_rows_sum_to_one(z):
    a = Softmax()(z)
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=1e-12)
    assert (a >= 0).all() and (a <= 1).all()


@settings(max_examples=50, deadline=None)
@given(z=arrays(np.float64, 6, elements=finite))
def test_sigmoid_is_two_class_softmax(z):
    # softmax(z, 0)_0 = e^z / (e^z + e^0) = 1 / (1 + e^-z) = sigma(z)
    pairs = np.stack([z, np.zeros_like(z)], axis=-1)
    np.testing.assert_allclose(Softmax()(pairs)[:, 0], Sigmoid()(z), rtol=1e-12, atol=1e-300)


# ---------------------------------------------------------------------------------------------
# Lookup by name and errors


def test_get_by_name_instance_and_none():
    assert isinstance(activations.get("relu"), ReLU)
    assert isinstance(activations.get("ReLU"), ReLU)  # case-insensitive
    assert isinstance(activations.get(None), Linear)
    leaky = LeakyReLU(alpha=0.2)
    assert activations.get(leaky) is leaky
    assert activations.get("leaky_relu").alpha == 0.01
    assert activations.get("elu").alpha == 1.0


def test_get_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="swish.*sigmoid, tanh, relu, leaky_relu, elu, softmax"):
        activations.get("swish")
    with pytest.raises(ValueError, match="Unknown activation"):
        activations.get(42)


def test_softmax_of_a_scalar_is_an_error():
    with pytest.raises(ValueError, match="Softmax: expected an array"):
        Softmax()(1.0)


def test_integers_become_float64():
    assert Sigmoid()(np.array([0, 1])).dtype == np.float64
    assert ReLU()([1, -2]).dtype == np.float64


@pytest.mark.parametrize("make", [LeakyReLU, ELU])
@pytest.mark.parametrize("alpha", ["a", None, True, np.nan])
def test_alpha_must_be_a_number(make, alpha):
    with pytest.raises(ValueError, match=f"{make.__name__}: alpha must be a finite number, got"):
        make(alpha)


def test_numpy_alpha_is_a_number():
    assert LeakyReLU(np.float32(0.25)).alpha == 0.25 and ELU(np.int64(2)).alpha == 2.0


@pytest.mark.parametrize("name", NAMES)
def test_backward_takes_lists(name):
    act = activations.get(name)
    z = [[1.0, -2.0, 0.5]]
    dz = act.backward(z, act(z), [[1, 1, 1]])
    expected = act.backward(np.array(z), act(np.array(z)), np.ones((1, 3)))
    assert isinstance(dz, np.ndarray) and dz.dtype == np.float64
    np.testing.assert_array_equal(dz, expected)


def test_softmax_of_no_classes_is_an_error():
    with pytest.raises(ValueError, match=r"Softmax: expected at least 1 class .* shape \(4, 0\)"):
        Softmax()(np.zeros((4, 0)))
    assert Softmax()(np.zeros((0, 3))).shape == (0, 3)  # no rows is fine


@pytest.mark.parametrize("z", [np.array([1 + 2j]), np.array(["1"]), np.array([None])])
def test_complex_or_text_input_is_refused(z):
    # Complex numbers used to lose their imaginary part silently (with a ComplexWarning).
    for activation in ACTIVATIONS.values():
        with pytest.raises(TypeError, match="activations take real numbers"):
            activation()(z)
