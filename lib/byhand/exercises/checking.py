"""Run an exercise's public cases on a student's function and say what happened.

Each exercise set's module has its own `check(name, function)` (Chapter 1's is
`byhand.exercises.perceptron.check`), which calls `check_exercise` with that set's
exercises: a name is looked up in its own set only, so two sets may both have a `sigmoid`.

Each case calls the function on fresh copies of its arguments. The first case that goes
wrong is printed with its inputs, the expected and received values and a hint (see
`byhand.exercises.feedback`); so is a function that raised, or that changed its inputs.
A function that still raises NotImplementedError, as the stubs do, is "not attempted yet".
`check_exercise` prints and returns None, so that a check cell shows the feedback only.
"""

from __future__ import annotations

import copy
import difflib
import sysconfig
import traceback
from pathlib import Path

import numpy as np

from byhand.exercises.feedback import changed_input, diagnose, field, hint, hint_lines, show

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
        lines += hint_lines(hint("matmul"))
    elif isinstance(error, IndexError | ValueError | TypeError):
        lines += hint_lines(hint("shapes and types"))
    return lines


def _not_attempted(exercise, error):
    """Whether a NotImplementedError comes from this exercise's own stub."""
    frames = traceback.extract_tb(error.__traceback__)
    return str(error) == f"{exercise.name}: your code here" or frames[-1].name == exercise.name


def _context(exercise, case):
    """What the hints may assume about this case: batch size, old values, known mistakes."""
    args = dict(zip(exercise.params, case.args, strict=True))
    batch = np.shape(args[exercise.batch])[0] if exercise.batch else None
    before = tuple(args[p] if p else None for p in exercise.updates) or None
    if before is not None and exercise.returns is None:
        before = before[0]  # one returned value: its old value, not a tuple
    known = []
    for mistake in exercise.mistakes:
        try:
            with np.errstate(all="ignore"):
                known.append((mistake.hint, mistake.returns(*copy.deepcopy(case.args))))
        except Exception:  # the mistake cannot happen on these inputs (shapes that do not fit)
            continue
    return {"batch": batch, "before": before, "known": known}


def _run(exercise, case, function):
    """None if `function` passes `case`, "not attempted", or a list of lines saying why not."""
    args = copy.deepcopy(case.args)
    try:
        received = function(*args)
    except NotImplementedError as error:
        if _not_attempted(exercise, error):
            return "not attempted"
        return [f"it calls a function that is not written yet: {error}"]
    except Exception as error:
        return _exception_report(error)
    # A changed input comes first: it often explains a wrong value as well.
    message = changed_input(case.args, tuple(args), exercise.params)
    if message is None:
        message = diagnose(
            received,
            case.expected,
            rtol=case.rtol,
            atol=case.atol,
            names=exercise.returns,
            **_context(exercise, case),
        )
    if message is None:
        return None
    lines = message.splitlines()
    if case.source:
        lines.append(f"note: {case.source}")
        lines.append(f"      compared with tolerance rtol = {case.rtol:g}, atol = {case.atol:g}")
    return lines


def report(exercise, function):
    """What `check` prints for `function` on the public cases of `exercise`, as text.

    Either "name: all N public cases pass", "name: not attempted yet", or the first case
    that fails: its inputs, then why (values, relative error and a hint, or the error raised).
    """
    name, count = exercise.name, len(exercise.cases)
    for number, case in enumerate(exercise.cases, 1):
        outcome = _run(exercise, case, function)
        if outcome == "not attempted":
            return f"{name}: not attempted yet"
        if outcome is not None:
            about = f" ({case.about})" if case.about else ""
            lines = [f"{name}: public case {number} of {count} fails{about}", "  inputs:"]
            for param, value in zip(exercise.params, case.args, strict=True):
                lines.append(field(param, show(value), "    "))
            return "\n".join(lines + ["  " + line for line in outcome])
    return f"{name}: all {count} public cases pass"


def find(exercises, name):
    """The exercise called `name` among one set's `exercises`; ValueError if not exactly one."""
    found = [exercise for exercise in exercises if exercise.name == name]
    if len(found) > 1:
        raise ValueError(f"check: this set has {len(found)} exercises called {name!r}")
    if found:
        return found[0]
    known = [exercise.name for exercise in exercises]
    close = difflib.get_close_matches(str(name), known, n=1)
    guess = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"check: this set has no exercise called {name!r}.{guess} Its exercises: {', '.join(known)}"
    )


def check_exercise(exercises, name, function):
    """Run the public cases of the exercise `name` of a set on `function`; print the outcome.

    Returns None: the printed lines are the whole answer. Passing the public cases is a good
    sign, not a guarantee: the grader's hidden tests use other inputs.
    """
    exercise = find(exercises, name)
    if not callable(function):
        raise TypeError(
            f"check: the second argument must be your function, got a {type(function).__name__}"
            f" (write check({name!r}, {name}))"
        )
    print(report(exercise, function))
