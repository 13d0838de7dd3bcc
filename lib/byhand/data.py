"""Small data sets for the course, as plain NumPy arrays.

Every loader returns `X, y` with the batch first: X is [N, D] (N examples, D features)
and y is [N] (class labels) or [N, 1] (regression targets). The synthetic sets are drawn
from a NumPy Generator seeded by `seed`, so the same seed always gives the same data.
`seed` may be an int or a `numpy.random.Generator` (then that generator is used as is).

The two digit sets live in `byhand.datasets`: `load_digits()` (8x8 digits shipped with
the package) and `load_mnist()` (downloaded once, then read from a cache).
"""

from __future__ import annotations

import math

import numpy as np

from byhand.checks import check_int, is_int, is_number
from byhand.datasets import load_digits, load_mnist

__all__ = [
    "GATE_NAMES",
    "blobs",
    "load_digits",
    "load_mnist",
    "logic_gate",
    "moons",
    "regression_curve",
    "spirals",
    "to_categorical",
    "train_test_split",
    "xor_cloud",
]

# The four rows of every two-input truth table, in the usual order.
_GATE_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))

# The output column of each gate, row by row in the order above.
_GATE_OUTPUTS = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
}

GATE_NAMES = tuple(_GATE_OUTPUTS)


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input logic gate.

    Parameters
    ----------
    name : str
        One of "and", "or", "nand", "nor", "xor", "xnor" (any letter case).

    Returns
    -------
    X : float64 array, shape [4, 2]
        The inputs (x1, x2), rows in the order (0, 0), (0, 1), (1, 0), (1, 1).
    y : int array, shape [4]
        The gate's output for each row, 0 or 1.

    Example: `logic_gate("and")` gives y = [0, 0, 0, 1].
    """
    if not isinstance(name, str):
        raise TypeError(f"logic_gate: name must be a string, got {type(name).__name__}")
    key = name.strip().lower()
    if key not in _GATE_OUTPUTS:
        raise ValueError(
            f"logic_gate: unknown gate {name!r}; expected one of {', '.join(GATE_NAMES)}"
        )
    X = np.array(_GATE_INPUTS, dtype=np.float64)
    y = np.array(_GATE_OUTPUTS[key], dtype=int)
    return X, y


def xor_cloud(n=200, noise=0.15, seed=0):
    """XOR as a cloud: n points scattered around the four corners of the unit square.

    Corner (a, b) with a, b in {0, 1} gets label a XOR b, so the corners (0, 1) and
    (1, 0) are class 1. Each point is its corner plus Gaussian noise of std `noise`.

    Returns X float64 [N, 2] and y int64 [N] (N = n), in random order.
    """
    n = check_int("xor_cloud", "n", n, 4)
    rng = _rng("xor_cloud", noise, seed)
    corners = np.array(_GATE_INPUTS, dtype=np.float64)  # [4, 2]
    which = np.arange(n) % 4  # [N] corner of each point, as even as possible
    X = corners[which] + noise * rng.standard_normal((n, 2))
    y = np.array(_GATE_OUTPUTS["xor"])[which]
    return _shuffled(X, y, rng)


def moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles, like scikit-learn's make_moons.

    Class 0 is the upper arc (cos t, sin t), class 1 the lower arc
    (1 - cos t, 0.5 - sin t), for t evenly spaced in [0, pi]; then Gaussian noise of
    std `noise` is added to both coordinates. Class 0 gets ceil(n / 2) points.

    Returns X float64 [N, 2] and y int64 [N] (N = n), in random order.
    """
    n = check_int("moons", "n", n, 2)
    rng = _rng("moons", noise, seed)
    n0 = n - n // 2
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n // 2)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])  # [n0, 2]
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])  # [n - n0, 2]
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n0, n // 2])
    return _shuffled(X, y, rng)


def spirals(n=300, classes=3, noise=0.2, seed=0):
    """K spiral arms winding out of the origin, one arm per class (the CS231n spirals).

    Point i of arm k sits at radius r = i / (n_k - 1) and angle
    theta = 4k + 4r + noise * (standard normal), at (r sin theta, r cos theta).
    The n points are shared between the arms as evenly as possible.

    Returns X float64 [N, 2] and y int64 [N] (N = n, K = classes), in random order.
    """
    classes = check_int("spirals", "classes", classes, 2)
    n = check_int("spirals", "n", n, 2 * classes)
    rng = _rng("spirals", noise, seed)
    counts = np.full(classes, n // classes)  # [K] points per arm
    counts[: n % classes] += 1
    y = np.repeat(np.arange(classes), counts)  # [N]
    r = np.concatenate([np.linspace(0, 1, c) for c in counts])  # [N]
    theta = 4 * y + 4 * r + noise * rng.standard_normal(n)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return _shuffled(X, y, rng)


def blobs(n=300, centers=3, std=1.0, seed=0):
    """Gaussian blobs, like scikit-learn's make_blobs.

    centers : int K, or array [K, D]
        K blob centres drawn uniformly from the square [-10, 10]^2 (so D = 2), or the
        centres themselves.
    std : float
        The standard deviation of every blob, in every direction.

    Returns X float64 [N, D] and y int64 [N] (N = n; point i belongs to blob y[i]),
    in random order.
    """
    n = check_int("blobs", "n", n, 1)
    rng = _rng("blobs", std, seed)
    if np.isscalar(centers):
        k = check_int("blobs", "centers", centers, 1)
        centers = rng.uniform(-10.0, 10.0, size=(k, 2))
    try:
        centers = np.asarray(centers, dtype=np.float64)
    except (TypeError, ValueError):  # ragged rows, or entries that are not numbers
        raise ValueError(
            f"blobs: centers must be an int or an array of numbers of shape [K, D], got {centers!r}"
        ) from None
    if centers.ndim != 2 or 0 in centers.shape:
        raise ValueError(
            f"blobs: centers must be an int or an array of shape [K, D], got {centers.shape}"
        )
    if not np.isfinite(centers).all():
        raise ValueError("blobs: centers contain NaN or infinity")
    y = np.arange(n) % len(centers)
    X = centers[y] + std * rng.standard_normal((n, centers.shape[1]))
    return _shuffled(X, y, rng)


def regression_curve(n=100, noise=0.2, seed=0):
    """Noisy samples of the curve f(x) = sin(x) + 0.3 x on [-3, 3] (a wave on a trend).

    x is drawn uniformly from [-3, 3] and sorted, so `plt.plot(X, y)` draws a curve;
    the target is f(x) plus Gaussian noise of std `noise` (noise=0 gives f itself).

    Returns X float64 [N, 1] and y float64 [N, 1] (N = n).
    """
    n = check_int("regression_curve", "n", n, 1)
    rng = _rng("regression_curve", noise, seed)
    X = np.sort(rng.uniform(-3.0, 3.0, size=(n, 1)), axis=0)
    y = np.sin(X) + 0.3 * X + noise * rng.standard_normal((n, 1))
    return X, y


def train_test_split(X, y, test_size=0.25, seed=0, stratify=None):
    """Split the examples at random into a training set and a test set.

    The split shuffles the row indices 0..N-1 once and cuts them in two; the four
    results are `X[train_idx]`, `X[test_idx]`, ... (the only copies made). Rows stay
    paired: row i of X_train and row i of y_train are the same example.

    Parameters
    ----------
    X : array, shape [N, ...]
    y : array, shape [N, ...] (labels [N], one-hot [N, K] or targets [N, 1])
    test_size : float in (0, 1) or int
        The fraction of the examples for the test set, rounded up
        (N_test = ceil(test_size * N), as in scikit-learn), or N_test itself.
    seed : int or numpy Generator
    stratify : None or array of class labels, shape [N]
        If given (usually `stratify=y`), each class gets the same share of the test
        set as of the whole set: N_test * (count of class k) / N, rounded so that the
        shares add up to N_test (largest remainders get the extra examples).

    Returns
    -------
    X_train [N - N_test, ...], X_test [N_test, ...], y_train, y_test
    (scikit-learn's order), each shuffled.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"train_test_split: X and y must hold the same number of examples N on axis 0, "
            f"got shapes {X.shape} and {y.shape}"
        )
    n = len(X)
    if is_int(test_size):
        n_test = int(test_size)
    elif is_number(test_size) and 0.0 < test_size < 1.0:
        n_test = int(np.ceil(test_size * n))
    else:
        raise ValueError(
            f"train_test_split: test_size must be a fraction in (0, 1) or a count, "
            f"got {test_size!r}"
        )
    if not 0 < n_test < n:
        raise ValueError(
            f"train_test_split: test_size={test_size!r} leaves {n_test} of N = {n} "
            f"examples for the test set; both sets need at least one"
        )
    rng = _generator("train_test_split", seed)
    if stratify is None:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    else:
        test_idx, train_idx = _stratified_indices(np.asarray(stratify), n_test, n, rng)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def _stratified_indices(labels, n_test, n, rng):
    """Test and train row indices with every class in proportion (see train_test_split)."""
    if labels.shape != (n,):
        raise ValueError(
            f"train_test_split: stratify must hold one class label per example, shape "
            f"({n},), got {labels.shape}"
        )
    classes, which, counts = np.unique(labels, return_inverse=True, return_counts=True)
    share = counts * n_test / n  # [C] ideal test examples per class
    n_class_test = np.floor(share).astype(int)
    # Hand the examples lost to rounding down to the largest fractional parts.
    extra = n_test - n_class_test.sum()
    n_class_test[np.argsort(-(share - n_class_test), kind="stable")[:extra]] += 1
    test_parts, train_parts = [], []
    for c in range(len(classes)):
        rows = rng.permutation(np.flatnonzero(which == c))
        test_parts.append(rows[: n_class_test[c]])
        train_parts.append(rows[n_class_test[c] :])
    # Shuffle once more so the classes are mixed, not in blocks.
    return rng.permutation(np.concatenate(test_parts)), rng.permutation(np.concatenate(train_parts))


def to_categorical(y, num_classes=None):
    """One-hot encode integer class labels (Keras's `to_categorical`).

    y : ints in 0..K-1, shape [N] (or [N, 1], or any shape S)
    num_classes : K, or None for max(y) + 1

    Returns a float64 array of shape [N, K] (S + [K]; a trailing axis of size 1 is
    dropped first, as Keras does) with out[i, y[i]] = 1 and zeros elsewhere.
    Example: to_categorical([0, 2]) = [[1, 0, 0], [0, 0, 1]].
    """
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":  # bool, int, unsigned, float
        raise TypeError(
            f"to_categorical: labels must be integer class indices, got dtype {y.dtype}"
        )
    if num_classes is not None:
        num_classes = check_int("to_categorical", "num_classes", num_classes, 1)
    if y.size and not np.all(np.isfinite(y) & (y == np.round(y))):
        raise ValueError(f"to_categorical: labels must be whole numbers, got {y.ravel()[:5]}...")
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    labels = y.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(
            f"to_categorical: labels must be class indices >= 0, got values from "
            f"{labels.min()} to {labels.max()}"
        )
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"to_categorical: labels must lie in 0..{num_classes - 1} for "
            f"num_classes={num_classes}, got values from {labels.min()} to {labels.max()}"
        )
    return np.eye(num_classes)[labels]


def _rng(fn, spread, seed):
    """Check a noise/std argument (a number >= 0) and return the seeded Generator."""
    if not is_number(spread):
        raise TypeError(f"{fn}: the noise/std must be a number >= 0, got {spread!r}")
    if not math.isfinite(spread) or spread < 0:
        raise ValueError(f"{fn}: the noise/std must be a number >= 0, got {spread!r}")
    return _generator(fn, seed)


def _generator(fn, seed):
    """The Generator for `seed`: None (fresh entropy), an int >= 0, or a Generator as is."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if not is_int(seed):
        raise TypeError(f"{fn}: seed must be None, an int >= 0 or a numpy Generator, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{fn}: seed must be an int >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def _shuffled(X, y, rng):
    """X [N, D] and y [N] with their rows in one random order (y as int64)."""
    order = rng.permutation(len(X))
    return X[order], y[order].astype(np.int64)
