"""A learner's machine: a fresh virtual environment holding only what the README installs.

The book's own environment holds far more (Sphinx, Jupyter Book, pytest, ...), so a notebook
that silently leans on one of those packages passes every other test and then breaks for a
learner. This test reads the one install command the README gives learners (the landing page
gives the same one), runs it in a new virtual environment and nothing else, then runs every
chapter and exercise set top to bottom there, on that environment's own kernel, with the
nbclient that JupyterLab brought. An instructor installs the same package, so the grader runs
there too.

Each run is the run the book's build would make, so it is left for the notebooks stage, which
takes it into the book's execution cache instead of running the notebook again
(tools/notebook_cache.py).

Versions follow requirements.txt through PIP_CONSTRAINT: a constraints file pins what gets
installed without installing anything itself.
"""

import csv
import fcntl
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import notebook_cache  # noqa: E402

pytestmark = pytest.mark.learner

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted(
    (ROOT / "exercises").glob("*.ipynb")
)

# Runs a notebook as the book's build does (jupyter-cache's executor: the timeout of
# _config.yml, errors not allowed, no timing in the cells' metadata, which the cache would
# count as a change of the notebook), writes the executed copy to argv[3], prints the seconds.
RUN_NOTEBOOK = """
import sys, time, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
started = time.perf_counter()
NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False, record_timing=False,
               resources={"metadata": {"path": sys.argv[2]}}).execute()
seconds = time.perf_counter() - started
nbformat.write(nb, sys.argv[3])
print(seconds)
"""

WHICH_KERNEL = """
import nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook()
code = "import sys, byhand; print(sys.prefix); print(byhand.__file__)"
nb.cells.append(nbformat.v4.new_code_cell(code))
NotebookClient(nb, timeout=60, kernel_name="python3").execute()
print(nb.cells[0].outputs[0]["text"], end="")
"""


def learner_command():
    """The install command the README gives learners: its one `pip install ...`."""
    text = (ROOT / "README.md").read_text()
    found = {m.strip() for m in re.findall(r"(pip install [^`\n#]+)", text)}
    assert len(found) == 1, f"the README must give one pip install command, it gives {found}"
    return found.pop()


def activated(where):
    """(python, env): the venv in `where` as a learner's shell has it once activated."""
    python = where / "venv" / "bin" / "python"
    drop = ("JUPYTER", "IPYTHON", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(python.parent.parent)
    env["PIP_CONSTRAINT"] = str(ROOT / "requirements.txt")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # No kernels or settings from the machine's own Jupyter set-up: only the venv's.
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(where / name.lower())
    return python, env


def build_learner_venv(where):
    """A new venv in `where`, in which the README's command, and nothing else, is run."""
    venv.EnvBuilder(with_pip=True).create(where / "venv")
    python, env = activated(where)
    argv = shlex.split(learner_command())
    assert argv[:2] == ["pip", "install"], argv
    result = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", *argv[2:]],
        cwd=ROOT,  # the README says to run it in the repository's folder
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="session")
def learner(tmp_path_factory, request):
    """(python, env) of the learner's venv, built once even when pytest-xdist runs workers."""
    base = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):  # an xdist worker: share the run's folder
        base = base.parent
    where = base / "learner"
    with open(base / "learner.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait for the one building it
        if not (where / "ready").exists():
            shutil.rmtree(where, ignore_errors=True)
            where.mkdir()
            build_learner_venv(where)
            (where / "ready").touch()
    return activated(where)


def test_readme_and_landing_page_give_the_same_command():
    command = learner_command()
    assert command == 'pip install -e ".[lab]"'
    assert f"`{command}`" in (ROOT / "intro.md").read_text(), "intro.md must give the README's"
    assert "make lab" in (ROOT / "README.md").read_text()
    assert "make lab" in (ROOT / "intro.md").read_text()


def test_learner_environment_has_jupyterlab_but_not_the_book_toolchain(learner):
    """Makes the tests below meaningful: the book's extra packages are really absent."""
    python, env = learner
    probe = "import importlib.util as u; print([m for m in ("
    probe += "'sphinx', 'myst_nb', 'pytest', 'jupyter_book', 'jupyterlab', 'ipykernel', "
    probe += "'nbclient') if u.find_spec(m)])"
    out = subprocess.run([python, "-c", probe], env=env, check=True, capture_output=True)
    assert out.stdout.decode().strip() == "['jupyterlab', 'ipykernel', 'nbclient']"
    assert shutil.which("jupyter-lab", path=env["PATH"]) == str(python.parent / "jupyter-lab")


def test_learner_environment_has_the_books_pinned_versions(learner):
    """Everything the command installed is pinned in requirements.txt, at that version."""
    python, env = learner
    out = subprocess.run(
        [python, "-m", "pip", "list", "--format=json", "--exclude-editable"],
        env=env,
        check=True,
        capture_output=True,
    )
    installed = {
        re.sub(r"[-_.]+", "-", p["name"]).lower(): p["version"] for p in json.loads(out.stdout)
    }
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("#"):
            pins[re.sub(r"[-_.]+", "-", name.strip()).lower()] = version.strip()
    for own in ("pip", "setuptools"):  # what `python -m venv` puts in (ensurepip)
        installed.pop(own, None)
    assert "jupyterlab" in installed
    unpinned = sorted(set(installed) - set(pins))
    assert not unpinned, f"installed but not pinned in requirements.txt: {unpinned}"
    drift = {n: (v, pins[n]) for n, v in installed.items() if pins[n] != v}
    assert not drift, f"installed versions differ from requirements.txt: {drift}"


def test_notebooks_run_on_the_venvs_own_kernel(learner):
    python, env = learner
    out = subprocess.run(
        [python, "-c", WHICH_KERNEL], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr[-3000:]
    prefix, byhand_file = out.stdout.splitlines()
    assert Path(prefix) == python.parent.parent, "the kernel is not the venv's own Python"
    assert Path(byhand_file).is_relative_to(ROOT / "lib"), "byhand is not the editable install"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_notebook_runs_with_only_what_the_readme_installs(learner, path, tmp_path, request):
    python, env = learner
    executed = tmp_path / path.name
    result = subprocess.run(
        [python, "-c", RUN_NOTEBOOK, path, path.parent, executed],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # The same run the book's build would make (same pins, same timeout): the notebooks
    # stage, which comes next, takes it into the book's cache instead of running it again.
    workers = getattr(request.config, "workerinput", {}).get("workercount", 1)
    seconds = float(result.stdout.split()[-1])
    notebook_cache.stage_learner_run(path, executed.read_text(), seconds, jobs=workers)


def test_grader_runs_with_only_what_the_readme_installs(learner, tmp_path):
    """`byhand-grade` needs nothing beyond the package: the solutions score 100 % there."""
    python, env = learner
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(ROOT / "solutions" / "01_perceptron.ipynb", submissions / "alice.ipynb")
    grader = python.parent / "byhand-grade"
    result = subprocess.run(
        [grader, "grade", submissions, "--out", tmp_path / "out", "--quiet"]
        + ["--tests", ROOT / "solutions" / "hidden" / "01_perceptron.py"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with open(tmp_path / "out" / "scores.csv") as table:
        (row,) = csv.DictReader(table)
    assert (row["submission"], row["percent"], row["status"]) == ("alice", "100", "ok")
