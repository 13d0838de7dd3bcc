"""The grader finds a notebook's functions that use a course module implementing the answers."""

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
