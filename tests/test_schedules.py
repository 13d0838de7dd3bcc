"""Tests for byhand.schedules: hand values, staircases, monotonicity, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from byhand.schedules import ExponentialDecay, InverseSqrtDecay, InverseTimeDecay, StepDecay


def test_inverse_time_decay_by_hand():
    # 1 / (1 + k * epoch) with lr0 = 0.1, k = 0.5: 0.1, 0.1 / 1.5, 0.1 / 2, 0.1 / 6
    s = InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)
    expected = [0.1, 0.0666667, 0.05, 0.0166667]
    assert [s(t) for t in (0, 1, 2, 10)] == pytest.approx(expected, rel=1e-5)
    # decay_steps = 100: step 50 -> 0.1 / (1 + 0.5 * 0.5) = 0.08
    assert InverseTimeDecay(0.1, 100, 0.5)(50) == pytest.approx(0.08)


def test_exponential_decay_by_hand():
    # 0.95 ** epoch with lr0 = 0.2: 0.2, 0.19, 0.1805, and 0.2 * 0.95^10 = 0.119747
    s = ExponentialDecay(0.2, decay_steps=1, decay_rate=0.95)
    assert [s(t) for t in (0, 1, 2, 10)] == pytest.approx([0.2, 0.19, 0.1805, 0.1197474])
    # decay_steps = 4: step 2 -> 0.2 * 0.95^0.5 = 0.194936
    assert ExponentialDecay(0.2, 4, 0.95)(2) == pytest.approx(0.1949359)


def test_staircase_changes_only_every_decay_steps():
    # steps 0..3 -> floor(t/4) = 0; 4..7 -> 1; 8 -> 2
    exp = ExponentialDecay(1.0, decay_steps=4, decay_rate=0.5, staircase=True)
    assert [exp(t) for t in range(9)] == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]
    inv = InverseTimeDecay(1.0, decay_steps=4, decay_rate=1.0, staircase=True)
    assert [inv(t) for t in (0, 3, 4, 7, 8)] == pytest.approx([1, 1, 0.5, 0.5, 1 / 3])


def test_step_decay_by_hand():
    # halve every 10 steps: 0..9 -> 0.4, 10..19 -> 0.2, 20 -> 0.1, 35 -> 0.05
    s = StepDecay(0.4, drop_rate=0.5, steps_per_drop=10)
    assert [s(t) for t in (0, 9, 10, 19, 20, 35)] == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1, 0.05])


def test_inverse_sqrt_decay_by_hand():
    # lr0 / sqrt(1 + t): 1, 1/sqrt(2), 1/2, 1/sqrt(10); decay_steps = 4 at t = 12: 1/2
    s = InverseSqrtDecay(1.0, decay_steps=1)
    assert [s(t) for t in (0, 1, 3, 9)] == pytest.approx([1, 1 / math.sqrt(2), 0.5, 1 / 3.1622777])
    assert InverseSqrtDecay(1.0, 4)(12) == pytest.approx(0.5)


SCHEDULES = [
    InverseTimeDecay(0.1, 3, 0.7),
    InverseTimeDecay(0.1, 3, 0.7, staircase=True),
    ExponentialDecay(0.1, 5, 0.9),
    ExponentialDecay(0.1, 5, 0.9, staircase=True),
    StepDecay(0.1, 0.5, 7),
    InverseSqrtDecay(0.1, 2),
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=repr)
@given(st.integers(0, 10**6), st.integers(0, 1000))
def test_schedules_never_increase(schedule, step, more):
    assert 0 <= schedule(step + more) <= schedule(step) <= schedule(0) == 0.1


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="ExponentialDecay: decay_steps must be a number > 0"):
        ExponentialDecay(0.1, 0, 0.9)
    with pytest.raises(ValueError, match=r"decay_rate must be a number in \(0, 1\]"):
        ExponentialDecay(0.1, 10, 1.5)
    with pytest.raises(ValueError, match="initial_learning_rate must be a number > 0, got -1"):
        InverseTimeDecay(-1, 10, 0.5)
    with pytest.raises(ValueError, match=r"StepDecay: drop_rate .* \(0, 1\], got 2"):
        StepDecay(0.1, 2, 10)
    with pytest.raises(ValueError, match="step must be a number >= 0, got -1"):
        InverseSqrtDecay(0.1, 10)(-1)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: InverseTimeDecay(0.1, 10, None), "decay_rate must be a number >= 0, got None"),
        (lambda: ExponentialDecay(0.1, 10, "a"), r"decay_rate must be a number in .*got 'a'"),
        (lambda: StepDecay(0.1, "0.5", 10), r"drop_rate .* in \(0, 1\], got '0.5'"),
        (lambda: StepDecay(math.inf, 0.5, 10), "initial_learning_rate must be .* got inf"),
        (lambda: InverseTimeDecay(0.1, 10, 0.5)("3"), "step must be a number >= 0, got '3'"),
        (lambda: ExponentialDecay(0.1, 10, 0.5)(None), "step must be a number >= 0, got None"),
        (lambda: StepDecay(0.1, 0.5, 10)(math.inf), "step must be a number >= 0, got inf"),
        (lambda: InverseSqrtDecay(0.1, 10)(math.nan), "step must be a number >= 0, got nan"),
    ],
)
def test_bad_types_and_infinities_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_numpy_scalars_are_numbers():
    schedule = ExponentialDecay(np.float32(0.1), np.int64(10), np.float32(0.5))
    assert schedule(np.int64(10)) == pytest.approx(0.05)
    assert StepDecay(0.1, np.float64(0.5), 2)(np.float32(4)) == pytest.approx(0.025)
