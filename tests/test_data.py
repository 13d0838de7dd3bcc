"""Tests for byhand.data."""

import numpy as np
import pytest
from byhand.data import GATE_NAMES, logic_gate

TRUTH_TABLES = {
    # rows (0,0), (0,1), (1,0), (1,1)
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
    "xnor": [1, 0, 0, 1],
}


@pytest.mark.parametrize("name", sorted(TRUTH_TABLES))
def test_logic_gate_truth_tables(name):
    X, y = logic_gate(name)
    assert X.shape == (4, 2) and X.dtype == np.float64
    assert y.shape == (4,) and np.issubdtype(y.dtype, np.integer)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, TRUTH_TABLES[name])


def test_gate_outputs_follow_their_definitions():
    X, _ = logic_gate("and")
    a, b = X[:, 0].astype(bool), X[:, 1].astype(bool)
    expected = {
        "and": a & b,
        "or": a | b,
        "nand": ~(a & b),
        "nor": ~(a | b),
        "xor": a ^ b,
        "xnor": ~(a ^ b),
    }
    assert set(GATE_NAMES) == set(expected)
    for name, column in expected.items():
        np.testing.assert_array_equal(logic_gate(name)[1], column.astype(int))


def test_names_are_case_insensitive():
    np.testing.assert_array_equal(logic_gate("XoR")[1], logic_gate("xor")[1])


def test_fresh_arrays_each_call():
    X, y = logic_gate("and")
    X[0, 0] = 5.0
    y[0] = 7
    X2, y2 = logic_gate("and")
    assert X2[0, 0] == 0.0 and y2[0] == 0


def test_unknown_gate_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown gate 'implies'.*and, or, nand, nor, xor, xnor"):
        logic_gate("implies")


def test_name_must_be_a_string():
    with pytest.raises(TypeError, match="name must be a string, got int"):
        logic_gate(3)
