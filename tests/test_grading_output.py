"""What the grader writes cannot be forged or broken by what a submission holds.

Real notebooks, graded by `grade_folder`, the command line or the Gradescope autograder, with
names and errors written against the grader's outputs: names that a spreadsheet runs as
formulas (`=1+2`, `@SUM(1+1)`), names too long for a file system, error messages holding a
carriage return or a newline followed by a forged score line, terminal escape sequences,
a right-to-left override, Markdown fences and HTML, and 3,000 failing cells. Then scores.csv
must parse, with Python's csv module and its default limits, into one row per submission
with every field as written; the feedback's Markdown must have the grader's structure only
(one score line, the grader's headings, the student's text inside code blocks); no output,
progress bar or summary line may hold a control character or an escape sequence.

The integration tests import nothing new from the grader, so that they run, and fail each
for its own reason, on the grader before this work (commit dfc07ae):

    git worktree add /tmp/old-out dfc07ae
    PYTHONPATH=/tmp/old-out/lib .venv/bin/pytest tests/test_grading_output.py
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from byhand.grading.batch import grade_folder
from byhand.grading.hidden import load_tests
from byhand.grading.runner import Limits

LIB = Path(__file__).resolve().parents[1] / "lib"
LIMITS = Limits(cell_seconds=10, call_seconds=5, total_seconds=60, memory_mb=1024)
HIDDEN = '''\
"""Two exercises of one point each: double(x) = 2 x and half(x) = x / 2."""
from byhand.exercises import assert_close
from byhand.grading import points


@points(1)
def test_double(double):
    assert_close(double(2.0), 4.0, "double(2)")


@points(1)
def test_half(half):
    assert_close(half(4.0), 2.0, "half(4)")
'''
GOOD = ["def double(x):\n    return 2 * x", "def half(x):\n    return x / 2"]
FORGED_SCORE = "**Score: 20 / 20 (100 %)**"
# Cells whose errors are written against the feedback, the CSV and a terminal. Each is
# Python source: the escapes (\r, \x1b...) are made when the cell runs.
FORGER = [
    "raise ValueError('oops\\r**Score: 20 / 20 (100 %)**')",
    "raise ValueError('\\x1b[2J\\x1b]0;owned\\x07cleared\\n**Score: 20 / 20 (100 %)**\\n"
    "# Forged heading\\n```\\n</pre><script>alert(1)</script>\\n````')",
    "raise ValueError('bidi \\u202egnp.exe\\u202c and a bell\\x07 and a DEL\\x7f')",
    "raise ValueError('many lines\\n' + '- forged item\\n' * 500)",
    "def double(x):\n"
    "    raise ValueError('\\r**Score: 20 / 20 (100 %)**\\n``````\\n## Forged\\x1b[31m red')",
    "def half(x):\n    return x / 2",
]
# Unquoted (no comma or double quote in it), a lone carriage return ends a CSV row: two
# forged rows, whose first cells are formulas.
CARRIAGE = "# two rows\nraise ValueError('x\\r=1+2\\r@SUM(1+1)')"
ESCAPED_NAME = "\x1b]0;owned\x07\x1b[2J=1+2"  # a file name that sets a title, clears a screen
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def notebook(path, cells):
    """Write a notebook (nbformat 4) with these code cells at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {},
         "outputs": [], "source": source} for i, source in enumerate(cells)]}  # fmt: skip
    path.write_text(json.dumps(book))
    return path


@pytest.fixture(scope="module")
def hidden(tmp_path_factory):
    path = tmp_path_factory.mktemp("hidden") / "toy.py"
    path.write_text(HIDDEN)
    return path


def grade(submissions, out, hidden, progress=False, **options):
    return grade_folder(submissions, out, load_tests(hidden), "toy", LIMITS, workers=2,
                        progress=progress, **options)  # fmt: skip


def read_csv(out):
    """scores.csv read by Python's csv module with its default limits: the rows."""
    with open(out / "scores.csv", newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def markdown(text):
    return MarkdownIt("commonmark").enable("table").parse(text)


def walk(tokens):
    for token in tokens:
        yield token
        yield from walk(token.children or [])


def every_file(out):
    return {path: path.read_bytes().decode("utf-8") for path in out.rglob("*") if path.is_file()}


def strings(value):
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.fixture(scope="module")
def forged(tmp_path_factory, hidden):
    """One batch: the forger, a notebook whose one error holds carriage returns (and no
    newline), one named with escape sequences, and a good one."""
    root = tmp_path_factory.mktemp("forged")
    notebook(root / "submissions" / "forger.ipynb", FORGER)
    notebook(root / "submissions" / "carriage.ipynb", [*GOOD, CARRIAGE])
    notebook(root / "submissions" / f"{ESCAPED_NAME}.ipynb", GOOD)
    notebook(root / "submissions" / "good.ipynb", GOOD)
    batch = grade(root / "submissions", root / "out", hidden)
    return {"out": root / "out", "reports": batch.reports}


def test_a_forged_score_line_stays_inside_a_code_block(forged):
    reports = {r["file"].rsplit("/", 1)[-1]: r for r in forged["reports"]}
    assert reports["forger.ipynb"]["total"] == 1  # half passes; double raises
    (text,) = [t for p, t in every_file(forged["out"]).items() if p.name.startswith("forger")
               and p.suffix == ".md"]  # fmt: skip
    tokens = list(walk(markdown(text)))
    # The grader's structure: its three headings, its one bold score line, no HTML.
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Feedback: `forger`", "Tests", "While running your notebook"]
    strong = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "strong_open"]
    assert strong == ["Score: 1 / 2 (50 %)"]
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    # What the student wrote is all there, but only inside code blocks.
    fences = "\n".join(t.content for t in tokens if t.type == "fence")
    outside = "\n".join(t.content for t in tokens if t.type == "inline")
    for shaped in ("20 / 20", "Forged", "forged item", "alert(1)", "gnp.exe", "oops"):
        assert shaped in fences, shaped
        assert shaped not in outside, shaped
    # Twice in the notes on the cells; the student's exception text in a hidden test's
    # failure is not shown at all (only "double raised ValueError").
    assert fences.count(FORGED_SCORE) == 2
    assert "double raised ValueError (line" in fences
    # Shown to the instructor (--reveal-values), it stays inside a code block as well.
    from byhand.grading.batch import feedback

    revealed = list(walk(markdown(feedback(reports["forger.ipynb"], reveal=True))))
    assert [revealed[i + 1].content for i, t in enumerate(revealed) if t.type == "strong_open"
            ] == ["Score: 1 / 2 (50 %)"]  # fmt: skip
    assert "\n".join(t.content for t in revealed if t.type == "fence").count(FORGED_SCORE) == 3
    # Read line by line as well, as a person or a script reads the file.
    assert [line for line in text.splitlines() if line.startswith("**Score")] == [
        "**Score: 1 / 2 (50 %)**, status: cell errors"]  # fmt: skip
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "# Feedback: `forger`", "## Tests", "## While running your notebook"]  # fmt: skip


def test_no_control_character_or_escape_sequence_reaches_an_output(forged):
    files = every_file(forged["out"])
    assert len(files) == 9  # scores.csv, and a feedback and a report for each of 4
    for path, text in files.items():
        found = sorted({f"U+{ord(c):04X}" for c in CONTROLS.findall(text)})
        assert found == [], f"{path.name}: {found}"
        # JSON writes them as escapes; decoded, they must be gone all the same.
        if path.suffix == ".json":
            for string in strings(json.loads(text)):
                assert CONTROLS.findall(string) == [], (path.name, string[:80])
    # The name is still shown, its escape sequences as visible text.
    shown = [r["submission"] for r in forged["reports"] if r["file"].endswith("=1+2.ipynb")]
    assert shown == ["\\x1b]0;owned\\x07\\x1b[2J=1+2"]


def test_the_progress_bar_shows_no_escape_sequence(tmp_path, hidden):
    notebook(tmp_path / "submissions" / f"{ESCAPED_NAME}.ipynb", GOOD)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):  # where tqdm draws the bar
        grade(tmp_path / "submissions", tmp_path / "out", hidden, progress=True)
    progress = err.getvalue()
    assert "1/1" in progress  # the bar was drawn
    assert "\x1b" not in progress and "\x07" not in progress
    assert CONTROLS.findall(progress.replace("\r", "")) == []
    assert "\\x1b]0;owned\\x07\\x1b[2J=1+2: 100 %" in progress  # the name, as visible text


def test_scores_csv_has_one_quoted_row_per_submission(forged):
    rows = read_csv(forged["out"])
    assert len(rows) == 1 + 4
    assert rows[0] == ["submission", "double", "half", "total", "max_total", "percent",
                       "status", "notes"]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    assert sorted(by_name) == ["\\x1b]0;owned\\x07\\x1b[2J=1+2", "carriage", "forger", "good"]
    assert by_name["good"][1:] == ["1", "1", "2", "2", "100", "ok", ""]
    assert by_name["carriage"][1:7] == ["1", "1", "2", "2", "100", "cell errors"]
    assert by_name["carriage"][7] == (
        "code cell 3 ('# two rows') raised ValueError: x =1+2 @SUM(1+1) (line 2)"
    )
    forger = by_name["forger"]
    assert forger[1:7] == ["0", "1", "1", "2", "50", "cell errors"]
    notes = forger[7].split(" | ")
    assert len(notes) == 4 and all(note.startswith("code cell ") for note in notes)
    assert FORGED_SCORE in notes[0] and "\n" not in forger[7] and "\r" not in forger[7]
    # Every field quoted, one line a row: the file reads the same to a line-based tool.
    lines = (forged["out"] / "scores.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert all(next(csv.reader([line], quoting=csv.QUOTE_ALL)) == row
               for line, row in zip(lines, rows, strict=True))  # fmt: skip
    assert all(line.startswith('"') and line.endswith('"') for line in lines)


def test_names_read_as_formulas_are_neutralised(tmp_path, hidden):
    names = ["=1+2", "@SUM(1+1)", "+cmd", "-2+3", "\tTAB", "-5"]
    for name in names:
        notebook(tmp_path / "submissions" / f"{name}.ipynb", GOOD)
    notebook(tmp_path / "submissions" / '=HYPERLINK("http:x")' / "work.ipynb", GOOD)
    grade(tmp_path / "submissions", tmp_path / "out", hidden)
    rows = read_csv(tmp_path / "out")
    first = sorted(row[0] for row in rows[1:])
    assert first == sorted(["'=1+2", "'@SUM(1+1)", "'+cmd", "'-2+3", "\\x09TAB",
                            "-5",  # a plain number is no formula: it stays a number
                            "'=HYPERLINK(\"http:x\")__work"])  # fmt: skip
    for row in rows[1:]:
        assert row[1:6] == ["1", "1", "2", "2", "100"]  # numbers stay numbers
        for field in row:
            assert not field.startswith(tuple("=+@\t\r")), field
            assert not field.startswith("-") or field == "-5", field
    text = (tmp_path / "out" / "scores.csv").read_text(encoding="utf-8")
    assert all(line.startswith('"') for line in text.splitlines())


def test_long_names_get_short_stable_and_distinct_files(tmp_path, hidden, monkeypatch):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    long_a = "a" * 200 + "-first-" + "x" * 33  # 240 characters: 246 bytes with .ipynb
    long_b = "a" * 200 + "-other-" + "x" * 33  # the same first 200
    deep = Path("d" * 200) / ("f" * 240)  # a folder and a file name, each near the limit
    for relative in (long_a, long_b, deep, "short"):
        notebook(submissions / f"{relative}.ipynb", GOOD)
    assert len(f"{long_a}.ipynb".encode()) == 246
    first = grade(submissions, out, hidden)
    assert first.graded == 4 and [r["total"] for r in first.reports] == [2, 2, 2, 2]
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert len(files) == 1 + 2 * 4
    assert all(len(p.name.encode()) <= 130 for p in files), files
    assert "feedback/short.md" in map(str, files) and "reports/short.json" in map(str, files)
    assert len({p.stem for p in files if p.parent.name == "reports"}) == 4
    assert not list(out.rglob("*.partial"))
    # scores.csv names each submission in full, so that it can be found.
    rows = read_csv(out)
    assert sorted(row[0] for row in rows[1:]) == sorted([long_a, long_b, "__".join(deep.parts),
                                                         "short"])  # fmt: skip
    # The same names on the next run: every report is current, nothing is graded again.
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.json")}
    second = grade(submissions, out, hidden)
    assert (second.graded, second.reused) == (0, 4)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.json")} == before
    assert read_csv(out) == rows


def test_3000_failing_cells_make_a_short_readable_record(tmp_path, hidden):
    cells = [f"raise ValueError('{i}: ' + 'x' * 1900)" for i in range(3000)] + GOOD
    notebook(tmp_path / "submissions" / "many.ipynb", cells)
    (report,) = grade(tmp_path / "submissions", tmp_path / "out", hidden).reports
    assert report["status"] == "cell errors" and report["total"] == 2
    rows = read_csv(tmp_path / "out")  # raised "field larger than field limit" before
    assert len(rows) == 2
    notes = rows[1][-1].split(" | ")
    assert len(notes) == 20 and len(rows[1][-1]) < 30_000 < csv.field_size_limit()
    assert notes[0].startswith("code cell 1 (") and notes[0].endswith(" more characters)")
    assert notes[-1] == "… and 2,981 more notes like these"
    assert report["notes"] == notes  # the report keeps the same notes, with no newline to lose
    assert all(len(note) <= 1000 for note in report["notes"])
    for name in ("feedback/many.md", "reports/many.json"):
        assert (tmp_path / "out" / name).stat().st_size < 60_000, name


def test_the_command_line_prints_no_escape_sequence(tmp_path, hidden):
    notebook(tmp_path / "submissions" / f"{ESCAPED_NAME}.ipynb", GOOD)
    done = subprocess.run(
        [sys.executable, "-m", "byhand.grading", "grade", "submissions", "--out", "out",
         "--tests", str(hidden), "--workers", "1", "--memory-mb", "1024"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(LIB))},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Graded 1 submission against ")
    assert "grading" in done.stderr  # the progress bar, with the submission's name
    for stream in (done.stdout, done.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
        assert CONTROLS.findall(stream.replace("\r", "").replace("\n", "")) == []


def test_the_summary_line_is_one_clean_line():
    from byhand.grading.__main__ import summary
    from byhand.grading.batch import Batch

    report = {"percent": 50.0, "status": "ok"}
    line = summary(Batch([report], graded=1, reused=0), Path("tests\x1b[2J\r\n\u202e.py"))
    assert line == "Graded 1 submission against tests .py: mean 50.0 %, 0 with a status other " \
        "than ok."  # fmt: skip


def test_gradescope_results_are_plain_clean_text(tmp_path, hidden):
    from byhand.grading import gradescope

    zip_path = gradescope.build(hidden, tmp_path / "autograder.zip", LIMITS)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    notebook(root / "submission" / f"{ESCAPED_NAME}\rScore: 20 of 20.ipynb", FORGER)
    results = gradescope.run_autograder(root)
    written = (root / "results" / "results.json").read_text(encoding="utf-8")
    assert json.loads(written) == results
    assert results["score"] == 1
    texts = [results["output"], *(t["output"] for t in results["tests"]),
             *(t["name"] for t in results["tests"])]  # fmt: skip
    for text in texts:
        assert CONTROLS.findall(text) == [], text
    # Shown as plain text: no HTML or Markdown of the student's can render.
    assert results.get("output_format") == "text"
    assert results.get("test_output_format") == results.get("test_name_format") == "text"
    # The summary's first line is the only one that starts as a score line; what the
    # student shaped is on lines of its own, indented under a note.
    lines = results["output"].split("\n")
    assert lines[0].startswith("Score: 1 / 2 (50 %) for \\x1b]0;owned\\x07\\x1b[2J=1+2")
    assert [line for line in lines if line.startswith(("Score", "**Score"))] == [lines[0]]
    assert "\\x0dScore: 20 of 20.ipynb." in lines[0]
    assert all(line.startswith(("- ", "  ")) for line in lines[2:-1]), lines
    assert sum(FORGED_SCORE in line for line in lines) == 2


# --- safetext itself -------------------------------------------------------------------


def test_every_control_and_reordering_character_is_removed():
    from byhand.grading import safetext

    unsafe = [chr(c) for c in range(0x110000)
              if unicodedata.category(chr(c)) == "Cc" and chr(c) not in "\n\t"
              or unicodedata.bidirectional(chr(c)) in ("LRE", "RLE", "LRO", "RLO", "PDF",
                                                       "LRI", "RLI", "FSI", "PDI")]  # fmt: skip
    assert len(unsafe) > 60
    # "é" after each: no escape sequence can end with it, so none eats a neighbour.
    everything = "".join(f"é{c}" for c in unsafe)
    cleaned = safetext.text(everything, None, None)  # some are line breaks: they become \n
    assert set(cleaned) <= {"é", "\n"} and cleaned.count("é") == len(unsafe)
    assert set(safetext.line(everything, None)) <= {"é", " "}
    shown = safetext.name(everything)
    assert set(shown) <= set("éabcdefx0123456789u\\") and shown.count("\\") == len(unsafe)
    assert safetext.text("a\ud800b") == "a?b"  # half a character, which UTF-8 cannot hold


@pytest.mark.parametrize(
    ("sequence", "left"),
    [("\x1b[2J", ""), ("\x1b[1;31m", ""), ("\x1b]0;title\x07", ""), ("\x1b]8;;http://x\x1b\\", ""),
     ("\x1bP1$r\x1b\\", ""), ("\x1b(B", ""), ("\x1bc", ""), ("\x9b2J", "2J"), ("\x1b", ""),
     ("\x1b]0;unterminated", "0;unterminated")],
)  # fmt: skip
def test_escape_sequences_are_removed_whole(sequence, left):
    from byhand.grading import safetext

    assert safetext.text(f"«{sequence}»") == f"«{left}»"  # no sequence ends with »
    assert safetext.line(f"«{sequence}»") == f"«{left}»"


def test_cleaning_twice_changes_nothing_and_cuts_are_counted():
    from byhand.grading import safetext

    samples = ["plain", "a\r\nb\rc", "x" * 50_000, "\n".join(["l"] * 500), "tab\tand\x1b[2J",
               "\u202eabc", "=1+2", "-5", "`code`"]  # fmt: skip
    for sample in samples:
        short_line, short_text = (
            (lambda s: safetext.line(s, 40)),
            (lambda s: safetext.text(s, 100, 3)),
        )
        for clean in (safetext.text, safetext.line, safetext.name, safetext.csv_cell, short_line,
                      short_text):  # fmt: skip
            once = clean(sample)
            assert clean(once) == once, (sample[:20], once[:60])
    cut = safetext.text("x" * 50_000)
    assert len(cut) <= safetext.MESSAGE_CHARS and cut.endswith(" more characters)")
    kept = cut.count("x")
    assert f"({50_000 - kept:,} more characters)" in cut
    assert len(safetext.line("y" * 999, 40)) == 40
    many = safetext.notes([f"note {i}" for i in range(100)])
    assert len(many) == safetext.MAX_NOTES and many[-1] == "… and 81 more notes like these"
    assert safetext.notes(many) == many


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+2", "'=1+2"), ("+1+2", "'+1+2"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\t=1", "' =1"), ("\r=1", "' =1"), ("\x00=1", "'=1"), ("  =1", "'  =1"), ("＝1", "'＝1"),
     ("-5", "-5"), ("+2.5", "+2.5"), ("-1e3", "-1e3"), ("12", "12"), ("a=1", "a=1"), ("", ""),
     ("-", "'-"), ("line\nbreak", "line break")],
)  # fmt: skip
def test_csv_cells_are_never_formulas(value, cell):
    from byhand.grading import safetext

    assert safetext.csv_cell(value) == cell


@pytest.mark.parametrize(
    "inside",
    [
        "plain",
        "`",
        "``",
        "```",
        "a\n```\nb",
        "````` x\n~~~",
        "\n\n",
        "  indented\n\n# heading",
        "ends with `",
    ],
)
def test_code_blocks_and_spans_cannot_be_closed_from_inside(inside):
    from byhand.grading import safetext

    for indent in ("", "  "):
        document = f"- item\n\n{safetext.fenced(inside, indent)}\n\nafter" if indent else \
            f"{safetext.fenced(inside)}\n\nafter"  # fmt: skip
        tokens = list(walk(markdown(document)))
        fences = [t for t in tokens if t.type == "fence"]
        assert len(fences) == 1 and fences[0].content.rstrip("\n") == inside.rstrip("\n")
        assert [t.content for t in tokens if t.type == "inline"][-1] == "after"
    flat = safetext.line(inside)
    spans = [t for t in walk(markdown(f"say {safetext.code_span(inside)} now"))
             if t.type == "code_inline"]  # fmt: skip
    assert len(spans) == 1 and spans[0].content.strip() == flat.strip()


def test_file_stems_are_short_safe_unique_and_stable():
    from byhand.grading import safetext

    assert safetext.file_stem("alice/01_perceptron.ipynb") == "alice__01_perceptron"
    assert safetext.file_stem("My homework (final).ipynb") == "My homework (final)"
    relatives = ["=1+2.ipynb", "_1_2.ipynb", "@SUM(1+1).ipynb", "-rf.ipynb", "\x1b[2J.ipynb",
                 "a" * 240 + ".ipynb", "a" * 239 + "b.ipynb", "é" * 200 + ".ipynb",
                 "d" * 250 + "/" + "f" * 250 + ".ipynb", "\udcff.ipynb",
                 "a\u202eb.ipynb"]  # fmt: skip
    stems = [safetext.file_stem(r) for r in relatives]
    assert len(set(stems)) == len(stems)
    assert stems == [safetext.file_stem(r) for r in relatives]  # the same every time
    for stem in stems:
        assert 0 < len(stem.encode("utf-8")) <= safetext.STEM_BYTES
        assert re.fullmatch(r"[\w\-. ()]+", stem) and not stem.startswith(("-", "."))
    assert stems[0] == "_1_2-f419da665b23" and stems[1] == "_1_2"  # as docs/grading.md says
