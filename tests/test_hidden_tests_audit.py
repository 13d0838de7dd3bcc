"""Hidden tests give nothing for nothing: do-nothing submissions score 0 on every set.

A hidden test that passes for a function returning its inputs, None, zeros or raising gives
a student points for nothing (a test about "unchanged inputs" that never looks at the value,
an update test whose right answer is "no change"). Each set's hidden tests are run here, in
this process, against such functions standing in for every function the set asks for; each
must fail every test. The solutions, for contrast, pass every test.
"""

import contextlib
import inspect
import io
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest

from byhand.grading import load_tests, run_tests
from byhand.grading.runner import run_submission

ROOT = Path(__file__).resolve().parent.parent
HIDDEN = sorted((ROOT / "solutions" / "hidden").glob("[0-9][0-9]_*.py"))
IDS = [path.stem for path in HIDDEN]


def first_args(count):
    def returns_its_inputs(*args):
        return args[0] if count == 1 else tuple(args[:count])

    return returns_its_inputs


def zeros_like_first(*args):
    return np.zeros_like(np.asarray(args[0], dtype=float))


def zero(*args):
    return 0


def nothing(*args):
    return None


def raises(*args):
    raise ValueError("not today")


def inputs_zeroed(count):
    def zeros_in_their_shapes(*args):
        zeros = tuple(np.zeros_like(np.asarray(a, dtype=float)) for a in args[:count])
        return zeros[0] if count == 1 else zeros

    return zeros_in_their_shapes


DO_NOTHING = {
    "returns None": nothing,
    "raises": raises,
    "returns 0": zero,
    "returns zeros shaped like its first input": zeros_like_first,
    **{f"returns its first {n} inputs unchanged": first_args(n) for n in (1, 2, 3)},
    **{f"returns {n} zero arrays shaped like its inputs": inputs_zeroed(n) for n in (2, 3)},
}


def solution_functions(stem):
    """The functions the solution notebook defines (its code cells run here, quietly)."""
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4).cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, f"{stem}:{cell.id}", "exec"), namespace)
    return {name: f for name, f in namespace.items() if inspect.isfunction(f)}


@pytest.mark.parametrize("hidden", HIDDEN, ids=IDS)
@pytest.mark.parametrize("behaviour", DO_NOTHING)
def test_a_do_nothing_submission_scores_zero(hidden, behaviour):
    tests = load_tests(hidden)
    names = {name for test in tests for name in test.needs}
    functions = {name: DO_NOTHING[behaviour] for name in names}
    passed = [r.name for r in run_tests(tests, functions) if r.points > 0]
    assert not passed, f"{behaviour!r} earns points in {hidden.name}: {passed}"


@pytest.mark.parametrize("hidden", HIDDEN, ids=IDS)
def test_the_solutions_pass_every_hidden_test(hidden):
    results = run_tests(load_tests(hidden), solution_functions(hidden.stem))
    assert [r.message for r in results if not r.passed] == []


def test_a_failed_hidden_test_tells_the_student_no_hidden_value(tmp_path):
    """The student reads what failed and a hint; the inputs and answers stay with the grader."""
    hidden = tmp_path / "secret_set.py"
    hidden.write_text(
        "import numpy as np\n"
        "from byhand.exercises import assert_close, assert_unchanged\n"
        "from byhand.grading import call_and_inputs, points\n\n"
        "SECRET = np.array([[31.25, -47.5], [12.75, 8.125]])\n\n"
        "@points(1)\ndef test_value(f):\n"
        "    assert_close(f(SECRET.copy()), SECRET.sum(axis=1), 'f on a hidden batch')\n\n"
        "@points(1)\ndef test_inputs(f):\n"
        "    value, after = call_and_inputs(f, SECRET)\n"
        "    assert_unchanged(after, (SECRET,), ('X',), 'f')\n"
    )

    def leaky(X):  # returns its input, and changes it: both would show the secret
        X[0, 0] = 0.0
        return X

    results = run_tests(load_tests(hidden), {"f": leaky})
    assert [r.points for r in results] == [0, 0]
    for result in results:
        assert "31.25" not in result.message and "47.5" not in result.message, result.message
        assert "47.5" in result.detail, result.detail  # the instructor sees everything
    assert "wrong shape" in results[0].message  # the hint still helps
    assert "changed its input X" in results[1].message


@pytest.mark.parametrize("hidden", HIDDEN, ids=IDS)
def test_the_grader_gives_the_solutions_all_and_the_untouched_exercises_nothing(hidden, tmp_path):
    """The real grader, sandbox and protocol included (lists, tuples, the go-betweens)."""
    tests = load_tests(hidden)
    possible = sum(test.points for test in tests)
    for folder, total in (("solutions", possible), ("exercises", 0)):
        submission = tmp_path / f"{folder}.ipynb"
        shutil.copy(ROOT / folder / f"{hidden.stem}.ipynb", submission)
        outcome = run_submission(submission, tests)
        assert outcome.status == "ok", (outcome.status, outcome.notes)
        assert sum(r.points for r in outcome.results) == total, [
            (r.name, r.message) for r in outcome.results if r.points != r.max_points
        ]
        if total == 0:
            messages = {r.message for r in outcome.results}
            assert all("is not attempted yet" in m for m in messages), messages
