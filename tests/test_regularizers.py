"""Tests for byhand.regularizers: hand values, finite differences, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from byhand import regularizers
from byhand.regularizers import L1, L1L2, L2

W = np.array([[1.0, -2.0], [0.5, 0.0]])


def numerical_gradient(f, w, eps=1e-6):
    """Central differences (f(w + eps e_i) - f(w - eps e_i)) / (2 eps), float64."""
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[i] = eps
        grad[i] = (f(w + step) - f(w - step)) / (2 * eps)
    return grad


def test_l1_by_hand():
    # 0.1 * (|1| + |-2| + |0.5| + |0|) = 0.1 * 3.5 = 0.35; gradient 0.1 * sign(w), 0 at 0
    assert L1(0.1)(W) == pytest.approx(0.35, abs=1e-12)
    np.testing.assert_allclose(L1(0.1).gradient(W), [[0.1, -0.1], [0.1, 0.0]])


def test_l2_by_hand():
    # 0.1 * (1 + 4 + 0.25 + 0) = 0.525; gradient 2 * 0.1 * w = 0.2 w
    assert L2(0.1)(W) == pytest.approx(0.525, abs=1e-12)
    np.testing.assert_allclose(L2(0.1).gradient(W), [[0.2, -0.4], [0.1, 0.0]])


def test_elastic_net_by_hand():
    # 0.1 * 3.5 + 0.2 * 5.25 = 0.35 + 1.05 = 1.4; gradient 0.1 sign(w) + 0.4 w
    reg = L1L2(l1=0.1, l2=0.2)
    assert reg(W) == pytest.approx(1.4, abs=1e-12)
    np.testing.assert_allclose(reg.gradient(W), [[0.5, -0.9], [0.3, 0.0]])


@pytest.mark.parametrize("reg", [L1(0.3), L2(0.3), L1L2(0.2, 0.7)], ids=repr)
def test_gradient_matches_central_differences(reg):
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 3))
    w[np.abs(w) < 0.01] = 0.5  # keep |w| away from the kink of |w| at 0
    np.testing.assert_allclose(reg.gradient(w), numerical_gradient(reg, w), rtol=1e-6, atol=1e-9)


def test_keras_defaults_and_dtype():
    assert L1().l1 == 0.01 and L2().l2 == 0.01 and (L1L2().l1, L1L2().l2) == (0.0, 0.0)
    assert L1L2()(W) == 0.0
    w32 = W.astype(np.float32)
    assert L2().gradient(w32).dtype == np.float32 and L1().gradient(w32).dtype == np.float32


# zeros, or entries big enough that l * w**2 cannot underflow to 0
entries = st.one_of(st.just(0.0), st.floats(1e-100, 1e3), st.floats(-1e3, -1e-100))


@given(arrays(np.float64, array_shapes(min_dims=0, max_dims=3), elements=entries))
def test_penalties_are_non_negative_and_zero_only_at_zero(w):
    for reg in (L1(0.1), L2(0.1), L1L2(0.1, 0.1)):
        penalty = reg(w)
        assert penalty >= 0 and (penalty == 0) == (not np.any(w))
        assert reg.gradient(w).shape == np.shape(w)


def test_get_and_errors():
    assert isinstance(regularizers.get("L2"), L2) and regularizers.get(None) is None
    reg = L1(0.5)
    assert regularizers.get(reg) is reg
    assert isinstance(regularizers.get("l1_l2"), L1L2)
    with pytest.raises(
        ValueError, match=r"Unknown regularizer 'ridge'; valid names are: l1, l2, l1_l2 "
    ):
        regularizers.get("ridge")
    with pytest.raises(ValueError, match="L2: l2 must be a number >= 0, got -0.1"):
        L2(-0.1)
    with pytest.raises(ValueError, match="finite"):
        L1()(np.array([1.0, np.nan]))
    assert repr(L1L2(0.1, 0.2)) == "L1L2(l1=0.1, l2=0.2)"


def test_numpy_scalars_are_factors():
    assert L1(np.float32(0.5)).l1 == 0.5 and L1L2(np.int64(1), np.float64(0.5)).l2 == 0.5
    for bad in ("0.1", None, True, np.inf):
        with pytest.raises(ValueError, match=r"L1: l1 must be a number >= 0, got"):
            L1(bad)
