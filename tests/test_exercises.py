"""The exercise sets: generated notebooks, hidden tests, and the checks students run."""

import contextlib
import io
import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from byhand.exercises import SETS
from byhand.exercises.checking import find, report
from byhand.grading import generate, load_tests, run_tests

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
IDS = [p.stem for p in SOLUTIONS]


def exercise_path(solution):
    return ROOT / "exercises" / solution.name


def notebook_namespace(path):
    """Run every code cell of a notebook in one namespace (quietly); return the namespace."""
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, f"{path.name}:{cell.id}", "exec"), namespace)
    return namespace


def exercises_of(solution):
    """The exercises of the set a solution notebook belongs to (found by its file name)."""
    return SETS[solution.stem].EXERCISES


def solution_lines(path):
    """The non-blank, non-comment lines of every marked region and `solution` cell."""
    found = set()
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        lines = cell.source.split("\n")
        if generate.SOLUTION_TAG in cell.metadata.get("tags", []):
            found.update(lines)
        elif cell.cell_type == "code":
            for region in generate.find_regions(cell.source, f"cell {index}"):
                found.update(lines[region.begin + 1 : region.end])
    return {line.strip() for line in found if line.strip() and not line.strip().startswith("#")}


def test_there_is_a_solution_set_with_exercises_and_hidden_tests():
    assert SOLUTIONS, "no solutions/NN_topic.ipynb"
    for solution in SOLUTIONS:
        assert exercise_path(solution).is_file(), f"run `make exercises` for {solution.name}"
        assert (ROOT / "solutions" / "hidden" / f"{solution.stem}.py").is_file()


def test_committed_notebooks_equal_a_fresh_generation():
    stale = [
        str(path.relative_to(ROOT))
        for path, text in generate.plan(ROOT).items()
        if not path.exists() or path.read_text() != text
    ]
    assert not stale, f"{stale} are stale: run `make exercises`"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_no_solution_line_survives_in_any_exercise_notebook(solution):
    secret = solution_lines(solution)
    assert len(secret) >= 5
    for exercise in sorted((ROOT / "exercises").glob("*.ipynb")):
        cells = nbformat.read(exercise, as_version=4).cells
        shown = {line.strip() for cell in cells for line in cell.source.split("\n")}
        leaked = sorted(secret & shown)
        assert not leaked, f"{exercise.name} shows solution lines {leaked}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_solutions_are_folded_and_exercises_are_stubs_with_metadata(solution):
    nb = json.loads(exercise_path(solution).read_text())
    assert nb["metadata"]["byhand"] == {"exercise_set": solution.stem}
    assert nb["cells"][0]["id"] == "colab-setup"
    for cell in nbformat.read(solution, as_version=4).cells:
        if cell.cell_type == "code" and generate.BEGIN in cell.source:
            assert "hide-input" in cell.metadata["tags"], cell.id
    stubs = [c for c in nb["cells"] if "NotImplementedError(" in "".join(c["source"])]
    assert stubs and all("hide-input" not in c["metadata"].get("tags", []) for c in stubs)
    solution_ids = [c.id for c in nbformat.read(solution, as_version=4).cells]
    exercise_ids = [c["id"] for c in nb["cells"]]
    assert exercise_ids == [i for i in solution_ids if i in exercise_ids], "ids keep their order"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_every_stub_has_a_check_cell_with_public_cases(solution):
    source = exercise_path(solution).read_text()
    stubbed = re.findall(r'NotImplementedError\(\\"(\w+): your code here\\"\)', source)
    assert len(stubbed) >= 5
    names = [exercise.name for exercise in exercises_of(solution)]
    for name in stubbed:
        assert name in names, f"{name} has no public cases in {SETS[solution.stem].__name__}"
        assert f'check(\\"{name}\\", {name})' in source, f"{name} has no check cell"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_hidden_tests_cover_every_exercise_twice_and_total_twenty(solution):
    tests = load_tests(ROOT / "solutions" / "hidden" / f"{solution.stem}.py")
    source = exercise_path(solution).read_text()
    stubbed = re.findall(r'NotImplementedError\(\\"(\w+): your code here\\"\)', source)
    counts = {name: sum(t.exercise == name for t in tests) for name in stubbed}
    assert min(counts.values()) >= 2, counts
    assert {t.exercise for t in tests} == set(stubbed)
    assert sum(t.points for t in tests) == 20


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_hidden_tests_give_the_solutions_full_marks(solution):
    """Every hidden point, and without leaning on an overflow, a division by zero or a NaN
    that NumPy would only warn about: the solutions stay within floating point."""
    tests = load_tests(ROOT / "solutions" / "hidden" / f"{solution.stem}.py")
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        results = run_tests(tests, notebook_namespace(solution))
    failed = {r.name: r.message for r in results if not r.passed}
    assert not failed
    assert sum(r.points for r in results) == 20


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_hidden_tests_give_the_untouched_stubs_nothing(solution):
    tests = load_tests(ROOT / "solutions" / "hidden" / f"{solution.stem}.py")
    results = run_tests(tests, notebook_namespace(exercise_path(solution)))
    assert sum(r.points for r in results) == 0
    assert {r.message for r in results} == {"not attempted yet"}


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_hidden_tests_match_the_points_table(solution):
    """The table of points in the notebook's prose is the hidden tests' points."""
    tests = load_tests(ROOT / "solutions" / "hidden" / f"{solution.stem}.py")
    text = "\n".join(c.source for c in nbformat.read(solution, as_version=4).cells)
    table = dict(re.findall(r"^\| \d+ \| `(\w+)` \| (\d+) \|$", text, re.MULTILINE))
    points = {}
    for test in tests:
        points[test.exercise] = points.get(test.exercise, 0) + test.points
    assert {name: int(n) for name, n in table.items()} == points
    total = re.search(r"^\| \| \*\*total\*\* \| \*\*(\d+)\*\* \|$", text, re.MULTILINE)
    assert int(total.group(1)) == sum(points.values())


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_solutions_pass_their_public_cases_and_stubs_are_not_attempted(solution):
    done = notebook_namespace(solution)
    todo = notebook_namespace(exercise_path(solution))
    exercises = exercises_of(solution)
    names = [exercise.name for exercise in exercises if exercise.name in todo]
    assert len(names) == len(exercises)
    for name in names:
        exercise = find(exercises, name)
        count = len(exercise.cases)
        assert report(exercise, done[name]) == f"{name}: all {count} public cases pass"
        assert report(exercise, todo[name]) == f"{name}: not attempted yet"  # no exception


def shown_in_the_book(path):
    """The markdown and code of the cells the book shows of a notebook (no remove-cell)."""
    cells = nbformat.read(path, as_version=4).cells
    return [c.source for c in cells if "remove-cell" not in c.metadata.get("tags", [])]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_the_solutions_page_reads_as_solutions_and_the_exercises_as_exercises(solution):
    solutions_page = shown_in_the_book(solution)
    exercises_page = shown_in_the_book(exercise_path(solution))
    assert solutions_page[0].startswith("# Solutions: ")
    assert exercises_page[0].startswith("# Exercises: ")
    assert solutions_page[0].split("\n")[0] != exercises_page[0].split("\n")[0]
    titles = [s for s in solutions_page + exercises_page if s.startswith("# ")]
    assert len(titles) == 2, "each page has one title"
    shown = "\n".join(solutions_page)
    for words in ("YOUR CODE HERE", "hand in", "replace the two lines"):
        assert words not in shown, f"the solutions page still says {words!r}"
    intro = solutions_page[0]
    assert f"(../exercises/{solution.name})" in intro, "link to the exercises"
    assert f"(../chapters/{solution.name})" in intro, "link to the chapter"
    assert "folded" in intro and "unfold" in intro
    assert "YOUR CODE HERE" in "\n".join(exercises_page)
