"""Fixtures shared by several test files."""

from pathlib import Path

import pytest

from byhand.grading import batch as batch_module


@pytest.fixture
def graded(monkeypatch):
    """The names (stems) of the submissions the grader was asked to run, in the order asked:
    which ones a batch grades, counted by wrapping its runner."""
    names = []
    run = batch_module.run_submission

    def counting(path, tests, limits=None):
        names.append(Path(path).stem)
        return run(path, tests, limits)

    monkeypatch.setattr(batch_module, "run_submission", counting)
    return names
