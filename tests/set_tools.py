"""What the tests of every exercise set share (tests/test_exercises_<topic>.py).

    checked = printed_by(check)                   # what a student sees, in one line
    checked("sigmoid", wrong_sigmoid)             # -> "sigmoid: case 2 of 4 fails ..."
    earned, possible, results = hidden_score(HIDDEN, "sigmoid", wrong_sigmoid)

`quiet=True` runs under np.errstate(all="ignore"): a wrong function may divide by zero on
purpose, and its message or its score is what the test is about, not NumPy's warning.
"""

import contextlib
import io

import numpy as np

from byhand.grading import load_tests, run_tests


def flat(text):
    """Every run of whitespace as one space, to compare messages whatever their wrapping."""
    return " ".join(text.split())


def printed_by(check, quiet=False):
    """checked(name, function): what `check(name, function)` prints, through `flat`."""

    def checked(name, function):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), _maybe_quiet(quiet):
            check(name, function)
        return flat(out.getvalue())

    return checked


def hidden_score(hidden, name, function, namespace=None, quiet=False):
    """(points earned, points possible, results) by `function` on the hidden tests of the
    exercise `name` in the file `hidden`; `namespace` adds names the tests look up. (The
    tests get a copy: functions defined in a notebook's namespace look `name` up in that
    namespace itself, so put `function` there too.)"""
    tests = [test for test in load_tests(hidden) if test.exercise == name]
    with _maybe_quiet(quiet):
        results = run_tests(tests, {**(namespace or {}), name: function})
    return sum(r.points for r in results), sum(r.max_points for r in results), results


def _maybe_quiet(quiet):
    return np.errstate(all="ignore") if quiet else contextlib.nullcontext()
