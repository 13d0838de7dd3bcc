"""Tests for byhand.perceptron: hand-worked traces first, then behaviour and errors."""

import inspect

import numpy as np
import pytest

from byhand.data import logic_gate
from byhand.gradcheck import numerical_gradient, relative_error
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
    z = [r["net_input"] for r in trace]  # z = x.w + b with b = -theta = -1
    # Epoch 1
    # (0,0): 0*1.2 + 0*0.6 = 0    < 1 -> z = -1.0, 0, target 0, error 0
    # (0,1): 0*1.2 + 1*0.6 = 0.6  < 1 -> z = -0.4, 0, target 0, error 0
    # (1,0): 1*1.2 + 0*0.6 = 1.2 >= 1 -> z = +0.2, 1, target 0, error -1
    #        w1 = 1.2 + 0.5*(-1)*1 = 0.7 ; w2 = 0.6 + 0.5*(-1)*0 = 0.6 (x2 = 0: unchanged)
    # (1,1): 1*0.7 + 1*0.6 = 1.3 >= 1 -> z = +0.3, 1, target 1, error 0
    # Epoch 2 with w = (0.7, 0.6): sums 0, 0.6, 0.7, 1.3 -> 0, 0, 0, 1: no errors, stop.
    np.testing.assert_allclose(z, [-1, -0.4, 0.2, 0.3, -1, -0.4, -0.3, 0.3], atol=1e-12)
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
    # Next: x = (0, 1), target 1. x.w = -0.5 < 0.5, z = -0.5 - 0.5 = -1 -> 0, error +1
    # w = (-0.5, -0.5) + 0.5*(0, 1) = (-0.5, 0.0);  theta = 0.5 - 0.5 = 0.0
    record = p.update([0.0, 1.0], 1)
    assert record["net_input"] == pytest.approx(-1.0, abs=1e-12) and record["error"] == 1
    np.testing.assert_allclose(record["weights"], [-0.5, 0.0], atol=1e-12)
    assert record["threshold"] == pytest.approx(0.0, abs=1e-12)


def test_net_input_includes_the_bias():
    # w = (2, -1), theta = 0.5, so b = -0.5.
    # x = (1, 1): z = 2 - 1 - 0.5 = 0.5 >= 0 -> 1;  x = (0, 1): z = -1 - 0.5 = -1.5 -> 0
    p = Perceptron([2.0, -1.0], threshold=0.5)
    assert p.bias == -0.5
    np.testing.assert_allclose(p.net_input([[1.0, 1.0], [0.0, 1.0]]), [0.5, -1.5])
    np.testing.assert_array_equal(p.predict([[1.0, 1.0], [0.0, 1.0]]), [1, 0])


def perceptron_loss(params, x, y):
    """L = (y_hat - y) * z for one example: params = (w_1..w_D, b), z = x.w + b."""
    z = x @ params[:-1] + params[-1]
    return (heaviside(z) - y) * z


def test_update_is_a_gradient_step_on_the_perceptron_loss():
    # Away from z = 0 the step is flat, so dL/dw_i = (y_hat - y) x_i and dL/db = y_hat - y,
    # and w - eta * dL/dw is Rosenblatt's rule. The gradient is checked against central
    # differences in float64; |z| > 1e-3 keeps every nudged z on the same side of 0.
    rng = np.random.default_rng(3)
    eta, mistakes = 0.25, 0
    for _ in range(40):
        x, y = rng.normal(size=3), int(rng.integers(2))
        params = rng.normal(size=4)  # (w1, w2, w3, b), float64
        z = x @ params[:3] + params[3]
        if abs(z) < 1e-3:
            continue
        y_hat = heaviside(z)
        loss = perceptron_loss(params, x, y)
        assert loss >= 0 and loss == pytest.approx(abs(z) if y_hat != y else 0.0)
        analytic = (y_hat - y) * np.append(x, 1.0)
        numeric = numerical_gradient(lambda p, x=x, y=y: perceptron_loss(p, x, y), params)
        assert relative_error(analytic, numeric) < 1e-8
        unit = Perceptron(params[:3], threshold=-params[3], learning_rate=eta)
        unit.update(x, y)
        np.testing.assert_allclose(unit.weights, params[:3] - eta * analytic[:3], atol=1e-15)
        assert unit.bias == pytest.approx(params[3] - eta * analytic[3], abs=1e-15)
        mistakes += int(y_hat != y)
    assert mistakes >= 10  # the wrong cases, where the gradient is not zero, were tested too


@pytest.mark.parametrize("eta", [0.125, 0.5, 2.0])
@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor", "xor"])
def test_from_zero_an_exact_learning_rate_only_scales_the_weights(gate, eta):
    # From w = 0, theta = 0 every weight and threshold is eta times an integer, so
    # z = eta * (an integer) and its sign does not depend on eta. Powers of two are
    # exact in binary, so the floating-point trace has exactly the same mistakes.
    X, y = logic_gate(gate)
    reference = Perceptron(np.zeros(2), learning_rate=1.0)
    scaled = Perceptron(np.zeros(2), learning_rate=eta)
    trace_1, trace_eta = reference.fit(X, y, epochs=20), scaled.fit(X, y, epochs=20)
    np.testing.assert_array_equal(errors_per_epoch(trace_eta), errors_per_epoch(trace_1))
    np.testing.assert_array_equal(scaled.weights, eta * reference.weights)
    assert scaled.threshold == eta * reference.threshold


def test_a_learning_rate_of_0_1_breaks_a_tie_by_rounding():
    # AND from zero. With eta = 1 (exact) the mistakes per epoch are 2, 3, 3, 2, 1, 0.
    # With eta = 0.1 the threshold after epoch 3 is 0.1 + 0.1 + 0.1 - 0.1, which rounds to
    # 0.20000000000000004, while w1 = 0.2. In epoch 4, x = (1, 0) has the exact tie z = 0 at
    # eta = 1 (fires, a mistake), but z = 0.2 - 0.20000000000000004 < 0 at eta = 0.1.
    X, y = logic_gate("and")
    exact = Perceptron(np.zeros(2), learning_rate=1.0)
    rounded = Perceptron(np.zeros(2), learning_rate=0.1)
    trace_exact, trace_rounded = exact.fit(X, y), rounded.fit(X, y)
    assert errors_per_epoch(trace_exact).tolist() == [2, 3, 3, 2, 1, 0]
    assert errors_per_epoch(trace_rounded).tolist() == [2, 3, 3, 0]
    tie_exact, tie_rounded = trace_exact[14], trace_rounded[14]  # epoch 4, x = (1, 0)
    assert tie_exact["inputs"].tolist() == [1.0, 0.0] == tie_rounded["inputs"].tolist()
    assert tie_exact["net_input"] == 0.0 and tie_exact["error"] == -1
    assert -1e-16 < tie_rounded["net_input"] < 0 and tie_rounded["error"] == 0
    assert trace_rounded[11]["threshold"] == 0.20000000000000004  # end of epoch 3


@pytest.mark.parametrize(
    "gate, separator, bound, mistakes",
    [
        # AND: u = (1, 1, -1.5) / sqrt(4.25); margins 1.5, 0.5, 0.5, 0.5 / sqrt(4.25)
        # gamma = 0.5 / sqrt(4.25), R^2 = 3 -> (R / gamma)^2 = 3 * 4.25 / 0.25 = 51
        ("and", (1.0, 1.0, -1.5), 51, 11),
        # OR: u = (1, 1, -0.5) / 1.5; gamma = 0.5 / 1.5 = 1/3 -> (R / gamma)^2 = 3 * 9 = 27
        ("or", (1.0, 1.0, -0.5), 27, 5),
        ("nand", (-1.0, -1.0, 1.5), 51, 10),
        ("nor", (-1.0, -1.0, 0.5), 27, 4),
    ],
)
def test_mistakes_from_zero_stay_under_novikoffs_bound(gate, separator, bound, mistakes):
    # Augmented inputs x~ = (x1, x2, 1) and weights w~ = (w1, w2, b). A unit-norm u with
    # s_n u.x~_n >= gamma (s_n = 2 y_n - 1) for all n, and R = max |x~_n|, give at most
    # (R / gamma)^2 mistakes: after k mistakes w~.u >= k eta gamma and |w~|^2 <= k eta^2 R^2.
    X, y = logic_gate(gate)
    X_aug = np.column_stack([X, np.ones(4)])  # [4, 3]
    u = np.array(separator) / np.linalg.norm(separator)
    gamma = np.min((2 * y - 1) * (X_aug @ u))
    R = np.linalg.norm(X_aug, axis=1).max()
    assert gamma > 0 and (R / gamma) ** 2 == pytest.approx(bound)
    eta = 0.5
    p = Perceptron(np.zeros(2), learning_rate=eta)
    trace = p.fit(X, y)
    assert p.converged and errors_per_epoch(trace).sum() == mistakes <= bound
    k = 0
    for record in trace:
        if record["error"] != 0:
            k += 1
            w_aug = np.append(record["weights"], -record["threshold"])
            assert w_aug @ u >= k * eta * gamma - 1e-12
            assert w_aug @ w_aug <= k * eta**2 * R**2 + 1e-12
    assert k == mistakes


def test_xor_updates_of_an_epoch_cancel_as_a_whole_not_in_pairs():
    # From zero (eta = 0.5), every epoch from the third on has errors -1, +1, +1, -1 for
    # (0,0), (0,1), (1,0), (1,1). In units of eta the steps e * (x1, x2, 1) are
    # (0,0,-1), (0,1,1), (1,0,1), (-1,-1,-1): they sum to 0, but no two neighbours do.
    X, y = logic_gate("xor")
    p = Perceptron(np.zeros(2), learning_rate=0.5)
    trace = p.fit(X, y, epochs=8)
    for epoch in range(3, 9):
        records = [r for r in trace if r["epoch"] == epoch]
        assert [r["error"] for r in records] == [-1, 1, 1, -1]
        steps = np.array([r["error"] * np.append(r["inputs"], 1.0) for r in records])
        np.testing.assert_array_equal(steps.sum(axis=0), [0, 0, 0])
        assert all(np.any(steps[n] + steps[n + 1] != 0) for n in range(3))
        np.testing.assert_array_equal(records[-1]["weights"], [-0.5, 0.0])
        assert records[-1]["threshold"] == 0.0


def angle(u, v):
    return np.arccos(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def test_an_update_turns_w_towards_a_missed_positive_and_away_from_a_false_positive():
    # The update adds eta * x to w (missed positive) or subtracts it (false positive), so the
    # angle between w and x shrinks or grows, unless w was already parallel to x.
    rng = np.random.default_rng(4)
    seen = {1: 0, -1: 0}
    for _ in range(100):
        w, x, theta = rng.normal(size=2), rng.normal(size=2), rng.normal()
        p = Perceptron(w, threshold=theta, learning_rate=0.3)
        target = 1 - p.predict(x)  # the wrong answer, so that the unit makes a mistake
        record = p.update(x, target)
        before, after = angle(w, x), angle(p.weights, x)
        assert (after < before) if record["error"] == 1 else (after > before)
        seen[record["error"]] += 1
    assert min(seen.values()) >= 20


def test_fit_and_update_read_as_the_rule():
    # The chapter prints these two methods: the input checks live in helpers, not here.
    for method in (Perceptron.fit, Perceptron.update):
        assert "raise" not in inspect.getsource(method)


def test_records_do_not_change_afterwards():
    p = Perceptron([0.0, 0.0])
    first = p.update([1.0, 1.0], 0)
    p.update([1.0, 1.0], 1)
    np.testing.assert_allclose(first["weights"], [-0.5, -0.5])  # a snapshot, not a view


def test_layer_of_two_units_computes_two_gates():
    # Both units add x1 + x2; unit 0 needs 1.5 (AND), unit 1 needs 0.5 (OR): b = (-1.5, -0.5).
    # (0,0): sums (0, 0), z = (-1.5, -0.5) -> (0, 0)
    # (0,1), (1,0): sums (1, 1), z = (-0.5, 0.5) -> (0, 1)
    # (1,1): sums (2, 2), z = (0.5, 1.5) -> (1, 1)
    W = np.array([[1.0, 1.0], [1.0, 1.0]])  # [D=2, M=2]
    p = Perceptron(W, threshold=[1.5, 0.5])
    X, y_and = logic_gate("and")
    _, y_or = logic_gate("or")
    np.testing.assert_allclose(p.bias, [-1.5, -0.5])
    np.testing.assert_allclose(
        p.net_input(X), [[-1.5, -0.5], [-0.5, 0.5], [-0.5, 0.5], [0.5, 1.5]], atol=1e-12
    )
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
