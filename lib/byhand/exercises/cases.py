"""Public cases: what `check` runs, one list per exercise, written as data.

Each exercise set (one module per chapter, such as `byhand.exercises.perceptron`) lists its
exercises as `Exercise` records. A `Case` holds the arguments of one call and the value it
must return. For a gradient exercise the expected value comes from central finite
differences of a forward function in float64 (`gradient_case`), so the public cases need no
formula that would give the answer away.

An exercise also says what its hints may assume: which argument is a batch of N examples
(`batch`), which returned values are updated parameters (`updates`), and which wrong answers
students are known to give (`mistakes`), each with the hint to show when it comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Case:
    """One call of the student's function: `function(*args)` must return `expected`."""

    args: tuple
    expected: object
    about: str = ""  # what the case shows, printed when it fails
    rtol: float = 1e-7
    atol: float = 1e-9
    source: str = ""  # where `expected` comes from, when not worked by hand


@dataclass(frozen=True)
class Mistake:
    """A wrong answer students give, and the hint shown when a function returns it.

    `returns` takes a case's arguments and gives what the wrong code returns for them (it may
    raise when the mistake cannot happen on those inputs, such as `w @ X` for a non-square X).
    """

    name: str  # short, unique within its exercise: "w @ X"
    hint: str
    returns: Callable


@dataclass(frozen=True)
class Exercise:
    """One function to write: its name, parameter names, public cases and what hints know.

    returns:  the names of the values of a function that returns a tuple (such as
              ("w", "b")), so that a failure can say which one is wrong; None for one value.
    batch:    the parameter whose first axis is the batch of N examples ("X"), so that a
              hint may name N; None when the exercise has no batch.
    updates:  for each returned value, the parameter it is the updated version of (such as
              ("w", "b")), or None for a value that is no update; empty when none is.
    mistakes: known wrong answers; the first one whose value the function returned gives
              its hint, instead of any guess.
    """

    name: str
    params: tuple[str, ...]
    cases: tuple[Case, ...]
    returns: tuple[str, ...] | None = None
    batch: str | None = None
    updates: tuple[str | None, ...] = ()
    mistakes: tuple[Mistake, ...] = ()

    def __post_init__(self):
        values = len(self.returns) if self.returns else 1
        named = [self.batch, *self.updates]
        unknown = [p for p in named if p is not None and p not in self.params]
        if unknown:
            raise ValueError(f"{self.name}: {unknown} are not among its params {self.params}")
        if self.updates and len(self.updates) != values:
            raise ValueError(f"{self.name}: updates names {len(self.updates)} values, not {values}")
        names = [mistake.name for mistake in self.mistakes]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: two mistakes share a name in {names}")


def finite_differences(f, args, wrt, eps=1e-6):
    """Central-difference gradients of the number f(*args) with respect to args[i], i in wrt.

        df/da_j ~ (f(..., a + eps e_j, ...) - f(..., a - eps e_j, ...)) / (2 eps)

    Every argument in `wrt` is taken as float64 (a Python float gives a float back, an
    array an array of its shape); the error is about eps**2, some 1e-10 for smooth f.
    Returns a tuple with one gradient per index in `wrt`.
    """
    args = [np.array(a, dtype=np.float64) if i in wrt else a for i, a in enumerate(args)]
    grads = []
    for i in wrt:
        x = args[i]
        grad = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            original = x[j]
            x[j] = original + eps
            up = f(*args)
            x[j] = original - eps
            down = f(*args)
            x[j] = original
            grad[j] = (up - down) / (2 * eps)
        grads.append(grad if grad.ndim else float(grad))
    return tuple(grads)


def gradient_case(forward, args, wrt, about="", name="the loss"):
    """A Case whose expected value is the finite-difference gradient of `forward`."""
    return Case(
        args=args,
        expected=finite_differences(forward, args, wrt),
        about=about,
        rtol=1e-6,
        atol=1e-8,
        source=f"the expected gradients are central finite differences (float64) of {name}",
    )
