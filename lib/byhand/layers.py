"""Layers: the building blocks of a network, each with a forward and a backward pass.

Every layer follows one pattern:

    layer.build(input_shape, rng)   # fix the input size once, create the weights
    y = layer.forward(x, training)  # keep in layer.cache what backward needs
    dx = layer.backward(dy)         # dy = dL/dy in, dx = dL/dx out; OVERWRITE layer.grads

`params` holds the trainable arrays and `grads` their gradients under the same keys;
`state` holds arrays that are learned without gradients (batch norm's moving averages).
Shapes use the course's letters: N examples in a batch, D inputs, M outputs; `input_shape`
is the shape of ONE example, without the batch axis, e.g. (D,).

Dropout and batch normalization behave differently in training (training=True) and at
inference. `LAYERS` lists every layer class by name; a test fails when one is missing.
"""

from __future__ import annotations

import functools

import numpy as np

from byhand import activations, initializers, regularizers
from byhand.base import Layer, unique_name
from byhand.checks import is_int
from byhand.dropout import Dropout
from byhand.functional import Input, example_shape  # Input: also keras.layers.Input
from byhand.normalization import BatchNormalization
from byhand.prelu import PReLU

__all__ = [
    "LAYERS",
    "Activation",
    "BatchNormalization",
    "Concatenate",
    "Dense",
    "Dropout",
    "Input",
    "InputLayer",
    "Layer",
    "PReLU",
    "unique_name",
]


class Dense(Layer):
    """A fully connected layer: every output reads every input.

    z = x @ W + b        x [N, D], W "kernel" [D, M], b "bias" [M], z [N, M]
    y = f(z)             f the activation (linear by default), y [N, M]
    """

    default_name = "dense"

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        name=None,
    ):
        super().__init__(name)
        if not (is_int(units) and units >= 1):
            raise ValueError(f"{self}: units must be a positive int, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape, rng=None, dtype="float32"):
        """Create W [D, M] (and b [M]) for inputs of shape (D,), and their zero gradients."""
        shape = self._start_build(input_shape, rng, dtype)
        if len(shape) != 1:
            raise ValueError(f"{self}: expects inputs of shape (D,), got input_shape {shape}")
        self.params["kernel"] = self.kernel_initializer((shape[0], self.units), rng, dtype=dtype)
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((self.units,), rng, dtype=dtype)
        self.grads = {key: np.zeros_like(w) for key, w in self.params.items()}
        self.built = True

    def compute_output_shape(self, input_shape):
        return (self.units,)

    def forward(self, x, training=False):
        """x [N, D] -> y [N, M]."""
        x = self._check_input(x)
        z = x @ self.params["kernel"]  # 1. weighted sums
        if self.use_bias:
            z += self.params["bias"]  # 2. plus the bias, broadcast over the batch
        y = self.activation(z)  # 3. activation
        self.cache = (x, z, y)
        return y

    def backward(self, dy):
        """dy = dL/dy [N, M] -> dx = dL/dx [N, D]; sets grads "kernel" [D, M], "bias" [M].

        3. dz = f'(z) * dy                (the activation's backward)
        2. db = sum over the batch of dz  (+ the bias penalty's gradient)
        1. dW = x.T @ dz                  (+ the kernel penalty's gradient)
           dx = dz @ W.T                  (None when skip_dx: the input is the data)

        dW and db are written INTO the arrays of `grads` ([...] =): in a model they are
        views of one flat gradient array that the optimizer reads (see byhand.model).
        """
        x, z, y = self._cached()
        dy = self._check_dy(dy, y.shape)
        W, dW = self.params["kernel"], self.grads["kernel"]
        dz = self.activation.backward(z, y, dy)  # 3.
        if self.use_bias:
            db = self.grads["bias"]
            db[...] = sum_over_batch(dz)  # 2.
            if self.bias_regularizer is not None:
                db += self.bias_regularizer.gradient(self.params["bias"])
        dW[...] = x.T @ dz  # 1.
        if self.kernel_regularizer is not None:
            dW += self.kernel_regularizer.gradient(W)
        if self.skip_dx:
            return None
        return dz @ W.T  # 1.

    def regularization_loss(self):
        """kernel_regularizer(W) + bias_regularizer(b), the terms that are set."""
        loss = 0.0
        if self.kernel_regularizer is not None:
            loss += self.kernel_regularizer(self.params["kernel"])
        if self.use_bias and self.bias_regularizer is not None:
            loss += self.bias_regularizer(self.params["bias"])
        return float(loss)


def sum_over_batch(dz):
    """dz [N, M] summed over the batch axis: [M], the same numbers as dz.sum(axis=0).

    Written as the product ones [N] @ dz, which BLAS does in one pass: for the narrow
    arrays of the lessons (M = 1 or 16) NumPy's .sum(axis=0) is several times slower.
    """
    return _ones(len(dz), dz.dtype) @ dz


@functools.lru_cache(maxsize=32)
def _ones(n, dtype):
    """A vector of n ones, made once per (n, dtype) and read-only."""
    ones = np.ones(n, dtype)
    ones.flags.writeable = False
    return ones


class Activation(Layer):
    """An activation on its own: y = f(x), elementwise (softmax: over the last axis).

    x, y [N, ...] (same shape). backward: dx = f'(x) * dy, softmax's being the full
    Jacobian-vector product; both come from `byhand.activations`.
    """

    default_name = "activation"

    def __init__(self, activation, name=None):
        super().__init__(name)
        self.activation = activations.get(activation)

    def forward(self, x, training=False):
        """x [N, ...] -> y, same shape."""
        x = self._check_input(x)
        y = self.activation(x)
        self.cache = (x, y)
        return y

    def backward(self, dy):
        """dy -> dx = f'(x) * dy, same shape."""
        x, y = self._cached()
        dy = self._check_dy(dy, y.shape)
        return self.activation.backward(x, y, dy)


class Concatenate(Layer):
    """Join several inputs side by side along the last axis; backward splits dy back.

    forward: [x_0 [N, D_0], x_1 [N, D_1], ...] -> y [N, D_0 + D_1 + ...]
    backward: dy [N, D_0 + D_1 + ...] -> [dx_0 [N, D_0], dx_1 [N, D_1], ...]
    Concatenation only moves numbers, so each dx_i is the slice of dy that x_i filled.
    """

    default_name = "concatenate"
    multiple_inputs = True

    def build(self, input_shape, rng=None, dtype="float32"):
        """input_shape: a list of one-example shapes, e.g. [(D_0,), (D_1,)]."""
        self._start_build((), rng, dtype)  # checks that it is not built yet
        self.input_shape = self._shapes(input_shape)
        self.compute_output_shape(self.input_shape)  # checks that the shapes fit together
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes = self._shapes(input_shape)
        if len({shape[:-1] for shape in shapes}) != 1:
            raise ValueError(f"{self}: shapes must agree except along the last axis: {shapes}")
        return (*shapes[0][:-1], sum(shape[-1] for shape in shapes))

    def _shapes(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2:
            raise ValueError(f"{self}: joins a list of two or more inputs, got {input_shape!r}")
        shapes = [example_shape(str(self), shape) for shape in input_shape]
        if not all(shapes):
            raise ValueError(f"{self}: every input needs at least one axis, got {shapes}")
        return shapes

    def forward(self, x, training=False):
        """x: a list of arrays [N, D_i] -> y [N, sum of D_i]."""
        self._check_built()
        if not isinstance(x, (list, tuple)) or len(x) != len(self.input_shape):
            raise ValueError(
                f"{self}: expected a list of {len(self.input_shape)} arrays, got {type(x).__name__}"
            )
        xs = [self._check_input(xi, shape) for xi, shape in zip(x, self.input_shape, strict=True)]
        if len({len(xi) for xi in xs}) > 1:
            raise ValueError(
                f"{self}: inputs with different numbers of examples {[len(xi) for xi in xs]}"
            )
        y = np.concatenate(xs, axis=-1)
        self.cache = ([xi.shape[-1] for xi in xs], y.shape)  # where to split dy
        return y

    def backward(self, dy):
        """dy [N, sum of D_i] -> [dx_i [N, D_i]]."""
        sizes, shape = self._cached()
        dy = self._check_dy(dy, shape)
        return np.split(dy, np.cumsum(sizes)[:-1], axis=-1)


class InputLayer(Layer):
    """The placeholder a model starts from: checks the input's shape, passes it through.

    x [N, *shape] -> y = x; backward: dx = dy. (`byhand.functional.Input(shape)` makes
    the symbolic tensor of the functional API.)
    """

    default_name = "input_layer"

    def __init__(self, shape, name=None):
        super().__init__(name)
        self.shape = example_shape(str(self), shape)

    def build(self, input_shape, rng=None, dtype="float32"):
        if tuple(input_shape) != self.shape:
            raise ValueError(f"{self}: made for shape {self.shape}, got {tuple(input_shape)}")
        super().build(input_shape, rng, dtype)

    def forward(self, x, training=False):
        x = self._check_input(x)
        self.cache = x.shape
        return x

    def backward(self, dy):
        return self._check_dy(dy, self._cached())


LAYERS = {
    "input_layer": InputLayer,
    "dense": Dense,
    "activation": Activation,
    "concatenate": Concatenate,
    "dropout": Dropout,
    "batch_normalization": BatchNormalization,
    "p_re_lu": PReLU,
}
