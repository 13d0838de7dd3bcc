"""Tests for byhand.losses: hand-worked values, three-way gradient checks, Keras semantics."""

import math
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from byhand import losses
from byhand.activations import Sigmoid, Softmax
from byhand.gradcheck import numerical_gradient
from byhand.losses import (
    LOSSES,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)
from byhand.symbolic import loss_expression

# ---------------------------------------------------------------------------------------------
# Hand-worked values


def test_categorical_and_sparse_give_the_same_number_by_hand():
    # y_hat = (0.1, 0.3, 0.6), true class 1: -(0 * ln 0.1 + 1 * ln 0.3 + 0 * ln 0.6) = -ln 0.3
    # -ln 0.3 = 1.2039728
    y_hat = np.array([[0.1, 0.3, 0.6]])
    cce = CategoricalCrossentropy()([[0, 1, 0]], y_hat)
    scce = SparseCategoricalCrossentropy()([1], y_hat)
    assert cce == pytest.approx(1.2039728, abs=1e-7)
    assert scce == pytest.approx(cce, abs=1e-12)


def test_seven_classes_with_thirty_percent_on_the_true_class():
    # 0.1 + 0.3 + 0.1 + 0.2 + 0.1 + 0.1 + 0.1 = 1.0; only the true class counts: -ln 0.3 ~ 1.204
    y_hat = np.array([[0.1, 0.3, 0.1, 0.2, 0.1, 0.1, 0.1]])
    assert SparseCategoricalCrossentropy()([1], y_hat) == pytest.approx(1.204, abs=5e-4)


def test_log2_of_the_softmax_example():
    # softmax(3.2, 1.3, 0.2, 0.8) gives 0.775 on class 0; -log2 0.775 = -ln 0.775 / ln 2
    # = 0.254892 / 0.693147 = 0.3677 bits
    nats = CategoricalCrossentropy()([[1, 0]], [[0.775, 0.225]])
    assert nats / math.log(2) == pytest.approx(0.3677, abs=5e-5)


def test_binary_crossentropy_table_by_hand():
    # y = 1: loss = -ln y_hat;  y = 0: loss = -ln (1 - y_hat)
    # (1, 0.9): -ln 0.9 = 0.10536   (1, 0.1): -ln 0.1 = 2.30259   (1, 0.5): ln 2 = 0.69315
    # (0, 0.1): -ln 0.9 = 0.10536   (0, 0.9): -ln 0.1 = 2.30259
    bce = BinaryCrossentropy()
    table = [(1, 0.9, 0.10536), (1, 0.1, 2.30259), (1, 0.5, 0.69315), (0, 0.1, 0.10536)]
    table.append((0, 0.9, 2.30259))
    for y, y_hat, expected in table:
        assert bce([[y]], [[y_hat]]) == pytest.approx(expected, abs=1e-5)
    # a batch of all five is their mean: (0.10536 * 2 + 2.30259 * 2 + 0.69315) / 5 = 1.10181
    ys, y_hats = [[y] for y, _, _ in table], [[p] for _, p, _ in table]
    assert bce(ys, y_hats) == pytest.approx(1.10181, abs=1e-5)


def test_mse_and_mae_by_hand():
    # errors (1 - 1.5, 2 - 2, 3 - 2) = (-0.5, 0, 1): MSE = (0.25 + 0 + 1) / 3 = 0.416667,
    # MAE = (0.5 + 0 + 1) / 3 = 0.5; MSE gradient 2 (y_hat - y) / 3 = (1/3, 0, -2/3)
    y, y_hat = [[1.0], [2.0], [3.0]], [[1.5], [2.0], [2.0]]
    assert MeanSquaredError()(y, y_hat) == pytest.approx(0.416667, abs=1e-6)
    assert MeanAbsoluteError()(y, y_hat) == pytest.approx(0.5, abs=1e-15)
    np.testing.assert_allclose(MeanSquaredError().gradient(y, y_hat), [[1 / 3], [0], [-2 / 3]])
    np.testing.assert_allclose(MeanAbsoluteError().gradient(y, y_hat), [[1 / 3], [0], [-1 / 3]])


def test_unscaled_target_gives_a_huge_loss():
    # a car price of 50,000 against an output of 0.9: (50000 - 0.9)^2 = 49999.1^2 = 2,499,910,000.81
    # and the gradient 2 (0.9 - 50000) = -99,998.2 dwarfs anything a weight update can use
    assert MeanSquaredError()([[50000.0]], [[0.9]]) == pytest.approx(2499910000.81, rel=1e-12)
    assert MeanSquaredError().gradient([[50000.0]], [[0.9]])[0, 0] == pytest.approx(-99998.2)


def test_kl_divergence_by_hand():
    # P = (0.5, 0.5), Q = (0.9, 0.1): 0.5 ln(0.5/0.9) + 0.5 ln(0.5/0.1)
    # = 0.5 (-0.587787) + 0.5 (1.609438) = 0.510826; the other way round it is 0.368064
    assert KLDivergence()([[0.5, 0.5]], [[0.9, 0.1]]) == pytest.approx(0.510826, abs=1e-6)
    assert KLDivergence()([[0.9, 0.1]], [[0.5, 0.5]]) == pytest.approx(0.368064, abs=1e-6)
    # cross-entropy = entropy + KL: H(P) = ln 2 = 0.693147; H(P, Q) = 0.693147 + 0.510826
    h_pq = CategoricalCrossentropy()([[0.5, 0.5]], [[0.9, 0.1]])
    assert h_pq == pytest.approx(math.log(2) + 0.510826, abs=1e-6)


def test_softmax_plus_crossentropy_gradient_is_y_hat_minus_y():
    # logits (3.2, 1.3, 0.2, 0.8), true class 0: dL/dz = softmax(z) - y
    # = (0.77515 - 1, 0.11594, 0.03859, 0.07032) = (-0.22485, 0.11594, 0.03859, 0.07032)
    z, y = np.array([[3.2, 1.3, 0.2, 0.8]]), np.array([[1.0, 0, 0, 0]])
    grad = CategoricalCrossentropy(from_logits=True).gradient(y, z)
    np.testing.assert_allclose(grad, [[-0.22485, 0.11594, 0.03859, 0.07032]], atol=1e-5)
    # the same through the probabilities: CE's gradient pushed back through softmax's Jacobian
    a = Softmax()(z)
    through = Softmax().backward(z, a, CategoricalCrossentropy().gradient(y, a))
    np.testing.assert_allclose(through, grad, atol=1e-12)
    # sigmoid + BCE likewise: dL/dz = sigmoid(z) - y
    z, y = np.array([[0.3], [-1.2]]), np.array([[1.0], [0.0]])
    grad = BinaryCrossentropy(from_logits=True).gradient(y, z)
    np.testing.assert_allclose(grad, (Sigmoid()(z) - y) / 2, atol=1e-15)
    a = Sigmoid()(z)
    through = Sigmoid().backward(z, a, BinaryCrossentropy().gradient(y, a))
    np.testing.assert_allclose(through, grad, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Keras semantics


def test_categorical_crossentropy_renormalizes_like_keras():
    # Keras divides y_pred by its row sum first: (0.2, 0.6, 1.2) / 2 = (0.1, 0.3, 0.6) -> -ln 0.3
    assert CategoricalCrossentropy()([[0, 1, 0]], [[0.2, 0.6, 1.2]]) == pytest.approx(1.2039728)
    assert SparseCategoricalCrossentropy()([1], [[0.2, 0.6, 1.2]]) == pytest.approx(1.2039728)


def test_mean_over_the_last_axis_then_over_the_batch():
    # BCE of [N=2, M=2]: per example the mean over M, then the mean over N = mean of all four
    y, p = np.array([[1, 0], [0, 1]]), np.array([[0.9, 0.2], [0.4, 0.7]])
    per_entry = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert BinaryCrossentropy()(y, p) == pytest.approx(per_entry.mean(axis=-1).mean())
    # categorical: per example the SUM over K, then the mean over N
    y, p = np.array([[1, 0, 0], [0, 0, 1]]), np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    assert CategoricalCrossentropy()(y, p) == pytest.approx((-math.log(0.7) - math.log(0.4)) / 2)


def test_probabilities_of_exactly_zero_and_one_are_clipped():
    # clipped to 1e-7: -ln(1e-7) = 16.118096 for a confident wrong answer, ~1e-7 for a right one
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wrong = BinaryCrossentropy()([[1.0, 0.0]], [[0.0, 1.0]])
        right = BinaryCrossentropy()([[1.0, 0.0]], [[1.0, 0.0]])
        assert wrong == pytest.approx(16.118096, abs=1e-5)
        assert right == pytest.approx(1e-7, abs=1e-9)
        grad = BinaryCrossentropy().gradient([[1.0, 0.0]], [[0.0, 1.0]])
        np.testing.assert_array_equal(grad, 0.0)  # flat where the clip acted
        assert CategoricalCrossentropy()([[0, 1, 0]], [[1.0, 0.0, 0.0]]) == pytest.approx(16.118096)
        assert KLDivergence()([[1.0, 0.0]], [[0.0, 1.0]]) == pytest.approx(16.118096, abs=1e-5)
        for loss in (CategoricalCrossentropy(), KLDivergence()):
            assert np.isfinite(loss.gradient([[0, 1, 0]], [[1.0, 0.0, 0.0]])).all()


def test_huge_logits_are_exact():
    # BCE from logits: max(z, 0) - z y + ln(1 + e^-|z|); z = 1000, y = 0 -> 1000 + ln(1 + 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert BinaryCrossentropy(from_logits=True)([[0.0], [1.0]], [[1000.0], [-1000.0]]) == 1000
        # log_softmax(1000, -1000, 0) = (0, -2000, -1000): class 1 costs 2000
        cce = CategoricalCrossentropy(from_logits=True)
        assert cce([[0, 1, 0]], np.array([[1000.0, -1000.0, 0.0]], np.float32)) == 2000
        np.testing.assert_allclose(
            cce.gradient([[0, 1, 0]], [[1000.0, -1000.0, 0.0]]), [[1, -1, 0]]
        )


def test_label_vector_against_column_output_lines_up_like_keras():
    # y_true [N] and y_pred [N, 1] are the same examples (not an [N, N] broadcast)
    y, p = np.array([1.0, 2.0, 3.0]), np.array([[1.5], [2.0], [2.0]])
    assert MeanSquaredError()(y, p) == pytest.approx(0.416667, abs=1e-6)
    assert MeanSquaredError().gradient(y, p).shape == (3, 1)
    assert SparseCategoricalCrossentropy()([[1]], [[0.1, 0.3, 0.6]]) == pytest.approx(1.2039728)


# ---------------------------------------------------------------------------------------------
# Three ways: gradient, SymPy's derivative, central finite differences (float64)

# Every registry name needs a case: the instances the three-way tests check.
THREE_WAY_CASES = {
    "mse": [MeanSquaredError()],
    "mean_squared_error": [MeanSquaredError()],
    "mae": [MeanAbsoluteError()],
    "mean_absolute_error": [MeanAbsoluteError()],
    "binary_crossentropy": [BinaryCrossentropy(), BinaryCrossentropy(from_logits=True)],
    "categorical_crossentropy": [
        CategoricalCrossentropy(),
        CategoricalCrossentropy(from_logits=True),
    ],
    "sparse_categorical_crossentropy": [
        SparseCategoricalCrossentropy(),
        SparseCategoricalCrossentropy(from_logits=True),
    ],
    "kl_divergence": [KLDivergence()],
    "kld": [KLDivergence()],
}
CASES = [(name, loss) for name, instances in THREE_WAY_CASES.items() for loss in instances]


def test_every_registered_loss_has_a_three_way_case():
    assert set(THREE_WAY_CASES) == set(LOSSES)
    for name, instances in THREE_WAY_CASES.items():
        assert all(isinstance(loss, LOSSES[name]) for loss in instances)


def make_data(loss, rng, n=4, k=3, dtype=np.float64):
    """y_true, y_pred suited to the loss, away from kinks and clipping (n examples, k columns)."""
    logits = getattr(loss, "from_logits", False)
    if isinstance(loss, CategoricalCrossentropy):
        k = max(k, 2)  # the categorical losses need K >= 2 classes
    probs = rng.uniform(0.05, 0.95, size=(n, k))  # not normalized: tests the renormalization
    if isinstance(loss, MeanSquaredError):
        y, p = rng.normal(size=(n, k)), rng.normal(size=(n, k))
    elif isinstance(loss, MeanAbsoluteError):
        y = rng.normal(size=(n, k))
        p = y + rng.uniform(0.1, 1, size=(n, k)) * rng.choice([-1, 1], size=(n, k))
    elif isinstance(loss, BinaryCrossentropy):
        y = rng.integers(0, 2, size=(n, k)).astype(float)
        y[0, 0] = 0.3  # a soft label too
        p = rng.normal(scale=3, size=(n, k)) if logits else probs
    elif isinstance(loss, SparseCategoricalCrossentropy):
        y = rng.integers(0, k, size=n)
        p = rng.normal(scale=3, size=(n, k)) if logits else probs
    elif isinstance(loss, CategoricalCrossentropy):
        y = np.eye(k)[rng.integers(0, k, size=n)]
        p = rng.normal(scale=3, size=(n, k)) if logits else probs
    else:  # KLDivergence
        y = Softmax()(rng.normal(size=(n, k)))
        p = probs
    return (y if y.dtype.kind == "i" else y.astype(dtype)), p.astype(dtype)


@pytest.mark.parametrize("name, loss", CASES, ids=[f"{n}-{loss!r}" for n, loss in CASES])
def test_gradient_matches_finite_differences(name, loss):
    y, p = make_data(loss, np.random.default_rng(0))
    numeric = numerical_gradient(lambda q: loss(y, q), p)
    np.testing.assert_allclose(loss.gradient(y, p), numeric, rtol=1e-6, atol=1e-9)


def sympy_loss_and_gradient(name, loss, y, p):
    """The batch loss and its gradient from SymPy's one-example formulas (mean over the batch)."""
    logits = getattr(loss, "from_logits", False)
    y_sym, p_sym, L, dL = loss_expression(name, from_logits=logits, classes=p.shape[-1])
    if not isinstance(p_sym, sp.Matrix):  # one formula per entry: mean over N and M
        L_num = sp.lambdify([y_sym, p_sym], L, "numpy")
        dL_num = sp.lambdify([y_sym, p_sym], dL, "numpy")
        return np.mean(L_num(y, p)), dL_num(y, p) / p.size
    values, grads = [], []
    for y_row, p_row in zip(y, p, strict=True):  # one formula per example: mean over N
        if isinstance(y_sym, sp.Integer):  # sparse: the formula depends on the label
            _, p_sym, L, dL = loss_expression(name, logits, classes=p.shape[-1], label=y_row)
            args = [list(p_sym)]
            values.append(sp.lambdify(args, L)(list(p_row)))
            grads.append(np.ravel(sp.lambdify(args, dL)(list(p_row))))
        else:
            args = [list(y_sym), list(p_sym)]
            values.append(sp.lambdify(args, L)(list(y_row), list(p_row)))
            grads.append(np.ravel(sp.lambdify(args, dL)(list(y_row), list(p_row))))
    return np.mean(values), np.array(grads) / len(p)


@pytest.mark.parametrize("name, loss", CASES, ids=[f"{n}-{loss!r}" for n, loss in CASES])
def test_loss_and_gradient_match_sympy(name, loss):
    y, p = make_data(loss, np.random.default_rng(1))
    value, grad = sympy_loss_and_gradient(name, loss, y, p)
    assert loss(y, p) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(loss.gradient(y, p), grad, rtol=1e-10, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# Properties (Hypothesis)


@st.composite
def loss_inputs(draw, dtype=np.float64, extreme=False):
    """(loss, y_true, y_pred) for any registered loss, batch size 1..5, 1..4 columns (2..4
    for the categorical losses)."""
    name, loss = draw(st.sampled_from(CASES))
    n, k = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    y, p = make_data(loss, np.random.default_rng(draw(st.integers(0, 2**16))), n, k, dtype)
    if extreme:  # probabilities of exactly 0 and 1, logits and regression outputs of +-1000
        logits = getattr(loss, "from_logits", False) or name in ("mse", "mae")
        values = [-1000.0, 1000.0] if logits else [0.0, 1.0]
        drawn = draw(st.lists(st.sampled_from(values), min_size=p.size, max_size=p.size))
        p = np.array(drawn).reshape(p.shape).astype(dtype)
        if isinstance(loss, CategoricalCrossentropy) and not logits:
            p[:, 0] = 1.0  # each row needs a positive sum to be renormalized
    return loss, y, p


def _quietly(f, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return f(*args)


@pytest.mark.parametrize("name, loss", CASES, ids=[f"{n}-{loss!r}" for n, loss in CASES])
def test_value_and_gradient_equals_the_loss_and_its_gradient(name, loss):
    # fit calls value_and_gradient, which checks once and, for cross-entropy from logits,
    # takes the log-softmax once; it must give the numbers of the two separate calls.
    for seed, shape in [(2, (4, 3)), (3, (7, 1)), (4, (1, 5))]:
        y, p = make_data(loss, np.random.default_rng(seed), *shape)
        value, grad = loss.value_and_gradient(y, p)
        assert isinstance(value, float)
        assert value == pytest.approx(loss(y, p), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(grad, loss.gradient(y, p), rtol=1e-12, atol=1e-12)
        assert grad.dtype == np.float64


@settings(max_examples=40, deadline=None)
@given(loss_inputs(dtype=np.float32))
def test_value_and_gradient_keeps_float32(case):
    loss, y, p = case
    value, grad = loss.value_and_gradient(y, p)
    assert grad.dtype == np.float32 and grad.shape == p.shape
    assert value == pytest.approx(loss(y, p), rel=1e-6)


def test_value_and_gradient_checks_its_inputs_like_the_separate_calls():
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        MeanSquaredError().value_and_gradient([[1.0]], [[np.nan]])
    with pytest.raises(ValueError, match="0..2"):
        SparseCategoricalCrossentropy(from_logits=True).value_and_gradient([3], [[0.0, 1, 2]])


@settings(max_examples=60, deadline=None)
@given(loss_inputs())
def test_shapes_and_finite_values(case):
    loss, y, p = case
    value, grad = _quietly(loss, y, p), _quietly(loss.gradient, y, p)
    assert isinstance(value, float) and np.isfinite(value)
    assert grad.shape == p.shape and np.isfinite(grad).all()


@settings(max_examples=60, deadline=None)
@given(loss_inputs(extreme=True))
def test_extreme_inputs_stay_finite_without_warnings(case):
    loss, y, p = case
    assert np.isfinite(_quietly(loss, y, p))
    assert np.isfinite(_quietly(loss.gradient, y, p)).all()


@settings(max_examples=40, deadline=None)
@given(loss_inputs(dtype=np.float32))
def test_float32_gradient_stays_float32(case):
    loss, y, p = case
    assert loss.gradient(y, p).dtype == np.float32
    assert np.isfinite(loss(y, p))


@settings(max_examples=40, deadline=None)
@given(loss_inputs())
def test_gradient_twice_same_answer_and_inputs_untouched(case):
    loss, y, p = case
    y_copy, p_copy = y.copy(), p.copy()
    np.testing.assert_array_equal(loss.gradient(y, p), loss.gradient(y, p))
    assert loss(y, p) == loss(y, p)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(p, p_copy)


# ---------------------------------------------------------------------------------------------
# Lookup by name and errors


def test_get_by_name_instance_and_none():
    assert isinstance(losses.get("MSE"), MeanSquaredError)
    assert isinstance(losses.get("kld"), KLDivergence)
    assert losses.get("binary_crossentropy").from_logits is False
    bce = BinaryCrossentropy(from_logits=True)
    assert losses.get(bce) is bce
    assert losses.get(None) is None


def test_unknown_loss_lists_the_valid_names():
    with pytest.raises(ValueError, match="hinge.*mse, mean_squared_error, mae"):
        losses.get("hinge")


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"MeanSquaredError: y_true has shape \(4, 3\).*\(4, 2\)"):
        MeanSquaredError()(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 2\)"):
        BinaryCrossentropy().gradient(np.zeros(3), np.full((3, 2), 0.5))


def test_nan_is_rejected():
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        MeanSquaredError()([[1.0]], [[np.nan]])
    with pytest.raises(ValueError, match="y_true contains NaN"):
        CategoricalCrossentropy().gradient([[np.nan, 1.0]], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="integer class indices"):
        SparseCategoricalCrossentropy()([np.nan], [[0.5, 0.5]])


def test_sparse_labels_must_be_integers_in_range():
    p = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"integer class indices, got \[1.5\]"):
        SparseCategoricalCrossentropy()([0, 1.5], p)
    with pytest.raises(ValueError, match=r"0\.\.2 for K = 3 classes, got values from 0 to 3"):
        SparseCategoricalCrossentropy()([0, 3], p)
    with pytest.raises(ValueError, match="0..2"):
        SparseCategoricalCrossentropy().gradient([-1, 0], p)
    with pytest.raises(ValueError, match="integer class indices"):
        SparseCategoricalCrossentropy()(["cat", "dog"], p)
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(2, 3\)"):
        SparseCategoricalCrossentropy()([0, 1, 2], p)
    assert SparseCategoricalCrossentropy()([0.0, 2.0], p) == pytest.approx(math.log(3))


def test_probabilities_need_a_positive_row_sum():
    with pytest.raises(ValueError, match="positive sum.*from_logits=True"):
        CategoricalCrossentropy()([[1, 0]], [[0.0, 0.0]])


P3 = np.full((2, 3), 1 / 3)  # two examples, three classes


@pytest.mark.parametrize(
    "call, error, message",
    [
        # binary cross-entropy: labels in [0, 1], and probabilities unless from_logits=True
        (
            lambda: BinaryCrossentropy()([-1, 1], [0.3, 0.7]),
            ValueError,
            r"BinaryCrossentropy: y_true .*\[0, 1\], got values from -1.0 to 1.0",
        ),
        (
            lambda: BinaryCrossentropy(from_logits=True)([0, 2], [0.3, 0.7]),
            ValueError,
            r"y_true .*\[0, 1\], got values from 0.0 to 2.0",
        ),
        (
            lambda: BinaryCrossentropy()([1, 0], [1.5, -0.5]),
            ValueError,
            r"y_pred .*\[0, 1\], got values from -0.5 to 1.5; it looks like logits: pass "
            r"from_logits=True, or end the model with a sigmoid",
        ),
        (
            lambda: BinaryCrossentropy().value_and_gradient([1, 0], [1.5, -0.5]),
            ValueError,
            r"from_logits=True",
        ),
        (
            lambda: BinaryCrossentropy().gradient([1, 0], [1.5, -0.5]),
            ValueError,
            r"from_logits=True",
        ),
        (
            lambda: BinaryCrossentropy(from_logits="False"),
            TypeError,
            r"from_logits must be True or False, got 'False'",
        ),
        # the categorical losses: K >= 2 columns, y_true in [0, 1], probabilities >= 0
        (
            lambda: CategoricalCrossentropy()([[1], [1]], [[0.3], [0.1]]),
            ValueError,
            r"CategoricalCrossentropy: y_pred needs K >= 2 columns, one per class, got shape "
            r"\(2, 1\); for a single output column use binary_crossentropy with a sigmoid",
        ),
        (
            lambda: CategoricalCrossentropy(from_logits=True).value_and_gradient(
                [1, 1], [[3], [1]]
            ),
            ValueError,
            r"K >= 2 columns",
        ),
        (
            lambda: SparseCategoricalCrossentropy()([0, 0], [[0.3], [0.1]]),
            ValueError,
            r"SparseCategoricalCrossentropy: y_pred needs K >= 2 columns.*binary_crossentropy",
        ),
        (
            lambda: CategoricalCrossentropy()([[-1, 2]], [[0.3, 0.7]]),
            ValueError,
            r"y_true .*\[0, 1\], got values from -1.0 to 2.0",
        ),
        (
            lambda: CategoricalCrossentropy()([[0, 1]], [[2.0, -1.0]]),
            ValueError,
            r"y_pred must be probabilities >= 0, got values from -1.0 to 2.0; it looks like "
            r"logits: pass from_logits=True",
        ),
        (
            lambda: SparseCategoricalCrossentropy()(["cat", "dog"], P3),
            ValueError,
            r"labels must be integer class indices, got dtype <U3",
        ),
        (
            lambda: SparseCategoricalCrossentropy()([True, False], P3),
            ValueError,
            r"integer class indices, got dtype bool",
        ),
        (
            lambda: SparseCategoricalCrossentropy()([1, 0], [0.3, 0.7]),
            ValueError,
            r"y_pred must be scores \[N, K\] with a class axis .*got both of shape \(2,\)",
        ),
        # any loss: numbers only; KL divergence compares probabilities
        (
            lambda: MeanSquaredError()(["a"], [1.0]),
            TypeError,
            r"MeanSquaredError: y_true must be numbers, got dtype <U1",
        ),
        (
            lambda: MeanAbsoluteError()([1.0], ["a"]),
            TypeError,
            r"MeanAbsoluteError: y_pred must be numbers, got dtype <U1",
        ),
        (
            lambda: KLDivergence()([[0.5, 0.5]], [[2.0, -1.0]]),
            ValueError,
            r"KLDivergence: y_pred .*\[0, 1\], got values from -1.0 to 2.0",
        ),
    ],
)
def test_bad_inputs_are_reported(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_soft_labels_and_logits_are_still_accepted():
    # soft labels in [0, 1] and logits of any sign, with from_logits=True
    assert np.isfinite(BinaryCrossentropy()([0.2, 1.0], [0.3, 0.7]))
    assert np.isfinite(BinaryCrossentropy(from_logits=True)([0.2, 1.0], [-3.0, 4.0]))
    assert np.isfinite(CategoricalCrossentropy(from_logits=True)([[0.5, 0.5]], [[-3.0, 4.0]]))
    assert np.isfinite(SparseCategoricalCrossentropy()(1, [0.3, 0.7]))  # one example, [K]


@pytest.mark.parametrize("loss", [MeanSquaredError(), BinaryCrossentropy(), KLDivergence()])
def test_an_empty_batch_is_refused_rather_than_nan(loss):
    with pytest.raises(ValueError, match=r"y_pred holds no examples \(\(0, 2\)\)"):
        loss(np.zeros((0, 2)), np.zeros((0, 2)))
