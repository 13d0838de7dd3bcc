"""Grade a folder of submissions into a score table and one feedback file each.

    out/scores.csv            one row per submission: points per exercise, total, percent, status
    out/feedback/<name>.md    what each student sees: every test, its points and why it failed
    out/reports/<name>.json   the full record, which also lets an interrupted batch resume

Submissions are read, never written. Each result is written to a temporary file and then
renamed into place, so an interrupted batch leaves only whole files behind; running the
same command again grades only the submissions without a current report (a report is
current when the submission, the hidden tests and the grader are unchanged).

Whatever a submission can shape (its name, its error messages, the notes on running it)
reaches these files and the progress bar only through `safetext`: no control character or
escape sequence, no Markdown outside a code block, no formula in a spreadsheet, and no text
longer than a reader can take. `<name>` is `safetext.file_stem` of the submission's path.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from byhand import __version__
from byhand.grading import safetext
from byhand.grading.hidden import failed
from byhand.grading.runner import Limits, Outcome, SandboxLost, run_submission


def notebooks_in(folder):
    """Every notebook under `folder`, in name order, leaving out symlinks, anything hidden
    (.ipynb_checkpoints, dot files) and the __MACOSX debris of a zip made on a Mac."""
    found = []
    for path in sorted(Path(folder).rglob("*.ipynb")):
        parts = path.relative_to(folder).parts
        if any(part.startswith(".") or part == "__MACOSX" for part in parts):
            continue
        if path.is_file() and not path.is_symlink():
            found.append(path)
    return found


def find_submissions(folder, out=None):
    """The notebooks to grade: `notebooks_in(folder)`, whatever their names, except `out`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"expected a folder of submissions, got {folder}")
    skip = Path(out).resolve() if out else None
    return [
        path
        for path in notebooks_in(folder)
        if not (skip and (skip == path.resolve() or skip in path.resolve().parents))
    ]


def report_name(folder, path):
    """How scores.csv and the feedback name a submission: its path in the folder without
    `.ipynb`, '/' made '__', any unsafe character written as an escape (safetext.name)."""
    return safetext.name("__".join(path.relative_to(folder).with_suffix("").parts))


def file_stem(folder, path):
    """The stem of a submission's feedback/<stem>.md and reports/<stem>.json: its report
    name when that is a short, safe file name, else a cut, safe form and a hash of its path
    (safetext.file_stem); the same on every run, so that a batch can resume."""
    return safetext.file_stem(path.relative_to(folder))


def digest(data):
    return hashlib.sha256(data).hexdigest()


def write_atomically(path, content):
    """Write `content` (text or bytes) to `path` so readers see the old file or the new one.

    The data goes to a temporary file beside `path`, which is then renamed over it: a batch
    interrupted at any moment leaves whole files only. The temporary file has a short name
    of its own, so that it fits wherever `path` does.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{os.getpid()}-{secrets.token_hex(4)}.partial")
    if isinstance(content, str):
        # errors="replace": a student's error message may hold a lone surrogate ("\ud800"),
        # which would otherwise stop the whole batch here.
        content = content.encode("utf-8", errors="replace")
    try:
        partial.write_bytes(content)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def grade_one(path, name, tests, tests_digest, limits):
    """Grade one submission; its report as a dict (what reports/<name>.json holds)."""
    data = Path(path).read_bytes()
    started = time.monotonic()
    try:
        outcome = run_submission(path, tests, limits)
    except (Exception, SandboxLost) as error:  # the grader's own fault: say so, grade the rest
        outcome = Outcome(status="grader error", notes=[f"{type(error).__name__}: {error}"])
        outcome.results = [failed(test, "not run") for test in tests]
    exercises = {}
    for result in outcome.results:
        earned, possible = exercises.get(result.exercise, (0, 0))
        exercises[result.exercise] = (earned + result.points, possible + result.max_points)
    total = sum(r.points for r in outcome.results)
    possible = sum(r.max_points for r in outcome.results)
    return {
        "submission": name,
        "file": safetext.name(path),
        "sha256": digest(data),
        "tests_sha256": tests_digest,
        "grader": __version__,
        "status": outcome.status,
        "notes": safetext.notes(outcome.notes),
        "sandbox": safetext.line(outcome.sandbox, 200),
        "seconds": round(time.monotonic() - started, 2),
        "exercises": {k: {"points": v[0], "max_points": v[1]} for k, v in exercises.items()},
        "total": total,
        "max_total": possible,
        "percent": round(100 * total / possible, 1) if possible else 0.0,
        "tests": [
            {
                "name": r.name,
                "exercise": r.exercise,
                "points": r.points,
                "max_points": r.max_points,
                "message": safetext.text(r.message),  # what the student reads
                "detail": safetext.text(getattr(r, "detail", "") or r.message),  # instructor
            }
            for r in outcome.results
        ],  # fmt: skip
        "output_tail": safetext.text(outcome.output, None, None),
    }


def is_current(report_path, data, tests_digest):
    """Whether a saved report was made from these bytes, these tests and this grader."""
    try:
        report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (report.get("sha256"), report.get("tests_sha256"), report.get("grader")) == (
        digest(data),
        tests_digest,
        __version__,
    )


@dataclass(frozen=True)
class Batch:
    """What one run of `grade_folder` did: every report, and how many it graded or reused."""

    reports: list  # one dict per submission, in submission order (see grade_one)
    graded: int  # submissions graded in this run
    reused: int  # submissions whose current report, from an earlier run, was kept


def grade_folder(folder, out, tests, tests_digest, limits=None, workers=None,
                 fresh=False, progress=True, reveal=False):  # fmt: skip
    """Grade every submission in `folder` into `out`; a Batch of the reports, in order.

    The feedback shows each failed test's public message, which holds no hidden input or
    expected value; with `reveal` it shows the instructor's full detail instead. Every
    feedback file is rewritten from its report on each run, so the choice always holds.
    """
    folder, out = Path(folder), Path(out)
    paths = find_submissions(folder, out)
    names = {path: report_name(folder, path) for path in paths}
    stems = {path: file_stem(folder, path) for path in paths}
    refuse_clashes(folder, paths, names, stems)
    return grade_submissions(paths, names, stems, out, tests, tests_digest, limits, workers,
                             fresh, progress, reveal)  # fmt: skip


def grade_submissions(paths, names, stems, out, tests, tests_digest, limits=None, workers=None,
                      fresh=False, progress=True, reveal=False, label="grading"):  # fmt: skip
    """Grade the notebooks `paths` against `tests` into `out`; a Batch of their reports.

    `names[path]` is how scores.csv and the feedback's title show a notebook, `stems[path]`
    the stem of its feedback/<stem>.md and reports/<stem>.json (both already safe and
    unique: see grade_folder and byhand.grading.gradebook). A notebook whose report is
    current is not graded again unless `fresh`; `label` names the progress bar.
    """
    limits = limits or Limits()
    out = Path(out)
    todo = [
        path
        for path in paths
        if fresh
        or not is_current(out / "reports" / f"{stems[path]}.json", path.read_bytes(), tests_digest)
    ]
    workers = workers or os.cpu_count() or 1
    bar = tqdm(total=len(paths), initial=len(paths) - len(todo), unit="notebook",
               desc=label, disable=not progress)  # fmt: skip
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(grade_one, path, names[path], tests, tests_digest, limits): path
            for path in todo
        }
        for future in as_completed(futures):
            report = future.result()
            stem = stems[futures[future]]
            write_atomically(out / "reports" / f"{stem}.json", json.dumps(report, indent=1))
            label = safetext.line(report["submission"], 40)
            bar.set_postfix_str(f"{label}: {report['percent']:g} %", refresh=False)
            bar.update()
    bar.close()
    reports = [
        json.loads((out / "reports" / f"{stems[path]}.json").read_text(encoding="utf-8"))
        for path in paths
    ]
    for path, report in zip(paths, reports, strict=True):
        write_atomically(out / "feedback" / f"{stems[path]}.md", feedback(report, reveal))
    write_atomically(out / "scores.csv", score_table(reports, [t.exercise for t in tests]))
    return Batch(reports, graded=len(todo), reused=len(paths) - len(todo))


def refuse_clashes(folder, paths, names, stems):
    """ValueError when two submissions would share a name in scores.csv or an output file
    (also on a file system that ignores case): a student would get another's score."""
    shown = Counter(names.values())
    stored = Counter(stem.casefold() for stem in stems.values())
    clashes = sorted(
        safetext.name(path.relative_to(folder).as_posix())
        for path in paths
        if shown[names[path]] > 1 or stored[stems[path].casefold()] > 1
    )
    if clashes:
        raise ValueError(f"these submissions would share a report name; rename one: {clashes}")


def score_table(reports, exercise_order):
    """scores.csv: a row per submission, a column per exercise, then the totals.

    Every field is quoted and on one line, and none can be read as a formula
    (safetext.csv_cell); the notes are those of the report, at most MAX_NOTES of at most
    NOTE_CHARS characters each, far below the 131,072 characters Python's csv module reads
    in one field by default.
    """
    exercises = list(dict.fromkeys(exercise_order))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    header = ["submission", *exercises, "total", "max_total", "percent", "status", "notes"]
    writer.writerow([safetext.csv_cell(cell) for cell in header])
    for report in reports:
        points = [report["exercises"].get(e, {}).get("points", 0) for e in exercises]
        notes = " | ".join(safetext.line(note) for note in safetext.notes(report["notes"]))
        numbers = [*points, report["total"], report["max_total"], report["percent"]]
        row = [report["submission"], *(f"{n:g}" for n in numbers), report["status"], notes]
        writer.writerow([safetext.csv_cell(cell) for cell in row])
    return buffer.getvalue()


def feedback(report, reveal=False, level=1, title=None):
    """The feedback a student reads: score, status, every test and why it failed.

    Its headings start at `level` (a student's feedback on a whole class puts each set's
    at level 2); `title` replaces "Feedback: `name`" and must be safe Markdown already.

    Why a test failed is its public message, or with `reveal` the instructor's detail (the
    hidden inputs and values, the text of the student's exception).

    The headings, the score line, the table and each test's passed or FAILED line are the
    grader's own; whatever the submission shaped (its name, a failure message, the notes)
    is shown literally, in a code span or a fenced code block that it cannot close, and
    cleaned and cut by safetext, so it cannot draw a score or a heading of its own.
    """
    title = title or f"Feedback: {safetext.code_span(report['submission'])}"
    heading, subheading = "#" * level, "#" * (level + 1)
    lines = [
        f"{heading} {title}",
        "",
        f"**Score: {report['total']:g} / {report['max_total']:g} ({report['percent']:g} %)**, "
        f"status: {safetext.line(report['status'], 40)}",
        "",
        "| exercise | points |",
        "| --- | --- |",
    ]
    for exercise, score in report["exercises"].items():
        name = safetext.code_span(exercise).replace("|", "\\|")
        lines.append(f"| {name} | {score['points']:g} / {score['max_points']:g} |")
    lines += ["", f"{subheading} Tests", ""]
    for test in report["tests"]:
        mark = "passed" if test["points"] == test["max_points"] else "FAILED"
        name = safetext.code_span(test["name"])
        lines.append(f"- {mark} {name} ({test['points']:g} / {test['max_points']:g})")
        text = (test.get("detail") or test["message"]) if reveal else test["message"]
        if test["message"]:
            lines += ["", safetext.fenced(text, indent="  "), ""]
    notes = safetext.notes(report["notes"])
    if notes:
        lines += ["", f"{subheading} While running your notebook", ""]
        listed = "\n".join(f"- {note}".replace("\n", "\n  ") for note in notes)
        lines.append(safetext.fenced(listed, limit=None, max_lines=None))  # each note is cut
    return "\n".join(lines) + "\n"
