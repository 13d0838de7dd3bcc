"""Weight initializers: callables `init(shape, rng) -> array of that shape`.

Starting every weight at zero makes all units of a layer compute the same thing and
receive the same gradient, so they stay identical forever (symmetry). Random starts
break the symmetry; their scale matters too. If a unit sums fan_in inputs of variance 1
with weights of variance s, its output has variance about fan_in * s: to keep signals
(and gradients) from shrinking or exploding layer after layer, pick s ~ 1 / fan.

    LeCun   s = 1 / fan_in                      (tanh, SELU)
    Glorot  s = 2 / (fan_in + fan_out)          (also called Xavier; sigmoid, tanh)
    He      s = 2 / fan_in                      (ReLU: it zeroes half of its inputs)

For a kernel of shape [D, M], fan_in = D and fan_out = M. A "uniform" version draws
from U(-limit, limit) with limit = sqrt(3 s) (a uniform of that width has variance s);
a "normal" version draws from a normal truncated at two standard deviations, whose
stddev is enlarged by 1 / 0.87962566103423978 so that the kept values still have
variance s (the same formulas as Keras).

Randomness comes only from the numpy.random.Generator passed in: the same seed gives
the same weights, and the global NumPy random state is never used.
"""

from __future__ import annotations

import math

import numpy as np

from byhand.checks import check_number, check_positive, is_int
from byhand.registry import lookup

# Standard deviation of a standard normal truncated to [-2, 2].
TRUNCATED_NORMAL_STDDEV = 0.87962566103423978


def compute_fans(shape):
    """(fan_in, fan_out) of a weight shape: [D, M] -> (D, M); [M] -> (M, M); () -> (1, 1).

    For more axes (convolution kernels [..., D, M]) both are multiplied by the product
    of the leading axes, as in Keras.
    """
    if not isinstance(shape, (tuple, list)) or not all(is_int(n) and n >= 0 for n in shape):
        raise ValueError(
            f"compute_fans: shape must be a tuple of non-negative ints such as (4, 3), "
            f"got {shape!r}"
        )
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def truncated_normal(rng, shape, mean, stddev):
    """Normal(mean, stddev) samples, redrawing any further than 2 stddev from the mean."""
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2
    while outside.any():
        z[outside] = rng.standard_normal(np.count_nonzero(outside))
        outside = np.abs(z) > 2
    return mean + stddev * z


class Initializer:
    """Base class: checks the shape and the generator, then calls `sample`."""

    name = "initializer"

    def __call__(self, shape, rng=None, dtype=np.float32):
        """shape (tuple of ints, or an int), rng (numpy.random.Generator) -> array."""
        owner = type(self).__name__
        shape = (shape,) if is_int(shape) else shape
        if not isinstance(shape, (tuple, list)) or not all(is_int(n) and n >= 0 for n in shape):
            raise ValueError(f"{owner}: shape must be non-negative ints, got {shape!r}")
        # An integer dtype would round the small weights to 0 without a word.
        if np.dtype(dtype).kind != "f":
            raise ValueError(
                f"{owner}: dtype must be a float type such as 'float32', got {dtype!r}"
            )
        return np.asarray(self.sample(tuple(shape), rng), dtype=dtype)

    def _check_rng(self, rng):
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"{type(self).__name__}: expected a numpy.random.Generator such as "
                f"np.random.default_rng(0), got {type(rng).__name__}"
            )
        return rng

    def __repr__(self):
        return f"{type(self).__name__}()"


class Zeros(Initializer):
    """Every weight 0 (the usual start for biases; for kernels it keeps units symmetric)."""

    name = "zeros"

    def sample(self, shape, rng):
        return np.zeros(shape)


class Ones(Initializer):
    """Every weight 1 (e.g. the scale gamma of batch normalization)."""

    name = "ones"

    def sample(self, shape, rng):
        return np.ones(shape)


class RandomNormal(Initializer):
    """Normal(mean, stddev) samples, not truncated; the same for every shape."""

    name = "random_normal"

    def __init__(self, mean=0.0, stddev=0.05):
        self.mean = check_number("RandomNormal", "mean", mean)
        self.stddev = check_number("RandomNormal", "stddev", stddev, 0)

    def sample(self, shape, rng):
        return self._check_rng(rng).normal(self.mean, self.stddev, size=shape)

    def __repr__(self):
        return f"RandomNormal(mean={self.mean}, stddev={self.stddev})"


class RandomUniform(Initializer):
    """Uniform samples in [minval, maxval); the same for every shape."""

    name = "random_uniform"

    def __init__(self, minval=-0.05, maxval=0.05):
        self.minval = check_number("RandomUniform", "minval", minval)
        self.maxval = check_number("RandomUniform", "maxval", maxval)
        if minval > maxval:
            raise ValueError(
                f"RandomUniform: need minval <= maxval, got minval={minval!r}, maxval={maxval!r}"
            )

    def sample(self, shape, rng):
        return self._check_rng(rng).uniform(self.minval, self.maxval, size=shape)

    def __repr__(self):
        return f"RandomUniform(minval={self.minval}, maxval={self.maxval})"


class VarianceScaling(Initializer):
    """Samples of variance s = scale / fan, where fan depends on `mode`:

        "fan_in": fan_in     "fan_out": fan_out     "fan_avg": (fan_in + fan_out) / 2

    distribution "uniform": U(-limit, limit), limit = sqrt(3 * s).
    distribution "truncated_normal": stddev sqrt(s) / 0.8796..., cut at 2 stddev.
    """

    name = "variance_scaling"

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal"):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: unknown mode {mode!r}")
        if distribution not in ("uniform", "truncated_normal"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}")
        self.scale = check_positive("VarianceScaling", "scale", scale)  # as in Keras
        self.mode, self.distribution = mode, distribution

    def variance(self, shape):
        """s = scale / fan for this shape (fan at least 1)."""
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
        return self.scale / max(1.0, fan[self.mode])

    def sample(self, shape, rng):
        rng = self._check_rng(rng)
        s = self.variance(shape)
        if self.distribution == "uniform":
            limit = math.sqrt(3 * s)
            return rng.uniform(-limit, limit, size=shape)
        return truncated_normal(rng, shape, 0.0, math.sqrt(s) / TRUNCATED_NORMAL_STDDEV)

    def __repr__(self):
        if type(self) is not VarianceScaling:  # GlorotUniform() etc. take no arguments
            return f"{type(self).__name__}()"
        return (
            f"VarianceScaling(scale={self.scale}, mode={self.mode!r}, "
            f"distribution={self.distribution!r})"
        )


class GlorotUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""

    name = "glorot_uniform"

    def __init__(self):
        super().__init__(1.0, "fan_avg", "uniform")


class GlorotNormal(VarianceScaling):
    """Truncated normal, stddev = sqrt(2 / (fan_in + fan_out)) / 0.8796..."""

    name = "glorot_normal"

    def __init__(self):
        super().__init__(1.0, "fan_avg", "truncated_normal")


class HeUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / fan_in)."""

    name = "he_uniform"

    def __init__(self):
        super().__init__(2.0, "fan_in", "uniform")


class HeNormal(VarianceScaling):
    """Truncated normal, stddev = sqrt(2 / fan_in) / 0.8796..."""

    name = "he_normal"

    def __init__(self):
        super().__init__(2.0, "fan_in", "truncated_normal")


class LecunUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(3 / fan_in)."""

    name = "lecun_uniform"

    def __init__(self):
        super().__init__(1.0, "fan_in", "uniform")


class LecunNormal(VarianceScaling):
    """Truncated normal, stddev = sqrt(1 / fan_in) / 0.8796..."""

    name = "lecun_normal"

    def __init__(self):
        super().__init__(1.0, "fan_in", "truncated_normal")


INITIALIZERS = {
    "zeros": Zeros,
    "ones": Ones,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
}


def get(identifier):
    """An initializer from a name ("glorot_uniform", any case) or an instance."""
    return lookup("initializer", identifier, INITIALIZERS, Initializer)
