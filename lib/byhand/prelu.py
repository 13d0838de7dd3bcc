"""The parametric ReLU: a leaky ReLU whose negative slope alpha is learned, one per unit."""

from __future__ import annotations

import numpy as np

from byhand import initializers, regularizers
from byhand.base import Layer
from byhand.checks import is_int


class PReLU(Layer):
    """Parametric ReLU (Keras's `keras.layers.PReLU`): y = x for x > 0, alpha * x otherwise.

        y = relu(x) - alpha * relu(-x)       x, y [N, ...] (same shape); alpha [...]

    alpha is a weight, learned by gradient descent like a kernel. It has the shape of ONE
    example, so every unit (every entry of an example) has its own slope: inputs [N, D]
    give alpha [D]. `shared_axes` lists axes of an example (1 is the first after the batch
    axis) along which units share one alpha: for images [N, H, W, C], shared_axes=[1, 2]
    gives alpha [1, 1, C], one slope per channel. alpha starts at 0 ("zeros", Keras's
    default), so the layer starts as a plain ReLU; alpha = 0.01 would be a leaky ReLU.

    Derivatives (alpha broadcast to x's shape):
        dy/dx     = 1 if x > 0, alpha if x < 0, and 0 at x = 0      (as Keras: relu'(0) = 0)
        dy/dalpha = 0 if x > 0, x     if x < 0                       = min(x, 0)
    so backward returns dx = dy * ((x > 0) + alpha * (x < 0)) and sets
    grads["alpha"] = the sum of dy * min(x, 0) over the batch axis and the shared axes.

    Keras's `alpha_constraint` is not offered: byhand has no weight constraints.
    """

    default_name = "p_re_lu"  # Keras's automatic name: "PReLU" in snake_case

    def __init__(
        self, alpha_initializer="zeros", alpha_regularizer=None, shared_axes=None, name=None
    ):
        super().__init__(name)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        if shared_axes is None:
            shared_axes = ()
        elif is_int(shared_axes):  # Keras accepts one axis as a bare int
            shared_axes = (shared_axes,)
        if not isinstance(shared_axes, (list, tuple)) or not all(
            is_int(axis) and axis >= 1 for axis in shared_axes
        ):
            raise ValueError(
                f"{self}: shared_axes must be None, an int or a list of ints >= 1 (axes of "
                f"one example; the batch axis 0 is always shared), got {shared_axes!r}"
            )
        self.shared_axes = tuple(sorted({int(axis) for axis in shared_axes}))

    def build(self, input_shape, rng=None, dtype="float32"):
        """alpha: the shape of one example, with 1 along each shared axis."""
        shape = self._start_build(input_shape, rng, dtype)
        too_far = [axis for axis in self.shared_axes if axis > len(shape)]
        if too_far:
            raise ValueError(
                f"{self}: shared_axes {list(self.shared_axes)} name axes beyond the "
                f"{len(shape)} axes of one example (input_shape {shape})"
            )
        alpha_shape = tuple(1 if k + 1 in self.shared_axes else n for k, n in enumerate(shape))
        self.params["alpha"] = self.alpha_initializer(alpha_shape, rng, dtype=dtype)
        self.built = True

    def forward(self, x, training=False):
        """x [N, ...] -> y, same shape."""
        x = self._check_input(x)
        y = np.where(x > 0, x, self.params["alpha"] * x)
        self.cache = x
        return y

    def backward(self, dy):
        """dy -> dx, same shape; sets grads["alpha"], shaped like alpha.

        2. dalpha = sum of dy * min(x, 0) over the batch and the shared axes
           (+ the alpha penalty's gradient)
        1. dx = dy * ((x > 0) + alpha * (x < 0))
        """
        x = self._cached()
        dy = self._check_dy(dy, x.shape)
        alpha = self.params["alpha"]
        summed = (0, *self.shared_axes)  # every axis along which one alpha serves many x
        dalpha = np.sum(dy * np.minimum(x, 0), axis=summed, keepdims=True)  # 2.
        self.grads["alpha"] = dalpha.reshape(alpha.shape).astype(alpha.dtype, copy=False)
        if self.alpha_regularizer is not None:
            self.grads["alpha"] += self.alpha_regularizer.gradient(alpha)
        return dy * ((x > 0) + alpha * (x < 0))  # 1.

    def regularization_loss(self):
        """alpha_regularizer(alpha), if it is set."""
        if self.alpha_regularizer is None:
            return 0.0
        return float(self.alpha_regularizer(self.params["alpha"]))
