"""Tests for byhand.optimizers: hand-worked steps, clipping, convergence, dtypes, errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from byhand import optimizers
from byhand.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, RMSprop
from byhand.schedules import ExponentialDecay


def one_weight(optimizer, gradients, w0=1.0):
    """Run `optimizer` on a single weight w0 with the given gradients; w after each step."""
    w = np.array([w0])
    trace = []
    for g in gradients:
        optimizer.step([w], [np.array([g])])
        trace.append(float(w[0]))
    return trace


# ---------------------------------------------------------------- hand-worked steps


def test_adam_two_steps_by_hand():
    opt = Adam()  # lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7
    w = np.array([1.0])
    opt.step([w], [np.array([0.5])])
    # t = 1: m = 0 + 0.1 * (0.5 - 0) = 0.05;  v = 0 + 0.001 * (0.25 - 0) = 0.00025
    # alpha = 0.001 * sqrt(1 - 0.999) / (1 - 0.9) = 0.001 * 0.0316228 / 0.1 = 3.16228e-4
    # m / (sqrt(v) + eps) = 0.05 / (0.0158114 + 1e-7) = 3.162258
    # w = 1 - 3.16228e-4 * 3.162258 = 1 - 0.000999994 = 0.99900000632
    assert opt.iterations == 1
    np.testing.assert_allclose(opt.state["m"][0], [0.05], rtol=1e-12)
    np.testing.assert_allclose(opt.state["v"][0], [0.00025], rtol=1e-12)
    assert w[0] == pytest.approx(0.99900000632, abs=1e-11)
    opt.step([w], [np.array([-0.2])])
    # t = 2: m = 0.05 + 0.1 * (-0.2 - 0.05) = 0.025
    #        v = 0.00025 + 0.001 * (0.04 - 0.00025) = 0.00028975
    # alpha = 0.001 * sqrt(1 - 0.999^2) / (1 - 0.9^2) = 0.001 * 0.0447102 / 0.19 = 2.35317e-4
    # m / (sqrt(v) + eps) = 0.025 / (0.0170220 + 1e-7) = 1.468701
    # w = 0.99900000632 - 2.35317e-4 * 1.468701 = 0.99900000632 - 3.45610e-4 = 0.99865440
    np.testing.assert_allclose(opt.state["m"][0], [0.025], rtol=1e-12)
    np.testing.assert_allclose(opt.state["v"][0], [0.00028975], rtol=1e-12)
    assert w[0] == pytest.approx(0.99865440, abs=1e-8)


def test_sgd_plain_momentum_and_nesterov_by_hand():
    # Plain: w = 1 - 0.1 * 0.5 = 0.95, then 0.95 - 0.05 = 0.90
    assert one_weight(SGD(0.1), [0.5, 0.5]) == pytest.approx([0.95, 0.90], abs=1e-12)
    # Momentum 0.9: v = 0.9 * 0 + 0.1 * 0.5 = 0.05;      w = 1 - 0.05 = 0.95
    #               v = 0.9 * 0.05 + 0.05 = 0.095;       w = 0.95 - 0.095 = 0.855
    momentum = one_weight(SGD(0.1, momentum=0.9), [0.5, 0.5])
    assert momentum == pytest.approx([0.95, 0.855], abs=1e-12)
    # Nesterov: v = 0.05 as above; w = 1 - (0.9 * 0.05 + 0.05) = 0.905
    #           v = 0.095;         w = 0.905 - (0.9 * 0.095 + 0.05) = 0.905 - 0.1355 = 0.7695
    nesterov = one_weight(SGD(0.1, momentum=0.9, nesterov=True), [0.5, 0.5])
    assert nesterov == pytest.approx([0.905, 0.7695], abs=1e-12)


def test_rmsprop_by_hand_and_keras_docstring_example():
    # v = 0.9 * 0 + 0.1 * 0.25 = 0.025; step = 0.001 * 0.5 / sqrt(0.025 + 1e-7) = 0.00316227
    # w = 1 - 0.00316227 = 0.99683773
    opt = RMSprop()
    assert one_weight(opt, [0.5])[0] == pytest.approx(0.99683773, abs=1e-8)
    np.testing.assert_allclose(opt.state["velocity"][0], [0.025], rtol=1e-12)
    # Keras's own example: lr 0.1, w = 10, loss w^2 / 2 so g = w = 10
    # v = 0.1 * 100 = 10; w = 10 - 0.1 * 10 / sqrt(10) = 10 - 0.316228 = 9.683772
    assert one_weight(RMSprop(learning_rate=0.1), [10.0], w0=10.0)[0] == pytest.approx(
        9.683772, abs=1e-6
    )


def test_rmsprop_with_momentum_by_hand():
    # step 1: v = 0.025, step = 0.0031623 (as above); p = 0.5 * 0 + 0.0031623; w = 0.9968377
    # step 2: v = 0.9 * 0.025 + 0.1 * 0.25 = 0.0475; step = 0.001 * 0.5 / sqrt(0.0475001)
    #         = 0.0022942; p = 0.5 * 0.0031623 + 0.0022942 = 0.0038753; w = 0.9929624
    trace = one_weight(RMSprop(momentum=0.5), [0.5, 0.5])
    assert trace == pytest.approx([0.9968377, 0.9929624], abs=1e-7)


def test_adagrad_by_hand():
    # s = 0.1 + 0.25 = 0.35;  w = 1 - 0.001 * 0.5 / sqrt(0.35 + 1e-7) = 1 - 0.000845154
    # s = 0.35 + 0.25 = 0.60; w = 0.999154846 - 0.0005 / sqrt(0.6000001) = - 0.000645497
    opt = Adagrad()
    trace = one_weight(opt, [0.5, 0.5])
    assert trace == pytest.approx([0.999154846, 0.998509349], abs=1e-9)
    np.testing.assert_allclose(opt.state["accumulator"][0], [0.6], rtol=1e-12)


def test_adamax_by_hand():
    # t = 1: m = 0.05; u = max(0.999 * 0, |0.5|) = 0.5
    #        w = 1 - 0.001 / (1 - 0.9) * 0.05 / (0.5 + 1e-7) = 1 - 0.01 * 0.09999998 = 0.9990000002
    # t = 2: m = 0.05 + 0.1 * (0.5 - 0.05) = 0.095; u = max(0.4995, 0.5) = 0.5
    #        w -= 0.001 / 0.19 * 0.095 / 0.5000001 = 0.0009999998  ->  0.9980000004
    # t = 3 with g = 0.1: u = max(0.999 * 0.5, 0.1) = 0.4995 (the max decays)
    opt = Adamax()
    trace = one_weight(opt, [0.5, 0.5, 0.1])
    assert trace[:2] == pytest.approx([0.9990000002, 0.9980000004], abs=1e-10)
    np.testing.assert_allclose(opt.state["u"][0], [0.4995], rtol=1e-12)


def test_adadelta_two_steps_by_hand():
    opt = Adadelta()  # lr 0.001, rho 0.95, epsilon 1e-7
    w = np.array([1.0])
    opt.step([w], [np.array([0.5])])
    # t = 1: s = 0.95 * 0 + 0.05 * 0.25 = 0.0125
    #        delta = sqrt(0 + 1e-7) / sqrt(0.0125 + 1e-7) * 0.5
    #              = 3.162278e-4 / 0.1118038 * 0.5 = 1.414208e-3
    #        d = 0.05 * (1.414208e-3)^2 = 9.99992e-8 (the step before lr scales it)
    #        w = 1 - 0.001 * 1.414208e-3 = 0.999998585792
    assert opt.iterations == 1
    np.testing.assert_allclose(opt.state["accumulated_grad"][0], [0.0125], rtol=1e-12)
    np.testing.assert_allclose(opt.state["accumulated_delta"][0], [9.99992e-8], rtol=1e-6)
    assert w[0] == pytest.approx(0.999998585792, abs=1e-12)
    opt.step([w], [np.array([0.5])])
    # t = 2: s = 0.95 * 0.0125 + 0.0125 = 0.024375
    #        delta = sqrt(9.99992e-8 + 1e-7) / sqrt(0.024375 + 1e-7) * 0.5
    #              = 4.472127e-4 / 0.1561253 * 0.5 = 1.432224e-3
    #        w = 0.999998585792 - 0.001 * 1.432224e-3 = 0.999997153568
    np.testing.assert_allclose(opt.state["accumulated_grad"][0], [0.024375], rtol=1e-12)
    assert w[0] == pytest.approx(0.999997153568, abs=1e-12)


def test_adadelta_learning_rate_scales_only_the_weights_step():
    # d stores the unscaled steps, so lr = 1 and lr = 0.001 give the same slots and steps
    # in the ratio 1000 : 1 after one step (after more steps w differs, so g would too).
    big, small = Adadelta(learning_rate=1.0), Adadelta(learning_rate=0.001)
    w_big, w_small = np.array([1.0]), np.array([1.0])
    big.step([w_big], [np.array([0.5])])
    small.step([w_small], [np.array([0.5])])
    assert (1 - w_big[0]) == pytest.approx(1000 * (1 - w_small[0]), rel=1e-9)
    np.testing.assert_array_equal(big.slots["accumulated_delta"], small.slots["accumulated_delta"])


@pytest.mark.parametrize("lr", [1.0, 0.001])
def test_adadelta_matches_pytorch(lr):
    # PyTorch's Adadelta: square_avg = rho sa + (1 - rho) g^2;
    # delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g;
    # acc_delta = rho ad + (1 - rho) delta^2; w -= lr * delta. The same rule as Keras's, so
    # with the same lr and eps (PyTorch's defaults are lr 1.0, eps 1e-6) they agree exactly.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    W0, b0 = rng.normal(size=(3, 2)), rng.normal(size=2)
    W, b = W0.copy(), b0.copy()
    tW = torch.tensor(W0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    ours = Adadelta(learning_rate=lr, rho=0.9, epsilon=1e-6)
    theirs = torch.optim.Adadelta([tW, tb], lr=lr, rho=0.9, eps=1e-6)
    for _ in range(20):
        gW, gb = W**3 - 0.5, np.sin(b)  # any gradient depending on the weights
        ours.step([W, b], [gW, gb])
        tW.grad = torch.tensor(tW.detach().numpy() ** 3 - 0.5)
        tb.grad = torch.sin(tb.detach())
        theirs.step()
    np.testing.assert_allclose(W, tW.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b, tb.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert np.abs(W - W0).max() > (0.05 if lr == 1.0 else 5e-5)  # the weights really moved


def test_where_epsilon_goes_with_tiny_gradients():
    # With gradients this small epsilon = 1e-7 is not negligible, so its place shows.
    # RMSprop, inside the root: v = 0.1 * (1e-4)^2 = 1e-9
    #   step = 0.001 * 1e-4 / sqrt(1e-9 + 1e-7) = 1e-7 / 3.17805e-4 = 3.14658e-4
    #   (outside the root it would be 1e-7 / (3.16228e-5 + 1e-7) = 3.152e-3)
    assert 1 - one_weight(RMSprop(), [1e-4])[0] == pytest.approx(3.14658e-4, rel=1e-5)
    # Adagrad from s = 0, inside the root: s = 1e-8
    #   step = 1e-7 / sqrt(1e-8 + 1e-7) = 1e-7 / 3.31662e-4 = 3.01511e-4 (outside: 9.99e-4)
    adagrad = Adagrad(initial_accumulator_value=0.0)
    assert 1 - one_weight(adagrad, [1e-4])[0] == pytest.approx(3.01511e-4, rel=1e-5)
    # Adam, added to sqrt(v) before the bias correction: m = 1e-7, v = 1e-15
    #   step = 3.16228e-4 * 1e-7 / (3.16228e-8 + 1e-7) = 3.16228e-4 * 0.759747 = 2.40253e-4
    #   (added to sqrt(v_hat) = 1e-6 as in PyTorch it would be 0.001 * 1 / 1.1 = 9.09e-4)
    assert 1 - one_weight(Adam(), [1e-6])[0] == pytest.approx(2.40253e-4, rel=1e-5)
    # Adamax: m = 1e-7, u = 1e-6; step = 0.001 / 0.1 * 1e-7 / (1e-6 + 1e-7) = 9.09091e-4
    assert 1 - one_weight(Adamax(), [1e-6])[0] == pytest.approx(9.09091e-4, rel=1e-5)


def test_schedule_gives_update_t_the_rate_of_step_t_minus_1():
    # lr(step) = 1 * 0.5^step: the updates use 1, 0.5, 0.25 (steps 0, 1, 2), as in Keras.
    # w = 10 - 1 * 1 = 9; 9 - 0.5 * 1 = 8.5; 8.5 - 0.25 = 8.25
    opt = SGD(learning_rate=ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5))
    assert opt.current_learning_rate() == 1.0
    assert one_weight(opt, [1.0, 1.0, 1.0], w0=10.0) == pytest.approx([9, 8.5, 8.25])
    assert opt.iterations == 3 and opt.current_learning_rate() == pytest.approx(0.125)


# ---------------------------------------------------------------- clipping


def test_clipvalue_clips_each_entry():
    w = np.zeros(3)
    grads = [np.array([3.0, -0.2, -5.0])]
    SGD(learning_rate=1.0, clipvalue=1.0).step([w], grads)  # w = 0 - clip(g)
    np.testing.assert_allclose(w, [-1.0, 0.2, 1.0])
    np.testing.assert_allclose(grads[0], [3.0, -0.2, -5.0])  # the caller's array is kept


def test_clipnorm_rescales_each_array_alone():
    # [3, 4] has norm 5 > 1: becomes [0.6, 0.8]; [0.3, 0.4] has norm 0.5 <= 1: unchanged
    w1, w2 = np.zeros(2), np.zeros(2)
    SGD(learning_rate=1.0, clipnorm=1.0).step(
        [w1, w2], [np.array([3.0, 4.0]), np.array([0.3, 0.4])]
    )
    np.testing.assert_allclose(w1, [-0.6, -0.8], rtol=1e-12)
    np.testing.assert_allclose(w2, [-0.3, -0.4], rtol=1e-12)


def test_global_clipnorm_rescales_all_arrays_together():
    # norm of ([3, 4], [12]) = sqrt(9 + 16 + 144) = 13 > 1: every entry divided by 13
    w1, w2 = np.zeros(2), np.zeros(1)
    SGD(learning_rate=1.0, global_clipnorm=1.0).step([w1, w2], [np.array([3.0, 4.0]), [12.0]])
    np.testing.assert_allclose(w1, [-3 / 13, -4 / 13], rtol=1e-12)
    np.testing.assert_allclose(w2, [-12 / 13], rtol=1e-12)


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=4), elements=finite),
    st.floats(1e-3, 1e3),
)
def test_clipping_never_increases_a_norm_and_keeps_direction(g, c):
    norm = np.linalg.norm(g)
    by_norm = SGD(clipnorm=c).clip([g])[0]
    assert np.linalg.norm(by_norm) <= min(norm, c) * (1 + 1e-9) + 1e-300
    np.testing.assert_allclose(by_norm * max(norm, c) / c, g, rtol=1e-9, atol=1e-12)
    by_global = SGD(global_clipnorm=c).clip([g, g])
    total = math.sqrt(sum(np.linalg.norm(x) ** 2 for x in by_global))
    assert total <= min(math.sqrt(2) * norm, c) * (1 + 1e-9) + 1e-300
    by_value = SGD(clipvalue=c).clip([g])[0]
    assert np.all(np.abs(by_value) <= np.minimum(np.abs(g), c))


# ---------------------------------------------------------------- convergence


def bowl(condition, angle=np.pi / 6):
    """Hessian of a quadratic bowl with eigenvalues 1 and `condition`, rotated by `angle`."""
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])
    return rotation @ np.diag([1.0, condition]) @ rotation.T


# (optimizer with defaults apart from the learning rate, final distance after 1000 steps)
CONVERGING = [
    (lambda: SGD(0.02), 1e-6),
    (lambda: SGD(0.01, momentum=0.9), 1e-8),
    (lambda: SGD(0.01, momentum=0.9, nesterov=True), 1e-8),
    (lambda: Adagrad(0.5), 1e-5),
    (lambda: RMSprop(0.01), 0.02),  # a constant rate ends in a cycle of size ~ lr
    (lambda: Adam(0.05), 1e-6),
    (lambda: Adamax(0.1), 1e-6),
    (lambda: Adadelta(1.0, epsilon=1e-6), 1e-3),  # PyTorch's lr and epsilon; slow start
]


@pytest.mark.parametrize("condition", [1.0, 50.0], ids=["round", "ill-conditioned"])
@pytest.mark.parametrize("make, tolerance", CONVERGING, ids=lambda x: "")
def test_optimizers_minimize_a_quadratic_bowl(make, tolerance, condition):
    # loss = 0.5 (w - w*)^T H (w - w*), gradient H (w - w*), minimum at w* = (1, -1)
    H, target = bowl(condition), np.array([1.0, -1.0])
    w = np.array([-2.0, 2.0])
    start = np.linalg.norm(w - target)
    opt = make()
    for _ in range(1000):
        opt.step([w], [H @ (w - target)])
    assert np.linalg.norm(w - target) < tolerance < start


def test_momentum_beats_plain_sgd_on_an_ill_conditioned_bowl():
    H, target = bowl(50.0), np.array([1.0, -1.0])
    distances = []
    for opt in (SGD(0.02), SGD(0.02, momentum=0.9)):
        w = np.array([-2.0, 2.0])
        for _ in range(100):
            opt.step([w], [H @ (w - target)])
        distances.append(np.linalg.norm(w - target))
    assert distances[1] < 0.1 * distances[0]  # measured: 0.0072 against 0.146


# ---------------------------------------------------------------- dtypes, in place, state

ALL = [
    SGD,
    lambda: SGD(momentum=0.9, nesterov=True),
    Adagrad,
    RMSprop,
    lambda: RMSprop(momentum=0.9),
    Adam,
    Adamax,
    Adadelta,
]


@pytest.mark.parametrize("make", ALL)
def test_float32_params_stay_float32_and_are_updated_in_place(make):
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(4, 3)).astype(np.float32), np.zeros(3, dtype=np.float32)
    W_before, W_id, b_id = W.copy(), id(W), id(b)
    opt = make()
    for _ in range(3):
        opt.step([W, b], [rng.normal(size=(4, 3)), rng.normal(size=3)])  # float64 grads
    assert id(W) == W_id and id(b) == b_id
    assert W.dtype == np.float32 and b.dtype == np.float32
    assert not np.allclose(W, W_before)
    for slot in opt.state.values():
        assert [a.dtype for a in slot] == [np.float32, np.float32]
        assert [a.shape for a in slot] == [(4, 3), (3,)]


@pytest.mark.parametrize("make", ALL)
def test_one_step_over_all_weights_equals_a_step_per_array(make):
    # The rules run once over a flat vector of all the weights; every rule is elementwise,
    # so this must give exactly what separate optimizers, one per array, give.
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    W_alone, b_alone = W.copy(), b.copy()
    together, for_W, for_b = make(), make(), make()
    for _ in range(4):
        gW, gb = rng.normal(size=(4, 3)), rng.normal(size=3)
        together.step([W, b], [gW, gb])
        for_W.step([W_alone], [gW])
        for_b.step([b_alone], [gb])
    np.testing.assert_allclose(W, W_alone, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(b, b_alone, rtol=1e-13, atol=1e-15)
    for key, (state_W, state_b) in together.state.items():  # views of one flat slot each
        np.testing.assert_allclose(state_W, for_W.state[key][0], rtol=1e-13)
        np.testing.assert_allclose(state_b, for_b.state[key][0], rtol=1e-13)
        assert np.shares_memory(state_W, together.slots[key])


def test_params_of_two_dtypes_are_each_updated_in_their_own():
    w32, w64 = np.ones(2, dtype=np.float32), np.ones(3)
    Adam(learning_rate=0.1).step([w32, w64], [np.ones(2), np.ones(3)])
    assert w32.dtype == np.float32 and w64.dtype == np.float64
    np.testing.assert_allclose(w32, 0.9, rtol=1e-6)  # Adam's first step is lr * sign(g)
    np.testing.assert_allclose(w64, 0.9, rtol=1e-6)


def test_get_state_is_a_printable_snapshot():
    opt = Adam()
    assert opt.get_state() == {"iterations": 0, "learning_rate": 0.001}
    w = np.array([1.0, 2.0])
    opt.step([w], [np.array([0.5, -0.5])])
    state = opt.get_state()
    assert set(state) == {"iterations", "learning_rate", "m", "v"} and state["iterations"] == 1
    np.testing.assert_allclose(state["m"][0], [0.05, -0.05])
    state["m"][0][:] = 99.0  # a copy: the optimizer's own m is untouched
    np.testing.assert_allclose(opt.state["m"][0], [0.05, -0.05])
    assert "Adam(learning_rate=0.001, beta_1=0.9" in repr(opt) and str(state)


def test_keras_defaults():
    assert SGD().get_config() == {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}
    assert Adagrad().get_config() == {
        "learning_rate": 0.001,
        "initial_accumulator_value": 0.1,
        "epsilon": 1e-7,
    }
    assert RMSprop().get_config() == {
        "learning_rate": 0.001,
        "rho": 0.9,
        "momentum": 0.0,
        "epsilon": 1e-7,
    }
    assert Adadelta().get_config() == {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}
    for cls in (Adam, Adamax):
        config = cls().get_config()
        assert config == {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}


def test_get_by_name_or_instance():
    assert isinstance(optimizers.get("ADAM"), Adam)
    assert type(optimizers.get("adam")) is Adam and type(optimizers.get("adamax")) is Adamax
    opt = SGD(0.5)
    assert optimizers.get(opt) is opt
    with pytest.raises(
        ValueError,
        match=(
            r"Unknown optimizer 'nadam'; "
            r"valid names are: sgd, adagrad, adadelta, rmsprop, adam, adamax"
        ),
    ):
        optimizers.get("nadam")
    with pytest.raises(ValueError, match="valid names"):
        optimizers.get(None)


# ---------------------------------------------------------------- errors


def test_bad_hyperparameters_are_refused():
    with pytest.raises(ValueError, match=r"SGD: learning_rate .* >= 0, got -0.1"):
        SGD(learning_rate=-0.1)
    with pytest.raises(ValueError, match=r"momentum must be a number in \[0, 1\), got 1.0"):
        SGD(momentum=1.0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=-0.1)
    with pytest.raises(ValueError, match="RMSprop: rho"):
        RMSprop(rho=1.5)
    with pytest.raises(ValueError, match=r"Adadelta: rho must be a number in \[0, 1\), got 1.0"):
        Adadelta(rho=1.0)
    with pytest.raises(ValueError, match="Adam: beta_2"):
        Adam(beta_2=1.0)
    with pytest.raises(ValueError, match="at most one of clipnorm"):
        Adam(clipnorm=1.0, clipvalue=0.5)
    with pytest.raises(ValueError, match="clipnorm must be a number > 0, got 0.0"):
        Adam(clipnorm=0.0)


@pytest.mark.parametrize("make", [Adam, Adamax, RMSprop, Adagrad, Adadelta])
def test_epsilon_must_be_positive(make):
    # With epsilon = 0, a weight whose gradients are all zero gets 0 / 0 = NaN.
    with pytest.raises(ValueError, match=f"{make.__name__}: epsilon must be a number > 0, got 0"):
        make(epsilon=0)
    assert make().epsilon == 1e-7  # Keras's default


def test_numpy_scalars_are_numbers():
    opt = Adam(learning_rate=np.float32(0.5), beta_1=np.float64(0.9), epsilon=np.float32(1e-7))
    assert opt.learning_rate == pytest.approx(0.5) and type(opt.learning_rate) is float
    assert SGD(momentum=np.float32(0.5), clipnorm=np.int64(2)).momentum == 0.5
    with pytest.raises(ValueError, match="learning_rate .* got True"):
        SGD(learning_rate=True)


@pytest.mark.parametrize("rate", [-1.0, math.nan, math.inf, None, "0.1"])
def test_a_schedule_must_return_a_rate(rate):
    opt = Adam(learning_rate=lambda step: rate)
    W = np.ones(3)
    with pytest.raises(ValueError, match=r"schedule returned for step 0 must be .* >= 0, got"):
        opt.step([W], [np.zeros(3)])
    assert np.all(W == 1) and opt.iterations == 0


def test_bad_params_and_grads_are_refused():
    W, b = np.zeros((4, 3)), np.zeros(3)
    opt = SGD()
    with pytest.raises(ValueError, match="SGD.step: got 2 params but 1 grads"):
        opt.step([W, b], [np.zeros((4, 3))])
    with pytest.raises(ValueError, match=r"grads\[1\] has shape \(4,\) but params\[1\] has \(3,\)"):
        opt.step([W, b], [np.zeros((4, 3)), np.zeros(4)])
    with pytest.raises(ValueError, match=r"grads\[0\] contains NaN"):
        opt.step([W, b], [np.full((4, 3), np.nan), np.zeros(3)])
    with pytest.raises(TypeError, match=r"grads\[0\] must hold real numbers, got complex128"):
        opt.step([np.zeros(2)], [np.array([1 + 2j, 0])])
    with pytest.raises(TypeError, match=r"grads\[0\] must hold real numbers, got <U1"):
        opt.step([np.zeros(2)], [np.array(["a", "b"])])
    w32 = np.zeros(2, dtype=np.float32)  # 1e300 is finite in float64, inf in float32
    with pytest.raises(ValueError, match=r"grads\[1\] contains NaN or infinity"):
        with pytest.warns(RuntimeWarning, match="overflow"):  # NumPy's, on the cast
            SGD().step([w32, w32.copy()], [np.zeros(2), np.array([1e300, 0.0])])
    with pytest.raises(TypeError, match=r"params\[0\] must be a float NumPy array"):
        opt.step([[0.0, 1.0]], [[0.0, 1.0]])
    with pytest.raises(TypeError, match=r"must be lists .* step\(\[W\], \[dW\]\), got ndarray"):
        opt.step(W, np.zeros((4, 3)))
    assert opt.iterations == 0 and np.all(W == 0)  # nothing happened
    momentum = SGD(momentum=0.5)
    momentum.step([W, b], [np.ones((4, 3)), np.ones(3)])
    made = r"made on the first step for params of shapes \[\(4, 3\), \(3,\)\], got "
    with pytest.raises(ValueError, match=made + r"\[\(4, 3\)\]"):
        momentum.step([W], [np.ones((4, 3))])
    with pytest.raises(ValueError, match=made + r"\[\(3,\), \(4, 3\)\]"):  # same sizes, swapped
        momentum.step([b, W], [np.ones(3), np.ones((4, 3))])


# ---------------------------------------------------------------- against PyTorch


def test_trajectories_match_torch_optim():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0, gradients = rng.normal(size=3), rng.normal(size=(20, 3))
    # Tiny epsilons: torch adds eps outside the root (RMSprop, Adagrad), to sqrt(v_hat)
    # (Adam) or inside the max (Adamax), so only eps -> 0 makes the rules identical.
    eps = 1e-12
    pairs = [
        (SGD(0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        (SGD(0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        (
            SGD(0.1, momentum=0.9, nesterov=True),
            lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        ),
        (Adam(0.01, epsilon=eps), lambda p: torch.optim.Adam(p, lr=0.01, eps=eps)),
        (Adamax(0.01, epsilon=eps), lambda p: torch.optim.Adamax(p, lr=0.01, eps=eps)),
        (RMSprop(0.01, epsilon=eps), lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=eps)),
        (
            Adagrad(0.1, epsilon=eps),
            lambda p: torch.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, eps=eps),
        ),
    ]
    for ours, make_theirs in pairs:
        w = w0.copy()
        p = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
        theirs = make_theirs([p])
        for g in gradients:
            ours.step([w], [g])
            p.grad = torch.tensor(g, dtype=torch.float64)
            theirs.step()
            np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-7, atol=1e-10)


def test_sgd_velocity_has_the_course_sign():
    # v = m v + lr g points downhill with the gradient and is subtracted: after one step
    # with g = 0.5, lr = 0.1, m = 0.9: v = 0.1 * 0.5 = +0.05 and w = 1 - 0.05 = 0.95.
    opt, w = SGD(0.1, momentum=0.9), np.array([1.0])
    opt.step([w], [np.array([0.5])])
    np.testing.assert_allclose(opt.state["velocity"][0], [0.05], rtol=1e-12)
    np.testing.assert_allclose(w, [0.95], rtol=1e-12)
