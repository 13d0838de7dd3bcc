"""Weight penalties: L1 (lasso), L2 (ridge) and both together (elastic net).

A regularizer adds a penalty on a weight array W (any shape, e.g. a kernel [D, M]) to
the data loss, so that training prefers small weights:

    total loss = data loss + penalty(W)

A layer adds `reg.gradient(W)` to its dW in backward. The strength (l1, l2, the
course's lambda) is a hyperparameter chosen on the dev set. As in Keras, the penalty
is a plain sum over the weights, not divided by the batch size or by 2.
"""

from __future__ import annotations

import numpy as np

from byhand.checks import check_number
from byhand.registry import lookup


def _as_weights(owner, w):
    w = np.asarray(w)
    if not np.issubdtype(w.dtype, np.floating) or not np.isfinite(w).all():
        raise ValueError(f"{owner}: weights must be finite floats, got dtype {w.dtype}")
    return w


class L1:
    """penalty(W) = l1 * sum(|w|)        d penalty / dw = l1 * sign(w)

    At w = 0 the slope is undefined; the gradient uses sign(0) = 0 (a subgradient).
    The constant pull towards zero, whatever the size of w, drives weights to exactly
    zero: L1 makes sparse weights.
    """

    name = "l1"

    def __init__(self, l1=0.01):
        self.l1 = check_number("L1", "l1", l1, 0)

    def __call__(self, w):
        return self.l1 * float(np.sum(np.abs(_as_weights("L1", w))))

    def gradient(self, w):
        """W (any shape) -> dpenalty/dW, same shape and dtype."""
        w = _as_weights("L1", w)
        return (self.l1 * np.sign(w)).astype(w.dtype)

    def __repr__(self):
        return f"L1(l1={self.l1})"


class L2:
    """penalty(W) = l2 * sum(w**2)        d penalty / dw = 2 * l2 * w

    The pull is proportional to w: big weights shrink fast, small ones barely move
    ("weight decay"), so L2 makes weights small but rarely exactly zero.
    """

    name = "l2"

    def __init__(self, l2=0.01):
        self.l2 = check_number("L2", "l2", l2, 0)

    def __call__(self, w):
        return self.l2 * float(np.sum(np.square(_as_weights("L2", w))))

    def gradient(self, w):
        """W (any shape) -> dpenalty/dW, same shape and dtype."""
        w = _as_weights("L2", w)
        return (2 * self.l2 * w).astype(w.dtype)

    def __repr__(self):
        return f"L2(l2={self.l2})"


class L1L2:
    """Elastic net: penalty(W) = l1 * sum(|w|) + l2 * sum(w**2)

        d penalty / dw = l1 * sign(w) + 2 * l2 * w

    Keras's defaults are l1 = l2 = 0.0 (no penalty until you set one).
    """

    name = "l1_l2"

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = check_number("L1L2", "l1", l1, 0)
        self.l2 = check_number("L1L2", "l2", l2, 0)

    def __call__(self, w):
        w = _as_weights("L1L2", w)
        return self.l1 * float(np.sum(np.abs(w))) + self.l2 * float(np.sum(np.square(w)))

    def gradient(self, w):
        """W (any shape) -> dpenalty/dW, same shape and dtype."""
        w = _as_weights("L1L2", w)
        return (self.l1 * np.sign(w) + 2 * self.l2 * w).astype(w.dtype)

    def __repr__(self):
        return f"L1L2(l1={self.l1}, l2={self.l2})"


REGULARIZERS = {"l1": L1, "l2": L2, "l1_l2": L1L2}


def get(identifier):
    """A regularizer from a name ("l1", "l2", "l1_l2", any case), an instance, or None.

    A name gives the class with Keras's defaults; None means no penalty and gives None.
    """
    if identifier is None:
        return None
    return lookup("regularizer", identifier, REGULARIZERS, (L1, L2, L1L2))
