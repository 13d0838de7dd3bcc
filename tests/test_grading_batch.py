"""The batch grader's bookkeeping and command line: resume, --fresh, regrading, the CLI.

A small folder of three submissions from tests/grading_fixtures (good, partial, stub)
graded against the toy set; which submissions a run grades is counted by wrapping the
runner.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from byhand.grading.batch import grade_folder
from byhand.grading.hidden import load_tests
from byhand.grading.runner import Limits

FIXTURES = Path(__file__).resolve().parent / "grading_fixtures"
sys.path.insert(0, str(FIXTURES))
import make_fixtures  # noqa: E402

LIMITS = Limits(cell_seconds=5, call_seconds=3, total_seconds=60, memory_mb=1024)
NAMES = ["good", "partial", "stub"]
LIB = Path(__file__).resolve().parents[1] / "lib"


@pytest.fixture
def folder(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for name in NAMES:
        data = make_fixtures.path_of(name).read_bytes()
        assert b"@" not in data  # no placeholders to fill in these
        (submissions / f"{name}.ipynb").write_bytes(data)
    hidden = tmp_path / "hidden" / "toy.py"
    hidden.parent.mkdir()
    shutil.copy(make_fixtures.HIDDEN, hidden)
    return {"submissions": submissions, "out": tmp_path / "out", "hidden": hidden,
            "tests": load_tests(hidden)}  # fmt: skip


def grade(folder, digest="toy-1", **options):
    batch = grade_folder(folder["submissions"], folder["out"], folder["tests"], digest,
                         LIMITS, workers=2, progress=False, **options)  # fmt: skip
    assert batch.graded + batch.reused == len(batch.reports)
    return {report["submission"]: report for report in batch.reports}


def mtimes(out):
    return {p.name: p.stat().st_mtime_ns for p in (out / "reports").glob("*.json")}


def test_a_batch_resumes_where_it_stopped(folder, graded):
    first = grade(folder)
    assert sorted(graded) == NAMES
    assert {n: r["total"] for n, r in first.items()} == {"good": 6, "partial": 2, "stub": 0}
    out = folder["out"]
    before = mtimes(out)
    # An interrupted run: one report never written, one cut short by a crash mid-write
    # (only the temporary file of an atomic write can be), and a leftover temporary file.
    (out / "reports" / "partial.json").unlink()
    (out / "feedback" / "partial.md").unlink()
    stub = out / "reports" / "stub.json"
    stub.write_text(stub.read_text()[:100])
    (out / "reports" / ".good.json.99999.partial").write_text('{"total": 6')
    graded.clear()
    second = grade(folder)
    assert sorted(graded) == ["partial", "stub"]
    assert mtimes(out)["good.json"] == before["good.json"]
    assert second == {**first, "partial": second["partial"], "stub": second["stub"]}
    assert second["partial"]["total"] == 2 and second["stub"]["total"] == 0
    assert (out / "feedback" / "partial.md").is_file()
    rows = list(csv.reader(io.StringIO((out / "scores.csv").read_text())))
    assert [row[0] for row in rows[1:]] == NAMES
    # Nothing to do the third time.
    graded.clear()
    grade(folder)
    assert graded == []
    # The grader's own writes leave no temporary file behind (only the planted one).
    assert [p.name for p in out.rglob("*.partial")] == [".good.json.99999.partial"]


def test_fresh_regrades_everything(folder, graded):
    grade(folder)
    before = mtimes(folder["out"])
    graded.clear()
    grade(folder, fresh=True)
    assert sorted(graded) == NAMES
    after = mtimes(folder["out"])
    assert all(after[name] > before[name] for name in before)


def test_a_changed_submission_or_test_file_is_regraded(folder, graded):
    grade(folder)
    stub = folder["submissions"] / "stub.ipynb"
    notebook = json.loads(stub.read_text())
    solution = "\n\n".join(make_fixtures.GOOD)
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": "solved",
                              "metadata": {}, "outputs": [], "source": solution})  # fmt: skip
    stub.write_text(json.dumps(notebook))
    graded.clear()
    reports = grade(folder)
    assert graded == ["stub"]
    assert reports["stub"]["total"] == 6 and reports["stub"]["status"] == "ok"
    assert reports["stub"]["sha256"] == hashlib.sha256(stub.read_bytes()).hexdigest()
    graded.clear()
    grade(folder, digest="toy-2")  # the hidden tests changed
    assert sorted(graded) == NAMES


def test_mac_debris_checkpoints_and_hidden_files_are_not_graded(folder, graded):
    # A folder unzipped from a Mac carries __MACOSX/._name.ipynb resource forks (not JSON);
    # grading them would put junk rows in the score table.
    submissions = folder["submissions"]
    (submissions / "__MACOSX").mkdir()
    (submissions / "__MACOSX" / "._good.ipynb").write_bytes(b"\x00\x05\x16\x07Mac OS X")
    (submissions / ".ipynb_checkpoints").mkdir()
    shutil.copy(submissions / "good.ipynb", submissions / ".ipynb_checkpoints" / "good.ipynb")
    shutil.copy(submissions / "good.ipynb", submissions / ".draft.ipynb")
    reports = grade(folder)
    assert sorted(graded) == NAMES
    assert sorted(reports) == NAMES


def test_submissions_whose_reports_would_collide_are_refused(folder):
    submissions = folder["submissions"]
    (submissions / "a").mkdir()
    shutil.copy(submissions / "good.ipynb", submissions / "a" / "b.ipynb")
    shutil.copy(submissions / "stub.ipynb", submissions / "a__b.ipynb")
    with pytest.raises(ValueError, match="share a report name") as error:
        grade(folder)
    assert "a__b.ipynb" in str(error.value) and str(Path("a") / "b.ipynb") in str(error.value)
    assert not folder["out"].exists()


def test_names_that_differ_only_in_case_are_refused(folder):
    # On a file system that ignores case (macOS, Windows), alice.md would overwrite Alice.md.
    submissions = folder["submissions"]
    shutil.copy(submissions / "good.ipynb", submissions / "Good.ipynb")
    with pytest.raises(ValueError, match="share a report name") as error:
        grade(folder)
    assert "'Good.ipynb', 'good.ipynb'" in str(error.value)
    assert not folder["out"].exists()


def test_a_notebook_too_big_for_the_channel_costs_only_itself(folder):
    submissions = folder["submissions"]
    (submissions / "stub.ipynb").unlink()
    big = json.loads((submissions / "good.ipynb").read_text())
    cell = big["cells"][1]  # more code than one message may carry:
    cell["source"] = "".join(cell["source"]) + "  # " + "x" * 70 * 2**20
    (submissions / "big.ipynb").write_text(json.dumps(big))
    reports = grade(folder)
    assert reports["big"]["status"] == "grader error" and reports["big"]["total"] == 0
    assert "ended the kernel" in reports["big"]["notes"][0]
    assert reports["good"]["total"] == 6 and reports["partial"]["total"] == 2


def cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "byhand.grading", *map(str, args)],
        capture_output=True, text=True, timeout=120, cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(LIB)},
    )  # fmt: skip


def test_the_command_line(folder, tmp_path):
    submissions, out, hidden = folder["submissions"], folder["out"], folder["hidden"]
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in submissions.iterdir()}
    limits = ["--cell-timeout", "5", "--call-timeout", "3", "--memory-mb", "1024"]
    run = cli("grade", submissions, "--out", out, "--tests", hidden, "--quiet",
              "--workers", "2", *limits, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout == (
        f"Graded 3 submissions against {hidden}: mean 44.4 %, 0 with a status other than ok.\n"
        f"Scores: {out / 'scores.csv'}; feedback: {out / 'feedback'}/\n"
    )
    assert run.stderr == ROOT_WARNING  # --quiet: no progress bar
    rows = list(csv.reader(io.StringIO((out / "scores.csv").read_text())))
    assert [row[:5] for row in rows[1:]] == [["good", "2", "2", "2", "6"],
                                             ["partial", "2", "0", "0", "2"],
                                             ["stub", "0", "0", "0", "0"]]  # fmt: skip

    # A folder of several sets needs --set, and says so.
    sets = tmp_path / "sets"
    sets.mkdir()
    shutil.copy(hidden, sets / "toy.py")
    shutil.copy(hidden, sets / "other.py")
    run = cli("grade", submissions, "--out", out, "--tests", sets, *limits, cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr == (f"byhand-grade: {sets} holds the sets ['other', 'toy']; "
                          "choose one with --set NAME\n")  # fmt: skip
    run = cli("grade", submissions, "--out", out, "--tests", sets, "--set", "nope", cwd=tmp_path)
    assert run.returncode == 1 and "no set 'nope'" in run.stderr
    # With --set, the same tests (same bytes): every report is current, nothing regraded.
    reports = mtimes(out)
    run = cli("grade", submissions, "--out", out, "--tests", sets, "--set", "toy", "--quiet",
              *limits, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(
        f"Graded 0 of 3 submissions and reused the current reports of 3 against "
        f"{sets / 'toy.py'}: mean 44.4 %, 0 with a status other than ok.\n"
    )
    assert mtimes(out) == reports
    # One submission changed: it alone is graded, and the summary says how many were reused.
    stub = submissions / "stub.ipynb"
    stub.write_bytes(stub.read_bytes().replace(b"\n}", b"\n}\n", 1))
    run = cli("grade", submissions, "--out", out, "--tests", sets, "--set", "toy", "--quiet",
              *limits, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Graded 1 of 3 submissions and reused the current reports "
                                 f"of 2 against {sets / 'toy.py'}: mean 44.4 %")  # fmt: skip
    stub.write_bytes(before["stub.ipynb"][0])
    os.utime(stub, ns=(before["stub.ipynb"][1], before["stub.ipynb"][1]))

    # The default --tests is solutions/hidden in the current folder.
    run = cli("grade", submissions, "--out", out, cwd=tmp_path)
    assert run.returncode == 1
    assert "no hidden tests at solutions/hidden; pass --tests FILE_OR_FOLDER" in run.stderr

    empty = tmp_path / "empty"
    empty.mkdir()
    run = cli("grade", empty, "--out", tmp_path / "out2", "--tests", hidden, cwd=tmp_path)
    assert run.returncode == 1 and f"no .ipynb files in {empty}" in run.stderr

    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in submissions.iterdir()}
    assert after == before  # the grader never writes into the submissions


ROOT_WARNING = (
    "byhand-grade: warning: running as root. Each sandbox runs as the user nobody, or as root "
    "without capabilities where nobody cannot run this Python, and then still owns root's "
    "files; grade as an ordinary user where you can (see docs/grading.md, 'The sandbox').\n"
    if os.geteuid() == 0
    else ""
)


@pytest.mark.parametrize("euid", [0, 1000])
def test_grading_as_root_warns_and_as_a_user_does_not(euid, monkeypatch, capsys):
    from byhand.grading.__main__ import warn_if_root

    monkeypatch.setattr(os, "geteuid", lambda: euid)
    warn_if_root()
    out, err = capsys.readouterr()
    assert out == ""
    assert ("warning: running as root" in err) == (euid == 0)


def test_an_exercise_named_like_a_score_column_is_refused(tmp_path):
    from byhand.grading.hidden import load_tests

    tests = tmp_path / "clash.py"
    tests.write_text("from byhand.grading import points\n\n@points(1)\ndef test_t(total):\n"
                     "    assert total(1) == 1\n")  # fmt: skip
    with pytest.raises(ValueError, match="'total' is taken by a column of scores.csv"):
        load_tests(tests)


def test_the_disk_and_reveal_options_reach_the_grader():
    from byhand.grading.__main__ import limits_from, parser

    args = parser().parse_args(["grade", "subs", "--out", "out", "--disk-mb", "3",
                                "--disk-files", "7", "--reveal-values"])  # fmt: skip
    assert limits_from(args) == Limits(disk_mb=3, disk_files=7)
    assert args.reveal_values
    assert not parser().parse_args(["grade", "subs", "--out", "out"]).reveal_values


def test_feedback_shows_hidden_values_only_when_the_instructor_asks():
    from byhand.grading.batch import feedback

    test = {"name": "test_f", "exercise": "f", "points": 0, "max_points": 1,
            "message": "f on a hidden batch: wrong shape",
            "detail": "expected [31.25, -47.5]"}  # fmt: skip
    report = {"submission": "s", "total": 0, "max_total": 1, "percent": 0.0, "status": "ok",
              "exercises": {"f": {"points": 0, "max_points": 1}}, "tests": [test],
              "notes": []}  # fmt: skip
    student, instructor = feedback(report), feedback(report, reveal=True)
    assert "wrong shape" in student and "31.25" not in student
    assert "31.25" in instructor
