"""The reader's test: the methods that the chapters print fit on one screen and show their math.

Chapters 4, 5 and 7 print `Dense.backward`, the losses and the optimizers beside their
derivations (`inspect.getsource`). Each method listed here must fit on one screen (SCREEN
lines, docstring included) and contain the lines of its formula, so a reader finds the
forward formula, the backward formula and the update rule at a glance. A test fails when a
listed method grows past a screen, and when a loss or an optimizer is missing from the list.
"""

import inspect

import pytest

from byhand import losses, optimizers
from byhand.layers import Dense
from byhand.model import Sequential

SCREEN = 40  # lines: about one screen of a notebook or an editor

# (the method a chapter prints, the lines of the formula it must contain)
PRINTED = [
    (
        Dense.forward,
        ['x @ self.params["kernel"]', 'z += self.params["bias"]', "self.activation(z)"],
    ),
    (
        Dense.backward,
        ["self.activation.backward(z, y, dy)", "sum_over_batch(dz)", "x.T @ dz", "dz @ W.T"],
    ),
    (losses.MeanSquaredError._value, ["(y - p) ** 2"]),
    (losses.MeanSquaredError._gradient, ["2 * (p - y) / p.size"]),
    (losses.MeanAbsoluteError._value, ["np.abs(y - p)"]),
    (losses.MeanAbsoluteError._gradient, ["np.sign(p - y) / p.size"]),
    (losses.BinaryCrossentropy._value, ["y * np.log(p) + (1 - y) * np.log(1 - p)", "z = y_pred"]),
    (losses.BinaryCrossentropy._gradient, ["(p - y) / p.size", "p = Sigmoid()(z)"]),
    (losses.CategoricalCrossentropy._value, ["-np.sum(y * log_p)"]),
    (losses.CategoricalCrossentropy._gradient, ["y * inside / q"]),
    (losses.CategoricalCrossentropy._logits_gradient, ["p = np.exp(log_p)", "p * total - y"]),
    (losses.SparseCategoricalCrossentropy._one_hot, ["np.eye(K"]),
    (losses.KLDivergence._value, ["y * np.log(y / p)"]),
    (losses.KLDivergence._gradient, ["/ q /"]),
    (optimizers.SGD.update, ["self.iterations += 1", "w -= lr * g", "v += lr * g", "w -= v"]),
    (optimizers.Adagrad.update, ["self.iterations += 1", "s += g**2", "np.sqrt(s + self.epsilon)"]),
    (optimizers.RMSprop.update, ["self.iterations += 1", "(1 - self.rho) * g**2", "w -= step"]),
    (
        optimizers.Adam.update,
        ["self.iterations += 1", "1 - self.beta_1", "1 - self.beta_2", "w -="],
    ),
    (optimizers.Adamax.update, ["self.iterations += 1", "np.maximum(u, np.abs(g)", "w -="]),
    (
        optimizers.Adadelta.update,
        ["self.iterations += 1", "(1 - self.rho) * g**2", "(1 - self.rho) * delta**2", "w -="],
    ),
    (Sequential.fit, ["self._train_epoch(", "on_epoch_end", "val_"]),
    (
        Sequential._train_step,
        ["self.forward(xs, training=True)", "value_and_gradient", "self.backward(dy"],
    ),
]


@pytest.mark.parametrize("method, formula", PRINTED, ids=[m.__qualname__ for m, _ in PRINTED])
def test_a_printed_method_fits_on_one_screen_and_shows_its_formula(method, formula):
    source = inspect.getsource(method)
    lines = source.splitlines()
    assert len(lines) <= SCREEN, f"{method.__qualname__} has {len(lines)} lines > {SCREEN}"
    for line in formula:
        assert line in source, f"{method.__qualname__} no longer shows {line!r}"


def test_every_loss_and_every_optimizer_is_listed():
    listed = {method.__qualname__.split(".")[0] for method, _ in PRINTED}
    for cls in {*losses.LOSSES.values(), *optimizers.OPTIMIZERS.values()}:
        assert cls.__name__ in listed, f"add {cls.__name__}'s printed methods to PRINTED"


def test_dense_backward_reads_like_the_derivation_without_plumbing_flags():
    # backward(dy): no need_dx argument; the bias sum sits behind a named helper.
    assert list(inspect.signature(Dense.backward).parameters) == ["self", "dy"]
    source = inspect.getsource(Dense.backward)
    assert "_ones(" not in source and "np.dot" not in source
