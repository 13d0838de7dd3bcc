"""Instant feedback on the course's graded exercises.

In an exercise notebook, after writing a function, run its check cell:

    from byhand.exercises import check
    check("net_input", net_input)      # prints "net_input: all 4 public cases pass", or
                                       # the first failing case with a hint; True/False

The public cases are data, one module per exercise set (`byhand.exercises.perceptron`).
Hidden tests compare values with `assert_close`, which raises the same explanation that
`check` prints. This package needs only NumPy.
"""

from byhand.exercises.checking import EXERCISES, check
from byhand.exercises.feedback import assert_close, assert_unchanged, diagnose

__all__ = ["EXERCISES", "assert_close", "assert_unchanged", "check", "diagnose"]
