"""Public cases: what `check` runs, one list per exercise, written as data.

Each exercise set (one module per chapter, such as `byhand.exercises.perceptron`) lists its
exercises as `Exercise` records. A `Case` holds the arguments of one call and the value it
must return. For a gradient exercise the expected value comes from central finite
differences of a forward function in float64 (`gradient_case`), so the public cases need no
formula that would give the answer away.
"""

from __future__ import annotations

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
class Exercise:
    """One function to write: its name, parameter names and public cases.

    `returns` names the values of a function that returns a tuple (such as ("w", "b")),
    so that a failure can say which one is wrong; None for a single return value.
    """

    name: str
    params: tuple[str, ...]
    cases: tuple[Case, ...]
    returns: tuple[str, ...] | None = None


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
