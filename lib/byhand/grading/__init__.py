"""Grading the course's exercise sets: hidden tests, the sandbox, batch and Gradescope.

    python -m byhand.grading grade SUBMISSIONS_DIR --out results/

Students never need this package: their instant feedback is their set's own `check`
(`from byhand.exercises.perceptron import check` for Chapter 1).
See `docs/grading.md` for the guide for authors and instructors.
"""

from byhand.grading.hidden import (
    StudentError,
    Through,
    call_and_inputs,
    load_tests,
    points,
    run_tests,
)

__all__ = ["StudentError", "Through", "call_and_inputs", "load_tests", "points", "run_tests"]
