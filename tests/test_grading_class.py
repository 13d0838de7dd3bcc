"""A whole class graded in one command: `byhand-grade class`, and the all-sets Gradescope zip.

A class of six students is made in a temporary folder from the course's own notebooks, for
the three cheapest sets (01_perceptron, 02_calculus, 05_losses: each notebook grades in
about two seconds): solved sets (the solution notebooks), untouched ones (the exercise
notebooks), a partial one (the 05 exercise notebook with three of its functions solved), a
hostile one (the 01 solution with the score-forging cells of the fixture `fake_output`), a
student whose folder name is hostile, two notebooks of one student for one set, notebooks
that say no set or several, and missing sets. It is laid out both ways an LMS export gives
(a folder per student; a folder per set) and the gradebook is checked cell by cell, the
expected points computed from the hidden tests' own point tables.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from byhand.grading import gradescope, safetext
from byhand.grading.gradebook import grade_class, student_stem
from byhand.grading.hidden import load_tests
from byhand.grading.identify import LayoutError, detect_layout, sets_in_name, student_of
from byhand.grading.runner import Limits

REPO = Path(__file__).resolve().parents[1]
HIDDEN = REPO / "solutions" / "hidden"
FIXTURES = Path(__file__).resolve().parent / "grading_fixtures"
sys.path.insert(0, str(FIXTURES))
import make_fixtures  # noqa: E402

SETS = ["01_perceptron", "02_calculus", "05_losses"]
LIMITS = Limits(cell_seconds=20, call_seconds=10, total_seconds=90, memory_mb=1536)
TESTS = {name: load_tests(HIDDEN / f"{name}.py") for name in SETS}
FULL = {name: sum(test.points for test in tests) for name, tests in TESTS.items()}
SOLVED_05 = ("mean_squared_error", "binary_crossentropy", "kl_divergence")
# A partial notebook earns the points of the tests whose functions it all solved.
PARTIAL_05 = sum(t.points for t in TESTS["05_losses"] if set(t.needs) <= set(SOLVED_05))
# A folder name that is a formula, an escape sequence that retitles a terminal, a bell,
# a right-to-left override, and 150 more characters: none of it may reach a file as it is.
HOSTILE = "=HYPERLINK(1+2) \x1b]0;pwned\x07 \u202egpj.exe " + "é" * 75


def solution(name):
    return (REPO / "solutions" / f"{name}.ipynb").read_bytes()


def exercise(name):
    return (REPO / "exercises" / f"{name}.ipynb").read_bytes()


def partial_05():
    """The 05 exercise notebook with the cells of SOLVED_05 taken from the solution."""
    solved = nbformat.reads(solution("05_losses").decode(), as_version=4)
    book = nbformat.reads(exercise("05_losses").decode(), as_version=4)
    by_id = {cell.id: cell for cell in solved.cells}
    replaced = 0
    for index, cell in enumerate(book.cells):
        if any(f"def {name}(" in cell.source for name in SOLVED_05):
            book.cells[index] = by_id[cell.id]
            replaced += 1
    assert replaced == len(SOLVED_05)
    return nbformat.writes(book).encode()


def hostile_01(out):
    """The 01 solution followed by the cells of the fixture `fake_output`: they print fake
    scores and try to write scores.csv, feedback and reports into the out folder."""
    book = nbformat.reads(solution("01_perceptron").decode(), as_version=4)
    for index, source in enumerate(make_fixtures.NOTEBOOKS["fake_output"]):
        cell = nbformat.v4.new_code_cell(source.replace("@OUT@", str(out)))
        cell.id = f"hostile-{index}"
        book.cells.append(cell)
    text = nbformat.writes(book)
    assert "@OUT@" not in text and "forge scores.csv" in text
    return text.encode()


def several_sets():
    """A notebook that imports the checks of two sets, under a name that names none."""
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from byhand.exercises.perceptron import check\n"
        "from byhand.exercises.calculus import check as check2"
    )])  # fmt: skip
    return nbformat.writes(book).encode()


def no_set():
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hello')")])
    return nbformat.writes(book).encode()


def make_class(folder, out, layout):
    """Write the class into `folder`; {student as the gradebook shows them: {set: points or
    None}} expected, and the notebooks that must not be graded (path -> why, a fragment)."""
    expected, skipped = {}, {}

    def put(relative, data, mtime=1_700_000_000):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (mtime, mtime))

    by_set = layout == "sets"
    # alice: solved, untouched under a browser's "(1)" name, partial.
    alice = "alice"
    put("01_perceptron/alice.ipynb" if by_set else "alice/01_perceptron.ipynb",
        solution("01_perceptron"))  # fmt: skip
    put("02_calculus/alice.ipynb" if by_set else "alice/Exercises 02 calculus (1).ipynb",
        exercise("02_calculus"))  # fmt: skip
    put("05_losses/alice.ipynb" if by_set else "alice/losses.ipynb", partial_05())
    expected[alice] = {"01_perceptron": FULL["01_perceptron"], "02_calculus": 0,
                       "05_losses": PARTIAL_05}  # fmt: skip
    # bob (a Canvas-style name, handed in late): untouched, solved, 05 missing.
    bob = "bob_20001" if by_set else "bob"
    put("01_perceptron/bob_LATE_20001_31_perceptron.ipynb" if by_set else "bob/work.ipynb",
        exercise("01_perceptron"))  # fmt: skip
    put("02_calculus/bob_20001_32_02_calculus.ipynb" if by_set else "bob/02.ipynb",
        solution("02_calculus"))  # fmt: skip
    expected[bob] = {"01_perceptron": 0, "02_calculus": FULL["02_calculus"], "05_losses": None}
    # carol (a Moodle-style folder): hostile but solved 01, 02 missing, solved 05.
    carol = "carol_30001" if by_set else "carol"
    moodle = "carol_30001_assignsubmission_file_"
    put(f"01_perceptron/{moodle}/my work.ipynb" if by_set else "carol/hw1.ipynb",
        hostile_01(out))  # fmt: skip
    put(f"05_losses/{moodle}/05_losses.ipynb" if by_set else "carol/05_losses.ipynb",
        solution("05_losses"))  # fmt: skip
    expected[carol] = {"01_perceptron": FULL["01_perceptron"], "02_calculus": None,
                       "05_losses": FULL["05_losses"]}  # fmt: skip
    # dave: two notebooks for 05; the newer one, untouched, is graded.
    older = "05_losses/dave.ipynb" if by_set else "dave/losses solved.ipynb"
    newer = "05_losses/dave_resubmitted.ipynb" if by_set else "dave/losses.ipynb"
    put(older, solution("05_losses"), mtime=1_700_000_000)
    put(newer, exercise("05_losses"), mtime=1_700_000_100)
    skipped[older] = f"another notebook for 05_losses was graded, {newer}: newer"
    expected["dave"] = {"01_perceptron": None, "02_calculus": None, "05_losses": 0}
    # A hostile name: solved 05.
    put(f"05_losses/{HOSTILE}.ipynb" if by_set else f"{HOSTILE}/losses.ipynb",
        solution("05_losses"))  # fmt: skip
    expected[HOSTILE] = {"01_perceptron": None, "02_calculus": None,
                         "05_losses": FULL["05_losses"]}  # fmt: skip
    # erin: nothing that can be graded.
    if by_set:
        put("erin_notes.ipynb", no_set())
        skipped["erin_notes.ipynb"] = "it is not in a set's folder"
    else:
        put("erin/notes.ipynb", no_set())
        put("erin/mixed.ipynb", several_sets())
        skipped["erin/notes.ipynb"] = "neither its content nor its name says which set it is"
        skipped["erin/mixed.ipynb"] = "its content names several sets (01_perceptron, 02_calculus)"
        expected["erin"] = {name: None for name in SETS}
    return expected, skipped


@pytest.fixture(scope="module", params=["students", "sets"])
def graded_class(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"class-{request.param}")
    folder, out = base / "submissions", base / "out"
    expected, skipped = make_class(folder, out, request.param)
    book = grade_class(folder, out, HIDDEN, sets=SETS, limits=LIMITS, workers=2,
                       progress=False)  # fmt: skip
    return {"folder": folder, "out": out, "book": book, "expected": expected,
            "skipped": skipped, "layout": request.param}  # fmt: skip


def read_csv(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def shown(student):
    """How the gradebook shows a student: escaped, and never as a formula."""
    return safetext.csv_cell(safetext.name(student))


def test_the_gradebook_holds_every_student_and_set(graded_class):
    book, expected = graded_class["book"], graded_class["expected"]
    assert book.layout == graded_class["layout"]  # told from the folders' names
    rows = read_csv(graded_class["out"] / "gradebook.csv")
    assert rows[0] == ["student", *SETS, "total", "max_total", "percent", "notes"]
    got = {row[0]: row[1:] for row in rows[1:]}
    assert sorted(got) == sorted(shown(s) for s in expected)
    possible = sum(FULL.values())
    assert possible == 60 and 0 < PARTIAL_05 < FULL["05_losses"]
    for student, points in expected.items():
        row = got[shown(student)]
        cells = ["missing" if points[name] is None else f"{points[name]:g}" for name in SETS]
        total = sum(p or 0 for p in points.values())
        assert row[:3] == cells
        assert row[3:6] == [f"{total:g}", f"{possible:g}", f"{round(100 * total / possible, 1):g}"]
    # 9 notebooks graded; nothing graded twice, nothing reused on a first run.
    assert (book.graded, book.reused) == (9, 0)


def test_the_hostile_notebook_and_the_hostile_name_change_nothing(graded_class):
    out, expected = graded_class["out"], graded_class["expected"]
    rows = read_csv(out / "gradebook.csv")
    carol = next(row for row in rows if row[0].startswith("carol"))
    assert carol[1] == f"{FULL['01_perceptron']:g}"  # its functions, not its printed score
    assert "01_perceptron: cell errors" in carol[-1]  # the forging cells were refused
    assert not list(out.rglob("fake_output*"))  # nothing forged in the out folder
    text = (out / "gradebook.csv").read_text(encoding="utf-8")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", text)
    hostile = next(row for row in rows[1:] if "HYPERLINK" in row[0])
    assert hostile[0].startswith("'=HYPERLINK(1+2) \\x1b]0;pwned\\x07 \\u202egpj.exe ")
    assert hostile[3] == f"{FULL['05_losses']:g}"
    # Every output file has a plain name of at most 124 bytes, inside the out folder.
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())
        assert re.fullmatch(r"[\w\-. ()]+", path.name), path.name
        assert len(path.name.encode()) <= 124
    stem = student_stem(HOSTILE)
    assert stem.startswith("_HYPERLINK(1_2) __0_pwned_ _gpj.exe é") and stem != HOSTILE
    page = (out / "feedback" / f"{stem}.md").read_text(encoding="utf-8")
    assert page.startswith("# Feedback: `=HYPERLINK(1+2) \\x1b]0;pwned\\x07 \\u202egpj.exe ")
    assert expected[HOSTILE]["05_losses"] == FULL["05_losses"]


def test_each_student_has_one_feedback_file_naming_their_sets(graded_class):
    out, expected = graded_class["out"], graded_class["expected"]
    files = sorted(p.name for p in (out / "feedback").glob("*.md"))
    assert files == sorted(f"{student_stem(s)}.md" for s in expected)
    for student, points in expected.items():
        page = (out / "feedback" / f"{student_stem(student)}.md").read_text(encoding="utf-8")
        sections = re.findall(r"^## Set `(\w+)`", page, flags=re.MULTILINE)
        assert sections == [name for name in SETS if points[name] is not None]
        for name in SETS:
            cell = "missing, 0" if points[name] is None else f"{points[name]:g}"
            assert f"| `{name}` | {cell} / {FULL[name]:g} |" in page
        # Each set's part is the batch grader's own feedback, one heading level down.
        assert page.count("### Tests") == len(sections)
    # The per-set outputs of `byhand-grade grade` are there too, one file per student.
    scores = read_csv(out / "sets" / "05_losses" / "scores.csv")
    handed_in = [s for s, points in expected.items() if points["05_losses"] is not None]
    assert sorted(row[0] for row in scores[1:]) == sorted(shown(s) for s in handed_in)


def test_unidentified_and_duplicate_notebooks_are_listed_not_guessed(graded_class):
    out, skipped = graded_class["out"], graded_class["skipped"]
    rows = read_csv(out / "submissions.csv")
    assert rows[0] == ["file", "student", "set", "set known by", "graded", "why not"]
    listed = {row[0]: row for row in rows[1:]}
    assert sum(row[4] == "yes" for row in rows[1:]) == 9
    for file, why in skipped.items():
        assert listed[file][4] == "no" and listed[file][5] == why
    # The set comes from the notebook's content; the names are read only when it says none.
    assert {row[3] for row in rows[1:] if row[4] == "yes"} == {"content"}
    notes = {row[0]: row[-1] for row in read_csv(out / "gradebook.csv")}
    dave = [file for file in skipped if "dave" in file][0]
    assert f"not graded: {dave}: another notebook for 05_losses" in notes["dave"]


def test_a_rerun_grades_nothing_and_fresh_regrades_everything(graded_class, graded):
    folder, out = graded_class["folder"], graded_class["out"]
    asked = graded  # the notebooks the grader runs (tests/conftest.py)
    reports = {p: p.stat().st_mtime_ns for p in (out / "sets").rglob("reports/*.json")}
    gradebook = (out / "gradebook.csv").read_bytes()
    book = grade_class(folder, out, HIDDEN, sets=SETS, limits=LIMITS, workers=2, progress=False)
    assert asked == [] and (book.graded, book.reused) == (0, 9)
    assert {p: p.stat().st_mtime_ns for p in reports} == reports  # no report rewritten
    assert (out / "gradebook.csv").read_bytes() == gradebook
    if graded_class["layout"] == "sets":
        return  # --fresh is the same code for both layouts: once is enough (9 notebooks)
    book = grade_class(folder, out, HIDDEN, sets=SETS, limits=LIMITS, workers=2,
                       progress=False, fresh=True)  # fmt: skip
    assert len(asked) == 9 and (book.graded, book.reused) == (9, 0)
    assert all(p.stat().st_mtime_ns > mtime for p, mtime in reports.items())
    assert (out / "gradebook.csv").read_bytes() == gradebook  # the same grades again


def test_the_command_line(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    (folder / "zoe").mkdir(parents=True)
    (folder / "zoe" / "05.ipynb").write_bytes(solution("05_losses"))
    (folder / "zoe" / "scribbles.ipynb").write_bytes(no_set())
    (folder / "zoe" / "week1.ipynb").write_bytes(exercise("01_perceptron"))
    (folder / "yann").mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "byhand.grading", "class", str(folder), "--out", str(out),
         "--tests", str(HIDDEN), "--sets", "05_losses,02_calculus", "--quiet",
         "--workers", "1"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO / "lib")},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout == (
        f"Graded 1 notebook of 2 students in 2 sets ({folder}, layout students).\n"
        "Not graded: 2 notebooks (see submissions.csv):\n"
        "  zoe/scribbles.ipynb: neither its content nor its name says which set it is\n"
        "  zoe/week1.ipynb: it is 01_perceptron, which this run does not grade\n"
        f"Gradebook: {out / 'gradebook.csv'}; every notebook: {out / 'submissions.csv'}; "
        f"feedback: {out / 'feedback'}/\n"
    )
    rows = read_csv(out / "gradebook.csv")
    assert [row[:6] for row in rows] == [
        ["student", "05_losses", "02_calculus", "total", "max_total", "percent"],
        ["yann", "missing", "missing", "0", "40", "0"],
        ["zoe", "20", "missing", "20", "40", "50"],
    ]
    run = subprocess.run(
        [sys.executable, "-m", "byhand.grading", "class", str(folder), "--out", str(out),
         "--tests", str(HIDDEN), "--sets", "99_nothing"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO / "lib")},
    )  # fmt: skip
    assert run.returncode == 1 and "no hidden tests for ['99_nothing']" in run.stderr


def test_how_sets_students_and_layouts_are_told_apart():
    sets = sorted(p.stem for p in HIDDEN.glob("*.py"))
    assert sets_in_name("Exercises 02 calculus (1).ipynb", sets) == ["02_calculus"]
    assert sets_in_name("Batch-Normalization.ipynb", sets) == ["08_batch_normalization"]
    assert sets_in_name("hw 1.ipynb", sets) == []  # one digit is no set's number
    assert sets_in_name("hw 2 (1).ipynb", sets) == []
    assert student_stem("=1+2") == "_1_2-f419da665b23"  # as docs/grading.md says
    assert sets_in_name("01 vs 02.ipynb", sets) == ["01_perceptron", "02_calculus"]
    assert student_of(("05_losses", "smithjo_LATE_123456_987_losses.ipynb"), "sets", sets) == (
        "smithjo_123456"
    )
    assert student_of(("05_losses", "Jo Smith_77_assignsubmission_file_", "a.ipynb"), "sets",
                      sets) == "Jo Smith_77"  # fmt: skip
    assert student_of(("05_losses", "05_losses.ipynb"), "sets", sets) is None
    assert student_of(("alice", "deep", "x.ipynb"), "students", sets) == "alice"
    assert student_of(("x.ipynb",), "students", sets) is None
    assert detect_layout(["01_perceptron", "Week 02"], sets) == "sets"
    assert detect_layout(["alice", "bob"], sets) == "students"
    with pytest.raises(LayoutError, match="pass --layout sets or --layout students"):
        detect_layout(["01_perceptron", "alice"], sets)


def test_of_two_notebooks_as_new_the_last_in_name_order_is_graded(tmp_path):
    from byhand.grading.gradebook import Notebook, choose_among_duplicates

    found = []
    for name in ("b.ipynb", "a.ipynb", "c (1).ipynb"):
        path = tmp_path / name
        path.write_bytes(b"{}")
        os.utime(path, (1_700_000_000, 1_700_000_000))
        found.append(Notebook(path, name, "alice", "05_losses"))
    choose_among_duplicates(found)
    why = "another notebook for 05_losses was graded, c (1).ipynb: as new, and later in name order"
    assert [n.problem for n in found] == [why, why, ""]


def test_two_students_who_would_share_a_feedback_file_are_refused(tmp_path):
    folder = tmp_path / "class"
    for student in ("Alice", "alice"):
        (folder / student).mkdir(parents=True)
        (folder / student / "05.ipynb").write_bytes(exercise("05_losses"))
    with pytest.raises(ValueError, match=r"would share a name.*\['Alice', 'alice'\]"):
        grade_class(folder, tmp_path / "out", HIDDEN, sets=["05_losses"], progress=False)
    assert not (tmp_path / "out").exists()


# --- Gradescope: one autograder for every set ------------------------------------------


def run_autograder(tmp_path, zip_path, name, data, title=None):
    """Grade one upload as Gradescope would: /autograder laid out in tmp_path."""
    root = tmp_path / "autograder"
    shutil.rmtree(root, ignore_errors=True)
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    (root / "submission" / name).write_bytes(data)
    if title is not None:
        metadata = {"assignment": {"title": title, "id": 1}, "users": []}
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    env = {"PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', os.defpath)}",
           "AUTOGRADER_ROOT": str(root), "HOME": os.environ.get("HOME", str(root))}  # fmt: skip
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_an_all_sets_autograder_grades_each_notebook_as_its_set(tmp_path):
    paths = [HIDDEN / "01_perceptron.py", HIDDEN / "05_losses.py"]
    zip_path = gradescope.build(paths, tmp_path / "all.zip", LIMITS)
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        config = json.loads(archive.read(gradescope.CONFIG))
        setup = archive.read("setup.sh").decode()
    assert {"hidden/01_perceptron.py", "hidden/05_losses.py", "run_autograder"} <= names
    assert config["sets"] == {
        name: {"tests": f"hidden/{name}.py", "points": FULL[name]}
        for name in ("01_perceptron", "05_losses")
    }
    assert "set" not in config and config["limits"]["total_seconds"] == 90
    subprocess.run(["bash", "-n"], input=setup, text=True, check=True)

    # A 05 notebook under any name is graded as 05 ...
    results = run_autograder(tmp_path, zip_path, "my homework.ipynb", partial_05())
    assert results["extra_data"]["set"] == "05_losses"
    assert results["score"] == PARTIAL_05
    assert sum(t["max_score"] for t in results["tests"]) == FULL["05_losses"]
    assert "graded as set 05_losses" in results["output"]
    # ... and a 01 notebook as 01, in an assignment whose title names that set.
    results = run_autograder(tmp_path, zip_path, "x.ipynb", solution("01_perceptron"),
                             title="Week 1: 01 perceptron")  # fmt: skip
    assert results["extra_data"]["set"] == "01_perceptron"
    assert results["score"] == FULL["01_perceptron"]
    # A notebook of another set than the assignment's scores zero, and is told why.
    results = run_autograder(tmp_path, zip_path, "x.ipynb", solution("01_perceptron"),
                             title="05 losses")  # fmt: skip
    assert results["score"] == 0 and results["extra_data"]["status"] == "wrong set"
    refused = "This assignment is 05_losses, but your notebook is 01_perceptron"
    assert refused in results["output"]
    assert [t["max_score"] for t in results["tests"]] == [t.points for t in TESTS["05_losses"]]
    # A notebook that says no set, in an assignment that names none: zero, and why.
    results = run_autograder(tmp_path, zip_path, "notes.ipynb", no_set(), title="Homework")
    assert results["score"] == 0 and results["extra_data"]["status"] == "unknown set"
    assert "could not tell which exercise set" in results["output"]
