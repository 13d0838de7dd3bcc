"""The 8x8 handwritten digits that ship with scikit-learn, readable without it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

DIGITS_FILE = Path(__file__).with_name("digits.npz")


def load_digits():
    """The 1797 8x8 digit images of scikit-learn's `load_digits`, offline.

    Each image is 8x8 pixels, each pixel the count (0..16) of ink pixels in a 4x4 block
    of a 32x32 scan. The file stores them as uint8 `images` [1797, 8, 8] and `target`
    [1797]; this function flattens each image row by row, as scikit-learn does.

    Returns
    -------
    X : float64 array, shape [1797, 64], values 0..16 (divide by 16 to scale to [0, 1])
    y : int64 array, shape [1797], the digit 0..9 shown in each image
    """
    with np.load(DIGITS_FILE) as data:
        images, target = data["images"], data["target"]  # [1797, 8, 8], [1797]
    X = images.reshape(len(images), 64).astype(np.float64)
    y = target.astype(np.int64)
    return X, y
