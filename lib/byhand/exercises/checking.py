"""`check(name, function)`: run an exercise's public cases and print what happened.

Each case calls the function on fresh copies of its arguments. The first case that goes
wrong is printed with its inputs, the expected and received values and a hint (see
`byhand.exercises.feedback`); so is a function that raised, or that changed its inputs.
A function that still raises NotImplementedError, as the stubs do, is "not attempted yet".
"""

from __future__ import annotations

import copy
import difflib
import sysconfig
import traceback
from pathlib import Path

import numpy as np

from byhand.exercises import perceptron
from byhand.exercises.feedback import changed_input, diagnose, field, show

SETS = (perceptron,)  # one module per exercise set
EXERCISES = {exercise.name: exercise for s in SETS for exercise in s.EXERCISES}

# Frames in these folders are not the student's: the line to show is the last one outside.
_NOT_STUDENT = (
    str(Path(__file__).parent),
    str(Path(np.__file__).parent),
    *(sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")),
)


def _student_line(error):
    """'line 3 in net_input: return X @ w' for the innermost frame of the student's code."""
    frames = traceback.extract_tb(error.__traceback__)
    theirs = [f for f in frames if not f.filename.startswith(_NOT_STUDENT)]
    frame = (theirs or frames)[-1]
    code = f": {frame.line}" if frame.line else ""
    return f"line {frame.lineno} in {frame.name}{code}"


def _exception_report(error):
    """What to print when the student's function raised `error`."""
    lines = [f"it raised {type(error).__name__}: {error}", f"  at {_student_line(error)}"]
    if isinstance(error, ValueError) and "matmul" in str(error):
        lines.append("hint: the shapes do not fit a matrix product; print the shapes you multiply")
    elif isinstance(error, IndexError | ValueError | TypeError):
        lines.append("hint: print the shapes and types of your arrays just before that line")
    return lines


def _not_attempted(exercise, error):
    """Whether a NotImplementedError comes from this exercise's own stub."""
    frames = traceback.extract_tb(error.__traceback__)
    return str(error) == f"{exercise.name}: your code here" or frames[-1].name == exercise.name


def _run(exercise, case, function):
    """None if `function` passes `case`, "not attempted", or a list of lines saying why not."""
    args = copy.deepcopy(case.args)
    before = copy.deepcopy(case.args)
    try:
        received = function(*args)
    except NotImplementedError as error:
        if _not_attempted(exercise, error):
            return "not attempted"
        return [f"it calls a function that is not written yet: {error}"]
    except Exception as error:
        return _exception_report(error)
    # A changed input comes first: it often explains a wrong value as well.
    message = changed_input(before, tuple(args), exercise.params)
    if message is None:
        message = diagnose(
            received, case.expected, rtol=case.rtol, atol=case.atol, names=exercise.returns
        )
    if message is None:
        return None
    lines = message.splitlines()
    if case.source:
        lines.append(f"note: {case.source}")
        lines.append(f"      compared with tolerance rtol = {case.rtol:g}, atol = {case.atol:g}")
    return lines


def find(name):
    """The Exercise called `name`; ValueError naming the known ones if there is none."""
    if name in EXERCISES:
        return EXERCISES[name]
    close = difflib.get_close_matches(str(name), EXERCISES, n=1)
    guess = f" Did you mean {close[0]!r}?" if close else ""
    known = ", ".join(EXERCISES)
    raise ValueError(f"check: no exercise is called {name!r}.{guess} Known exercises: {known}")


def check(name, function):
    """Run the public cases of exercise `name` on `function`; print the outcome.

    Returns True when every case passes, else False (after printing the first failure).
    Passing the public cases is a good sign, not a guarantee: the grader's hidden tests
    use other inputs.
    """
    exercise = find(name)
    if not callable(function):
        raise TypeError(
            f"check: the second argument must be your function, got a {type(function).__name__}"
            f" (write check({name!r}, {name}))"
        )
    for number, case in enumerate(exercise.cases, 1):
        outcome = _run(exercise, case, function)
        if outcome == "not attempted":
            print(f"{name}: not attempted yet")
            return False
        if outcome is not None:
            about = f" ({case.about})" if case.about else ""
            print(f"{name}: public case {number} of {len(exercise.cases)} fails{about}")
            print("  inputs:")
            for param, value in zip(exercise.params, case.args, strict=True):
                print(field(param, show(value), "    "))
            print("\n".join("  " + line for line in outcome))
            return False
    count = len(exercise.cases)
    print(f"{name}: all {count} public cases pass")
    return True
