"""Tests for byhand.perceptron: hand-worked traces first, then behaviour and errors."""

import numpy as np
import pytest

from byhand.data import logic_gate
from byhand.perceptron import Perceptron, errors_per_epoch, heaviside


def test_heaviside_is_one_from_zero_up():
    np.testing.assert_array_equal(heaviside([-2.0, -1e-12, 0.0, 1e-12, 3.0]), [0, 0, 1, 1, 1])
    assert np.issubdtype(heaviside([0.5]).dtype, np.integer)
    assert heaviside(-0.5) == 0 and heaviside(0) == 1
    assert heaviside(np.zeros((2, 3))).shape == (2, 3)


def test_heaviside_rejects_nan():
    with pytest.raises(ValueError, match="NaN"):
        heaviside([0.0, np.nan])


def test_and_trace_with_fixed_threshold_by_hand():
    # The chapter's worked example: theta = 1 (fixed), eta = 0.5, w = (1.2, 0.6).
    X, y = logic_gate("and")
    p = Perceptron([1.2, 0.6], threshold=1.0, learning_rate=0.5, learn_threshold=False)
    trace = p.fit(X, y, epochs=10)
    assert len(trace) == 8  # two epochs of four examples
    sums = [r["weighted_sum"] for r in trace]
    # Epoch 1
    # (0,0): 0*1.2 + 0*0.6 = 0    < 1 -> 0, target 0, error 0
    # (0,1): 0*1.2 + 1*0.6 = 0.6  < 1 -> 0, target 0, error 0
    # (1,0): 1*1.2 + 0*0.6 = 1.2 >= 1 -> 1, target 0, error -1
    #        w1 = 1.2 + 0.5*(-1)*1 = 0.7 ; w2 = 0.6 + 0.5*(-1)*0 = 0.6 (x2 = 0: unchanged)
    # (1,1): 1*0.7 + 1*0.6 = 1.3 >= 1 -> 1, target 1, error 0
    # Epoch 2 with w = (0.7, 0.6): sums 0, 0.6, 0.7, 1.3 -> 0, 0, 0, 1: no errors, stop.
    np.testing.assert_allclose(sums, [0, 0.6, 1.2, 1.3, 0, 0.6, 0.7, 1.3], atol=1e-12)
    assert [r["predicted"] for r in trace] == [0, 0, 1, 1, 0, 0, 0, 1]
    assert [r["error"] for r in trace] == [0, 0, -1, 0, 0, 0, 0, 0]
    assert [r["epoch"] for r in trace] == [1, 1, 1, 1, 2, 2, 2, 2]
    np.testing.assert_allclose(trace[1]["weights"], [1.2, 0.6], atol=1e-12)
    np.testing.assert_allclose(trace[2]["weights"], [0.7, 0.6], atol=1e-12)
    np.testing.assert_allclose(p.weights, [0.7, 0.6], atol=1e-12)
    assert all(r["threshold"] == 1.0 for r in trace)  # learn_threshold=False
    assert p.threshold == 1.0 and p.converged
    np.testing.assert_array_equal(p.predict(X), y)
    np.testing.assert_array_equal(errors_per_epoch(trace), [1, 0])


def test_update_with_learned_threshold_by_hand():
    # w = (0, 0), theta = 0, eta = 0.5, example x = (1, 1) with target 0.
    # sum = 0 >= 0 -> predicts 1, error = 0 - 1 = -1
    # w = (0, 0) + 0.5*(-1)*(1, 1) = (-0.5, -0.5);  theta = 0 - 0.5*(-1) = 0.5
    p = Perceptron([0.0, 0.0], threshold=0.0, learning_rate=0.5)
    record = p.update([1.0, 1.0], 0)
    assert record["predicted"] == 1 and record["error"] == -1
    np.testing.assert_allclose(record["inputs"], [1.0, 1.0])
    np.testing.assert_allclose(p.weights, [-0.5, -0.5])
    assert p.threshold == pytest.approx(0.5, abs=1e-12)
    assert p.bias == pytest.approx(-0.5, abs=1e-12)
    # Next: x = (0, 1), target 1. sum = -0.5 < 0.5 -> 0, error +1
    # w = (-0.5, -0.5) + 0.5*(0, 1) = (-0.5, 0.0);  theta = 0.5 - 0.5 = 0.0
    record = p.update([0.0, 1.0], 1)
    assert record["weighted_sum"] == pytest.approx(-0.5, abs=1e-12) and record["error"] == 1
    np.testing.assert_allclose(record["weights"], [-0.5, 0.0], atol=1e-12)
    assert record["threshold"] == pytest.approx(0.0, abs=1e-12)


def test_records_do_not_change_afterwards():
    p = Perceptron([0.0, 0.0])
    first = p.update([1.0, 1.0], 0)
    p.update([1.0, 1.0], 1)
    np.testing.assert_allclose(first["weights"], [-0.5, -0.5])  # a snapshot, not a view


def test_layer_of_two_units_computes_two_gates():
    # Both units add x1 + x2; unit 0 needs 1.5 (AND), unit 1 needs 0.5 (OR).
    # (0,0): sums (0, 0) -> (0, 0);  (0,1), (1,0): (1, 1) -> (0, 1);  (1,1): (2, 2) -> (1, 1)
    W = np.array([[1.0, 1.0], [1.0, 1.0]])  # [D=2, M=2]
    p = Perceptron(W, threshold=[1.5, 0.5])
    X, y_and = logic_gate("and")
    _, y_or = logic_gate("or")
    np.testing.assert_allclose(p.net_input(X), [[0, 0], [1, 1], [1, 1], [2, 2]])
    out = p.predict(X)
    assert out.shape == (4, 2)
    np.testing.assert_array_equal(out, np.column_stack([y_and, y_or]))


def test_layer_update_by_hand():
    # W = [[0, 0], [0, 0]], thresholds (0, 0), eta = 0.5; x = (1, 0), targets (0, 1).
    # sums (0, 0) -> predicted (1, 1); errors (0 - 1, 1 - 1) = (-1, 0)
    # W += 0.5 * outer((1, 0), (-1, 0)) = [[-0.5, 0], [0, 0]]; thresholds = (0.5, 0)
    p = Perceptron(np.zeros((2, 2)))
    record = p.update([1.0, 0.0], [0, 1])
    np.testing.assert_array_equal(record["predicted"], [1, 1])
    np.testing.assert_array_equal(record["error"], [-1, 0])
    np.testing.assert_allclose(p.weights, [[-0.5, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(p.threshold, [0.5, 0.0])


def test_layer_learns_two_gates_at_once():
    X, y_nand = logic_gate("nand")
    _, y_nor = logic_gate("nor")
    Y = np.column_stack([y_nand, y_nor])  # [4, 2]
    p = Perceptron(np.zeros((2, 2)), threshold=0.0)
    trace = p.fit(X, Y, epochs=50)
    assert p.converged
    np.testing.assert_array_equal(p.predict(X), Y)
    assert errors_per_epoch(trace)[-1] == 0


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
@pytest.mark.parametrize("start", ["zeros", "random"])
def test_linearly_separable_gates_are_learned(gate, start):
    X, y = logic_gate(gate)
    rng = np.random.default_rng(0)
    w0 = np.zeros(2) if start == "zeros" else rng.normal(size=2)
    p = Perceptron(w0, threshold=0.0, learning_rate=0.5)
    trace = p.fit(X, y, epochs=100)
    assert p.converged
    np.testing.assert_array_equal(p.predict(X), y)
    assert trace[-1]["epoch"] < 100
    assert errors_per_epoch(trace)[-1] == 0


@pytest.mark.parametrize("gate", ["xor", "xnor"])
def test_xor_and_xnor_are_not_learned(gate):
    X, y = logic_gate(gate)
    p = Perceptron(np.zeros(2), threshold=0.0)
    trace = p.fit(X, y, epochs=100)
    assert not p.converged
    assert len(trace) == 400
    counts = errors_per_epoch(trace)
    assert counts.shape == (100,) and counts.min() >= 1
    assert (p.predict(X) != y).any()


def test_learn_threshold_false_keeps_threshold():
    X, y = logic_gate("or")
    p = Perceptron([0.0, 0.0], threshold=0.25, learn_threshold=False)
    trace = p.fit(X, y, epochs=20)
    assert p.threshold == 0.25
    assert {r["threshold"] for r in trace} == {0.25}
    assert p.converged


def test_fit_stops_at_once_when_already_right():
    X, y = logic_gate("and")
    p = Perceptron([1.0, 1.0], threshold=1.5)
    trace = p.fit(X, y)
    assert p.converged and len(trace) == 4
    np.testing.assert_allclose(p.weights, [1.0, 1.0])


def test_inputs_are_not_mutated():
    w = np.array([0.0, 0.0])
    theta = np.array([0.0, 0.0])
    X, y = logic_gate("nand")
    X_before, y_before = X.copy(), y.copy()
    p = Perceptron(w, threshold=0.0)
    p.fit(X, y)
    np.testing.assert_array_equal(w, [0.0, 0.0])
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    layer = Perceptron(np.zeros((2, 2)), threshold=theta)
    layer.fit(X, np.column_stack([y, y]))
    np.testing.assert_array_equal(theta, [0.0, 0.0])


def test_wrong_feature_count():
    p = Perceptron([1.0, 1.0])
    with pytest.raises(ValueError, match=r"expected D = 2 features.*got shape \(4, 3\)"):
        p.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"expected D = 2 features.*got shape \(3,\)"):
        p.update([1.0, 0.0, 1.0], 1)


def test_bad_targets():
    X, _ = logic_gate("and")
    p = Perceptron([0.0, 0.0])
    with pytest.raises(ValueError, match=r"targets must be 0 or 1, got \[2\]"):
        p.fit(X, [0, 0, 2, 1])
    with pytest.raises(ValueError, match=r"targets must be 0 or 1, got \[-1\]"):
        p.update([1.0, 1.0], -1)
    with pytest.raises(ValueError, match=r"expected targets of shape \(4,\), got shape \(3,\)"):
        p.fit(X, [0, 0, 1])
    with pytest.raises(ValueError, match="targets must be 0 or 1"):
        p.fit(X, [0.0, np.nan, 0.0, 1.0])


def test_nan_inputs():
    p = Perceptron([0.0, 0.0])
    with pytest.raises(ValueError, match="inputs contain NaN"):
        p.predict([[0.0, np.nan]])
    with pytest.raises(ValueError, match="weights contain NaN"):
        Perceptron([np.nan, 1.0])


@pytest.mark.parametrize("eta", [0.0, -0.1, np.nan])
def test_learning_rate_must_be_positive(eta):
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        Perceptron([0.0, 0.0], learning_rate=eta)


def test_weight_and_threshold_shapes():
    with pytest.raises(ValueError, match=r"weights must have shape \[D\].*got shape \(2, 2, 2\)"):
        Perceptron(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match=r"weights must have shape \[D\].*got shape \(\)"):
        Perceptron(1.0)
    with pytest.raises(ValueError, match="needs a scalar threshold"):
        Perceptron([1.0, 1.0], threshold=[0.5, 0.5])
    with pytest.raises(ValueError, match=r"M = 3 units.*shape \(3,\), got shape \(2,\)"):
        Perceptron(np.zeros((2, 3)), threshold=[0.5, 0.5])


def test_epochs_must_be_positive_integer():
    X, y = logic_gate("and")
    with pytest.raises(ValueError, match="epochs must be an int >= 1, got 0"):
        Perceptron([0.0, 0.0]).fit(X, y, epochs=0)
    with pytest.raises(ValueError, match="epochs must be an int >= 1, got 2.5"):
        Perceptron([0.0, 0.0]).fit(X, y, epochs=2.5)


def test_repr_shows_parameters():
    text = repr(Perceptron([1.2, 0.6], threshold=1.0, learn_threshold=False))
    assert "weights=[1.2, 0.6]" in text and "threshold=1." in text
    assert "learn_threshold=False" in text
