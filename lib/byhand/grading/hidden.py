"""Hidden tests: how an instructor writes them, and how they are found and run.

A hidden-test file is a Python module kept apart from the exercises (the course keeps
its own in `solutions/hidden/`; an instructor may keep a private folder instead). Each
test is a function marked with `@points(n)`; its parameters name the functions the
student was asked to write, and it passes when it returns without raising:

    import numpy as np
    from byhand.exercises import assert_close
    from byhand.grading import points

    @points(2)
    def test_net_input_on_a_batch(net_input):
        x = np.array([[1.0, 2.0], [3.0, 4.0]])
        assert_close(net_input(x, np.array([0.5, -1.0]), 0.25), [-1.25, -2.25])

While grading, the test runs in the grader's own process and the student's function is a
stand-in that runs the student's code in the submission's sandbox: arguments travel there
(numbers, strings, None, NumPy arrays, and lists, tuples and dicts of those) and the value
comes back, so comparing and scoring never happen where the student's code runs.
"""

from __future__ import annotations

import copy
import importlib.util
import inspect
import traceback
from dataclasses import dataclass
from pathlib import Path

RESERVED = ("submission", "total", "max_total", "percent", "status", "notes")  # scores.csv


class StudentError(Exception):
    """The student's function raised, was missing, or could not be run; the message says which.

    `detail`, when given, is the fuller text for the instructor (the student's own error
    message, which could quote the hidden inputs); the message is what the student reads.
    """

    def __init__(self, message, detail=None):
        super().__init__(message)
        self.detail = detail or message


def points(n, exercise=None):
    """Mark a hidden test worth `n` points for `exercise` (default: its first parameter)."""
    if not (isinstance(n, int | float) and n > 0):
        raise ValueError(f"points: expected a positive number of points, got {n!r}")

    def mark(test):
        test.points = n
        test.exercise = exercise
        return test

    return mark


def call_and_inputs(function, *args, **kwargs):
    """Call `function` and return (value, args as they are after the call).

    Use it to test that a student's function leaves its inputs alone: the returned args
    are deep copies taken after the call, both in a notebook and in the grader's sandbox.
    """
    remote = getattr(function, "call_and_inputs", None)
    if remote is not None:  # a stand-in for the student's function in the sandbox
        return remote(*args, **kwargs)
    args = copy.deepcopy(args)
    kwargs = copy.deepcopy(kwargs)
    value = function(*args, **kwargs)
    return value, copy.deepcopy(args)


class Through:
    """A notebook's go-between, whose failures name the exercise it calls.

    The grader sends a student's function values, never a function, so an exercise that
    takes a function (`central_difference(f, x, h)`) is tested through a small function of
    the notebook that passes one of its own (`slope_of_g(x, h)` calls `central_difference`
    on g). Wrap it in a hidden test, `slope_of_g = Through(slope_of_g, "central_difference")`,
    and a stub then reports "central_difference (called by slope_of_g) is not attempted
    yet" rather than naming the go-between. Values pass through unchanged.
    """

    def __init__(self, function, exercise):
        self.function, self.exercise = function, exercise

    def __call__(self, *args):
        return self._named(self.function, *args)

    def call_and_inputs(self, *args):
        return self._named(lambda *a: call_and_inputs(self.function, *a), *args)

    def _named(self, call, *args):
        try:
            return call(*args)
        except StudentError as error:
            name = getattr(self.function, "__name__", "")
            named = f"{self.exercise} (called by {name})"
            message, detail = (text.replace(name, named, 1) for text in (str(error), error.detail))
            raise StudentError(message, detail) from None


@dataclass(frozen=True)
class HiddenTest:
    name: str
    exercise: str
    points: float
    needs: tuple[str, ...]  # the student's function names, in parameter order
    function: object
    answer_modules: tuple[str, ...] = ()  # the set's ANSWER_MODULES (see load_tests)


@dataclass
class TestResult:
    name: str
    exercise: str
    max_points: float
    points: float
    message: str  # empty when passed; what the student reads: no hidden input or value
    detail: str = ""  # the full failure, values included, for the instructor

    @property
    def passed(self):
        return self.points == self.max_points


def load_tests(path):
    """The hidden tests in one file, in the order they are written.

    The file may also name the course-library modules that implement its answers,

        ANSWER_MODULES = ("byhand.perceptron", "byhand.exercises")

    and the grader then gives no points for a student's function that uses one of them
    (see `byhand.grading.answers`); each set's own `check` stays allowed.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no hidden-test file at {path}")
    spec = importlib.util.spec_from_file_location(f"byhand_hidden_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    answer_modules = getattr(module, "ANSWER_MODULES", ())
    if isinstance(answer_modules, str) or not all(isinstance(m, str) for m in answer_modules):
        raise ValueError(f"{path.name}: ANSWER_MODULES must be a tuple of module names")
    tests = []
    for name, function in vars(module).items():
        if not (callable(function) and hasattr(function, "points")):
            continue
        needs = tuple(inspect.signature(function).parameters)
        if not needs:
            raise ValueError(f"{path.name}: hidden test {name} names no student function")
        exercise = function.exercise or needs[0]
        if exercise in RESERVED:
            raise ValueError(
                f"{path.name}: {name}: the exercise name {exercise!r} is taken by a column of "
                f"scores.csv; choose another (reserved: {', '.join(RESERVED)})"
            )
        test = HiddenTest(name, exercise, function.points, needs, function, tuple(answer_modules))
        tests.append(test)
    if not tests:
        raise ValueError(f"{path.name}: no tests marked with @points(n)")
    return tests


def failed(test, message, detail=None):
    """No points for `test`, the message saying why, and its fuller detail if there is one."""
    return TestResult(test.name, test.exercise, test.points, 0, message, detail or message)


def not_run(tests, note):
    """No points for every one of `tests`, none of which could run: "not run: <note>"."""
    return [failed(test, f"not run: {note}") for test in tests]


def run_test(test, functions):
    """Run one hidden test against `functions` (name -> callable); never raises."""
    missing = [name for name in test.needs if name not in functions]
    if missing:
        message = ", ".join(missing) + (" is" if len(missing) == 1 else " are")
        return failed(test, message + " not defined")
    try:
        test.function(*(functions[name] for name in test.needs))
    except AssertionError as error:  # a Mismatch says it twice; a plain assert is the author's
        full = str(error) or "wrong result"
        return failed(test, getattr(error, "public", None) or full, full)
    except StudentError as error:
        return failed(test, str(error), error.detail)
    except NotImplementedError:
        return failed(test, "not attempted yet")
    except Exception as error:  # the student's code run in-process, or a result unfit to check
        where = traceback.extract_tb(error.__traceback__)[-1]
        place = f"(line {where.lineno} of {where.name})"
        # Its text may hold the test's own data: the student reads the kind of error only.
        return failed(test, f"{type(error).__name__} while checking the result {place}",
                      f"{type(error).__name__}: {error} {place}")  # fmt: skip
    return TestResult(test.name, test.exercise, test.points, test.points, "")


def run_tests(tests, functions):
    """Run every hidden test against `functions`; a list of TestResult in test order."""
    return [run_test(test, functions) for test in tests]
