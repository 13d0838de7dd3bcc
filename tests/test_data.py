"""Tests for byhand.data."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import byhand.datasets
from byhand.data import (
    GATE_NAMES,
    blobs,
    load_digits,
    logic_gate,
    moons,
    regression_curve,
    spirals,
    to_categorical,
    train_test_split,
    xor_cloud,
)

TRUTH_TABLES = {
    # rows (0,0), (0,1), (1,0), (1,1)
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
    "xnor": [1, 0, 0, 1],
}


@pytest.mark.parametrize("name", sorted(TRUTH_TABLES))
def test_logic_gate_truth_tables(name):
    X, y = logic_gate(name)
    assert X.shape == (4, 2) and X.dtype == np.float64
    assert y.shape == (4,) and np.issubdtype(y.dtype, np.integer)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, TRUTH_TABLES[name])


def test_gate_outputs_follow_their_definitions():
    X, _ = logic_gate("and")
    a, b = X[:, 0].astype(bool), X[:, 1].astype(bool)
    expected = {
        "and": a & b,
        "or": a | b,
        "nand": ~(a & b),
        "nor": ~(a | b),
        "xor": a ^ b,
        "xnor": ~(a ^ b),
    }
    assert set(GATE_NAMES) == set(expected)
    for name, column in expected.items():
        np.testing.assert_array_equal(logic_gate(name)[1], column.astype(int))


def test_names_are_case_insensitive():
    np.testing.assert_array_equal(logic_gate("XoR")[1], logic_gate("xor")[1])


def test_fresh_arrays_each_call():
    X, y = logic_gate("and")
    X[0, 0] = 5.0
    y[0] = 7
    X2, y2 = logic_gate("and")
    assert X2[0, 0] == 0.0 and y2[0] == 0


def test_unknown_gate_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown gate 'implies'.*and, or, nand, nor, xor, xnor"):
        logic_gate("implies")


def test_name_must_be_a_string():
    with pytest.raises(TypeError, match="name must be a string, got int"):
        logic_gate(3)


# ---- synthetic data sets -------------------------------------------------------------------

SYNTHETIC = {
    # name: (function, keyword arguments, number of classes)
    "xor_cloud": (xor_cloud, {"n": 101, "noise": 0.1}, 2),
    "moons": (moons, {"n": 101, "noise": 0.1}, 2),
    "spirals": (spirals, {"n": 101, "classes": 4, "noise": 0.2}, 4),
    "blobs": (blobs, {"n": 101, "centers": 3, "std": 0.5}, 3),
}


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_synthetic_shapes_dtypes_and_balance(name):
    make, kwargs, k = SYNTHETIC[name]
    X, y = make(**kwargs)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == k and counts.max() - counts.min() <= 1  # as even as possible


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_synthetic_seeds(name):
    make, kwargs, _ = SYNTHETIC[name]
    X1, y1 = make(**kwargs, seed=3)
    X2, y2 = make(**kwargs, seed=np.random.default_rng(3))  # a Generator works too
    X3, _ = make(**kwargs, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_xor_cloud_without_noise_is_the_truth_table():
    X, y = xor_cloud(n=8, noise=0.0)
    # Every point sits on a corner, labelled x1 XOR x2; each corner twice.
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))
    corners, counts = np.unique(X, axis=0, return_counts=True)
    np.testing.assert_array_equal(corners, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(counts, [2, 2, 2, 2])


def test_moons_without_noise_lie_on_two_unit_circles():
    X, y = moons(n=50, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    # Class 0: the upper half of the unit circle around (0, 0).
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert upper[:, 1].min() >= -1e-12
    # Class 1: the lower half of the unit circle around (1, 0.5).
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert lower[:, 1].max() <= 0.5 + 1e-12


def test_spirals_without_noise_have_radius_0_to_1():
    X, y = spirals(n=30, classes=3, noise=0.0)
    for k in range(3):
        r = np.sort(np.hypot(*X[y == k].T))
        # Ten points per arm, radii 0, 1/9, ..., 1 (the angle is then 4k + 4r).
        np.testing.assert_allclose(r, np.linspace(0, 1, 10), atol=1e-12)


def test_blobs_with_given_centers():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]])
    X, y = blobs(n=400, centers=centers, std=0.5)
    assert X.shape == (400, 3)
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.15)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.1)


def test_regression_curve():
    X, y = regression_curve(n=50, noise=0.0)
    assert X.shape == (50, 1) and y.shape == (50, 1)
    assert np.all(np.diff(X[:, 0]) >= 0) and X.min() >= -3 and X.max() <= 3
    # f(x) = sin(x) + 0.3 x; e.g. f(pi/2) = 1 + 0.3 * 1.5708 = 1.4712.
    np.testing.assert_allclose(y, np.sin(X) + 0.3 * X)
    _, noisy = regression_curve(n=2000, noise=0.2)
    X2, _ = regression_curve(n=2000, noise=0.0)
    np.testing.assert_allclose(np.std(noisy - (np.sin(X2) + 0.3 * X2)), 0.2, atol=0.02)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: moons(n=0), r"moons: n must be an int >= 2, got 0"),
        (lambda: moons(n=10.5), r"moons: n must be an int >= 2, got 10.5"),
        (lambda: moons(noise=-1.0), r"moons: the noise/std must be a number >= 0, got -1.0"),
        (lambda: spirals(classes=1), r"spirals: classes must be an int >= 2, got 1"),
        (lambda: blobs(centers=np.zeros(3)), r"centers must be an int or an array of shape"),
        (lambda: xor_cloud(n=3), r"xor_cloud: n must be an int >= 4, got 3"),
        (lambda: moons(noise=np.nan), r"moons: the noise/std must be a number >= 0, got nan"),
        (lambda: spirals(classes="a"), r"spirals: classes must be an int >= 2, got 'a'"),
        (lambda: blobs(centers=[[0, 0], [1]]), r"array of numbers of shape \[K, D\]"),
        (lambda: blobs(centers=[[0, np.nan], [1, 1]]), r"blobs: centers contain NaN"),
        (lambda: moons(seed=-1), r"moons: seed must be an int >= 0, got -1"),
    ],
)
def test_bad_arguments_are_reported(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: moons(noise="a"), r"moons: the noise/std must be a number >= 0, got 'a'"),
        (lambda: moons(seed=1.5), r"moons: seed must be None, an int >= 0 or a numpy Generator"),
        (
            lambda: train_test_split(np.zeros((4, 1)), np.zeros(4), seed="x"),
            r"train_test_split: seed must be None, an int >= 0 .*got 'x'",
        ),
        (lambda: to_categorical(["a", "b"]), r"integer class indices, got dtype <U1"),
    ],
)
def test_wrong_types_are_reported(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_numpy_numbers_are_accepted():
    X, y = np.zeros((10, 2)), np.arange(10)
    assert len(train_test_split(X, y, test_size=np.float32(0.2))[1]) == 2
    assert len(train_test_split(X, y, test_size=np.int64(3), seed=np.int64(1))[1]) == 3
    np.testing.assert_array_equal(moons(seed=np.int64(3))[0], moons(seed=3)[0])
    assert to_categorical([0, 2], np.int64(4)).shape == (2, 4)


# ---- train_test_split ----------------------------------------------------------------------


def test_split_sizes_and_pairing():
    X = np.arange(20.0).reshape(10, 2)  # row i is [2i, 2i + 1]
    y = np.arange(10)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=1)
    # N_test = ceil(0.25 * 10) = ceil(2.5) = 3, N_train = 7.
    assert X_train.shape == (7, 2) and X_test.shape == (3, 2)
    assert y_train.shape == (7,) and y_test.shape == (3,)
    # Rows stay paired, and together the two parts are the whole set, once.
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)
    np.testing.assert_array_equal(X_test[:, 0], 2 * y_test)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), y)
    # An int test_size is a count.
    assert len(train_test_split(X, y, test_size=4)[1]) == 4


def test_split_is_seeded_and_copies():
    X, y = moons(n=40)
    a = train_test_split(X, y, seed=5)
    b = train_test_split(X, y, seed=5)
    c = train_test_split(X, y, seed=6)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3]) or not np.array_equal(a[1], c[1])
    a[0][:] = 99.0  # the results are new arrays, not views of X
    assert not np.any(X == 99.0)


def test_split_keeps_one_hot_targets_whole():
    X, y = blobs(n=30, centers=3)
    Y = to_categorical(y)
    _, X_test, _, Y_test = train_test_split(X, Y, test_size=0.2)
    assert Y_test.shape == (6, 3)  # ceil(0.2 * 30) = 6


def test_stratified_split_keeps_class_shares():
    # 60 examples of class 0, 30 of class 1, 10 of class 2; a test set of 20% = 20.
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.arange(100.0)[:, None]
    _, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0, stratify=y)
    # Each class gives 20% of its examples: 12, 6 and 2.
    np.testing.assert_array_equal(np.bincount(y_test), [12, 6, 2])
    np.testing.assert_array_equal(np.bincount(y_train), [48, 24, 8])
    np.testing.assert_array_equal(y[X_test[:, 0].astype(int)], y_test)


def test_stratified_split_rounds_to_the_requested_size():
    # 7 / 7 / 6 examples, test set ceil(0.3 * 20) = 6: the ideal shares are 2.1, 2.1, 1.8,
    # rounded down to 2, 2, 1; the one left over goes to the largest remainder, 0.8.
    y = np.repeat([0, 1, 2], [7, 7, 6])
    _, _, _, y_test = train_test_split(np.zeros((20, 1)), y, test_size=0.3, stratify=y)
    np.testing.assert_array_equal(np.bincount(y_test), [2, 2, 2])


def test_stratified_split_matches_sklearn_counts():
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = blobs(n=97, centers=4)
    y[:20] = 0  # unbalance the classes
    ours = train_test_split(X, y, test_size=0.3, stratify=y)
    theirs = model_selection.train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    np.testing.assert_array_equal(np.bincount(ours[3]), np.bincount(theirs[3]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"y": np.zeros(9)},
            r"same number of examples N on axis 0, got shapes \(10, 2\) and \(9,\)",
        ),
        ({"test_size": 1.5}, r"test_size must be a fraction in \(0, 1\) or a count, got 1.5"),
        ({"test_size": 10}, r"leaves 10 of N = 10 examples for the test set"),
        ({"test_size": 0}, r"leaves 0 of N = 10 examples"),
        ({"stratify": np.zeros(3)}, r"stratify must hold one class label per example"),
    ],
)
def test_split_errors(kwargs, message):
    args = {"X": np.zeros((10, 2)), "y": np.zeros(10), **kwargs}
    with pytest.raises(ValueError, match=message):
        train_test_split(**args)


@given(
    n=st.integers(2, 60),
    fraction=st.floats(0.01, 0.99),
    seed=st.integers(0, 2**32 - 1),
    stratified=st.booleans(),
)
def test_split_property_partition(n, fraction, seed, stratified):
    y = np.arange(n) % 3
    n_test = int(np.ceil(fraction * n))
    assume(0 < n_test < n)
    X = np.arange(n)[:, None]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=fraction, seed=seed, stratify=y if stratified else None
    )
    assert len(X_test) == n_test and len(X_train) == n - n_test
    np.testing.assert_array_equal(np.sort(np.concatenate([X_train, X_test])[:, 0]), np.arange(n))
    np.testing.assert_array_equal(y[X_test[:, 0]], y_test)


# ---- to_categorical ------------------------------------------------------------------------


def test_to_categorical():
    np.testing.assert_array_equal(to_categorical([0, 2]), [[1, 0, 0], [0, 0, 1]])
    np.testing.assert_array_equal(
        to_categorical([1, 0], num_classes=4), [[0, 1, 0, 0], [1, 0, 0, 0]]
    )
    out = to_categorical(np.array([[2], [1]]))  # [N, 1] -> [N, K], as in Keras
    assert out.shape == (2, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(out.argmax(axis=1), [2, 1])
    np.testing.assert_array_equal(to_categorical([1.0, 0.0]), [[0, 1], [1, 0]])


@pytest.mark.parametrize(
    "y, num_classes, message",
    [
        ([0, 3], 3, r"labels must lie in 0..2 for num_classes=3, got values from 0 to 3"),
        ([-1, 1], None, r"labels must be class indices >= 0, got values from -1 to 1"),
        ([-2, -1], None, r"labels must be class indices >= 0, got values from -2 to -1"),
        ([0, 1], 0, r"num_classes must be an int >= 1, got 0"),
        ([0, 2], 3.0, r"num_classes must be an int >= 1, got 3.0"),
        ([0, 2], "3", r"num_classes must be an int >= 1, got '3'"),
        ([0, 1], True, r"num_classes must be an int >= 1, got True"),
        ([0.5, 1.0], None, r"labels must be whole numbers"),
    ],
)
def test_to_categorical_errors(y, num_classes, message):
    with pytest.raises(ValueError, match=message):
        to_categorical(y, num_classes)


@given(st.lists(st.integers(0, 9), min_size=1, max_size=30))
def test_to_categorical_round_trip(labels):
    one_hot = to_categorical(labels, num_classes=10)
    assert one_hot.shape == (len(labels), 10)
    np.testing.assert_array_equal(one_hot.sum(axis=1), 1.0)
    np.testing.assert_array_equal(one_hot.argmax(axis=1), labels)


# ---- the 8x8 digits ------------------------------------------------------------------------


def test_load_digits_shapes_and_counts():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    # scikit-learn's documented class sizes, digits 0..9.
    np.testing.assert_array_equal(
        np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    )


def test_load_digits_equals_sklearn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    X, y = load_digits()
    theirs = sklearn_datasets.load_digits()
    np.testing.assert_array_equal(X, theirs.data)
    np.testing.assert_array_equal(y, theirs.target)


def test_digits_file_is_small_and_licensed():
    folder = Path(byhand.datasets.__file__).parent
    assert (folder / "digits.npz").stat().st_size < 100_000
    readme = (folder / "README.md").read_text()
    assert "scikit-learn" in readme and "CC BY 4.0" in readme
