"""The exercise sets: generated notebooks, hidden tests, and the checks students run."""

import contextlib
import io
import json
import re
from pathlib import Path

import nbformat
import pytest

from byhand.exercises import EXERCISES, check
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
    for name in stubbed:
        assert name in EXERCISES, f"{name} has no public cases in byhand.exercises"
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
    tests = load_tests(ROOT / "solutions" / "hidden" / f"{solution.stem}.py")
    results = run_tests(tests, notebook_namespace(solution))
    failed = {r.name: r.message for r in results if not r.passed}
    assert not failed


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_hidden_tests_give_the_untouched_stubs_nothing(solution):
    tests = load_tests(ROOT / "solutions" / "hidden" / f"{solution.stem}.py")
    results = run_tests(tests, notebook_namespace(exercise_path(solution)))
    assert sum(r.points for r in results) == 0
    assert {r.message for r in results} == {"not attempted yet"}


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_solutions_pass_their_public_cases_and_stubs_are_not_attempted(solution, capsys):
    done = notebook_namespace(solution)
    todo = notebook_namespace(exercise_path(solution))
    names = [n for n in EXERCISES if n in todo]
    assert names
    for name in names:
        assert check(name, done[name]) is True
        assert (
            capsys.readouterr().out
            == f"{name}: all {len(EXERCISES[name].cases)} public cases pass\n"
        )
        assert check(name, todo[name]) is False  # prints, does not raise
        assert capsys.readouterr().out == f"{name}: not attempted yet\n"
