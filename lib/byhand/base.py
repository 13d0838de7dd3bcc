"""The base class every layer extends; see byhand.layers for the pattern they follow."""

from __future__ import annotations

import math

import numpy as np

from byhand import functional

_name_counts: dict[str, int] = {}


def unique_name(prefix):
    """Names "dense" the first time, then "dense_1", "dense_2", ... (one counter per prefix)."""
    count = _name_counts.get(prefix, 0)
    _name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


class Layer:
    """The base class: weights in dicts, shape checks and clear errors shared by all layers."""

    default_name = "layer"
    multiple_inputs = False  # True for layers that read a list of tensors (Concatenate)

    def __init__(self, name=None):
        self.name = name if name is not None else unique_name(self.default_name)
        self.params = {}  # trainable arrays, e.g. {"kernel": [D, M], "bias": [M]}
        self.grads = {}  # dL/d(param): same keys and shapes, overwritten by backward
        self.state = {}  # non-trainable arrays, e.g. batch norm's moving averages
        self.cache = None  # what backward needs, kept by forward
        # Set by a model on the layers that read its input data: nobody needs dL/dx there,
        # and for a first Dense layer dx = dz @ W.T is a third of its work, so it skips it.
        self.skip_dx = False
        # A layer called directly checks every x for NaN; a model checks its data once, in
        # fit / evaluate / predict, and turns this off for its layers (shapes stay checked).
        self.scan_inputs = True
        self.built = False
        self.input_shape = None
        self.rng = None
        # False freezes the layer (Keras): fit leaves its params alone. Set it before
        # compile, which fixes what trains until the next compile, as in Keras.
        self.trainable = True

    def __repr__(self):
        return f"{type(self).__name__} '{self.name}'"

    def __call__(self, inputs):
        """Functional API: `Dense(3)(tensor)` records a node in the graph, computes nothing."""
        return functional.call_layer(self, inputs)

    def build(self, input_shape, rng=None, dtype="float32"):
        """Fix the input size once. input_shape: one example's shape, e.g. (D,).

        Layers with weights override this to create them (in `dtype`), with `rng` (a
        numpy.random.Generator) as the only source of randomness.
        """
        self._start_build(input_shape, rng, dtype)
        self.built = True

    def _start_build(self, input_shape, rng, dtype):
        if self.built:
            raise RuntimeError(f"{self}: already built for input shape {self.input_shape}")
        self.input_shape = functional.example_shape(str(self), input_shape)
        self.rng, self.dtype = rng, np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"{self}: dtype must be a float type such as 'float32', got {dtype!r}")
        return self.input_shape

    def compute_output_shape(self, input_shape):
        """One example's output shape for one example's input shape (same, by default)."""
        return tuple(input_shape)

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, dy):
        """dy = dL/dy -> dx = dL/dx, and this layer's `grads` (overwritten, never added to).

        When `skip_dx` is True (the model's input data, whose gradient nobody needs), a
        layer may skip dx and return None; its `grads` are still filled.
        """
        raise NotImplementedError

    def regularization_loss(self):
        """The sum of this layer's weight penalties (added to the data loss)."""
        return 0.0

    def _weight_arrays(self):
        # Keras's order: trainable params first, then the non-trainable state.
        return {**self.params, **self.state}

    def get_weights(self):
        """Copies of the weight arrays, in Keras's order (e.g. [kernel, bias])."""
        return [w.copy() for w in self._weight_arrays().values()]

    def set_weights(self, weights):
        """Overwrite the weights IN PLACE (an optimizer holding them sees the new values)."""
        self.check_weights(weights)
        self._assign(weights)

    def _assign(self, weights):
        """Copy `weights` into the weight arrays, which `check_weights` has passed."""
        for old, new in zip(self._weight_arrays().values(), weights, strict=True):
            old[...] = new

    def check_weights(self, weights):
        """A clear error unless `weights` fit this layer: their number, shapes, finite reals."""
        self._check_built("set_weights")
        current = self._weight_arrays()
        if len(weights) != len(current):
            raise ValueError(
                f"{self}: expected {len(current)} weight arrays {list(current)}, got {len(weights)}"
            )
        for (key, old), new in zip(current.items(), weights, strict=True):
            new = np.asarray(new)
            if new.shape != old.shape:
                raise ValueError(f"{self}: weight {key!r} has shape {old.shape}, got {new.shape}")
            if new.dtype.kind not in "biuf" or not np.isfinite(new).all():
                raise ValueError(f"{self}: weight {key!r} must be finite numbers ({new.dtype})")

    def count_params(self):
        """How many numbers the weights hold (trainable and not, as Keras counts)."""
        if not self.built:
            raise ValueError(f"{self}: not built yet, call build(input_shape, rng) first")
        return int(sum(w.size for w in self._weight_arrays().values()))

    def _check_built(self, where="forward"):
        if not self.built:
            raise RuntimeError(
                f"{self}: not built yet; call build(input_shape, rng) before {where}"
            )

    def _check_input(self, x, shape=None):
        """x as an array, after checking its shape is [N, *shape] and it holds no NaN."""
        self._check_built()
        shape = self.input_shape if shape is None else shape
        x = np.asarray(x)
        if x.ndim != len(shape) + 1 or x.shape[1:] != shape:
            one = ", ".join(map(str, shape))
            expected = f"D = {one} features" if len(shape) == 1 else f"shape (N, {one})"
            raise ValueError(f"{self}: expected input with {expected}, got shape {x.shape}")
        if x.dtype.kind not in "iuf":  # ints or floats
            raise ValueError(f"{self}: input must be numbers without NaN (dtype {x.dtype})")
        # NaN spreads through min(), so one pass over x finds any NaN without a temporary.
        if self.scan_inputs and x.size and math.isnan(x.min()):
            raise ValueError(f"{self}: input must be numbers without NaN (dtype {x.dtype})")
        return x

    def _cached(self):
        """What forward kept for backward (an error if forward has not run)."""
        if self.cache is None:
            raise RuntimeError(f"{self}: backward called before forward")
        return self.cache

    def _check_dy(self, dy, shape):
        """dy as an array, after checking it has the shape of the forward output."""
        dy = np.asarray(dy)
        if dy.shape != shape:
            raise ValueError(f"{self}: dy must have the output's shape {shape}, got {dy.shape}")
        return dy
