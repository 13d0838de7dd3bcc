"""Hidden tests of the Chapter 7 exercise set (exercises/07_optimizers.ipynb): 20 points.

Each test names the student's functions as its parameters (see byhand.grading.hidden).
The inputs differ from the public cases in byhand.exercises.optimizers. Expected values are
worked by hand in the comments, or come from that module's reference functions
(`reference_minibatch_indices`, `reference_ewma`, `reference_ewma_bias_corrected`,
`reference_momentum_step`, `reference_adam_step`), which the course's tests compare with
byhand.optimizers. Every step is given a state that it must change, so a function that
returns its inputs unchanged earns nothing, and every test checks that the arguments are
left alone.
"""

import numpy as np

from byhand.exercises import assert_close, assert_unchanged
from byhand.exercises.optimizers import (
    reference_adam_step,
    reference_ewma,
    reference_ewma_bias_corrected,
    reference_minibatch_indices,
    reference_momentum_step,
)
from byhand.grading import call_and_inputs, points

# Course modules that do what these exercises ask: a function that uses one earns nothing.
# The grader matches these names in the notebook's code and never imports them.
ANSWER_MODULES = (
    "byhand.optimizers",  # SGD with momentum, Adam: the update rules
    "byhand.base_optimizer",  # the step that every optimizer shares
    "byhand.schedules",  # learning-rate schedules
    "byhand.training",  # fit: the shuffled mini-batches of each epoch
    "byhand.data",  # batching helpers
    "byhand.exercises",  # this set's reference functions
    "torch",  # torch.optim.SGD, Adam; torch.utils.data.DataLoader
)

MOMENTUM_NAMES, ADAM_NAMES = ("w", "velocity"), ("w", "m", "v")
ADAM_PARAMS = ("w", "g", "m", "v", "t", "learning_rate", "beta_1", "beta_2", "epsilon")


# --- minibatch_indices: 4 points ------------------------------------------------------


@points(1)
def test_minibatch_indices_with_a_remainder_leaves_the_permutation_alone(minibatch_indices):
    permutation = np.random.default_rng(701).permutation(10)
    batches, after = call_and_inputs(minibatch_indices, permutation, 4)
    what = "minibatch_indices, batches that do not divide N"
    assert_close(batches, reference_minibatch_indices(permutation, 4), what)
    assert_unchanged(after, (permutation, 4), ("permutation", "batch_size"), "minibatch_indices")


@points(1)
def test_minibatch_indices_with_and_without_a_remainder(minibatch_indices):
    rng = np.random.default_rng(702)
    for n, size, about in ((12, 4, "B divides N"), (9, 2, "one left over"), (11, 5, "")):
        permutation = rng.permutation(n)
        what = f"minibatch_indices, {about or 'another N and B'}"
        assert_close(
            minibatch_indices(permutation, size),
            reference_minibatch_indices(permutation, size),
            what,
        )


@points(1)
def test_minibatch_indices_of_the_smallest_and_largest_batches(minibatch_indices):
    permutation = np.random.default_rng(703).permutation(6)
    for size, about in ((1, "batches of one example"), (6, "one batch of all N"), (50, "B > N")):
        what = f"minibatch_indices, {about}"
        assert_close(
            minibatch_indices(permutation, size),
            reference_minibatch_indices(permutation, size),
            what,
        )


@points(1)
def test_minibatch_indices_of_a_larger_epoch(minibatch_indices):
    permutation = np.random.default_rng(712).permutation(100)
    what = "minibatch_indices, a larger epoch in batches of Keras's default size"
    assert_close(minibatch_indices(permutation, 32), reference_minibatch_indices(permutation, 32),
                 what)  # fmt: skip


# --- ewma: 3 points -------------------------------------------------------------------


@points(1)
def test_ewma_of_a_random_sequence_leaves_it_alone(ewma):
    thetas = np.random.default_rng(704).normal(size=20) * 2.0 + 1.0
    averages, after = call_and_inputs(ewma, thetas, 0.9)
    assert_close(averages, reference_ewma(thetas, 0.9), "ewma of a random sequence")
    assert_unchanged(after, (thetas, 0.9), ("thetas", "beta"), "ewma")


@points(1)
def test_ewma_of_a_constant_and_of_a_short_sequence(ewma):
    # on a constant 3: v_t = 3 (1 − 0.98^t), far below 3 for the first steps
    t = np.arange(1, 11)
    assert_close(ewma(np.full(10, 3.0), 0.98), 3 * (1 - 0.98**t), "ewma of a constant")
    # β = 0.2: v1 = 0.8, v2 = 0.16 − 0.8 = −0.64, v3 = −0.128 + 1.6 = 1.472
    thetas = np.array([1.0, -1.0, 2.0])
    assert_close(ewma(thetas, 0.2), np.array([0.8, -0.64, 1.472]), "ewma with a small β")


@points(1)
def test_ewma_of_a_long_sequence(ewma):
    thetas = np.random.default_rng(713).normal(size=200) + np.linspace(0.0, 5.0, 200)
    assert_close(ewma(thetas, 0.99), reference_ewma(thetas, 0.99), "ewma of a long sequence")


# --- ewma_bias_corrected: 4 points ----------------------------------------------------


@points(1)
def test_ewma_bias_corrected_of_a_random_sequence_leaves_it_alone(ewma_bias_corrected):
    thetas = np.random.default_rng(705).normal(size=15) + 2.0
    averages, after = call_and_inputs(ewma_bias_corrected, thetas, 0.9)
    expected = reference_ewma_bias_corrected(thetas, 0.9)
    assert_close(averages, expected, "ewma_bias_corrected of a random sequence")
    assert_unchanged(after, (thetas, 0.9), ("thetas", "beta"), "ewma_bias_corrected")


@points(1)
def test_ewma_bias_corrected_of_a_constant_and_of_a_short_sequence(ewma_bias_corrected):
    # the correction gives a constant back exactly: 3 (1 − 0.98^t) / (1 − 0.98^t) = 3
    what = "ewma_bias_corrected of a constant"
    assert_close(ewma_bias_corrected(np.full(10, 3.0), 0.98), np.full(10, 3.0), what)
    # β = 0.2: 0.8 / 0.8 = 1, −0.64 / 0.96 = −0.666667, 1.472 / 0.992 = 1.483871
    expected = np.array([1.0, -0.64 / 0.96, 1.472 / 0.992])
    what = "ewma_bias_corrected with a small β"
    assert_close(ewma_bias_corrected(np.array([1.0, -1.0, 2.0]), 0.2), expected, what)


@points(1)
def test_ewma_bias_corrected_with_a_beta_close_to_1(ewma_bias_corrected):
    thetas = np.random.default_rng(706).uniform(1.0, 5.0, size=8)
    what = "ewma_bias_corrected, β close to 1: the correction matters for many steps"
    assert_close(ewma_bias_corrected(thetas, 0.999), reference_ewma_bias_corrected(thetas, 0.999),
                 what)  # fmt: skip


@points(1)
def test_ewma_bias_corrected_of_one_and_of_two_values(ewma_bias_corrected):
    # one value: v_1 / (1 − β) = θ_1
    what = "ewma_bias_corrected of a single value"
    assert_close(ewma_bias_corrected(np.array([7.0]), 0.9), np.array([7.0]), what)
    # β = 0.5 on (2, 4): v = (1, 2.5), corrected (1 / 0.5, 2.5 / 0.75) = (2, 3.333333)
    what = "ewma_bias_corrected of two values"
    assert_close(ewma_bias_corrected(np.array([2.0, 4.0]), 0.5), np.array([2.0, 2.5 / 0.75]),
                 what)  # fmt: skip


# --- momentum_step: 4 points ----------------------------------------------------------


@points(1)
def test_momentum_step_on_a_random_state_leaves_it_alone(momentum_step):
    rng = np.random.default_rng(707)
    w, g, velocity = (rng.normal(size=(3, 4)) for _ in range(3))
    args = (w, g, velocity * 0.1, 0.01, 0.9)
    result, after = call_and_inputs(momentum_step, *args)
    what = "momentum_step on a random [3, 4] state"
    assert_close(result, reference_momentum_step(*args), what, names=MOMENTUM_NAMES)
    names = ("w", "g", "velocity", "learning_rate", "momentum")
    assert_unchanged(after, args, names, "momentum_step")


@points(1)
def test_momentum_step_by_hand(momentum_step):
    # from v = 0, η = 0.5: v = 0.5 (2, −4) = (1, −2); w = (1, 2) − (1, −2) = (0, 4)
    result = momentum_step(np.array([1.0, 2.0]), np.array([2.0, -4.0]), np.zeros(2), 0.5, 0.99)
    what = "momentum_step, the first step from velocity 0"
    assert_close(result, (np.array([0.0, 4.0]), np.array([1.0, -2.0])), what,
                 names=MOMENTUM_NAMES)  # fmt: skip
    # v = 0.5 · (−3) + 0.1 · 1 = −1.4; w = 0 − (−1.4) = 1.4: the velocity wins over g
    result = momentum_step(np.array([0.0]), np.array([1.0]), np.array([-3.0]), 0.1, 0.5)
    what = "momentum_step, a velocity against the gradient"
    assert_close(result, (np.array([1.4]), np.array([-1.4])), what, names=MOMENTUM_NAMES)


@points(1)
def test_momentum_step_with_no_momentum_and_with_much(momentum_step):
    rng = np.random.default_rng(708)
    w, g, velocity = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5) * 0.2
    for momentum in (0.0, 0.95):
        args = (w, g, velocity, 0.05, momentum)
        what = "momentum_step " + ("with momentum 0" if momentum == 0 else "with much momentum")
        assert_close(momentum_step(*args), reference_momentum_step(*args), what,
                     names=MOMENTUM_NAMES)  # fmt: skip


@points(1)
def test_momentum_step_three_steps_in_a_row(momentum_step):
    rng = np.random.default_rng(714)
    w = expected_w = rng.normal(size=4)
    velocity = expected_velocity = np.zeros(4)
    for step in range(3):  # each step gets the w and velocity the previous one returned
        g = rng.normal(size=4)
        w, velocity = momentum_step(w, g, velocity, 0.1, 0.9)
        expected = reference_momentum_step(expected_w, g, expected_velocity, 0.1, 0.9)
        expected_w, expected_velocity = expected
        what = f"momentum_step, step {step + 1} of three in a row"
        assert_close((w, velocity), expected, what, names=MOMENTUM_NAMES)


# --- adam_step: 5 points --------------------------------------------------------------


def adam_state(seed, size, t):
    """A plausible state after t − 1 steps: weights, a gradient, m, and v > 0."""
    rng = np.random.default_rng(seed)
    w, g = rng.normal(size=size), rng.normal(size=size)
    return w, g, rng.normal(size=size) * 0.3, rng.uniform(0.01, 0.5, size=size)


@points(1)
def test_adam_step_on_a_random_state_leaves_it_alone(adam_step):
    w, g, m, v = adam_state(709, 5, 10)
    args = (w, g, m, v, 10, 0.001, 0.9, 0.999, 1e-7)
    result, after = call_and_inputs(adam_step, *args)
    what = "adam_step on a random state"
    assert_close(result, reference_adam_step(*args), what, names=ADAM_NAMES)
    assert_unchanged(after, args, ADAM_PARAMS, "adam_step")


@points(1)
def test_adam_step_the_first_step(adam_step):
    # t = 1 from m = v = 0: m̂ = g, v̂ = g², so each weight moves by about 0.01 against
    # the sign of its gradient, whatever the gradient's size
    w, g = np.array([0.5, -1.0, 2.0]), np.array([0.01, -100.0, 3.0])
    args = (w, g, np.zeros(3), np.zeros(3), 1, 0.01, 0.9, 0.999, 1e-8)
    what = "adam_step, the first step from m = v = 0"
    assert_close(adam_step(*args), reference_adam_step(*args), what, names=ADAM_NAMES)


@points(1)
def test_adam_step_with_a_large_epsilon(adam_step):
    w, g, m, v = adam_state(710, (2, 3), 3)
    args = (w, g, m, v * 0.1, 3, 0.05, 0.8, 0.9, 0.5)
    what = "adam_step with a large ε, where its place matters"
    assert_close(adam_step(*args), reference_adam_step(*args), what, names=ADAM_NAMES)


@points(1)
def test_adam_step_late_in_training(adam_step):
    w, g, m, v = adam_state(711, 4, 1000)
    args = (w, g, m, v, 1000, 0.002, 0.9, 0.999, 1e-7)
    what = "adam_step late in training, when β2^t is still far from 0"
    assert_close(adam_step(*args), reference_adam_step(*args), what, names=ADAM_NAMES)


@points(1)
def test_adam_step_three_steps_in_a_row(adam_step):
    rng = np.random.default_rng(715)
    state = expected_state = (rng.normal(size=3), np.zeros(3), np.zeros(3))
    for t in (1, 2, 3):  # each step gets the w, m and v the previous one returned
        g = rng.normal(size=3)
        w, m, v = state
        state = adam_step(w, g, m, v, t, 0.01, 0.9, 0.999, 1e-8)
        w, m, v = expected_state
        expected_state = reference_adam_step(w, g, m, v, t, 0.01, 0.9, 0.999, 1e-8)
        what = f"adam_step, step {t} of three in a row from m = v = 0"
        assert_close(state, expected_state, what, names=ADAM_NAMES)
