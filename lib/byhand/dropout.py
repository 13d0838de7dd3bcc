"""Dropout: randomly silence units while training, so none can rely on another."""

from __future__ import annotations

import numpy as np

from byhand.base import Layer
from byhand.checks import check_number


class Dropout(Layer):
    """Inverted dropout: in training, zero each input with probability `rate`.

        training:  y = x * m / (1 - rate)    m[i] = 1 with probability 1 - rate, else 0
        inference: y = x                     (nothing to undo: training already scaled)
        backward:  dx = dy * m / (1 - rate)  (the same mask; dx = dy at inference)

    Dividing the kept values by 1 - rate keeps each unit's expected value, so the next
    layer sees inputs of the same size in training and at inference. `rate` is the DROP
    probability (as in Keras), in [0, 1). The masks are drawn from the rng given to build.
    """

    default_name = "dropout"

    def __init__(self, rate, name=None):
        super().__init__(name)
        self.rate = check_number(str(self), "rate (the drop probability)", rate, 0, 1)

    def build(self, input_shape, rng=None, dtype="float32"):
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"{self}: build needs a numpy.random.Generator, got {rng!r}")
        super().build(input_shape, rng, dtype)

    def forward(self, x, training=False):
        """x [N, ...] -> y, same shape."""
        x = self._check_input(x)
        if not training or self.rate == 0:
            self.cache = np.ones_like(x)  # the identity: dx = dy
            return x
        keep = self.rng.random(x.shape) >= self.rate  # m
        # In floats: cast to an integer x's dtype, 1 / (1 - rate) would become 1.
        dtype = x.dtype if x.dtype.kind == "f" else self.dtype
        self.cache = (keep / (1 - self.rate)).astype(dtype)  # m / (1 - rate)
        return x * self.cache

    def backward(self, dy):
        """dy -> dx = dy * m / (1 - rate): dropped units pass no gradient back."""
        scaled_mask = self._cached()
        dy = self._check_dy(dy, scaled_mask.shape)
        return dy * scaled_mask
