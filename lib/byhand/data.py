"""Small data sets for the course, as plain NumPy arrays.

Every loader returns `X, y` with the batch first: X is [N, D] (N examples, D features)
and y is [N]. Nothing is downloaded; each data set is built or shipped with the package.
"""

from __future__ import annotations

import numpy as np

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
