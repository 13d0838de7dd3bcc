"""Learning-rate schedules: callables `schedule(step) -> learning rate`.

Pass one to an optimizer as its `learning_rate`. The optimizer calls it with its
`iterations`, the number of updates already made, so the first update uses
`schedule(0)` (as in Keras). A step can stand for an iteration or for an epoch: with
`decay_steps = batches per epoch` the rate changes once per epoch.

The decays of the course, with k a decay constant:

    1 / (1 + k * epoch)          InverseTimeDecay(lr0, decay_steps=1, decay_rate=k)
    0.95 ** epoch                ExponentialDecay(lr0, decay_steps=1, decay_rate=0.95)
    k / sqrt(epoch)              InverseSqrtDecay(lr0, decay_steps=1) (shifted by one, so
                                 step 0 gives lr0 instead of dividing by zero)
    halve every 10 epochs        StepDecay(lr0, drop_rate=0.5, steps_per_drop=10)
"""

from __future__ import annotations

import math

from byhand.checks import check_number, check_positive, is_number


def _check_rate(owner, name, value):
    """A decay factor in (0, 1]."""
    if not is_number(value) or not 0 < value <= 1:
        raise ValueError(f"{owner}: {name} must be a number in (0, 1], got {value!r}")
    return value


class InverseTimeDecay:
    """lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps).

    With staircase=True, step / decay_steps is rounded down, so the rate only changes
    every decay_steps steps.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        self.initial_learning_rate = check_positive(
            "InverseTimeDecay", "initial_learning_rate", initial_learning_rate
        )
        self.decay_steps = check_positive("InverseTimeDecay", "decay_steps", decay_steps)
        self.decay_rate = check_number("InverseTimeDecay", "decay_rate", decay_rate, 0)
        self.staircase = staircase

    def __call__(self, step):
        p = check_number("InverseTimeDecay", "step", step, 0) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def __repr__(self):
        return (
            f"InverseTimeDecay(initial_learning_rate={self.initial_learning_rate}, "
            f"decay_steps={self.decay_steps}, decay_rate={self.decay_rate}, "
            f"staircase={self.staircase})"
        )


class ExponentialDecay:
    """lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps).

    decay_rate is the factor applied every decay_steps steps (0.95: lose 5 %). With
    staircase=True, step / decay_steps is rounded down.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        self.initial_learning_rate = check_positive(
            "ExponentialDecay", "initial_learning_rate", initial_learning_rate
        )
        self.decay_steps = check_positive("ExponentialDecay", "decay_steps", decay_steps)
        self.decay_rate = _check_rate("ExponentialDecay", "decay_rate", decay_rate)
        self.staircase = staircase

    def __call__(self, step):
        p = check_number("ExponentialDecay", "step", step, 0) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p

    def __repr__(self):
        return (
            f"ExponentialDecay(initial_learning_rate={self.initial_learning_rate}, "
            f"decay_steps={self.decay_steps}, decay_rate={self.decay_rate}, "
            f"staircase={self.staircase})"
        )


class StepDecay:
    """lr(step) = initial_learning_rate * drop_rate ** floor(step / steps_per_drop).

    Every steps_per_drop steps the rate is MULTIPLIED by drop_rate: drop_rate=0.5 halves
    it, drop_rate=0.1 divides it by ten. (Keras has no class of this name; Keras users
    write it as a LearningRateScheduler callback or a PiecewiseConstantDecay.)
    """

    def __init__(self, initial_learning_rate, drop_rate, steps_per_drop):
        self.initial_learning_rate = check_positive(
            "StepDecay", "initial_learning_rate", initial_learning_rate
        )
        name = "drop_rate (the factor kept at each drop)"
        self.drop_rate = _check_rate("StepDecay", name, drop_rate)
        self.steps_per_drop = check_positive("StepDecay", "steps_per_drop", steps_per_drop)

    def __call__(self, step):
        drops = math.floor(check_number("StepDecay", "step", step, 0) / self.steps_per_drop)
        return self.initial_learning_rate * self.drop_rate**drops

    def __repr__(self):
        return (
            f"StepDecay(initial_learning_rate={self.initial_learning_rate}, "
            f"drop_rate={self.drop_rate}, steps_per_drop={self.steps_per_drop})"
        )


class InverseSqrtDecay:
    """lr(step) = initial_learning_rate / sqrt(1 + step / decay_steps).

    The course's k / sqrt(epoch), shifted by one so that step 0 is defined.
    (Not a Keras class.)
    """

    def __init__(self, initial_learning_rate, decay_steps):
        self.initial_learning_rate = check_positive(
            "InverseSqrtDecay", "initial_learning_rate", initial_learning_rate
        )
        self.decay_steps = check_positive("InverseSqrtDecay", "decay_steps", decay_steps)

    def __call__(self, step):
        step = check_number("InverseSqrtDecay", "step", step, 0)
        return self.initial_learning_rate / math.sqrt(1 + step / self.decay_steps)

    def __repr__(self):
        return (
            f"InverseSqrtDecay(initial_learning_rate={self.initial_learning_rate}, "
            f"decay_steps={self.decay_steps})"
        )
