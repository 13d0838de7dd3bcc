"""Activation functions and their derivatives.

Each activation is a small class whose instances are callables:

    a = act(z)                 forward, any shape (softmax: over the last axis)
    dz = act.backward(z, a, da)

`backward` is the vector-Jacobian product: given da = dL/da it returns dz = dL/dz, with the
shape of z. For the elementwise activations this is dz = da * f'(z); softmax mixes the entries
of each row, so it needs the whole Jacobian (see `Softmax.backward`).

Every function keeps the dtype of its input (float32 in, float32 out; integers become float64)
and is written to stay finite for large |z|: no overflow, no NaN at z = +-1000.
"""

from __future__ import annotations

import numpy as np

from byhand.checks import check_number
from byhand.registry import lookup


def _as_float(z):
    """z as a float array; float32 stays float32, anything else becomes float64."""
    z = np.asarray(z)
    if z.dtype.kind == "f":  # any float dtype
        return z
    if z.dtype.kind not in "biu":  # complex numbers, text, objects
        raise TypeError(f"activations take real numbers, got dtype {z.dtype}")
    return z.astype(np.float64)


class Activation:
    """Base class: a callable a = f(z) with `backward(z, a, da) -> dz`."""

    name = "activation"

    def __call__(self, z):
        raise NotImplementedError

    def backward(self, z, a, da):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """sigma(z) = 1 / (1 + exp(-z)), range (0, 1).

        d sigma / dz = sigma(z) * (1 - sigma(z))        (peak 0.25 at z = 0)

    Stable form: with e = exp(-|z|) <= 1, sigma = 1 / (1 + e) for z >= 0 and e / (1 + e) for
    z < 0, so exp never sees a large positive argument.
    """

    name = "sigmoid"

    def __call__(self, z):
        z = _as_float(z)
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1, e) / (1 + e)  # 1 / (1 + e) or e / (1 + e)

    def backward(self, z, a, da):
        return da * a * (1 - a)


class Tanh(Activation):
    """tanh(z), range (-1, 1), zero-centred.

    d tanh / dz = 1 - tanh(z)**2
    """

    name = "tanh"

    def __call__(self, z):
        return np.tanh(_as_float(z))

    def backward(self, z, a, da):
        return da * (1 - a * a)


class ReLU(Activation):
    """relu(z) = max(0, z).

    d relu / dz = 1 if z > 0 else 0     (at z = 0 we take 0, as TensorFlow does)
    """

    name = "relu"

    def __call__(self, z):
        z = _as_float(z)
        return np.maximum(z, 0)

    def backward(self, z, a, da):
        return _as_float(da) * (np.asarray(z) > 0)


class LeakyReLU(Activation):
    """leaky_relu(z) = z if z > 0 else alpha * z.

        d leaky_relu / dz = 1 if z > 0 else alpha       (alpha at z = 0, as TensorFlow does)

    alpha = 0.01 is the course's default. Keras differs: the LeakyReLU layer's
    `negative_slope` defaults to 0.3 and `keras.activations.leaky_relu` to 0.2.
    """

    name = "leaky_relu"

    def __init__(self, alpha=0.01):
        self.alpha = check_number("LeakyReLU", "alpha", alpha)

    def __call__(self, z):
        z = _as_float(z)
        return np.where(z > 0, z, self.alpha * z)

    def backward(self, z, a, da):
        da = _as_float(da)
        return da * np.where(np.asarray(z) > 0, 1, self.alpha).astype(da.dtype)

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha:g})"


class ELU(Activation):
    """elu(z) = z if z >= 0 else alpha * (exp(z) - 1)      (Keras: alpha = 1.0)

        d elu / dz = 1 if z >= 0 else alpha * exp(z) = elu(z) + alpha

    exp is only ever taken of min(z, 0), so large positive z cannot overflow.
    """

    name = "elu"

    def __init__(self, alpha=1.0):
        self.alpha = check_number("ELU", "alpha", alpha)

    def __call__(self, z):
        z = _as_float(z)
        return np.where(z >= 0, z, self.alpha * np.expm1(np.minimum(z, 0)))

    def backward(self, z, a, da):
        da = _as_float(da)
        return da * np.where(np.asarray(z) >= 0, 1, np.asarray(a) + self.alpha).astype(da.dtype)

    def __repr__(self):
        return f"ELU(alpha={self.alpha:g})"


class Softmax(Activation):
    """softmax(z)_k = exp(z_k) / sum_j exp(z_j), over the last axis: [..., K] -> [..., K].

    Each row is a probability distribution (entries in (0, 1), summing to 1). Subtracting the
    row maximum first leaves the result unchanged and keeps exp from overflowing.

    Jacobian: d a_i / d z_j = a_i * (delta_ij - a_j). Its vector product with da is

        dz = a * (da - sum(da * a, axis=-1, keepdims=True))
    """

    name = "softmax"

    def __call__(self, z):
        z = _as_float(z)
        if z.ndim == 0:
            raise ValueError(
                "Softmax: expected an array with K classes on the last axis, got a scalar"
            )
        if z.shape[-1] == 0:
            raise ValueError(
                f"Softmax: expected at least 1 class on the last axis, got shape {z.shape}"
            )
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def backward(self, z, a, da):
        return a * (da - np.sum(da * a, axis=-1, keepdims=True))


class Linear(Activation):
    """linear(z) = z (no activation; the output layer of a regression network).

    d linear / dz = 1
    """

    name = "linear"

    def __call__(self, z):
        return _as_float(z)

    def backward(self, z, a, da):
        return _as_float(da)


ACTIVATIONS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "softmax": Softmax,
    "linear": Linear,
}


def get(identifier):
    """An activation from a name (case-insensitive), an instance (returned as is) or None.

    get("relu") -> ReLU(), get(None) -> Linear(), get(ReLU()) -> that same instance.
    """
    if identifier is None:
        return Linear()
    return lookup("activation", identifier, ACTIVATIONS, Activation)
