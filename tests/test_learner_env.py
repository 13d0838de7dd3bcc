"""A learner's machine: a fresh virtual environment with only `pip install -e .`.

The book's own environment holds far more (Sphinx, Jupyter Book, pytest, ...), so a notebook
that silently leans on one of those packages passes every other test and then breaks for a
learner. This test builds the learner's environment from nothing (plus a kernel to run the
notebooks in) and runs every chapter and exercise set top to bottom in it. An instructor
installs the same package, so the grader runs there too.
"""

import csv
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.learner

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted(
    (ROOT / "exercises").glob("*.ipynb")
)

RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=120, kernel_name="byhand-learner",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


@pytest.fixture(scope="module")
def learner_python(tmp_path_factory):
    env = tmp_path_factory.mktemp("learner") / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    # The same versions as the book (requirements.txt as constraints), but only what
    # `pip install -e .` pulls in, plus ipykernel and nbclient to run a notebook.
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["-c", ROOT / "requirements.txt", "-e", ROOT, "ipykernel", "nbclient"],
        check=True,
    )
    # A kernel of its own name, so the notebooks cannot start in any other environment.
    subprocess.run(
        [python, "-m", "ipykernel", "install", "--sys-prefix", "--name", "byhand-learner"],
        check=True,
        capture_output=True,
    )
    return python


def test_learner_environment_lacks_the_book_toolchain(learner_python):
    """Makes the test below meaningful: the book's extra packages are really absent."""
    probe = "import importlib.util as u; print([m for m in ('sphinx', 'myst_nb', 'pytest', "
    probe += "'jinja2', 'jupyter_book') if u.find_spec(m)])"
    out = subprocess.run([learner_python, "-c", probe], check=True, capture_output=True)
    assert out.stdout.decode().strip() == "[]"


@pytest.mark.parametrize("path", CHAPTERS, ids=[str(p.relative_to(ROOT)) for p in CHAPTERS])
def test_chapter_runs_with_only_the_package_installed(learner_python, path):
    result = subprocess.run(
        [learner_python, "-c", RUN_NOTEBOOK, path, path.parent],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_grader_runs_with_only_the_package_installed(learner_python, tmp_path):
    """`byhand-grade` needs nothing beyond the package: the solutions score 100 % there."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(ROOT / "solutions" / "01_perceptron.ipynb", submissions / "alice.ipynb")
    grader = learner_python.parent / "byhand-grade"
    result = subprocess.run(
        [grader, "grade", submissions, "--out", tmp_path / "out", "--quiet"]
        + ["--tests", ROOT / "solutions" / "hidden" / "01_perceptron.py"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with open(tmp_path / "out" / "scores.csv") as table:
        (row,) = csv.DictReader(table)
    assert (row["submission"], row["percent"], row["status"]) == ("alice", "100", "ok")
