"""Instant feedback on the course's graded exercises.

Each exercise set has a module here with its public cases and its own `check`. In an exercise
notebook, after writing a function, run its check cell:

    from byhand.exercises.perceptron import check    # the set 01_perceptron
    check("net_input", net_input)   # prints "net_input: all 4 public cases pass", or the
                                    # first failing case with a hint

SETS maps each set's name (the file name of its notebooks, NN_topic) to its module, and
names are looked up within one set: two sets may each have a `sigmoid`. Hidden tests compare
values with `assert_close`, which raises the same explanation that `check` prints. This
package needs only NumPy.
"""

from byhand.exercises import (
    activations,
    backprop,
    batchnorm,
    calculus,
    callbacks,
    capstone,
    losses,
    optimizers,
    perceptron,
    regularization,
)
from byhand.exercises.feedback import assert_close, assert_unchanged, diagnose

SETS = {  # set name -> its module
    "01_perceptron": perceptron,
    "02_calculus": calculus,
    "03_activations": activations,
    "04_backpropagation": backprop,
    "05_losses": losses,
    "06_regularization": regularization,
    "07_optimizers": optimizers,
    "08_batch_normalization": batchnorm,
    "09_callbacks": callbacks,
    "10_capstone": capstone,
}

__all__ = ["SETS", "assert_close", "assert_unchanged", "diagnose"]
