"""How fast does the batch grader grade? N copies of one solution notebook, in one batch.

    python benchmarks/bench_grading.py                     # 20 copies of 01_perceptron
    python benchmarks/bench_grading.py solutions/02_x.ipynb --tests solutions/hidden/02_x.py
    python benchmarks/bench_grading.py -n 40 --workers 2

Every copy runs in its own sandbox process with the default limits, one worker per core
unless told otherwise, exactly as `byhand-grade grade` would. The report gives the wall
time of the batch and the seconds per notebook; the benchmark fails unless every copy
scored 100 % with status ok (a solution notebook must pass its own hidden tests), and,
when exercises/ holds the notebook's exercise version, unless that untouched notebook
scores 0 (its stubs must earn nothing).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from byhand.grading.batch import grade_folder
from byhand.grading.hidden import load_tests
from byhand.grading.runner import Limits

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", type=Path,
                        default=ROOT / "solutions" / "01_perceptron.ipynb")  # fmt: skip
    parser.add_argument("--tests", type=Path, help="hidden-test file (default: "
                        "solutions/hidden/<the notebook's name>.py)")  # fmt: skip
    parser.add_argument("-n", "--copies", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    tests_path = args.tests or ROOT / "solutions" / "hidden" / f"{args.notebook.stem}.py"
    tests = load_tests(tests_path)
    digest = hashlib.sha256(tests_path.read_bytes()).hexdigest()
    limits = Limits()

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        folder, out = Path(scratch) / "submissions", Path(scratch) / "out"
        folder.mkdir()
        for i in range(args.copies):
            shutil.copy(args.notebook, folder / f"student_{i:03d}.ipynb")
        started = time.perf_counter()
        reports = grade_folder(folder, out, tests, digest, limits, workers=args.workers,
                               progress=False).reports  # fmt: skip
        wall = time.perf_counter() - started

    print(f"graded {len(reports)} copies of {args.notebook.name} against {tests_path.name} "
          f"({len(tests)} tests) with {args.workers} workers and the default limits")  # fmt: skip
    print(f"wall: {wall:.1f} s, {wall / len(reports):.2f} s per notebook "
          f"({wall * args.workers / len(reports):.2f} s of a worker each); "
          f"slowest {max(r['seconds'] for r in reports):.1f} s")  # fmt: skip
    wrong = [(r["submission"], r["percent"], r["status"], r["notes"]) for r in reports
             if r["percent"] != 100 or r["status"] != "ok"]  # fmt: skip
    assert len(reports) == args.copies, f"graded {len(reports)} of {args.copies} copies"
    assert not wrong, f"copies that did not score 100 % with status ok: {wrong}"
    print(f"all {len(reports)} copies scored 100 %")
    exercise = ROOT / "exercises" / args.notebook.name
    if exercise.is_file():
        with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
            folder = Path(scratch) / "submissions"
            folder.mkdir()
            shutil.copy(exercise, folder / exercise.name)
            (report,) = grade_folder(folder, Path(scratch) / "out", tests, digest, limits,
                                     workers=1, progress=False).reports  # fmt: skip
        assert report["total"] == 0, f"the untouched exercise notebook scored {report['total']}"
        print(f"the untouched exercise notebook {exercise.name} scored 0 (status "
              f"{report['status']})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
