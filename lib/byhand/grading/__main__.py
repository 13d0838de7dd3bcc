"""The grader's command line: `python -m byhand.grading` or `byhand-grade`.

    byhand-grade grade SUBMISSIONS_DIR --out results/      score a folder of notebooks
    byhand-grade class SUBMISSIONS_DIR --out results/      a whole class, every set: a gradebook
    byhand-grade exercises [--check]                       make exercises/ from solutions/
    byhand-grade gradescope --out autograder.zip           package the hidden tests

`byhand-grade COMMAND --help` lists each command's options.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

from byhand.grading import safetext
from byhand.grading.runner import Limits

DEFAULT_TESTS = Path("solutions/hidden")


def hidden_test_file(tests, exercise_set):
    """The hidden-test file to use: `tests` itself, or `exercise_set`.py in the folder."""
    tests = Path(tests)
    if tests.is_file():
        return tests
    if not tests.is_dir():
        sys.exit(f"byhand-grade: no hidden tests at {tests}; pass --tests FILE_OR_FOLDER")
    sets = sorted(p.stem for p in tests.glob("*.py") if not p.name.startswith("_"))
    if exercise_set:
        if exercise_set not in sets:
            sys.exit(f"byhand-grade: no set {exercise_set!r} in {tests}; it has {sets}")
        return tests / f"{exercise_set}.py"
    if len(sets) != 1:
        sys.exit(f"byhand-grade: {tests} holds the sets {sets}; choose one with --set NAME")
    return tests / f"{sets[0]}.py"


def add_limit_options(parser):
    default = Limits()
    parser.add_argument(
        "--cell-timeout",
        type=float,
        default=default.cell_seconds,
        help="seconds one code cell may run (default %(default)s)",
    )
    parser.add_argument(
        "--call-timeout",
        type=float,
        default=default.call_seconds,
        help="seconds one call of a student's function may run (default %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=default.total_seconds,
        help="seconds for everything in one submission (default %(default)s)",
    )
    parser.add_argument("--memory-mb", type=int, default=default.memory_mb,
                        help="address space of each submission's process, in MiB "
                        "(default %(default)s)")  # fmt: skip
    parser.add_argument("--disk-mb", type=int, default=default.disk_mb,
                        help="all the files one submission may write, in MiB "
                        "(default %(default)s)")  # fmt: skip
    parser.add_argument("--disk-files", type=int, default=default.disk_files,
                        help="files, folders and links one submission may make together "
                        "(default %(default)s)")  # fmt: skip


def limits_from(args):
    return Limits(cell_seconds=args.cell_timeout, call_seconds=args.call_timeout,
                  total_seconds=args.timeout, memory_mb=args.memory_mb,
                  disk_mb=args.disk_mb, disk_files=args.disk_files)  # fmt: skip


def summary(batch, path):
    """The line that ends a run: how many submissions were graded or reused, and the mean.

    One line, with no control character or escape sequence (safetext.line), whatever the
    paths hold.
    """
    reports = batch.reports
    count = len(reports)
    mean = sum(r["percent"] for r in reports) / count
    troubled = sum(r["status"] != "ok" for r in reports)
    if batch.reused == 0:
        done = f"Graded {_plural(count, 'submission')}"
    else:
        done = (f"Graded {batch.graded} of {_plural(count, 'submission')} and reused the "
                f"current reports of {batch.reused}")  # fmt: skip
    return safetext.line(f"{done} against {path}: mean {mean:.1f} %, "
                         f"{troubled} with a status other than ok.", None)  # fmt: skip


def _plural(count, noun):
    return f"{count} {noun}" + ("" if count == 1 else "s")


def warn_if_root():
    """Grading as root: say on stderr what the sandboxes run as, and what remains."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        print("byhand-grade: warning: running as root. Each sandbox runs as the user nobody, "
              "or as root without capabilities where nobody cannot run this Python, and then "
              "still owns root's files; grade as an ordinary user where you can (see "
              "docs/grading.md, 'The sandbox').", file=sys.stderr)  # fmt: skip


def grade(args):
    from byhand.grading.batch import grade_folder
    from byhand.grading.hidden import load_tests

    path = hidden_test_file(args.tests, args.set)
    tests = load_tests(path)
    tests_digest = hashlib.sha256(path.read_bytes()).hexdigest()
    warn_if_root()
    batch = grade_folder(args.submissions, args.out, tests, tests_digest, limits_from(args),
                         workers=args.workers, fresh=args.fresh,
                         progress=not args.quiet, reveal=args.reveal_values)  # fmt: skip
    if not batch.reports:
        print(safetext.line(f"byhand-grade: no .ipynb files in {args.submissions}", None),
              file=sys.stderr)  # fmt: skip
        return 1
    print(summary(batch, path))
    out = Path(args.out)
    print(safetext.line(f"Scores: {out / 'scores.csv'}; feedback: {out / 'feedback'}/", None))
    return 0


def grade_class(args):
    from byhand.grading.gradebook import grade_class as grade_all
    from byhand.grading.identify import LayoutError

    tests = Path(args.tests)
    if not tests.is_dir():
        sys.exit(f"byhand-grade: no folder of hidden tests at {tests}; pass --tests FOLDER")
    sets = [name.strip() for name in args.sets.split(",") if name.strip()] if args.sets else None
    warn_if_root()
    try:
        book = grade_all(args.submissions, args.out, tests, layout=args.layout, sets=sets,
                         limits=limits_from(args), workers=args.workers, fresh=args.fresh,
                         progress=not args.quiet, reveal=args.reveal_values)  # fmt: skip
    except (LayoutError, ValueError, NotADirectoryError) as error:
        print(safetext.line(f"byhand-grade: {error}", None), file=sys.stderr)
        return 1
    if not book.notebooks:
        print(safetext.line(f"byhand-grade: no .ipynb files in {args.submissions}", None),
              file=sys.stderr)  # fmt: skip
        return 1
    print(class_summary(book, args.submissions))
    out = Path(args.out)
    where = (f"Gradebook: {out / 'gradebook.csv'}; every notebook: {out / 'submissions.csv'}; "
             f"feedback: {out / 'feedback'}/")  # fmt: skip
    print(safetext.line(where, None))
    return 0


def class_summary(book, folder):
    """The lines that end a class run: what was graded or reused, and what was not graded."""
    count = book.graded + book.reused
    done = f"Graded {_plural(count, 'notebook')}"
    if book.reused:
        done = (f"Graded {book.graded} of {_plural(count, 'notebook')} and reused the current "
                f"reports of {book.reused}")  # fmt: skip
    lines = [f"{done} of {_plural(len(book.students), 'student')} in "
             f"{_plural(len(book.sets), 'set')} ({folder}, layout {book.layout})."]  # fmt: skip
    skipped = [n for n in book.notebooks if n.problem]
    if skipped:
        lines.append(f"Not graded: {_plural(len(skipped), 'notebook')} (see submissions.csv):")
        lines += [f"  {n.shown}: {n.problem}" for n in skipped[:20]]
        if len(skipped) > 20:
            lines.append(f"  ... and {len(skipped) - 20} more")
    return "\n".join(safetext.line(line, None) for line in lines)


def exercises(args):
    from byhand.grading import generate

    return generate.main(["--check"] if args.check else [])


def gradescope(args):
    from byhand.grading import gradescope as package

    if args.all_sets:
        if args.set:
            sys.exit("byhand-grade: choose --set NAME or --all-sets, not both")
        tests = Path(args.tests)
        paths = sorted(tests.glob("*.py")) if tests.is_dir() else []
        paths = [p for p in paths if not p.name.startswith("_")]
        if not paths:
            sys.exit(f"byhand-grade: no folder of hidden-test files at {tests}; pass --tests")
        package.build(paths, args.out, limits_from(args))
        print(f"Wrote {args.out}, for the sets {', '.join(p.stem for p in paths)}: upload it as "
              "the autograder of each set's Gradescope programming assignment.")  # fmt: skip
        return 0
    path = hidden_test_file(args.tests, args.set)
    package.build(path, args.out, limits_from(args))
    print(f"Wrote {args.out}: upload it as the autograder of a Gradescope programming assignment.")
    return 0


def parser():
    top = argparse.ArgumentParser(prog="byhand-grade", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)

    command = commands.add_parser("grade", help="grade a folder of submitted notebooks")
    command.add_argument("submissions", help="folder of .ipynb files (searched recursively)")
    command.add_argument("--out", required=True, help="folder for scores.csv and feedback/")
    command.add_argument(
        "--tests",
        default=DEFAULT_TESTS,
        help="hidden-test file, or folder of them (default %(default)s)",
    )
    command.add_argument("--set", help="exercise set, e.g. 01_perceptron, when --tests has several")
    command.add_argument("--workers", type=int, help="submissions at once (default: one per core)")
    command.add_argument("--fresh", action="store_true", help="regrade even current reports")
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    command.add_argument(
        "--reveal-values",
        action="store_true",
        help="feedback shows the hidden inputs, expected values and the student's exception "
        "texts (default: only what failed, and a hint)",
    )
    add_limit_options(command)
    command.set_defaults(run=grade)

    command = commands.add_parser("class", help="grade a whole class, every set, into a gradebook")
    command.add_argument("submissions", help="folder of the class's notebooks (see --layout)")
    command.add_argument("--out", required=True, help="folder for gradebook.csv, "
                         "submissions.csv, feedback/ and sets/")  # fmt: skip
    command.add_argument(
        "--tests",
        default=DEFAULT_TESTS,
        help="folder of hidden-test files, one per set (default %(default)s)",
    )
    command.add_argument("--layout", choices=("students", "sets"),
                         help="a folder per student, or a folder per set (default: told from "
                         "the folders' names)")  # fmt: skip
    command.add_argument("--sets", help="the sets to grade, comma-separated (default: all)")
    command.add_argument("--workers", type=int, help="notebooks at once (default: one per core)")
    command.add_argument("--fresh", action="store_true", help="regrade even current reports")
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    command.add_argument("--reveal-values", action="store_true",
                         help="feedback shows the hidden inputs, expected values and the "
                         "student's exception texts")  # fmt: skip
    add_limit_options(command)
    command.set_defaults(run=grade_class)

    command = commands.add_parser("exercises", help="generate exercises/ from solutions/")
    command.add_argument("--check", action="store_true", help="only report stale exercises")
    command.set_defaults(run=exercises)

    command = commands.add_parser("gradescope", help="package the hidden tests for Gradescope")
    command.add_argument("--out", required=True, help="the zip file to write")
    command.add_argument("--tests", default=DEFAULT_TESTS, help="hidden-test file or folder")
    command.add_argument("--set", help="exercise set, when --tests has several")
    command.add_argument("--all-sets", action="store_true",
                         help="one autograder for every set in --tests (a folder)")  # fmt: skip
    add_limit_options(command)
    command.set_defaults(run=gradescope)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
