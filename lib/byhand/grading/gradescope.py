"""Gradescope: package the hidden tests of one exercise set, or of all, as an autograder.

    byhand-grade gradescope --out autograder.zip --set 01_perceptron
    byhand-grade gradescope --out autograder.zip --all-sets

writes the zip to upload as the autograder of a Gradescope programming assignment:

    setup.sh                 run once, as root, while Gradescope builds the image: installs
                             Python and the requirements in /opt/byhand-venv and adds the
                             unprivileged user `byhand-grader`
    run_autograder           run for each submission: `python3 -m byhand.grading.gradescope`
    requirements.txt         byhand's run-time dependencies and the grader's
    byhand_autograder.json   the set, its hidden-test file, the limits, the tests' visibility
                             (with --all-sets: each set, its file and its points)
    hidden/NN_topic.py       the hidden tests, one file per set
    lib/byhand/...           a copy of this byhand package, grader and engine alike

Gradescope unzips the file into /autograder/source, puts the student's upload in
/autograder/submission, runs /autograder/run_autograder and reads
/autograder/results/results.json, whose format is described at
https://gradescope-autograders.readthedocs.io/en/latest/specs/. Setting AUTOGRADER_ROOT
runs the same steps on another folder laid out the same way, which is how it is tested.

For each submission, `run_autograder` finds the one notebook in the upload (whatever its
name); an all-sets autograder then tells which set it is (`byhand.grading.identify`: its
content, else its name) and which set the assignment is (its title, from
/autograder/submission_metadata.json, when that names one set). It grades the notebook
with `runner.run_submission` in a separate grading process (run as
`byhand-grader` when Gradescope runs us as root and that user exists, so that neither the
grader's process nor the student's sandbox holds root's rights), and writes results.json
from what that process reports. Every text in it that the submission can shape (its name,
the notes, the failure messages) goes through `safetext`, and results.json asks Gradescope
to show every text as plain text (no HTML, no Markdown).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import byhand
from byhand.grading import safetext
from byhand.grading.batch import notebooks_in, write_atomically
from byhand.grading.hidden import TestResult, load_tests, not_run
from byhand.grading.identify import set_of, sets_in_name
from byhand.grading.runner import Limits, run_submission

ROOT_VARIABLE = "AUTOGRADER_ROOT"  # overrides /autograder, to run the autograder elsewhere
CONFIG = "byhand_autograder.json"
VENV = "/opt/byhand-venv"
GRADER_USER = "byhand-grader"
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
# What byhand itself needs (pyproject.toml), used when its installed metadata is missing.
RUNTIME_REQUIREMENTS = ("numpy>=1.24", "matplotlib>=3.7", "ipywidgets>=8.0", "sympy>=1.12",
                        "pandas>=2.0", "tqdm>=4.60", "networkx>=3.3")  # fmt: skip
GRADER_REQUIREMENTS = ("ipython>=8.0", "nbformat>=5.7")  # the sandbox's shell; notebook files
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the same bytes for the same inputs

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image (Ubuntu).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv
python3 -m venv @VENV@
@VENV@/bin/python -m pip install --upgrade pip
@VENV@/bin/python -m pip install -r /autograder/source/requirements.txt
# run_autograder grades each submission as this user, not as root.
if ! id -u @USER@ >/dev/null 2>&1; then
    useradd --system --create-home --shell /usr/sbin/nologin @USER@
fi
# That user reads the grader and the hidden tests (and nothing else of ours needs it).
chmod a+x /autograder
chmod -R a+rX /autograder/source
# Check, as that user, that the grader imports and the hidden tests load; and build
# Matplotlib's font cache now, once, rather than for every submission.
runuser -u @USER@ -- env PYTHONPATH=/autograder/source/lib @VENV@/bin/python -c "
import json
from byhand.grading.hidden import load_tests
from byhand.grading.runner import matplotlib_config_dir
config = json.load(open('/autograder/source/@CONFIG@'))
for name, one in (config.get('sets') or {config.get('set'): config}).items():
    print(name, len(load_tests('/autograder/source/' + one['tests'])), 'hidden tests load')
matplotlib_config_dir()
"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this as /autograder/run_autograder for each submission: it grades the
# notebook in submission/ and writes results/results.json (see byhand.grading.gradescope).
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON=python3
if [ -x @VENV@/bin/python ]; then PYTHON=@VENV@/bin/python; fi
# The byhand in this zip, whatever else the image holds.
export AUTOGRADER_ROOT="$ROOT" PYTHONPATH="$ROOT/source/lib"
export PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1 MPLBACKEND=Agg
cd "$ROOT" || exit 1
"$PYTHON" -m byhand.grading.gradescope
code=$?
if [ ! -s "$ROOT/results/results.json" ]; then  # Python itself failed: still say something
    mkdir -p "$ROOT/results"
    message="The autograder could not run (exit code $code). This is not your fault:"
    message="$message please tell your instructor."
    printf '{"score": 0, "output": "%s", "stdout_visibility": "hidden"}\n' "$message" \
        > "$ROOT/results/results.json"
fi
"""

STATUS_TEXT = {
    "ok": "Your notebook ran from top to bottom without errors.",
    "cell errors": "Some cells raised an error (listed below); the tests used what the other "
    "cells defined.",
    "timeout": "Something ran over its time limit and was stopped (listed below); the tests "
    "used what the notebook defined without it.",
    "crashed": "Your code ended the Python process (listed below); the notebook was run again "
    "without that part.",
    "empty": "The notebook has no code.",
    "invalid": "The file is not a notebook that can be read.",
    "grader error": "The autograder itself failed. This is not your fault: please tell your "
    "instructor.",
}


def requirements():
    """byhand's run-time requirements (from its installed metadata) and the grader's."""
    try:
        declared = [r for r in metadata.requires("byhand") or [] if ";" not in r]
    except metadata.PackageNotFoundError:
        declared = []
    found = declared or list(RUNTIME_REQUIREMENTS)
    names = {_requirement_name(r) for r in found}
    return found + [r for r in GRADER_REQUIREMENTS if _requirement_name(r) not in names]


def _requirement_name(requirement):
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _package_files():
    """(path in the zip, file) for every file of the installed byhand, caches left out."""
    package = Path(byhand.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if not path.is_file() or path.suffix in (".pyc", ".pyo"):
            continue
        if any(part == "__pycache__" or part.startswith(".") for part in relative.parts):
            continue
        yield f"lib/byhand/{relative.as_posix()}", path


def build(hidden_test_path, zip_path, limits=None, visibility="visible"):
    """Write the Gradescope autograder zip; returns its path.

    `hidden_test_path` is one hidden-test file, for an autograder of that set, or a list of
    them (NN_topic.py, one per set), for one autograder of all those sets, which grades each
    submission as the set it is. `limits` (a runner.Limits) apply to every submission;
    `visibility` is when students see each test's result on Gradescope (one of VISIBILITIES).
    """
    several = isinstance(hidden_test_path, list | tuple)
    paths = [Path(p) for p in (hidden_test_path if several else [hidden_test_path])]
    # A broken test file fails here, not on Gradescope.
    points = {p.stem: sum(test.points for test in load_tests(p)) for p in paths}
    if not paths or len(points) != len(paths):
        raise ValueError(f"expected hidden-test files of different sets, got {paths}")
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}, got {visibility!r}")
    limits = limits or Limits()
    if several:
        sets = {p.stem: {"tests": f"hidden/{p.name}", "points": points[p.stem]} for p in paths}
        config = {"sets": sets}
    else:
        hidden = paths[0]
        config = {
            "set": hidden.stem,
            "tests": f"hidden/{hidden.name}",
            "points": points[hidden.stem],
        }
    config.update(limits=asdict(limits), visibility=visibility, byhand=byhand.__version__)
    scripts = {"@VENV@": VENV, "@USER@": GRADER_USER, "@CONFIG@": CONFIG}
    files = [
        ("setup.sh", _fill(SETUP_SH, scripts).encode(), 0o755),
        ("run_autograder", _fill(RUN_AUTOGRADER, scripts).encode(), 0o755),
        ("requirements.txt", ("\n".join(requirements()) + "\n").encode(), 0o644),
        (CONFIG, (json.dumps(config, indent=2) + "\n").encode(), 0o644),
    ]
    files += [(f"hidden/{p.name}", p.read_bytes(), 0o644) for p in paths]
    files += [(name, path.read_bytes(), 0o644) for name, path in _package_files()]
    buffer = _zip_bytes(files)
    write_atomically(zip_path, buffer)
    return Path(zip_path)


def _fill(template, values):
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def _zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = (0o100000 | mode) << 16  # a regular file with these rights
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


# --- On Gradescope ------------------------------------------------------------------------


def grader_user():
    """The unprivileged user to grade as: only when running as root and setup.sh added it."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("runuser") is None:
        return None
    import pwd

    try:
        return pwd.getpwnam(GRADER_USER)
    except KeyError:
        return None


def grading_command(notebook, tests_path, limits, user=None):
    """The command that grades `notebook` in a process of its own, as `user` if given."""
    command = [sys.executable, "-m", "byhand.grading.gradescope", "--grade", str(notebook),
               "--tests", str(tests_path), "--limits", json.dumps(asdict(limits))]  # fmt: skip
    if user is not None:
        command = ["runuser", "-u", user.pw_name, "--", *command]
    return command


def grade(notebook, tests_path, tests, limits):
    """Grade `notebook` in a separate process; (status, notes, sandbox, results, log)."""
    user = grader_user()
    with tempfile.TemporaryDirectory(prefix="byhand-gradescope-") as work:
        copy = Path(work) / "submission.ipynb"
        shutil.copyfile(notebook, copy)
        if user is not None:
            for path in (work, copy):
                os.chown(path, user.pw_uid, user.pw_gid)
        command = grading_command(copy, Path(tests_path).resolve(), limits, user)
        print("grading with:", " ".join(command[:-2]), "--limits ...", flush=True)
        process = subprocess.Popen(
            command,
            cwd=work,
            env={**os.environ, "TMPDIR": work},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=limits.total_seconds + 60)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = process.communicate()
            note = f"grading ran over {limits.total_seconds + 60:g} s and was stopped"
            return "timeout", [note], "", not_run(tests, note), err
    if err.strip():
        print("grading process's errors:\n" + safetext.text(err[-4000:], None, None), flush=True)
    try:
        report = json.loads(out.strip().splitlines()[-1])
    except (IndexError, ValueError):
        note = f"the grading process ended with exit code {process.returncode} and no report"
        return "grader error", [note], "", not_run(tests, note), ""
    print(f"grading process: byhand from {report.get('byhand')}", flush=True)
    return (report["status"], report["notes"], report["sandbox"],
            _trusted_results(tests, report["results"]), report["output"])  # fmt: skip


def _trusted_results(tests, reported):
    """The tests' results, names and maximum points from the tests themselves."""
    by_name = {r.get("name"): r for r in reported if isinstance(r, dict)}
    results = []
    for test in tests:
        result = by_name.get(test.name)
        if result is None:
            results += not_run([test], "the grading process reported no result")
            continue
        points = min(max(float(result.get("points", 0)), 0.0), float(test.points))
        message = safetext.text(result.get("message", ""))
        results.append(TestResult(test.name, test.exercise, test.points, points, message))
    return results


def results_json(results, visibility, summary, extra):
    """Gradescope's results.json: the score, a summary, and one entry per hidden test.

    Every text is cleaned and cut (safetext) and shown by Gradescope as plain text
    ("output_format": "text"), so none can draw HTML or Markdown of its own.
    """
    tests = [
        {
            "name": safetext.line(f"{r.exercise}: {r.name}", 200),
            "name_format": "text",
            "score": _number(r.points),
            "max_score": _number(r.max_points),
            "output": safetext.text(r.message) or "passed",
            "output_format": "text",
            "visibility": visibility,
        }
        for r in results
    ]
    return {
        "score": _number(sum(r.points for r in results)),
        "output": safetext.text(summary, None, None),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": extra,
    }


def _number(value):
    return int(value) if float(value).is_integer() else float(value)


def summary_text(results, status, notes, notebook_name, exercise_set=None):
    """The summary shown above the tests: its first line, the score, is the only one that
    starts with "Score:"; each note is a "- " item whose further lines are indented. An
    all-sets autograder names the set it graded the notebook as (`exercise_set`)."""
    earned = sum(r.points for r in results)
    possible = sum(r.max_points for r in results)
    percent = 100 * earned / possible if possible else 0.0
    shown = safetext.line(safetext.name(notebook_name), 200)
    graded_as = f", graded as set {exercise_set}" if exercise_set else ""
    lines = [
        f"Score: {earned:g} / {possible:g} ({percent:.0f} %) for {shown}{graded_as}.",
        STATUS_TEXT.get(status, f"Status: {safetext.line(status, 40)}."),
    ]
    lines += [f"- {note}".replace("\n", "\n  ") for note in safetext.notes(notes)]
    failed = sum(not r.passed for r in results)
    if failed:
        lines.append(f"{failed} of {len(results)} tests failed; each one below says why.")
    return "\n".join(lines)


def assignment_set(root, sets):
    """The one set of `sets` that the assignment's title names, or None.

    Gradescope writes the title to /autograder/submission_metadata.json
    (`{"assignment": {"title": ...}}`); a title such as "05 losses" names 05_losses.
    """
    try:
        metadata = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        title = metadata["assignment"]["title"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    named = sets_in_name(title, sets) if isinstance(title, str) else []
    return named[0] if len(named) == 1 else None


def choose_set(root, sets, notebook, name):
    """(set, note) for an all-sets autograder: the set to grade `notebook` as, or None and
    a note telling the student why not.

    The assignment's title decides when it names a set (a notebook whose own content or
    name says another set scores zero); otherwise the notebook's content or name does.
    """
    expected = assignment_set(root, list(sets))
    found, how, problem = set_of(notebook.read_bytes(), [("file name", name)], list(sets))
    if expected is not None:
        if found not in (None, expected):
            return None, (f"This assignment is {expected}, but your notebook is {found} "
                          f"(by its {how}). Upload your {expected} notebook, then submit "
                          "again.")  # fmt: skip
        return expected, ""
    if found is None:
        return None, (f"The autograder could not tell which exercise set your notebook is: "
                      f"{problem}. Upload the exercise notebook you worked in (from "
                      "exercises/, under any name), then submit again.")  # fmt: skip
    return found, ""


def grade_upload(root):
    """results.json's content for the upload in root/submission."""
    source = root / "source"
    config = json.loads((source / CONFIG).read_text(encoding="utf-8"))
    sets = config.get("sets") or {
        config["set"]: {"tests": config["tests"], "points": config["points"]}
    }
    limits = Limits(**config["limits"])
    visibility = config.get("visibility", "visible")
    print(f"byhand {byhand.__version__} from {Path(byhand.__file__).resolve().parent}")
    for name, one in sets.items():
        print(f"set {name}: {one['points']:g} points")
    upload = root / "submission"
    notebooks = notebooks_in(upload) if upload.is_dir() else []
    names = [safetext.name(p.relative_to(root / "submission")) for p in notebooks]
    # The set to grade as: the autograder's own, else the assignment's (from its title).
    expected = config.get("set") or assignment_set(root, list(sets))
    chosen, note = expected, ""
    if len(notebooks) == 1 and "sets" in config:
        chosen, note = choose_set(root, sets, notebooks[0], names[0])
    tests_path = source / sets[chosen or expected]["tests"] if chosen or expected else None
    tests = load_tests(tests_path) if tests_path else []
    extra = {"set": chosen or "", "byhand": byhand.__version__}
    if note:  # an all-sets autograder that cannot grade this notebook
        extra["status"] = "wrong set" if expected else "unknown set"
        return results_json(not_run(tests, "not graded"), visibility, note, extra)
    if len(notebooks) != 1:
        if notebooks:
            listed = ", ".join(safetext.line(name, 100) for name in names[:5])
            listed += f" and {len(names) - 5} more" if len(names) > 5 else ""
            note = (f"Your submission holds {len(notebooks)} notebooks ({listed}). "
                    "Upload only the notebook to grade, then submit again.")  # fmt: skip
        else:
            note = ("No notebook (.ipynb file) was found in your submission. Upload your "
                    f"exercise notebook ({chosen or 'NN_topic'}.ipynb) itself, then submit "
                    "again.")  # fmt: skip
        results = not_run(tests, "no notebook to grade")
        status = "several notebooks" if notebooks else "no notebook"
        return results_json(results, visibility, note, {**extra, "status": status})
    print(f"grading {names[0]} as set {chosen}: {len(tests)} hidden tests", flush=True)
    status, notes, sandbox, results, log = grade(notebooks[0], tests_path, tests, limits)
    sandbox = safetext.line(sandbox, 200)
    print(f"status: {safetext.line(status, 40)}; sandbox: {sandbox or 'none'}")
    for note in safetext.notes(notes):
        print("  " + note.replace("\n", "\n    "))
    if log.strip():
        print("the notebook's own output (last lines):\n" + safetext.text(log[-2000:], None, None))
    summary = summary_text(results, status, notes, names[0], chosen if "sets" in config else None)
    extra = {**extra, "status": safetext.line(status, 40), "sandbox": sandbox,
             "notebook": safetext.line(names[0], 200)}  # fmt: skip
    return results_json(results, visibility, summary, extra)


def run_autograder(root=None):
    """Grade the upload in `root` (default $AUTOGRADER_ROOT or /autograder); the results.

    Always writes root/results/results.json, even when the autograder itself fails.
    """
    root = Path(root or os.environ.get(ROOT_VARIABLE) or "/autograder")
    started = time.monotonic()
    try:
        results = grade_upload(root)
    except Exception:  # the autograder's own fault: say so rather than leave no results
        traceback.print_exc(file=sys.stdout)
        results = {
            "score": 0,
            "output": STATUS_TEXT["grader error"],
            "stdout_visibility": "hidden",
            "tests": [],
            "extra_data": {"status": "grader error"},
        }
    results["execution_time"] = round(time.monotonic() - started, 1)
    text = json.dumps(results, indent=1, ensure_ascii=False) + "\n"
    write_atomically(root / "results" / "results.json", text.encode("utf-8"))
    return results


def grade_in_this_process(notebook, tests_path, limits_json):
    """The grading process: run the notebook, score it, print one line of JSON."""
    tests = load_tests(tests_path)
    outcome = run_submission(notebook, tests, Limits(**json.loads(limits_json)))
    report = asdict(outcome)
    report["notes"] = safetext.notes(report["notes"])  # 3,000 failing cells: a short line
    for result in report["results"]:
        result["message"] = safetext.text(result["message"])
    report["byhand"] = str(Path(byhand.__file__).resolve().parent)
    sys.stdout.write("\n" + json.dumps(report) + "\n")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m byhand.grading.gradescope",
        description="Run the Gradescope autograder on the folder laid out as /autograder.",
    )
    parser.add_argument("--root", help=f"instead of ${ROOT_VARIABLE} or /autograder")
    parser.add_argument("--grade", metavar="NOTEBOOK", help=argparse.SUPPRESS)
    parser.add_argument("--tests", help=argparse.SUPPRESS)
    parser.add_argument("--limits", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.grade:
        grade_in_this_process(args.grade, args.tests, args.limits)
    else:
        run_autograder(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
