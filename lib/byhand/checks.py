"""The argument checks the whole engine shares, so that one place says what a number is.

A number is any real number, NumPy's scalars included (np.float32(0.5), np.int64(3)), but
not a bool: Python counts True as 1, and Dropout(True) is surely a mistake. Each check
returns the value, as a float or an int, or raises a ValueError that names the owner, the
argument, what was expected and what was received.
"""

from __future__ import annotations

import math
import numbers
import os


def is_number(value):
    """A real number such as 3, 0.5 or np.float32(0.5); not a bool, a string or None."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_int(value):
    """An int such as 3 or np.int64(3); not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_number(owner, name, value, low=-math.inf, high=math.inf):
    """value as a float, if it is a finite number with low <= value < high."""
    if not (is_number(value) and low <= value < high and math.isfinite(value)):
        if high < math.inf:
            expected = f"a number in [{low:g}, {high:g})"
        else:
            expected = f"a number >= {low:g}" if low > -math.inf else "a finite number"
        raise ValueError(f"{owner}: {name} must be {expected}, got {value!r}")
    return float(value)


def check_positive(owner, name, value):
    """value as a float, if it is a finite number > 0 (a step size, a scale, an epsilon)."""
    if not (is_number(value) and 0 < value < math.inf):
        raise ValueError(f"{owner}: {name} must be a number > 0, got {value!r}")
    return float(value)


def check_int(owner, name, value, low=0):
    """value as an int, if it is an int >= low."""
    if not (is_int(value) and value >= low):
        raise ValueError(f"{owner}: {name} must be an int >= {low}, got {value!r}")
    return int(value)


def check_path(owner, path):
    """path as a str, if it is a file path (None would make a file named "None")."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{owner}: the file path must be a str or a pathlib.Path, got {path!r}")
    return os.fspath(path)
