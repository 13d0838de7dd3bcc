"""The grader finds a notebook's functions that use a course module implementing the answers."""

from pathlib import Path

import nbformat
import pytest

from byhand.grading.answers import answer_uses

MODULES = ("byhand.perceptron", "byhand.exercises")
ALLOWED = ("byhand.exercises.perceptron.check",)


def uses(*cells):
    return answer_uses(list(cells), MODULES, ALLOWED)


@pytest.mark.parametrize(
    "cells, expected",
    [
        # Plain work, the set's own check, and course modules that implement no answer.
        (
            [
                "import numpy as np\nfrom byhand.exercises.perceptron import check",
                "def step(z):\n    return (z >= 0).astype(int)",
                "check('step', step)",
            ],
            {},
        ),
        (["from byhand.data import logic_gate\ndef f(x):\n    return logic_gate('and')"], {}),
        # The ways of writing an import.
        (
            [
                "from byhand.perceptron import Perceptron",
                "def train(X, y, lr, n):\n    return Perceptron([0, 0]).fit(X, y)",
            ],
            {"train": ["byhand.perceptron.Perceptron"]},
        ),
        (
            ["import byhand.perceptron as bp\ndef train(X):\n    return bp.Perceptron"],
            {"train": ["byhand.perceptron.Perceptron"]},
        ),
        (
            ["import byhand\ndef train(X):\n    return byhand.perceptron.Perceptron(X)"],
            {"train": ["byhand.perceptron.Perceptron"]},
        ),
        (
            ["from byhand import perceptron\ndef train(X):\n    return perceptron.heaviside(X)"],
            {"train": ["byhand.perceptron.heaviside"]},
        ),
        (
            [
                "def grad(X):\n    from byhand.exercises.cases import finite_differences as fd\n"
                "    return fd(X)"
            ],
            {"grad": ["byhand.exercises.cases.finite_differences"]},
        ),
        (
            ["def grad(X):\n    m = __import__('byhand.exercises.cases')\n    return m"],
            {"grad": ["byhand.exercises.cases"]},
        ),
        (
            [
                "import importlib\n"
                "def g(X):\n    return importlib.import_module('byhand.perceptron')"
            ],
            {"g": ["byhand.perceptron"]},
        ),
        # The set's own module is allowed for check, not for what else it holds.
        (
            [
                "from byhand.exercises import perceptron as ex\ndef t(X, y, lr, n):\n"
                "    return ex._train(X, y, lr, n)"
            ],
            {"t": ["byhand.exercises.perceptron._train"]},
        ),
        # Through a variable made at the top level, and through another function.
        (
            [
                "from byhand.perceptron import Perceptron\nunit = Perceptron([0.0, 0.0])",
                "def predict(X, w, b):\n    return unit.predict(X)",
                "def helper(X):\n    return predict(X, 0, 0)",
                "def clean(X):\n    return X",
                "def shadows(unit):\n    return unit.predict(1)",
            ],
            {
                "predict": ["byhand.perceptron.Perceptron"],
                "helper": ["byhand.perceptron.Perceptron"],
            },
        ),
        # Magics and broken cells do not stop the reading.
        (
            [
                "%matplotlib inline\nfrom byhand.perceptron import heaviside",
                "def oops(:",
                "def step(z):\n    return heaviside(z)",
            ],
            {"step": ["byhand.perceptron.heaviside"]},
        ),
    ],
)
def test_answer_uses(cells, expected):
    assert uses(*cells) == expected


def test_no_answer_modules_means_nothing_is_flagged():
    cells = ["from byhand.perceptron import Perceptron\ndef f():\n    return Perceptron"]
    assert answer_uses(cells, ()) == {}


# --- In the grader: a whole submission against the Chapter 1 set ----------------------

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_1 = ROOT / "solutions" / "01_perceptron.ipynb"
HIDDEN_1 = ROOT / "solutions" / "hidden" / "01_perceptron.py"

# The course solutions, then three functions redefined: two that hand the work to the course
# library (the attack of issue 12's class 6, with other library entry points), and one
# whose error quotes its arguments, which are the hidden test's inputs.
REDEFINED = [
    "import byhand.perceptron as course\n"
    "def train_perceptron(X, y, learning_rate, epochs):\n"
    "    unit = course.Perceptron(np.zeros(X.shape[1]), learning_rate=learning_rate)\n"
    "    unit.fit(X, y, epochs=epochs)\n"
    "    return unit.weights, -unit.threshold\n",
    "from byhand.gradcheck import numerical_gradient as slope\n"
    "def logistic_gradient(X, y, w, b):\n"
    "    return slope(lambda v: 0.0, w), 0.0\n",
    "def perceptron_update(w, b, x, target, learning_rate):\n"
    "    raise ValueError(f'w={w!r} x={x!r} target={target!r}')\n",
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from byhand.grading import load_tests
    from byhand.grading.runner import run_submission

    notebook = nbformat.read(CHAPTER_1, as_version=4)
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in REDEFINED]
    path = tmp_path_factory.mktemp("answers") / "submission.ipynb"
    nbformat.write(notebook, path)
    outcome = run_submission(path, load_tests(HIDDEN_1))
    return outcome


def test_functions_that_use_the_answer_modules_earn_nothing_and_the_note_says_why(graded):
    outcome = graded
    by_exercise = {}
    for result in outcome.results:
        by_exercise.setdefault(result.exercise, []).append(result)
    for exercise in ("train_perceptron", "logistic_gradient"):
        for result in by_exercise[exercise]:
            assert result.points == 0, result
            assert "which this exercise set names as doing the work it asks for" in result.message
    assert any(n.startswith("train_perceptron uses byhand.perceptron") for n in outcome.notes)
    assert any(n.startswith("logistic_gradient uses byhand.gradcheck") for n in outcome.notes)
    for exercise in ("net_input", "step", "predict"):  # untouched solutions: full marks
        assert all(r.passed for r in by_exercise[exercise]), by_exercise[exercise]


def test_an_exception_that_quotes_the_hidden_inputs_does_not_show_them(graded):
    outcome = graded
    updates = [r for r in outcome.results if r.exercise == "perceptron_update"]
    assert updates and all(r.points == 0 for r in updates)
    for result in updates:
        assert result.message.startswith("perceptron_update raised ValueError (line 2"), result
        assert "w=" not in result.message and "array(" not in result.message, result.message
        assert "w=array(" in result.detail, result.detail  # the instructor's detail has it
