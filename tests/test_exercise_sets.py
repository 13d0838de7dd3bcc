"""Exercise sets as namespaces: each set's `check` looks a name up in that set only.

`byhand.exercises.SETS` maps a set's name (NN_topic, the file name of its notebooks) to its
module. These tests fail on a set module missing from the registry, on an exercise name
defined twice within a set, on a notebook that imports `check` from anything but its own
set's module, and on a check cell naming an exercise its set does not have. Each check is
also run on a broken example, to show that it catches what it is meant to.
"""

import importlib
import pkgutil
import re
import types
from pathlib import Path

import nbformat
import pytest

import byhand.exercises
from byhand.exercises import SETS, perceptron
from byhand.exercises.cases import Case, Exercise
from byhand.exercises.checking import check_exercise, find
from byhand.grading import gradescope

ROOT = Path(__file__).resolve().parent.parent
MACHINERY = {"cases", "checking", "feedback"}  # every other module of the package is a set
IMPORT_CHECK = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+(?:.*\W)?check\b", re.MULTILINE)
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\w+)["']""")


def unregistered(module_names, registry):
    """The set modules among `module_names` that no entry of `registry` points to."""
    registered = {module.__name__ for module in registry.values()}
    sets = [name for name in module_names if name.rpartition(".")[2] not in MACHINERY]
    return [name for name in sets if name not in registered]


def set_problems(set_name, module):
    """What is wrong with one registry entry: its name, its exercises, its `check`."""
    problems = []
    if not re.fullmatch(r"\d\d_[a-z0-9_]+", set_name):
        problems.append(f"{set_name!r} is not named NN_topic")
    names = [exercise.name for exercise in module.EXERCISES]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        problems.append(f"{module.__name__} defines {twice} twice")
    check = getattr(module, "check", None)
    if getattr(check, "__module__", None) != module.__name__:
        problems.append(f"{module.__name__} has no `check` of its own")
    return problems


def notebook_problems(nb, set_name):
    """What is wrong with a notebook of the set `set_name`: where `check` comes from, and
    the exercises its check cells name."""
    module = SETS[set_name]
    exercises = {exercise.name for exercise in module.EXERCISES}
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    sources = IMPORT_CHECK.findall(code)
    problems = []
    if sources != [module.__name__]:
        problems.append(f"imports check from {sources}, not once from {module.__name__}")
    for name in CHECK_CALL.findall(code):
        if name not in exercises:
            problems.append(f"check({name!r}, ...) names no exercise of {set_name}")
    return problems


def package_modules():
    package = byhand.exercises
    return [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


def test_every_set_module_is_in_the_registry():
    assert unregistered(package_modules(), SETS) == []
    for name in package_modules():
        importlib.import_module(name)  # each one imports
    assert unregistered([*package_modules(), "byhand.exercises.mlp"], SETS) == [
        "byhand.exercises.mlp"
    ]


@pytest.mark.parametrize("set_name", sorted(SETS))
def test_every_set_has_unique_names_and_its_own_check(set_name):
    assert set_problems(set_name, SETS[set_name]) == []
    assert (ROOT / "solutions" / f"{set_name}.ipynb").is_file()
    assert (ROOT / "solutions" / "hidden" / f"{set_name}.py").is_file()


def test_a_name_defined_twice_in_a_set_is_found_and_refused():
    twice = (perceptron.NET_INPUT, perceptron.STEP, perceptron.NET_INPUT)
    broken = types.SimpleNamespace(__name__="byhand.exercises.broken", EXERCISES=twice)
    assert set_problems("02_broken", broken) == [
        "byhand.exercises.broken defines ['net_input'] twice",
        "byhand.exercises.broken has no `check` of its own",
    ]
    with pytest.raises(ValueError, match="this set has 2 exercises called 'net_input'"):
        find(twice, "net_input")


def test_two_sets_may_share_a_name():
    """A later set's `sigmoid` leaves another set's `sigmoid` alone."""
    mine = Exercise("sigmoid", ("z",), (Case((0.0,), 0.5),))
    theirs = Exercise("sigmoid", ("z",), (Case((0.0,), 1.0),))
    assert find((mine,), "sigmoid") is mine and find((theirs,), "sigmoid") is theirs
    with pytest.raises(ValueError, match="this set has no exercise called 'sigmoid'"):
        perceptron.check("sigmoid", lambda z: z)


def test_the_global_lookup_is_gone():
    assert not hasattr(byhand.exercises, "check")
    assert not hasattr(byhand.exercises, "EXERCISES")
    assert check_exercise.__module__ == "byhand.exercises.checking"


NOTEBOOKS = [
    (path, folder)
    for folder in ("solutions", "exercises")
    for path in sorted((ROOT / folder).glob("*.ipynb"))
]


@pytest.mark.parametrize(("path", "folder"), NOTEBOOKS, ids=[f"{f}/{p.stem}" for p, f in NOTEBOOKS])
def test_every_notebook_checks_with_its_own_sets_check(path, folder):
    nb = nbformat.read(path, as_version=4)
    set_name = path.stem
    assert set_name in SETS, f"{path.name}: no set {set_name!r} in byhand.exercises.SETS"
    if folder == "exercises":
        assert nb.metadata["byhand"]["exercise_set"] == set_name
    assert notebook_problems(nb, set_name) == []
    assert len(CHECK_CALL.findall("\n".join(c.source for c in nb.cells))) >= 4


def test_a_notebook_with_another_sets_check_or_an_unknown_exercise_is_found():
    def notebook(*sources):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
        return nb

    right = notebook("from byhand.exercises.perceptron import check", 'check("step", step);')
    assert notebook_problems(right, "01_perceptron") == []
    global_check = notebook("from byhand.exercises import check", 'check("step", step)')
    assert notebook_problems(global_check, "01_perceptron") == [
        "imports check from ['byhand.exercises'], not once from byhand.exercises.perceptron"
    ]
    unknown = notebook("from byhand.exercises.perceptron import check", 'check("softmax", f)')
    assert notebook_problems(unknown, "01_perceptron") == [
        "check('softmax', ...) names no exercise of 01_perceptron"
    ]


def test_the_gradescope_zip_carries_every_set_module():
    """The autograder runs the notebooks' `from byhand.exercises.<set> import check`."""
    names = {name for name, _ in gradescope._package_files()}
    for module in SETS.values():
        assert f"lib/{module.__name__.replace('.', '/')}.py" in names
