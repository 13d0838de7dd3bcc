"""The Gradescope autograder: the zip it builds, and run_autograder on folders laid out as
Gradescope lays out /autograder (source/ unzipped, submission/, results/)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from byhand.grading import gradescope
from byhand.grading.runner import Limits

REPO = Path(__file__).resolve().parents[1]
CH1_TESTS = REPO / "solutions" / "hidden" / "01_perceptron.py"
CH1_SOLUTION = REPO / "solutions" / "01_perceptron.ipynb"

TOY_TESTS = '''\
"""A toy set: add(x, k) = x + k and double(x) = 2 x; 4 points."""
import numpy as np

from byhand.exercises import assert_close
from byhand.grading import points


@points(2)
def test_add_numbers(add):
    assert_close(add(2.0, 3.0), 5.0, "add(2, 3)")


@points(1)
def test_add_to_an_array(add):
    assert_close(add(np.array([1.0, 2.0]), 1.0), np.array([2.0, 3.0]), "add(x, 1)")


@points(1)
def test_double(double):
    assert_close(double(4.0), 8.0, "double(4)")
'''

RIGHT = ["def add(x, k):\n    return x + k", "def double(x):\n    return 2 * x"]
WRONG = ["def add(x, k):\n    return x + k", "def double(x):\n    return x + 2"]
LIMITS = Limits(cell_seconds=20, call_seconds=10, total_seconds=60)


def notebook(path, cells):
    path.parent.mkdir(parents=True, exist_ok=True)
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(book, path)
    return path


@pytest.fixture(scope="module")
def toy_zip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy")
    tests = folder / "99_toy.py"
    tests.write_text(TOY_TESTS)
    return gradescope.build(tests, folder / "autograder.zip", LIMITS)


def lay_out(tmp_path, zip_path):
    """tmp_path/autograder as Gradescope makes it: source/, run_autograder, submission/."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    return root


def run(root):
    """Run root/run_autograder with bash, with the test's Python first on PATH."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', os.defpath)}",
        "AUTOGRADER_ROOT": str(root),
        "HOME": os.environ.get("HOME", str(root)),
    }
    done = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    for test in results.get("tests", []):
        assert {"name", "score", "max_score", "output", "visibility"} <= test.keys()
        assert test["visibility"] in gradescope.VISIBILITIES
        assert 0 <= test["score"] <= test["max_score"]
    assert results["stdout_visibility"] == "hidden"
    return results, done.stdout


def test_the_zip_holds_the_scripts_the_tests_and_byhand(toy_zip):
    with zipfile.ZipFile(toy_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        config = json.loads(archive.read(gradescope.CONFIG))
        setup = archive.read("setup.sh").decode()
        wanted = archive.read("requirements.txt").decode().split()
    assert {"setup.sh", "run_autograder", "requirements.txt", gradescope.CONFIG,
            "hidden/99_toy.py"} <= names  # fmt: skip
    for module in ("__init__.py", "grading/gradescope.py", "grading/runner.py",
                   "grading/sandbox.py", "exercises/feedback.py"):  # fmt: skip
        assert f"lib/byhand/{module}" in names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert not any(name.startswith(("solutions/", "tests/")) for name in names)
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(modes[script]) == 0o755
    assert config["set"] == "99_toy" and config["points"] == 4
    assert config["limits"]["total_seconds"] == 60
    # setup.sh: a bash script that installs what pyproject.toml lists, plus the grader's needs
    assert setup.startswith("#!/usr/bin/env bash\n")
    assert "pip install -r /autograder/source/requirements.txt" in setup
    subprocess.run(["bash", "-n"], input=setup, text=True, check=True)
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    needed = [gradescope._requirement_name(r) for r in pyproject["project"]["dependencies"]]
    installed = {gradescope._requirement_name(r) for r in wanted}
    assert set(needed) | {"ipython", "nbformat"} <= installed


def test_build_gives_the_same_bytes_twice_and_checks_its_arguments(toy_zip, tmp_path):
    again = gradescope.build(toy_zip.parent / "99_toy.py", tmp_path / "again.zip", LIMITS)
    assert again.read_bytes() == toy_zip.read_bytes()
    assert not list(tmp_path.glob(".*partial"))
    with pytest.raises(ValueError, match="visibility"):
        gradescope.build(toy_zip.parent / "99_toy.py", tmp_path / "x.zip", visibility="never")
    with pytest.raises(FileNotFoundError):
        gradescope.build(tmp_path / "missing.py", tmp_path / "x.zip")


def test_a_right_notebook_under_any_name_scores_full_marks(toy_zip, tmp_path):
    root = lay_out(tmp_path, toy_zip)
    notebook(root / "submission" / "My homework (final).ipynb", RIGHT)
    results, stdout = run(root)
    assert results["score"] == 4
    assert [t["score"] for t in results["tests"]] == [2, 1, 1]
    assert [t["name"] for t in results["tests"]][0] == "add: test_add_numbers"
    assert "Score: 4 / 4" in results["output"]
    assert results["extra_data"]["status"] == "ok"
    # Both the autograder's process and the grading process import the zip's byhand.
    copy = root / "source" / "lib" / "byhand"
    assert f"from {copy}" in stdout
    assert f"grading process: byhand from {copy}" in stdout


def test_a_wrong_notebook_gets_partial_marks_and_says_why(toy_zip, tmp_path):
    root = lay_out(tmp_path, toy_zip)
    notebook(root / "submission" / "nested" / "work.ipynb", [*WRONG, "1 / 0"])
    results, _ = run(root)
    assert results["score"] == 3
    double = results["tests"][2]
    assert (double["name"], double["score"], double["max_score"]) == ("double: test_double", 0, 1)
    assert "double(4)" in double["output"] and "relative error" in double["output"]
    assert "1 of 3 tests failed" in results["output"]
    assert "ZeroDivisionError" in results["output"]  # the cell that raised, named
    assert results["extra_data"]["status"] == "cell errors"


def test_no_notebook_scores_zero_and_says_what_to_upload(toy_zip, tmp_path):
    root = lay_out(tmp_path, toy_zip)
    (root / "submission" / "answers.py").write_text("def add(x, k):\n    return x + k\n")
    notebook(root / "submission" / ".ipynb_checkpoints" / "work-checkpoint.ipynb", RIGHT)
    results, _ = run(root)
    assert results["score"] == 0
    assert "No notebook (.ipynb file) was found" in results["output"]
    assert "99_toy.ipynb" in results["output"]
    assert [t["max_score"] for t in results["tests"]] == [2, 1, 1]


def test_two_notebooks_score_zero_and_are_named(toy_zip, tmp_path):
    root = lay_out(tmp_path, toy_zip)
    notebook(root / "submission" / "a.ipynb", RIGHT)
    notebook(root / "submission" / "b.ipynb", RIGHT)
    results, _ = run(root)
    assert results["score"] == 0
    assert "2 notebooks (a.ipynb, b.ipynb)" in results["output"]
    assert "Upload only the notebook to grade" in results["output"]


def test_results_are_written_even_when_the_autograder_fails(tmp_path):
    (tmp_path / "source").mkdir()  # no configuration: the autograder cannot grade
    results = gradescope.run_autograder(tmp_path)
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    assert written == results
    assert written["score"] == 0 and "not your fault" in written["output"]


def test_grading_drops_roots_rights_when_the_grader_user_exists():
    class User:
        pw_name = gradescope.GRADER_USER

    command = gradescope.grading_command("n.ipynb", "t.py", LIMITS, User())
    assert command[:4] == ["runuser", "-u", gradescope.GRADER_USER, "--"]
    assert command[4:7] == [sys.executable, "-m", "byhand.grading.gradescope"]
    assert gradescope.grading_command("n.ipynb", "t.py", LIMITS)[0] == sys.executable


@pytest.mark.skipif(
    not (CH1_TESTS.is_file() and CH1_SOLUTION.is_file()),
    reason="the Chapter 1 set (solutions/hidden/01_perceptron.py) is not written yet",
)
def test_the_chapter_1_solution_scores_full_marks(tmp_path):
    zip_path = gradescope.build(CH1_TESTS, tmp_path / "ch1.zip", Limits(total_seconds=120))
    root = lay_out(tmp_path, zip_path)
    shutil.copy(CH1_SOLUTION, root / "submission" / "perceptron submission.ipynb")
    results, _ = run(root)
    assert results["extra_data"]["status"] == "ok", results["output"]
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) > 0
