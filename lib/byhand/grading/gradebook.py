"""Grade a whole class: every student's notebooks for every exercise set, into one gradebook.

    byhand-grade class SUBMISSIONS --out OUT [--layout students|sets] [--sets 01_perceptron,...]

    OUT/gradebook.csv           a row per student: the points of each set ("missing" when the
                                student handed in none), total, max_total, percent, notes
    OUT/submissions.csv         a row per notebook found: its student, its set, how the set
                                was known, and whether it was graded (and why not)
    OUT/feedback/<student>.md   what each student reads: the points per set, then each set's
                                feedback as `byhand-grade grade` writes it
    OUT/sets/<set>/             what `byhand-grade grade` writes for that set's notebooks:
                                scores.csv, feedback/ and reports/, one file per student

Two layouts of SUBMISSIONS (see `byhand.grading.identify` for the rules): "students", a
folder per student holding notebooks of several sets, and "sets", a folder per set holding
a notebook (or a sub-folder) per student. Each set's notebooks are graded by the batch
grader (`batch.grade_submissions`), so a rerun grades only the notebooks without a current
report, and `fresh` regrades all. A student's name is untrusted text: it reaches the files
only through `safetext` (`name` where shown, `file_stem` as a file name, `csv_cell` in the
CSV files), and two students who would share a name or a file are refused before anything
is graded.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from byhand.grading import safetext
from byhand.grading.batch import (
    feedback,
    find_submissions,
    grade_submissions,
    write_atomically,
)
from byhand.grading.hidden import load_tests
from byhand.grading.identify import (
    LAYOUTS,
    course_sets,
    detect_layout,
    set_of,
    student_of,
)

MISSING = "missing"  # a gradebook cell for a set the student handed nothing in for
COLUMNS = ("student", "total", "max_total", "percent", "notes")  # no set may be named so


@dataclass
class Notebook:
    """One notebook found in the class folder, and what was made of it."""

    path: Path
    shown: str  # its path in the class folder, safe to show (safetext.name)
    student: str | None  # raw, untrusted; None when it could not be told
    set: str | None
    how: str = ""  # how the set was known: "content", "folder name" or "file name"
    problem: str = ""  # why it was not graded; empty when it was


@dataclass
class Gradebook:
    """What one run of `grade_class` found and did."""

    layout: str
    sets: list  # the sets graded, in order: the gradebook's columns
    maxima: dict  # set -> its points
    students: list  # raw student names, in the gradebook's order
    notebooks: list  # every Notebook found
    reports: dict = field(default_factory=dict)  # (student, set) -> report (batch.grade_one)
    graded: int = 0  # notebooks graded in this run
    reused: int = 0  # notebooks whose current report was kept

    def points(self, student, name):
        report = self.reports.get((student, name))
        return None if report is None else report["total"]


def hidden_sets(tests):
    """{set: hidden-test file} for a folder of NN_topic.py files."""
    tests = Path(tests)
    if not tests.is_dir():
        raise NotADirectoryError(f"expected a folder of hidden-test files, got {tests}")
    found = {p.stem: p for p in sorted(tests.glob("*.py")) if not p.name.startswith("_")}
    if not found:
        raise ValueError(f"no hidden-test files (NN_topic.py) in {tests}")
    return found


def student_stem(student):
    """The stem of a student's feedback file: safe, short, and the same on every run."""
    return safetext.file_stem(PurePath(f"{student}.ipynb"))


def find_class(folder, out, layout, sets):
    """(layout, students, notebooks): who and what is in the class folder, nothing run.

    `sets` are the set names a notebook may be identified as. In the layout "students"
    every top folder is a student, with or without notebooks.
    """
    folder = Path(folder)
    paths = find_submissions(folder, out)
    tops = sorted({p.relative_to(folder).parts[0] for p in paths if p.parent != folder})
    layout = layout or detect_layout(tops, sets)
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    students = set()
    if layout == "students":
        skip = Path(out).resolve() if out else None
        for entry in folder.iterdir():
            if (entry.is_dir() and not entry.is_symlink() and entry.resolve() != skip
                    and not entry.name.startswith(".") and entry.name != "__MACOSX"):  # fmt: skip
                students.add(entry.name)
    notebooks = []
    for path in paths:
        parts = path.relative_to(folder).parts
        if layout == "sets":
            places = [("folder name", parts[0]), ("file name", "/".join(parts[1:]))]
        else:
            places = [("file name", "/".join(parts[1:]) or parts[0])]
        name, how, problem = set_of(path.read_bytes(), places, sets)
        student = student_of(parts, layout, sets)
        if student is None:
            problem = {
                "students": "it is not in a student's folder",
                "sets": "it is not in a set's folder" if len(parts) == 1
                else "its name does not say whose it is (it should start with the student's)",
            }[layout]  # fmt: skip
        else:
            students.add(student)
        notebooks.append(Notebook(path, safetext.name(PurePath(*parts).as_posix()), student,
                                  name, how, problem))  # fmt: skip
    return layout, sorted(students, key=lambda s: (s.casefold(), s)), notebooks


def choose_among_duplicates(notebooks):
    """Keep one notebook per student and set: the newest (modification time), and of
    notebooks equally new the last in name order; the others get a problem naming it."""
    groups = {}
    for notebook in notebooks:
        if not notebook.problem:
            groups.setdefault((notebook.student, notebook.set), []).append(notebook)
    for (_, name), group in groups.items():
        if len(group) < 2:
            continue
        times = {n.shown: n.path.stat().st_mtime_ns for n in group}
        kept = max(group, key=lambda n: (times[n.shown], n.shown))
        for other in group:
            if other is not kept:
                why = "newer" if times[kept.shown] > times[other.shown] else \
                    "as new, and later in name order"  # fmt: skip
                other.problem = f"another notebook for {name} was graded, {kept.shown}: {why}"


def refuse_student_clashes(students):
    """ValueError when two students would be shown alike or share a feedback file (also on
    a file system that ignores case): one would get the other's grades."""
    shown = {}
    stems = {}
    for student in students:
        shown.setdefault(safetext.name(student), []).append(student)
        stems.setdefault(student_stem(student).casefold(), []).append(student)
    clashes = sorted({safetext.name(s) for group in [*shown.values(), *stems.values()]
                      if len(group) > 1 for s in group})  # fmt: skip
    if clashes:
        raise ValueError(f"these students would share a name in the gradebook or a feedback "
                         f"file; rename one: {clashes}")  # fmt: skip


def grade_class(folder, out, tests, layout=None, sets=None, limits=None, workers=None,
                fresh=False, progress=True, reveal=False):  # fmt: skip
    """Grade every student's notebooks of every set in `folder` into `out`; a Gradebook.

    `tests` is a folder of hidden-test files, one per set (NN_topic.py); `sets` the sets to
    grade (default: all of them), the gradebook's columns; `layout` "students" or "sets"
    (default: told from the folders' names, see identify.detect_layout). The other options
    are those of batch.grade_folder.
    """
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise NotADirectoryError(f"expected a folder of submissions, got {folder}")
    available = hidden_sets(tests)
    sets = list(sets or available)
    unknown = [name for name in sets if name not in available]
    if unknown:
        raise ValueError(f"no hidden tests for {unknown} in {tests}; it has {sorted(available)}")
    taken = [name for name in sets if name in COLUMNS]
    if taken:
        raise ValueError(f"a set may not be named like a gradebook column: {taken}")
    known = sorted(set(course_sets().values()) | set(available))
    layout, students, notebooks = find_class(folder, out, layout, known)
    for notebook in notebooks:
        if not notebook.problem and notebook.set not in sets:
            notebook.problem = f"it is {notebook.set}, which this run does not grade"
    choose_among_duplicates(notebooks)
    refuse_student_clashes(students)
    book = Gradebook(layout, sets, {}, students, notebooks)
    for name in sets:
        tests_path = available[name]
        hidden = load_tests(tests_path)
        book.maxima[name] = sum(test.points for test in hidden)
        mine = [n for n in notebooks if n.set == name and not n.problem]
        if not mine:
            continue
        digest = hashlib.sha256(tests_path.read_bytes()).hexdigest()
        batch = grade_submissions(
            [n.path for n in mine],
            {n.path: safetext.name(n.student) for n in mine},
            {n.path: student_stem(n.student) for n in mine},
            out / "sets" / name, hidden, digest, limits, workers, fresh, progress, reveal,
            label=name,
        )  # fmt: skip
        book.graded += batch.graded
        book.reused += batch.reused
        for notebook, report in zip(mine, batch.reports, strict=True):
            book.reports[(notebook.student, name)] = report
    write_atomically(out / "gradebook.csv", gradebook_table(book))
    write_atomically(out / "submissions.csv", submissions_table(book))
    for student in students:
        write_atomically(out / "feedback" / f"{student_stem(student)}.md",
                         class_feedback(book, student, reveal))  # fmt: skip
    return book


def _csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        writer.writerow([safetext.csv_cell(cell) for cell in row])
    return buffer.getvalue()


def student_notes(book, student):
    """What the gradebook's notes say of a student: a status other than ok, and each of
    their notebooks that was not graded, with why."""
    notes = []
    for name in book.sets:
        report = book.reports.get((student, name))
        if report is not None and report["status"] != "ok":
            notes.append(f"{name}: {report['status']}")
    for notebook in book.notebooks:
        if notebook.student == student and notebook.problem:
            notes.append(f"not graded: {notebook.shown}: {notebook.problem}")
    return notes


def totals(book, student):
    """(total, max_total, percent) of a student over the gradebook's sets."""
    total = sum(book.points(student, name) or 0 for name in book.sets)
    possible = sum(book.maxima[name] for name in book.sets)
    return total, possible, round(100 * total / possible, 1) if possible else 0.0


def gradebook_table(book):
    """gradebook.csv: a row per student, a column per set (points or "missing"), then the
    total, the maximum, the percentage and the notes. Every field quoted, on one line, and
    never a formula (safetext.csv_cell)."""
    rows = [["student", *book.sets, "total", "max_total", "percent", "notes"]]
    for student in book.students:
        cells = []
        for name in book.sets:
            points = book.points(student, name)
            cells.append(MISSING if points is None else f"{points:g}")
        total, possible, percent = totals(book, student)
        notes = " | ".join(safetext.line(n) for n in safetext.notes(student_notes(book, student)))
        rows.append([safetext.name(student), *cells, f"{total:g}", f"{possible:g}",
                     f"{percent:g}", notes])  # fmt: skip
    return _csv(rows)


def submissions_table(book):
    """submissions.csv: every notebook found, whose and which set it was taken to be, how the
    set was known, and whether it was graded or why not."""
    rows = [["file", "student", "set", "set known by", "graded", "why not"]]
    for notebook in book.notebooks:
        student = "" if notebook.student is None else safetext.name(notebook.student)
        rows.append([notebook.shown, student, notebook.set or "", notebook.how,
                     "no" if notebook.problem else "yes", notebook.problem])  # fmt: skip
    return _csv(rows)


def class_feedback(book, student, reveal=False):
    """A student's feedback on the whole class: the points of each set, the notebooks not
    graded and why, then each graded set's feedback (batch.feedback, one level down)."""
    total, possible, percent = totals(book, student)
    lines = [
        f"# Feedback: {safetext.code_span(safetext.name(student))}",
        "",
        f"**Total: {total:g} / {possible:g} ({percent:g} %)** over "
        f"{len(book.sets)} exercise set{'' if len(book.sets) == 1 else 's'}",
        "",
        "| set | points |",
        "| --- | --- |",
    ]
    for name in book.sets:
        points = book.points(student, name)
        shown = f"{points:g}" if points is not None else MISSING + ", 0"
        lines.append(f"| {safetext.code_span(name)} | {shown} / {book.maxima[name]:g} |")
    skipped = [f"- {n.shown}: {n.problem}" for n in book.notebooks
               if n.student == student and n.problem]  # fmt: skip
    if skipped:
        lines += ["", "## Not graded", "", safetext.fenced("\n".join(skipped), limit=None)]
    for name in book.sets:
        report = book.reports.get((student, name))
        if report is None:
            continue
        graded = next(n for n in book.notebooks
                      if n.student == student and n.set == name and not n.problem)  # fmt: skip
        title = f"Set {safetext.code_span(name)}: {safetext.code_span(graded.shown)}"
        lines += ["", feedback(report, reveal, level=2, title=title).rstrip("\n")]
    return "\n".join(lines) + "\n"
