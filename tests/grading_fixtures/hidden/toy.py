"""Hidden tests of a toy exercise set, for the grader's own tests (not a course set).

The toy set asks for three functions of a NumPy array x:

    double(x)          2 x, a new array (x itself unchanged)           2 points
    sum_all(x)         the sum of all entries, as a float              2 points
    count_positive(x)  how many entries are > 0, as an integer         2 points
"""

# byhand-hidden-toy-secret-7f3a: a submission that could read this file would print this.

import numpy as np

from byhand.exercises import assert_close, assert_unchanged
from byhand.grading import call_and_inputs, points


@points(1)
def test_double_vector(double):
    assert_close(double(np.array([1.0, -2.0, 3.5])), np.array([2.0, -4.0, 7.0]),
                 what="double([1, -2, 3.5])")  # fmt: skip


@points(1, exercise="double")
def test_double_keeps_its_input(double):
    x = np.arange(6.0).reshape(2, 3)
    value, after = call_and_inputs(double, x)
    assert_close(value, 2 * np.arange(6.0).reshape(2, 3), what="double of a 2 x 3 matrix")
    assert_unchanged(after, (np.arange(6.0).reshape(2, 3),), names=("x",))


@points(2)
def test_sum_all(sum_all):
    x = np.random.default_rng(0).normal(size=(3, 4))
    assert_close(sum_all(x), float(x.sum()), what="sum_all of a 3 x 4 matrix")


@points(2)
def test_count_positive(count_positive):
    x = np.array([[1.0, -2.0, 0.0], [3.0, 4.0, -0.5]])
    assert_close(count_positive(x), np.int64(3), what="count_positive (0 is not positive)")
